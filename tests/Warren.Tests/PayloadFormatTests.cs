using System;
using System.Buffers;
using System.Linq;
using System.Text;
using CsCheck;
using Xunit;

namespace Warren.Tests;

/// <summary>Text and byte bodies: what each format writes, what it accepts, and the reason it gives for what it refuses.</summary>
public sealed class PayloadFormatTests
{
    [Fact]
    public void Any_string_round_trips_through_the_text_format()
    {
        // Any sequence of Unicode scalar values (surrogate pairs included), as UTF-8 text/plain.
        var scalars = Gen.Int[0, 0x10FFFF].Where(c => c is < 0xD800 or > 0xDFFF).Select(char.ConvertFromUtf32);
        Property.ForAll(
            scalars.Array[0, 64].Select(parts => string.Concat(parts)),
            400,
            text =>
            {
                var body = Write(PayloadFormat.Text, text);
                Assert.Equal(Encoding.UTF8.GetBytes(text), body);
                Assert.True(PayloadFormat.Text.TryRead(body, PayloadFormat.TextContentType, null, out var read, out var error), error);
                Assert.Equal(text, read);
                Assert.True(PayloadFormat.Text.TryRead(body, null, null, out read, out error), error);
                Assert.Equal(text, read);
            },
            text => $"\"{text}\" ({text.Length} chars)");
        Assert.Equal(400, Property.LastCount);
    }

    [Fact]
    public void Any_bytes_round_trip_through_the_byte_formats_as_copies()
    {
        Property.ForAll(
            Gen.Byte.Array[0, 512],
            400,
            bytes =>
            {
                var body = Write(PayloadFormat.Bytes, bytes);
                Assert.Equal(bytes, body);
                Assert.Equal(bytes, Write(PayloadFormat.Memory, new ReadOnlyMemory<byte>(bytes)));
                Assert.True(PayloadFormat.Bytes.TryRead(body, "application/json", "gzip", out var read, out _));
                Assert.Equal(bytes, read);
                Assert.True(PayloadFormat.Memory.TryRead(body, null, null, out var memory, out _));
                Assert.Equal(bytes, memory.ToArray());

                // Copies: the client reuses the delivered body's memory once the handler returns.
                if (body.Length > 0)
                {
                    body[0] ^= 0xFF;
                    Assert.Equal(bytes, read);
                    Assert.Equal(bytes, memory.ToArray());
                }
            },
            bytes => Convert.ToHexString(bytes));
    }

    [Fact]
    public void Non_utf8_bytes_are_refused_with_the_offset_never_replaced()
    {
        // Every byte string that is not valid UTF-8 is refused; every valid one is read exactly.
        var strict = new UTF8Encoding(false, true);
        Property.ForAll(
            Gen.Byte.Array[1, 32],
            1000,
            bytes =>
            {
                bool valid;
                try
                {
                    strict.GetString(bytes);
                    valid = true;
                }
                catch (DecoderFallbackException)
                {
                    valid = false;
                }

                var read = PayloadFormat.Text.TryRead(bytes, "text/plain", null, out var text, out var error);
                Assert.Equal(valid, read);
                if (valid)
                {
                    Assert.Equal(bytes, Encoding.UTF8.GetBytes(text!));
                }
                else
                {
                    Assert.Null(text);
                    Assert.Contains("not valid utf-8 text", error, StringComparison.Ordinal);
                    Assert.Contains("offset", error, StringComparison.Ordinal);
                }
            },
            Convert.ToHexString);
    }

    [Theory]
    [InlineData("text/plain; charset=iso-8859-1", new byte[] { 0x63, 0x61, 0x66, 0xE9 }, "café")]
    [InlineData("text/plain;charset=\"ISO-8859-1\"", new byte[] { 0xE9 }, "é")]
    [InlineData("text/plain; charset=utf-16le", new byte[] { 0x68, 0x00, 0x69, 0x00 }, "hi")]
    [InlineData("text/plain; charset=us-ascii", new byte[] { 0x68, 0x69 }, "hi")]
    [InlineData("text/plain; format=flowed; charset=UTF-8", new byte[] { 0xC3, 0xA9 }, "é")]
    [InlineData("application/json", new byte[] { 0x7B, 0x7D }, "{}")]
    [InlineData("", new byte[] { 0x68 }, "h")]
    public void Declared_charsets_are_decoded(string contentType, byte[] body, string expected)
    {
        Assert.True(PayloadFormat.Text.TryRead(body, contentType, null, out var text, out var error), error);
        Assert.Equal(expected, text);
    }

    [Theory]
    [InlineData("text/plain; charset=shift_jis", null, "charset 'shift_jis'")]
    [InlineData("text/plain; charset=no-such-charset", null, "charset 'no-such-charset'")]
    [InlineData("text/plain; charset=us-ascii", null, "not valid us-ascii text")]
    [InlineData("application/octet-stream", null, "declared binary")]
    [InlineData("text/plain", "gzip", "content-encoding 'gzip'")]
    public void What_a_text_handler_cannot_read_is_refused_with_the_reason(string contentType, string? encoding, string reason)
    {
        Assert.False(PayloadFormat.Text.TryRead(new byte[] { 0x68, 0xE9 }, contentType, encoding, out var text, out var error));
        Assert.Null(text);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Identity_content_encoding_is_no_encoding()
    {
        Assert.True(PayloadFormat.Text.TryRead("hi"u8.ToArray(), null, "identity", out var text, out _));
        Assert.Equal("hi", text);
    }

    [Fact]
    public void Formats_name_their_content_types()
    {
        Assert.Equal("text/plain; charset=utf-8", PayloadFormat.Text.ContentType);
        Assert.Equal("application/octet-stream", PayloadFormat.Bytes.ContentType);
        Assert.Equal("application/octet-stream", PayloadFormat.Memory.ContentType);
        Assert.Equal("application/json", PayloadFormat.Json(PayloadJson.Default.String).ContentType);
        Assert.Same(PayloadFormat.Json(PayloadJson.Default.String), PayloadFormat.Json(PayloadJson.Default.String));
    }

    [Fact]
    public void The_json_format_reads_a_json_string_and_refuses_plain_text()
    {
        var json = PayloadFormat.Json(PayloadJson.Default.String);
        Assert.True(json.TryRead("\"hi\""u8.ToArray(), "application/json", null, out var text, out _));
        Assert.Equal("hi", text);
        Assert.False(json.TryRead("hi"u8.ToArray(), "text/plain", null, out _, out var error));
        Assert.Contains("not valid JSON", error, StringComparison.Ordinal);
        Assert.Equal("\"hi\"", Encoding.UTF8.GetString(Write(json, "hi")));
    }

    private static byte[] Write<T>(PayloadFormat<T> format, T value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        format.Write(value, buffer);
        return buffer.WrittenSpan.ToArray();
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class PayloadJson : System.Text.Json.Serialization.JsonSerializerContext;

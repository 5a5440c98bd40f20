using System;
using System.IO;
using System.Linq;
using System.IO.Compression;
using System.Text;
using CsCheck;
using Xunit;

namespace Warren.Tests.Consuming;

/// <summary>What a JSON handler does with a message's content-type and content-encoding (docs/interop.md).</summary>
public sealed class JsonContentPolicyTests
{
    private const string Json = """{"OrderId":"o-1","Quantity":2}""";

    private static readonly PayloadFormat<OrderPlaced> Format = PayloadFormat.Json(StrictTestJson.Default.OrderPlaced);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("application/json")]
    [InlineData("Application/JSON; charset=utf-8")]
    [InlineData("application/json;charset=\"UTF-8\"")]
    [InlineData("text/json")]
    [InlineData("application/vnd.masstransit+json")]
    [InlineData("application/cloudevents+json; charset=utf-8")]
    [InlineData("text/plain")]
    [InlineData("application/octet-stream")]
    public void Json_generic_or_absent_content_types_are_read(string? contentType)
    {
        Assert.True(Format.TryRead(Encoding.UTF8.GetBytes(Json), contentType, null, out var message, out var error), error);
        Assert.Equal(new OrderPlaced("o-1", 2), message);
    }

    [Theory]
    [InlineData("application/xml")]
    [InlineData("text/xml; charset=utf-8")]
    [InlineData("application/x-protobuf")]
    [InlineData("text/csv")]
    public void A_content_type_that_is_not_json_is_refused_naming_it(string contentType)
    {
        Assert.False(Format.TryRead(Encoding.UTF8.GetBytes(Json), contentType, null, out _, out var error));
        Assert.Contains($"content-type '{contentType}', not JSON", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_charset_other_than_utf8_is_refused_naming_it()
    {
        Assert.False(Format.TryRead(Encoding.Unicode.GetBytes(Json), "application/json; charset=utf-16", null, out _, out var error));
        Assert.Contains("charset 'utf-16'", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("x-gzip")]
    [InlineData("GZIP")]
    [InlineData("deflate")]
    [InlineData("br")]
    public void A_compressed_body_is_decoded(string encoding)
    {
        Assert.True(Format.TryRead(Compress(Encoding.UTF8.GetBytes(Json), encoding), "application/json", encoding, out var message, out var error), error);
        Assert.Equal(new OrderPlaced("o-1", 2), message);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("identity")]
    [InlineData(" Identity ")]
    public void An_identity_encoding_is_read_as_it_is(string? encoding)
    {
        Assert.True(Format.TryRead(Encoding.UTF8.GetBytes(Json), null, encoding, out var message, out var error), error);
        Assert.Equal(new OrderPlaced("o-1", 2), message);
    }

    [Fact]
    public void A_json_body_labelled_gzip_but_not_compressed_is_refused_with_a_clear_reason()
    {
        Assert.False(Format.TryRead(Encoding.UTF8.GetBytes(Json), "application/json", "gzip", out _, out var error));
        Assert.Contains("content-encoding 'gzip' but is not valid gzip data", error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_encoding_is_refused_naming_it()
    {
        Assert.False(Format.TryRead(Encoding.UTF8.GetBytes(Json), null, "zstd", out _, out var error));
        Assert.Contains("content-encoding 'zstd', which a JSON handler does not decode", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_compressed_body_of_the_wrong_shape_says_it_was_decoded()
    {
        Assert.False(Format.TryRead(Compress(Encoding.UTF8.GetBytes("""{"foo":1}"""), "gzip"), null, "gzip", out _, out var error));
        Assert.Contains("not valid JSON for OrderPlaced", error, StringComparison.Ordinal);
        Assert.Contains("decoded from content-encoding 'gzip'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_body_decoding_to_more_than_the_bound_is_refused()
    {
        // 129 MiB of spaces compress to about 130 KB.
        var big = new byte[JsonBody.MaxDecodedBytes + (1024 * 1024)];
        big.AsSpan().Fill((byte)' ');
        Assert.False(Format.TryRead(Compress(big, "gzip"), null, "gzip", out _, out var error));
        Assert.Contains("decodes to more than", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("deflate")]
    [InlineData("br")]
    public void A_compression_bomb_is_refused_within_the_configured_maximum_without_allocating_its_size(string encoding)
    {
        // 128 MiB of zeros compress to about 130 KB (gzip, deflate) or a few hundred bytes (br).
        var bomb = Compress(new byte[128 * 1024 * 1024], encoding);
        const int max = 1024 * 1024;
        var before = GC.GetAllocatedBytesForCurrentThread();
        var read = Format.TryRead(bomb, null, encoding, max, out _, out var error);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.False(read);
        Assert.Contains($"decodes to more than {max} bytes (Warren:MaxMessageSize)", error, StringComparison.Ordinal);
        Assert.True(allocated < 4 * 1024 * 1024, $"decoding a {bomb.Length}-byte {encoding} bomb allocated {allocated} bytes");
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("deflate")]
    [InlineData("br")]
    public void A_body_decoding_to_exactly_the_maximum_is_read_and_one_byte_more_is_refused(string encoding)
    {
        var json = Encoding.UTF8.GetBytes(Json);
        Assert.True(Format.TryRead(Compress(json, encoding), null, encoding, json.Length, out var message, out var error), error);
        Assert.Equal(new OrderPlaced("o-1", 2), message);
        Assert.False(Format.TryRead(Compress(json, encoding), null, encoding, json.Length - 1, out _, out error));
        Assert.Contains("decodes to more than", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("deflate")]
    [InlineData("raw-deflate")]
    [InlineData("gzip")]
    [InlineData("br")]
    public void A_truncated_compressed_body_is_refused_as_truncated(string encoding)
    {
        var json = Encoding.UTF8.GetBytes("[" + string.Join(",", Enumerable.Range(0, 2000)) + "]");
        var compressed = Compress(json, encoding);
        foreach (var length in new[] { compressed.Length / 2, compressed.Length - 1, compressed.Length - 4, compressed.Length - 8 })
        {
            Assert.False(JsonBody.TryDecode(compressed.AsMemory(0, length), Label(encoding), 1024 * 1024, out _, out _, out var error), $"{length} of {compressed.Length} bytes");
            Assert.Contains("truncated", error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Raw_deflate_from_dotnet_DeflateStream_is_decoded_under_the_label_deflate()
    {
        var raw = Compress(Encoding.UTF8.GetBytes(Json), "raw-deflate");
        Assert.True(Format.TryRead(raw, "application/json", "deflate", out var message, out var error), error);
        Assert.Equal(new OrderPlaced("o-1", 2), message);
    }

    [Theory]
    [InlineData("deflate", "789cab56f22f4a492df24c51b252cad73554d2510a2c4dcc2bc92ca954b232aa050090e1096c")]
    [InlineData("deflate", "ab56f22f4a492df24c51b252cad73554d2510a2c4dcc2bc92ca954b232aa0500")]
    [InlineData("gzip", "1f8b0800000000000003ab56f22f4a492df24c51b252cad73554d2510a2c4dcc2bc92ca954b232aa0500fe28e10c1e000000")]
    public void Bodies_from_node_zlib_are_decoded(string encoding, string hex)
    {
        // zlib.deflateSync (zlib-wrapped), zlib.deflateRawSync and zlib.gzipSync of the same JSON, from Node 20.
        Assert.True(Format.TryRead(Convert.FromHexString(hex), "application/json", encoding, out var message, out var error), error);
        Assert.Equal(new OrderPlaced("o-1", 2), message);
    }

    [Fact]
    public void A_zlib_header_asking_for_a_preset_dictionary_is_refused_naming_it()
    {
        // CMF 0x78, FLG 0x20: (0x78 * 256 + 0x20) % 31 == 0, FDICT set, then a dictionary id.
        Assert.False(Format.TryRead(new byte[] { 0x78, 0x20, 1, 2, 3, 4, 0xAB, 0x56 }, null, "deflate", out _, out var error));
        Assert.Contains("preset dictionary (FDICT)", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_gzip_body_of_several_members_is_decoded_whole()
    {
        var first = Compress(Encoding.UTF8.GetBytes("""{"OrderId":"o-1","""), "gzip");
        var second = Compress(Encoding.UTF8.GetBytes(""" "Quantity":2}"""), "gzip");
        Assert.True(Format.TryRead(first.Concat(second).ToArray(), null, "gzip", out var message, out var error), error);
        Assert.Equal(new OrderPlaced("o-1", 2), message);
        Assert.False(Format.TryRead(first.Concat(second.Take(second.Length - 3)).ToArray(), null, "gzip", out _, out error));
        Assert.Contains("truncated", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Bodies_truncated_at_random_positions_are_refused_or_decoded_to_exactly_the_original()
    {
        string[] encodings = ["gzip", "deflate", "raw-deflate", "br"];
        var cases = Gen.Select(
            Gen.Int[0, encodings.Length - 1],
            Gen.Int[0, 20000],
            Gen.Int,
            Gen.Double[0, 1],
            (encoding, length, seed, cut) => (Encoding: encodings[encoding], Length: length, Seed: seed, Cut: cut));
        var refused = 0;
        Property.ForAll(
            cases,
            800,
            c =>
            {
                var random = new Random(c.Seed);
                var data = new byte[c.Length];
                for (var i = 0; i < data.Length; i++)
                {
                    data[i] = (byte)(random.Next(4) == 0 ? random.Next(256) : 'a' + random.Next(3));
                }

                var compressed = Compress(data, c.Encoding);
                var length = (int)(c.Cut * compressed.Length);
                Assert.True(JsonBody.TryDecode(compressed, Label(c.Encoding), 1024 * 1024, out var whole, out var wholeLength, out var error), error);
                Assert.True(whole.AsSpan(0, wholeLength).SequenceEqual(data), "the whole body did not decode to the original");
                System.Buffers.ArrayPool<byte>.Shared.Return(whole!);
                if (JsonBody.TryDecode(compressed.AsMemory(0, length), Label(c.Encoding), 1024 * 1024, out var decoded, out var decodedLength, out error))
                {
                    Assert.True(decoded.AsSpan(0, decodedLength).SequenceEqual(data), $"read {decodedLength} of {data.Length} bytes from {length} of {compressed.Length} compressed bytes");
                    System.Buffers.ArrayPool<byte>.Shared.Return(decoded!);
                }
                else
                {
                    Assert.Matches("truncated|not valid", error);
                    refused++;
                }
            },
            c => $"{c.Encoding}, {c.Length} bytes (seed {c.Seed}) cut at {c.Cut:F4} of its compressed length");
        Assert.Equal(800, Property.LastCount);
        Assert.True(refused > 700, $"only {refused} of 800 truncated bodies were refused");
    }

    private static string Label(string encoding) => encoding == "raw-deflate" ? "deflate" : encoding;

    [Fact]
    public void A_corrupt_br_body_is_refused_rather_than_thrown()
    {
        var compressed = Compress(Encoding.UTF8.GetBytes(Json), "br");
        compressed[0] ^= 0xFF;
        compressed[1] ^= 0x55;
        Assert.False(Format.TryRead(compressed, null, "br", out _, out var error));
        Assert.Contains("not valid br data", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("text/json")]
    public void Checking_a_json_content_type_allocates_nothing_more_than_reading_a_body_without_one(string contentType)
    {
        var body = Encoding.UTF8.GetBytes(Json);
        Assert.Equal(AllocatedReading(body, null, null), AllocatedReading(body, contentType, "identity"));
    }

    private static long AllocatedReading(byte[] body, string? contentType, string? contentEncoding)
    {
        Assert.True(Format.TryRead(body, contentType, contentEncoding, out _, out var error), error);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            Format.TryRead(body, contentType, contentEncoding, out _, out _);
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    private static byte[] Compress(byte[] data, string encoding)
    {
        using var output = new MemoryStream();
        using (Stream compressor = encoding.ToLowerInvariant() switch
        {
            "gzip" or "x-gzip" => new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true),
            "deflate" => new ZLibStream(output, CompressionLevel.Fastest, leaveOpen: true),
            "raw-deflate" => new DeflateStream(output, CompressionLevel.Fastest, leaveOpen: true),
            _ => new BrotliStream(output, CompressionLevel.Fastest, leaveOpen: true),
        })
        {
            compressor.Write(data);
        }

        return output.ToArray();
    }
}

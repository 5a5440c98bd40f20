using System;
using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Warren;

/// <summary>
/// The payload formats: <see cref="Text"/> (<see cref="string"/>), <see cref="Bytes"/> (<see cref="byte"/>[]),
/// <see cref="Memory"/> (<see cref="ReadOnlyMemory{T}"/> of bytes) and <see cref="Json{T}"/>. See docs/interop.md for
/// the content types each writes and accepts.
/// </summary>
public static class PayloadFormat
{
    /// <summary><c>text/plain; charset=utf-8</c>, what <see cref="Text"/> publishes.</summary>
    public const string TextContentType = "text/plain; charset=utf-8";

    /// <summary><c>application/octet-stream</c>, what <see cref="Bytes"/> and <see cref="Memory"/> publish.</summary>
    public const string BinaryContentType = "application/octet-stream";

    /// <summary><c>application/json</c>, what <see cref="Json{T}"/> publishes.</summary>
    public const string JsonContentType = "application/json";

    /// <summary>
    /// The body as text. Published as UTF-8 with <c>content-type: text/plain; charset=utf-8</c>. Read in the charset the
    /// <c>content-type</c> names (UTF-8 when it names none, whatever the media type: the RabbitMQ tutorials send none),
    /// strictly: a body that is not valid in that charset, a charset .NET cannot decode, a <c>content-encoding</c> other
    /// than <c>identity</c>, or a body declared <c>application/octet-stream</c> is not read (the message is dead-lettered
    /// with the reason).
    /// </summary>
    public static PayloadFormat<string> Text { get; } = new TextFormat();

    /// <summary>The body's bytes, copied into a new array (any content type, no decoding). Published as <c>application/octet-stream</c>.</summary>
    public static PayloadFormat<byte[]> Bytes { get; } = new BytesFormat();

    /// <summary>
    /// The body's bytes, copied (any content type, no decoding): the handler may keep them after it returns. Published as
    /// <c>application/octet-stream</c>.
    /// </summary>
    public static PayloadFormat<ReadOnlyMemory<byte>> Memory { get; } = new MemoryFormat();

    /// <summary>
    /// JSON with <paramref name="typeInfo"/> from the application's <c>JsonSerializerContext</c>, read strictly (see
    /// <see cref="MessageDispatcher.TryDeserialize{T}(MessageContext, JsonTypeInfo{T}, out T, out string)"/>). Published as <c>application/json</c>. One format per type
    /// information, made once. A <c>content-type</c> that is not JSON (or a generic label) or not UTF-8 is refused, and a
    /// <c>content-encoding</c> of <c>gzip</c>, <c>deflate</c> or <c>br</c> is decoded (see docs/interop.md).
    /// </summary>
    public static PayloadFormat<T> Json<T>(JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        return JsonFormats<T>.Cache.GetValue(typeInfo, static info => new JsonFormat<T>(info));
    }

    private static class JsonFormats<T>
    {
        public static readonly ConditionalWeakTable<JsonTypeInfo<T>, PayloadFormat<T>> Cache = new();
    }

    private sealed class JsonFormat<T>(JsonTypeInfo<T> typeInfo) : PayloadFormat<T>
    {
        public override string ContentType => JsonContentType;

        internal override JsonTypeInfo<T> JsonTypeInfo => typeInfo;

        public override bool TryRead(ReadOnlyMemory<byte> body, string? contentType, string? contentEncoding, out T? value, out string? error) =>
            MessageDispatcher.TryDeserialize(body, contentType, contentEncoding, typeInfo, out value, out error);

        internal override bool TryRead(ReadOnlyMemory<byte> body, string? contentType, string? contentEncoding, int maxDecodedBytes, out T? value, out string? error) =>
            MessageDispatcher.TryDeserialize(body, contentType, contentEncoding, maxDecodedBytes, typeInfo, out value, out error);

        public override void Write(T value, IBufferWriter<byte> output)
        {
            using var writer = new Utf8JsonWriter(output);
            JsonSerializer.Serialize(writer, value, typeInfo);
        }
    }

    private sealed class TextFormat : PayloadFormat<string>
    {
        private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

        public override string ContentType => TextContentType;

        public override bool TryRead(ReadOnlyMemory<byte> body, string? contentType, string? contentEncoding, out string? value, out string? error)
        {
            value = null;
            if (!string.IsNullOrEmpty(contentEncoding) && !contentEncoding.Trim().Equals("identity", StringComparison.OrdinalIgnoreCase))
            {
                error = $"The body has content-encoding '{contentEncoding}', which a text handler does not decode; take the body as bytes (byte[] or ReadOnlyMemory<byte>) to decode it.";
                return false;
            }

            var header = ContentTypeHeader.Parse(contentType);
            if (!header.IsValid)
            {
                error = $"The body's content-type '{contentType}' is malformed: {header.Problem}; a text handler cannot tell its charset. Take the body as bytes (byte[] or ReadOnlyMemory<byte>) to read it regardless.";
                return false;
            }

            if (header.MediaType.Equals(BinaryContentType, StringComparison.OrdinalIgnoreCase))
            {
                error = $"The body is declared binary (content-type '{contentType}'), not text; take it as bytes (byte[] or ReadOnlyMemory<byte>).";
                return false;
            }

            Encoding encoding = StrictUtf8;
            if (header.HasCharset && !IsUtf8(header.Charset))
            {
                var charset = header.Charset.ToString();
                try
                {
                    encoding = Encoding.GetEncoding(charset, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);
                }
                catch (ArgumentException)
                {
                    error = $"The body's charset '{charset}' (content-type '{contentType}') is not one .NET can decode here; UTF-8, UTF-16, UTF-32, US-ASCII and ISO-8859-1 always are (register System.Text.CodePagesEncodingProvider for code pages), or take the body as bytes.";
                    return false;
                }
            }

            try
            {
                value = encoding.GetString(body.Span);
                error = null;
                return true;
            }
            catch (DecoderFallbackException ex)
            {
                var bytes = ex.BytesUnknown is { Length: > 0 } unknown ? " (" + Convert.ToHexString(unknown) + ")" : string.Empty;
                error = $"The body is not valid {encoding.WebName} text: invalid bytes{bytes} at offset {Math.Max(ex.Index, 0)} of {body.Length}{(contentType is null ? " (no content-type: read as UTF-8)" : $" (content-type '{contentType}')")}; take it as bytes (byte[] or ReadOnlyMemory<byte>) if it is binary.";
                return false;
            }
        }

        public override void Write(string value, IBufferWriter<byte> output)
        {
            ArgumentNullException.ThrowIfNull(value);
            Encoding.UTF8.GetBytes(value.AsSpan(), output);
        }

        private static bool IsUtf8(ReadOnlySpan<char> charset) =>
            charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) || charset.Equals("utf8", StringComparison.OrdinalIgnoreCase);
    }

    private sealed class BytesFormat : PayloadFormat<byte[]>
    {
        public override string ContentType => BinaryContentType;

        public override bool TryRead(ReadOnlyMemory<byte> body, string? contentType, string? contentEncoding, out byte[]? value, out string? error)
        {
            value = body.ToArray();
            error = null;
            return true;
        }

        public override void Write(byte[] value, IBufferWriter<byte> output)
        {
            ArgumentNullException.ThrowIfNull(value);
            output.Write(value);
        }
    }

    private sealed class MemoryFormat : PayloadFormat<ReadOnlyMemory<byte>>
    {
        public override string ContentType => BinaryContentType;

        public override bool TryRead(ReadOnlyMemory<byte> body, string? contentType, string? contentEncoding, out ReadOnlyMemory<byte> value, out string? error)
        {
            value = body.ToArray();
            error = null;
            return true;
        }

        public override void Write(ReadOnlyMemory<byte> value, IBufferWriter<byte> output) => output.Write(value.Span);
    }
}

using System;
using System.Buffers;
using System.IO;
using System.IO.Compression;

namespace Warren;

/// <summary>
/// What a JSON handler accepts besides the JSON itself (docs/interop.md): a <c>content-type</c> that is absent, JSON
/// (<c>application/json</c>, <c>text/json</c>, any <c>*/*+json</c>) or one of the generic labels clients put on whatever
/// they send (<c>text/plain</c>, <c>application/octet-stream</c>), in UTF-8; and a <c>content-encoding</c> that is absent,
/// <c>identity</c>, or <c>gzip</c>, <c>deflate</c> or <c>br</c>, which are decoded (at most
/// <see cref="WarrenOptions.MaxMessageSize"/> bytes). Anything else is refused with a reason naming the property. The common case (no
/// content-type or encoding, or <c>application/json</c> with or without a UTF-8 charset) allocates nothing.
/// </summary>
internal static class JsonBody
{
    /// <summary>The largest body a compressed one may decode to when no <see cref="WarrenOptions.MaxMessageSize"/> is given (its default).</summary>
    public const int MaxDecodedBytes = 128 * 1024 * 1024;

    /// <summary>
    /// False with a reason when <paramref name="contentType"/> says the body is not JSON, or not UTF-8, or cannot be
    /// parsed (see <see cref="ContentTypeHeader"/>: parameters are read as RFC 9110 defines them, so a <c>charset=</c>
    /// inside another parameter's quoted value is not the charset).
    /// </summary>
    public static bool AcceptsContentType(string? contentType, out string? error)
    {
        error = null;
        if (contentType is null)
        {
            return true;
        }

        var header = ContentTypeHeader.Parse(contentType);
        if (!header.IsValid)
        {
            error = $"The body's content-type '{contentType}' is malformed: {header.Problem}; a JSON handler cannot tell what the body holds.";
            return false;
        }

        var media = header.MediaType;
        if (!(media.IsEmpty
            || media.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || media.Equals("text/json", StringComparison.OrdinalIgnoreCase)
            || media.EndsWith("+json", StringComparison.OrdinalIgnoreCase)
            || media.Equals("text/plain", StringComparison.OrdinalIgnoreCase)
            || media.Equals("application/octet-stream", StringComparison.OrdinalIgnoreCase)))
        {
            error = $"The body is declared content-type '{contentType}', not JSON: a JSON handler reads application/json, text/json, */*+json, text/plain, application/octet-stream or no content-type; take the body as string or byte[] to read another format.";
            return false;
        }

        if (header.HasCharset && !IsUtf8Compatible(header.Charset))
        {
            error = $"The body's charset '{header.Charset.ToString()}' (content-type '{contentType}') is not UTF-8: a JSON handler reads UTF-8 JSON only; take the body as string to read it in its charset.";
            return false;
        }

        return true;
    }

    /// <summary>True for <c>utf-8</c>, its alias <c>utf8</c> and <c>us-ascii</c> (a subset), in any case.</summary>
    internal static bool IsUtf8Compatible(ReadOnlySpan<char> charset) =>
        charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) || charset.Equals("utf8", StringComparison.OrdinalIgnoreCase) || charset.Equals("us-ascii", StringComparison.OrdinalIgnoreCase);

    /// <summary>True when <paramref name="contentEncoding"/> leaves the body as it is (absent, empty or <c>identity</c>).</summary>
    public static bool IsIdentity(string? contentEncoding) =>
        string.IsNullOrEmpty(contentEncoding) || contentEncoding.AsSpan().Trim().IsEmpty || contentEncoding.AsSpan().Trim().Equals("identity", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Decodes a body with a <c>content-encoding</c> other than identity into a buffer rented from
    /// <see cref="ArrayPool{T}.Shared"/> (the caller returns it); false with a reason when it cannot: an unknown
    /// encoding, data that is not valid in it, data that ends before the compressed stream does (truncated), or a body
    /// that decodes to more than <paramref name="maxDecodedBytes"/>. Memory stays bounded by that limit: the body is
    /// read where it lies and the decoder is never given room past the limit (plus one byte to notice it is exceeded).
    /// </summary>
    public static bool TryDecode(ReadOnlyMemory<byte> body, string contentEncoding, int maxDecodedBytes, out byte[]? rented, out int length, out string? error)
    {
        rented = null;
        length = 0;
        var encoding = contentEncoding.Trim().ToLowerInvariant();
        if (encoding is not ("gzip" or "x-gzip" or "deflate" or "br"))
        {
            error = $"The body has content-encoding '{contentEncoding}', which a JSON handler does not decode (it decodes gzip, deflate and br); take the body as bytes (byte[] or ReadOnlyMemory<byte>) to decode it.";
            return false;
        }

        maxDecodedBytes = maxDecodedBytes > 0 ? maxDecodedBytes : MaxDecodedBytes;
        var output = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(body.Length * 4L, Math.Min(256, maxDecodedBytes), Math.Min(maxDecodedBytes, 1024 * 1024)));
        var written = 0;
        var done = false;
        try
        {
            bool ok;
            (ok, error) = encoding == "br"
                ? DecodeBrotli(body.Span, maxDecodedBytes, ref output, ref written, contentEncoding)
                : DecodeZlib(body, encoding, maxDecodedBytes, ref output, ref written, contentEncoding);
            if (!ok)
            {
                return false;
            }

            rented = output;
            length = written;
            done = true;
            return true;
        }
        catch (Exception ex) when (ex is InvalidDataException or InvalidOperationException)
        {
            // BrotliStream and the zlib streams report corrupt data as InvalidDataException, some decoders as InvalidOperationException.
            error = $"The body has content-encoding '{contentEncoding}' but is not valid {encoding} data ({ex.Message}); was it labelled without being compressed?";
            return false;
        }
        finally
        {
            if (!done)
            {
                ArrayPool<byte>.Shared.Return(output);
            }
        }
    }

    private static (bool Ok, string? Error) DecodeBrotli(ReadOnlySpan<byte> input, int max, ref byte[] output, ref int written, string contentEncoding)
    {
        using var decoder = new BrotliDecoder();
        Span<byte> probe = stackalloc byte[1];
        while (true)
        {
            if (written >= Math.Min(output.Length, max) && !Grow(ref output, written, max))
            {
                // The buffer holds the whole budget: one more byte means the body is over it.
                var probeStatus = decoder.Decompress(input, probe, out _, out var probed);
                if (probed > 0)
                {
                    return (false, TooLarge(contentEncoding, max));
                }

                return Finish(probeStatus, contentEncoding);
            }

            var status = decoder.Decompress(input, output.AsSpan(written, Math.Min(output.Length, max) - written), out var consumed, out var produced);
            input = input[consumed..];
            written += produced;
            switch (status)
            {
                case OperationStatus.Done:
                    return Finish(status, contentEncoding);
                case OperationStatus.DestinationTooSmall:
                    continue;
                default:
                    return Finish(status, contentEncoding);
            }
        }
    }

    private static (bool Ok, string? Error) Finish(OperationStatus status, string contentEncoding) => status switch
    {
        OperationStatus.Done => (true, null),
        OperationStatus.NeedMoreData => (false, $"The body has content-encoding '{contentEncoding}' but is truncated: the compressed data ends before its stream does."),
        _ => (false, $"The body has content-encoding '{contentEncoding}' but is not valid br data; was it labelled without being compressed?"),
    };

    private static (bool Ok, string? Error) DecodeZlib(ReadOnlyMemory<byte> body, string encoding, int max, ref byte[] output, ref int written, string contentEncoding)
    {
        // "deflate" is zlib-wrapped deflate (RFC 9110 §8.4.1.2; Node's zlib.deflateSync, .NET's ZLibStream), but many
        // producers send raw deflate (.NET's DeflateStream): a zlib stream starts with CMF/FLG where CM is 8, CINFO at
        // most 7 and CMF*256+FLG a multiple of 31, and raw deflate cannot start so (the low four bits 1000 would be a
        // stored block with non-zero padding bits, which no encoder writes), so the header tells them apart.
        var zlib = encoding == "deflate" && IsZlibHeader(body.Span);
        if (zlib && (body.Span[1] & 0x20) != 0)
        {
            return (false, $"The body has content-encoding '{contentEncoding}' and a zlib header asking for a preset dictionary (FDICT), which it does not name; it cannot be decoded.");
        }

        var input = new BodyStream(body);
        using Stream decoder = encoding != "deflate" ? new GZipStream(input, CompressionMode.Decompress)
            : zlib ? new ZLibStream(input, CompressionMode.Decompress)
            : new DeflateStream(input, CompressionMode.Decompress);
        Span<byte> probe = stackalloc byte[1];
        while (true)
        {
            if (written >= Math.Min(output.Length, max) && !Grow(ref output, written, max))
            {
                return decoder.Read(probe) > 0 ? (false, TooLarge(contentEncoding, max)) : Complete(encoding, zlib, input, body.Span, output.AsSpan(0, written), contentEncoding);
            }

            var read = decoder.Read(output.AsSpan(written, Math.Min(output.Length, max) - written));
            if (read == 0)
            {
                return Complete(encoding, zlib, input, body.Span, output.AsSpan(0, written), contentEncoding);
            }

            written += read;
        }
    }

    /// <summary>
    /// The decoders end quietly when the data stops early, so a truncated body would read as a shorter one. A deflate
    /// or zlib decoder that has not reached the end of its last block asks for more input after the body is used up
    /// (<see cref="BodyStream.ReadPastEnd"/>); a gzip decoder always does (to look for another member), so a gzip body
    /// must end with its last member's trailer: the CRC-32 and size (mod 2^32) of that member's data, which is the end
    /// of the decoded data (the decoder has checked every complete member's trailer itself).
    /// </summary>
    private static (bool Ok, string? Error) Complete(string encoding, bool zlib, BodyStream input, ReadOnlySpan<byte> body, ReadOnlySpan<byte> decoded, string contentEncoding)
    {
        if (encoding == "deflate")
        {
            return input.ReadPastEnd
                ? (false, $"The body has content-encoding '{contentEncoding}' but is truncated: the {(zlib ? "zlib" : "raw deflate")} data ends before its last block{(zlib ? " and checksum" : string.Empty)} ({decoded.Length} bytes decoded).")
                : (true, null);
        }

        if (body.Length >= 18)
        {
            var crc = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(body[^8..]);
            var size = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(body[^4..]);
            if (size <= (uint)decoded.Length && Crc32(decoded[^(int)size..]) == crc)
            {
                return (true, null);
            }
        }

        return (false, $"The body has content-encoding '{contentEncoding}' but is truncated: it does not end with the gzip trailer (CRC-32 and size) of the data it decodes to ({decoded.Length} bytes decoded).");
    }

    private static bool IsZlibHeader(ReadOnlySpan<byte> body) =>
        body.Length >= 2 && (body[0] & 0x0F) == 8 && body[0] >> 4 <= 7 && ((body[0] << 8) | body[1]) % 31 == 0;

    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        var table = Crc32Table.Value;
        var crc = 0xFFFFFFFFu;
        foreach (var value in data)
        {
            crc = table[(crc ^ value) & 0xFF] ^ (crc >> 8);
        }

        return ~crc;
    }

    private static class Crc32Table
    {
        public static readonly uint[] Value = Build();

        private static uint[] Build()
        {
            var table = new uint[256];
            for (var n = 0u; n < 256; n++)
            {
                var c = n;
                for (var k = 0; k < 8; k++)
                {
                    c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
                }

                table[n] = c;
            }

            return table;
        }
    }

    /// <summary>A read-only stream over the body where it lies, noting whether the decoder asked for more than it holds.</summary>
    private sealed class BodyStream(ReadOnlyMemory<byte> body) : Stream
    {
        private int _position;

        /// <summary>True once a read found the body used up: the decoder wanted more input than the body holds.</summary>
        public bool ReadPastEnd { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var left = body.Length - _position;
            if (left == 0)
            {
                ReadPastEnd |= !buffer.IsEmpty;
                return 0;
            }

            var n = Math.Min(left, buffer.Length);
            body.Span.Slice(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>Doubles the pooled buffer, never past <paramref name="max"/>; false when it already holds <paramref name="max"/> bytes.</summary>
    private static bool Grow(ref byte[] output, int written, int max)
    {
        if (written >= max)
        {
            return false;
        }

        var next = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)output.Length * 2, max));
        output.AsSpan(0, written).CopyTo(next);
        ArrayPool<byte>.Shared.Return(output);
        output = next;
        return true;
    }

    private static string TooLarge(string contentEncoding, int max) =>
        $"The body has content-encoding '{contentEncoding}' and decodes to more than {max} bytes (Warren:MaxMessageSize); it is not decoded further.";
}

using System;
using System.Buffers;
using System.IO;
using System.IO.Compression;
using System.Runtime.InteropServices;

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

    /// <summary>False with a reason when <paramref name="contentType"/> says the body is not JSON, or not UTF-8.</summary>
    public static bool AcceptsContentType(string? contentType, out string? error)
    {
        error = null;
        if (contentType is null)
        {
            return true;
        }

        var span = contentType.AsSpan();
        var semicolon = span.IndexOf(';');
        var media = (semicolon < 0 ? span : span[..semicolon]).Trim();
        if (!(media.IsEmpty
            || media.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || media.Equals("text/json", StringComparison.OrdinalIgnoreCase)
            || (media.EndsWith("+json", StringComparison.OrdinalIgnoreCase) && media.IndexOf('/') > 0)
            || media.Equals("text/plain", StringComparison.OrdinalIgnoreCase)
            || media.Equals("application/octet-stream", StringComparison.OrdinalIgnoreCase)))
        {
            error = $"The body is declared content-type '{contentType}', not JSON: a JSON handler reads application/json, text/json, */*+json, text/plain, application/octet-stream or no content-type; take the body as string or byte[] to read another format.";
            return false;
        }

        if (semicolon >= 0 && Charset(span[(semicolon + 1)..]) is { IsEmpty: false } charset
            && !(charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) || charset.Equals("utf8", StringComparison.OrdinalIgnoreCase) || charset.Equals("us-ascii", StringComparison.OrdinalIgnoreCase)))
        {
            error = $"The body's charset '{charset.ToString()}' (content-type '{contentType}') is not UTF-8: a JSON handler reads UTF-8 JSON only; take the body as string to read it in its charset.";
            return false;
        }

        return true;
    }

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
        using var input = MemoryMarshal.TryGetArray(body, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(body.ToArray(), writable: false);
        using Stream decoder = encoding == "deflate"
            ? new ZLibStream(input, CompressionMode.Decompress)
            : new GZipStream(input, CompressionMode.Decompress);
        Span<byte> probe = stackalloc byte[1];
        while (true)
        {
            if (written >= Math.Min(output.Length, max) && !Grow(ref output, written, max))
            {
                return decoder.Read(probe) > 0 ? (false, TooLarge(contentEncoding, max)) : (true, null);
            }

            var read = decoder.Read(output.AsSpan(written, Math.Min(output.Length, max) - written));
            if (read == 0)
            {
                // ZLibStream ends quietly when the data stops early; the zlib trailer's Adler-32 tells. (GZipStream gives
                // no such signal and a gzip body may hold several members, so a truncated gzip body is not detected.)
                return encoding == "deflate" && !AdlerMatches(body.Span, output.AsSpan(0, written))
                    ? (false, $"The body has content-encoding '{contentEncoding}' but is truncated or corrupt: its zlib checksum does not match the decoded data.")
                    : (true, null);
            }

            written += read;
        }
    }

    private static bool AdlerMatches(ReadOnlySpan<byte> body, ReadOnlySpan<byte> decoded)
    {
        if (body.Length < 6)
        {
            return false;
        }

        uint a = 1, b = 0;
        while (!decoded.IsEmpty)
        {
            var chunk = decoded[..Math.Min(decoded.Length, 5552)];
            foreach (var value in chunk)
            {
                a += value;
                b += a;
            }

            a %= 65521;
            b %= 65521;
            decoded = decoded[chunk.Length..];
        }

        return System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(body[^4..]) == ((b << 16) | a);
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

    private static ReadOnlySpan<char> Charset(ReadOnlySpan<char> parameters)
    {
        while (!parameters.IsEmpty)
        {
            var end = parameters.IndexOf(';');
            var part = end < 0 ? parameters : parameters[..end];
            var equals = part.IndexOf('=');
            if (equals > 0 && part[..equals].Trim().Equals("charset", StringComparison.OrdinalIgnoreCase))
            {
                return part[(equals + 1)..].Trim().Trim('"').Trim();
            }

            parameters = end < 0 ? ReadOnlySpan<char>.Empty : parameters[(end + 1)..];
        }

        return ReadOnlySpan<char>.Empty;
    }
}

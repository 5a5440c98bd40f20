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
/// <see cref="MaxDecodedBytes"/>). Anything else is refused with a reason naming the property. The common case (no
/// content-type or encoding, or <c>application/json</c> with or without a UTF-8 charset) allocates nothing.
/// </summary>
internal static class JsonBody
{
    /// <summary>The largest body a compressed one may decode to (the default <see cref="WarrenOptions.MaxMessageSize"/>).</summary>
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

    /// <summary>Decodes a body with a <c>content-encoding</c> other than identity; false with a reason when it cannot.</summary>
    public static bool TryDecode(ReadOnlyMemory<byte> body, string contentEncoding, out byte[]? decoded, out string? error)
    {
        decoded = null;
        var encoding = contentEncoding.Trim();
        using var input = new MemoryStream(body.ToArray(), writable: false);
        Stream? decoder = encoding.ToLowerInvariant() switch
        {
            "gzip" or "x-gzip" => new GZipStream(input, CompressionMode.Decompress),
            "deflate" => new ZLibStream(input, CompressionMode.Decompress),
            "br" => new BrotliStream(input, CompressionMode.Decompress),
            _ => null,
        };
        if (decoder is null)
        {
            error = $"The body has content-encoding '{contentEncoding}', which a JSON handler does not decode (it decodes gzip, deflate and br); take the body as bytes (byte[] or ReadOnlyMemory<byte>) to decode it.";
            return false;
        }

        try
        {
            using (decoder)
            {
                var output = new ArrayBufferWriter<byte>((int)Math.Clamp(body.Length * 4L, 256, 1024 * 1024));
                while (true)
                {
                    var read = decoder.Read(output.GetSpan(16 * 1024));
                    if (read == 0)
                    {
                        break;
                    }

                    output.Advance(read);
                    if (output.WrittenCount > MaxDecodedBytes)
                    {
                        error = $"The body has content-encoding '{contentEncoding}' and decodes to more than {MaxDecodedBytes} bytes; it is not decoded further.";
                        return false;
                    }
                }

                decoded = output.WrittenSpan.ToArray();
                error = null;
                return true;
            }
        }
        catch (InvalidDataException ex)
        {
            error = $"The body has content-encoding '{contentEncoding}' but is not valid {encoding} data ({ex.Message}); was it labelled without being compressed?";
            return false;
        }
    }

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

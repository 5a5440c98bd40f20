using System;

namespace Warren;

/// <summary>
/// Parses a <c>content-type</c> value as RFC 9110 §8.3.1 (and RFC 2045 §5.1) define a media type:
/// <c>type "/" subtype *( OWS ";" OWS [ name "=" value ] )</c>, a value being a token or a double-quoted string with
/// backslash escapes, so a <c>;</c> or <c>charset=</c> inside a quoted value is data, not a parameter. Lenient where
/// producers commonly stray and the meaning is not in doubt: whitespace around <c>=</c>, empty parameters
/// (<c>;;</c>, a trailing <c>;</c>), and a charset in single quotes (<c>charset='utf-8'</c>: RFC 9110 has no single-quote
/// quoting, so <c>'utf-8'</c> is a token naming no charset, but no charset name holds a quote and the intent is plain).
/// Anything else that does not parse (no <c>/</c>, a character a token cannot hold, an unterminated quoted string, text
/// after a value, a parameter without <c>=</c>, two different charsets) is malformed: the caller refuses the body with
/// <see cref="Problem"/>, as it cannot tell what the body holds. Allocates nothing unless a charset value holds a
/// backslash escape.
/// </summary>
internal readonly ref struct ContentTypeHeader
{
    private ContentTypeHeader(ReadOnlySpan<char> mediaType, ReadOnlySpan<char> charset, bool hasCharset, string? problem)
    {
        MediaType = mediaType;
        Charset = charset;
        HasCharset = hasCharset;
        Problem = problem;
    }

    /// <summary><c>type/subtype</c> as written (compare ignoring case); empty when the value is absent or blank.</summary>
    public ReadOnlySpan<char> MediaType { get; }

    /// <summary>The <c>charset</c> parameter's value, unquoted and unescaped (compare ignoring case).</summary>
    public ReadOnlySpan<char> Charset { get; }

    /// <summary>True when a <c>charset</c> parameter is present (its value may still be empty: <c>charset=""</c>).</summary>
    public bool HasCharset { get; }

    /// <summary>Why the value is malformed, or null when it parsed.</summary>
    public string? Problem { get; }

    /// <summary>True when the value parsed (a null or blank value parses as no content-type).</summary>
    public bool IsValid => Problem is null;

    /// <summary>Parses <paramref name="contentType"/>; never throws (a malformed value sets <see cref="Problem"/>).</summary>
    public static ContentTypeHeader Parse(string? contentType)
    {
        var s = contentType.AsSpan();
        var i = SkipWhitespace(s, 0);
        if (i == s.Length)
        {
            return default;
        }

        var typeEnd = SkipToken(s, i);
        if (typeEnd == i)
        {
            return Malformed(s, i, "the media type does not start with a type name");
        }

        if (typeEnd == s.Length || s[typeEnd] != '/')
        {
            return Malformed(s, typeEnd, "the media type has no '/' after its type");
        }

        var subtypeEnd = SkipToken(s, typeEnd + 1);
        if (subtypeEnd == typeEnd + 1)
        {
            return Malformed(s, subtypeEnd, "the media type has no subtype after '/'");
        }

        var mediaType = s[i..subtypeEnd];
        ReadOnlySpan<char> charset = default;
        var hasCharset = false;
        i = subtypeEnd;
        while (true)
        {
            i = SkipWhitespace(s, i);
            if (i == s.Length)
            {
                return new ContentTypeHeader(mediaType, charset, hasCharset, null);
            }

            if (s[i] != ';')
            {
                return Malformed(s, i, "expected ';' before the next parameter");
            }

            i = SkipWhitespace(s, i + 1);
            if (i == s.Length || s[i] == ';')
            {
                continue; // An empty parameter (RFC 9110 allows "; ;" and a trailing ';').
            }

            var nameStart = i;
            i = SkipToken(s, i);
            if (i == nameStart)
            {
                return Malformed(s, i, "a parameter name is not a token");
            }

            var name = s[nameStart..i];
            i = SkipWhitespace(s, i);
            if (i == s.Length || s[i] != '=')
            {
                return Malformed(s, i, $"parameter '{name.ToString()}' has no '=' and value");
            }

            i = SkipWhitespace(s, i + 1);
            ReadOnlySpan<char> value;
            if (i < s.Length && s[i] == '"')
            {
                if (!TryReadQuoted(s, ref i, out value, out var problem))
                {
                    return Malformed(s, i, problem);
                }
            }
            else
            {
                var valueStart = i;
                i = SkipToken(s, i);
                if (i == valueStart)
                {
                    return Malformed(s, i, $"parameter '{name.ToString()}' has no value (a token or a double-quoted string)");
                }

                value = s[valueStart..i];
            }

            if (!name.Equals("charset", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (value.Length >= 2 && value[0] == '\'' && value[^1] == '\'')
            {
                value = value[1..^1];
            }

            if (hasCharset && !value.Equals(charset, StringComparison.OrdinalIgnoreCase))
            {
                return Malformed(s, i, $"it names two charsets, '{charset.ToString()}' and '{value.ToString()}'");
            }

            charset = value;
            hasCharset = true;
        }
    }

    private static ContentTypeHeader Malformed(ReadOnlySpan<char> s, int at, string problem) =>
        new(default, default, false, at >= s.Length ? $"{problem} (at its end)" : $"{problem} (at character {at + 1} of {s.Length}, '{Printable(s[at])}')");

    private static string Printable(char c) => c is < ' ' or '\u007f' ? $"U+{(int)c:X4}" : c.ToString();

    /// <summary>Reads a quoted-string at <paramref name="i"/> (on its opening quote), leaving <paramref name="i"/> after it.</summary>
    private static bool TryReadQuoted(ReadOnlySpan<char> s, scoped ref int i, out ReadOnlySpan<char> value, out string problem)
    {
        var start = i + 1;
        var escaped = false;
        for (var j = start; j < s.Length; j++)
        {
            var c = s[j];
            if (c == '"')
            {
                value = escaped ? Unescape(s[start..j]) : s[start..j];
                i = j + 1;
                problem = string.Empty;
                return true;
            }

            if (c == '\\')
            {
                j++;
                if (j == s.Length || !(s[j] == '\t' || s[j] >= ' ') || s[j] == '\u007f')
                {
                    i = j;
                    value = default;
                    problem = "a backslash in a quoted string escapes no character";
                    return false;
                }

                escaped = true;
            }
            else if (!(c == '\t' || c >= ' ') || c == '\u007f')
            {
                i = j;
                value = default;
                problem = $"a quoted string holds control character U+{(int)c:X4}";
                return false;
            }
        }

        i = s.Length;
        value = default;
        problem = "a quoted string has no closing '\"'";
        return false;
    }

    private static ReadOnlySpan<char> Unescape(ReadOnlySpan<char> quoted)
    {
        var result = new char[quoted.Length];
        var length = 0;
        for (var j = 0; j < quoted.Length; j++)
        {
            if (quoted[j] == '\\')
            {
                j++;
            }

            result[length++] = quoted[j];
        }

        return result.AsSpan(0, length);
    }

    private static int SkipWhitespace(ReadOnlySpan<char> s, int i)
    {
        while (i < s.Length && s[i] is ' ' or '\t')
        {
            i++;
        }

        return i;
    }

    private static int SkipToken(ReadOnlySpan<char> s, int i)
    {
        while (i < s.Length && IsTokenChar(s[i]))
        {
            i++;
        }

        return i;
    }

    /// <summary>RFC 9110 tchar: ALPHA, DIGIT and <c>!#$%&amp;'*+-.^_`|~</c>.</summary>
    internal static bool IsTokenChar(char c) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9')
            or '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~';
}

using System.Text;

namespace Warren.Generators.Parsing;

/// <summary>C# and JSON string literals for emitted code.</summary>
internal static class Literals
{
    public static string String(string value)
    {
        // Most names need no escape: one concatenation, instead of a string per character.
        var first = FirstToEscape(value);
        if (first < 0)
        {
            return "\"" + value + "\"";
        }

        var builder = new StringBuilder(value.Length + 8).Append('"').Append(value, 0, first);
        for (var i = first; i < value.Length; i++)
        {
            var c = value[i];
            switch (c)
            {
                case '"':
                    builder.Append("\\\"");
                    break;
                case '\\':
                    builder.Append("\\\\");
                    break;
                case '\n':
                    builder.Append("\\n");
                    break;
                case '\r':
                    builder.Append("\\r");
                    break;
                case '\t':
                    builder.Append("\\t");
                    break;
                // Control characters, what C# counts as a line break, and surrogates (valid in pairs only) are escaped.
                case var _ when NeedsUnicodeEscape(c):
                    builder.Append("\\u").Append(((int)c).ToString("x4"));
                    break;
                default:
                    builder.Append(c);
                    break;
            }
        }

        return builder.Append('"').ToString();
    }

    private static int FirstToEscape(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c is '"' or '\\' || NeedsUnicodeEscape(c))
            {
                return i;
            }
        }

        return -1;
    }

    private static bool NeedsUnicodeEscape(char c) => c < ' ' || c is '\u0085' or '\u2028' or '\u2029' || char.IsSurrogate(c);

    /// <summary>JSON escapes are a subset of C#'s for the characters we meet.</summary>
    public static string JsonString(string value) => String(value);
}

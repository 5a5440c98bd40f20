using System.Text;

namespace Warren.Generators.Parsing;

/// <summary>C# and JSON string literals for emitted code.</summary>
internal static class Literals
{
    public static string String(string value)
    {
        var builder = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            builder.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                // Control characters, what C# counts as a line break, and surrogates (valid in pairs only) are escaped.
                _ when c < ' ' || c is '\u0085' or '\u2028' or '\u2029' || char.IsSurrogate(c) => "\\u" + ((int)c).ToString("x4"),
                _ => c.ToString(),
            });
        }

        return builder.Append('"').ToString();
    }

    /// <summary>JSON escapes are a subset of C#'s for the characters we meet.</summary>
    public static string JsonString(string value) => String(value);
}

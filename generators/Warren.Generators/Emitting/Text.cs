namespace Warren.Generators.Emitting;

/// <summary>Text placed inside emitted code: XML docs, interpolated strings, short type names.</summary>
internal static class Text
{
    /// <summary>
    /// Text inside a one-line XML doc comment: markup escaped; line breaks, control characters and lone surrogates
    /// (which would end the comment line or make the file invalid) shown as '?'.
    /// </summary>
    public static string Xml(string text) => Escape(text, markup: true);

    /// <summary>Text inside a <c>//</c> comment: line breaks, control characters and lone surrogates shown as '?'.</summary>
    public static string Comment(string text) => Escape(text, markup: false);

    private static string Escape(string text, bool markup)
    {
        var builder = new System.Text.StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                builder.Append(c).Append(text[++i]);
            }
            else if (char.IsControl(c) || char.IsSurrogate(c) || c is '\u2028' or '\u2029')
            {
                builder.Append('?');
            }
            else if (markup && c is '&' or '<' or '>')
            {
                builder.Append(c switch { '&' => "&amp;", '<' => "&lt;", _ => "&gt;" });
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    /// <summary>A <c>cref</c> value for a type, or its name in <c>&lt;c&gt;</c> when it is generic (crefs cannot name constructed types).</summary>
    public static string TypeReference(string typeName) =>
        typeName.IndexOf('<') < 0 ? $"<see cref=\"{typeName}\"/>" : $"<c>{Xml(Short(typeName))}</c>";

    /// <summary>Text inside an interpolated C# string literal.</summary>
    public static string Interpolated(string text) =>
        Parsing.Literals.String(text).Substring(1, Parsing.Literals.String(text).Length - 2).Replace("{", "{{").Replace("}", "}}");

    /// <summary>The simple name of a fully qualified type (<c>global::A.B.C&lt;global::D.E&gt;</c> → <c>C&lt;E&gt;</c>).</summary>
    public static string Short(string typeName)
    {
        var builder = new System.Text.StringBuilder();
        var start = 0;
        for (var i = 0; i <= typeName.Length; i++)
        {
            var end = i == typeName.Length;
            var c = end ? '\0' : typeName[i];
            if (end || c is '<' or '>' or ',' or ' ' or '[' or ']' or '?')
            {
                var segment = typeName.Substring(start, i - start);
                var dot = System.Math.Max(segment.LastIndexOf('.'), segment.LastIndexOf(':'));
                builder.Append(dot < 0 ? segment : segment.Substring(dot + 1));
                if (!end)
                {
                    builder.Append(c);
                }

                start = i + 1;
            }
        }

        return builder.ToString();
    }
}

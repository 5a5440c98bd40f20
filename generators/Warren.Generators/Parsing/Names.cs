using System.Text;

namespace Warren.Generators.Parsing;

/// <summary>The naming rules for defaults: documented, so a name never changes by surprise.</summary>
internal static class Names
{
    /// <summary><c>EmailNotifications</c> → <c>email-notifications</c>; <c>HTTPRequestLog</c> → <c>http-request-log</c>.</summary>
    public static string KebabCase(string name)
    {
        var builder = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                var previousLower = i > 0 && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1]));
                var acronymEnd = i > 0 && char.IsUpper(name[i - 1]) && i + 1 < name.Length && char.IsLower(name[i + 1]);
                if (builder.Length > 0 && (previousLower || acronymEnd))
                {
                    builder.Append('-');
                }

                builder.Append(char.ToLowerInvariant(c));
            }
            else if (c == '_')
            {
                builder.Append('-');
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    /// <summary>A C# identifier for a fully qualified type name: <c>global::A.B&lt;C&gt;</c> → <c>A_B_C_</c>.</summary>
    public static string Identifier(string fullyQualifiedName)
    {
        var name = fullyQualifiedName.StartsWith("global::") ? fullyQualifiedName.Substring(8) : fullyQualifiedName;
        var builder = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            builder.Append(char.IsLetterOrDigit(c) ? c : '_');
        }

        return builder.ToString();
    }
}

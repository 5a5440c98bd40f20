using System.Collections.Generic;
using System.Text;
using Microsoft.CodeAnalysis.CSharp;

namespace Warren.Generators.Emitting;

/// <summary>C# identifiers for emitted code: escaped keywords and readable member names made unique.</summary>
internal static class Identifiers
{
    /// <summary><c>event</c> → <c>@event</c>; other names unchanged.</summary>
    public static string Escape(string name) =>
        SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None
            ? "@" + name
            : name;

    /// <summary>
    /// A readable identifier for a type name: <c>global::Shop.OrderEvents.Created</c> → <c>Created</c>;
    /// <c>global::Shop.Envelope&lt;global::Shop.Order&gt;</c> → <c>EnvelopeOfOrder</c>.
    /// </summary>
    public static string ShortTypeName(string typeName)
    {
        var builder = new StringBuilder();
        var word = new StringBuilder();
        foreach (var c in typeName)
        {
            if (char.IsLetterOrDigit(c) || c == '_')
            {
                word.Append(c);
            }
            else if (c == '.' || c == ':')
            {
                word.Clear();
            }
            else
            {
                Flush();
                if (c == '<')
                {
                    builder.Append("Of");
                }
                else if (c == ',')
                {
                    builder.Append("And");
                }
                else if (c == '[')
                {
                    builder.Append("Array");
                }
            }
        }

        Flush();
        return builder.Length == 0 ? "Message" : builder.ToString();

        void Flush()
        {
            if (word.Length > 0)
            {
                builder.Append(char.ToUpperInvariant(word[0])).Append(word.ToString(1, word.Length - 1));
                word.Clear();
            }
        }
    }

    /// <summary>Hands out names, adding 2, 3… to a name already taken.</summary>
    public sealed class Unique
    {
        private readonly HashSet<string> _taken = new(System.StringComparer.Ordinal);

        public Unique(params string[] reserved)
        {
            foreach (var name in reserved)
            {
                _taken.Add(name);
            }
        }

        public string Take(string name)
        {
            var candidate = name;
            for (var n = 2; !_taken.Add(candidate); n++)
            {
                candidate = name + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            return candidate;
        }
    }
}

using System.Linq;
using Warren.Generators.Model;

namespace Warren.Generators.Rules;

/// <summary>
/// Whether a message published with a routing-key template can reach a binding on the same exchange: is there a key
/// the template can produce that the binding accepts? A word holding a <c>{Property}</c> placeholder becomes one
/// non-empty word without a '.' at publish time (the runtime refuses other values), so it stands for any one word. On a
/// topic exchange a binding's <c>*</c> takes one word and <c>#</c> zero or more, as the broker and the dispatchers'
/// generated matchers (<c>BindingMatchers</c>) read them; a direct exchange compares the key with the binding as text.
/// Fanout and headers exchanges do not route by key (a headers binding's values are known only at run time): callers
/// decide those without this. The same reading as the system check's (WRS003), for one compilation.
/// </summary>
internal static class RouteMatching
{
    /// <summary>
    /// The words of a publish key: a literal key (a contract name) word for word; a template's words with
    /// <see langword="null"/> for each word that holds a placeholder.
    /// </summary>
    public static string?[] KeyWords(string? template, EquatableArray<RoutingPart> parts, string literalKey)
    {
        if (template is null)
        {
            return Split(literalKey);
        }

        // A placeholder's value has no '.', so the template's dots are the key's: a word with a placeholder is any word.
        var text = string.Concat(parts.Select(p => p.IsProperty ? "\0" : p.Text));
        return Split(text).Select(w => w.IndexOf('\0') >= 0 ? null : w).ToArray();
    }

    /// <summary>
    /// Whether some key of <paramref name="key"/> (see <see cref="KeyWords"/>) reaches a binding of
    /// <paramref name="bindingKey"/> on a topic or direct exchange. Computed over the suffixes of both, from the binding's
    /// last word back (<c>rest[k]</c>: the binding from word <c>b</c> on accepts the key from word <c>k</c> on), so the
    /// work is the key's words times the binding's whatever the pattern: a pattern in source cannot stall a build.
    /// </summary>
    public static bool CanReach(string exchangeType, string?[] key, string bindingKey)
    {
        var binding = Split(bindingKey);
        var wildcards = exchangeType == "topic";

        // The empty rest of the binding accepts the empty rest of the key only.
        var rest = new bool[key.Length + 1];
        rest[key.Length] = true;
        for (var b = binding.Length - 1; b >= 0; b--)
        {
            if (wildcards && binding[b] == "#")
            {
                // '#' takes nothing (the rest from k), or one more word of the key (this '#' again from k + 1).
                for (var k = key.Length - 1; k >= 0; k--)
                {
                    rest[k] = rest[k] || rest[k + 1];
                }

                continue;
            }

            for (var k = 0; k < key.Length; k++)
            {
                // A placeholder word is one non-empty word: a topic '*' or any literal word of the binding but an empty one.
                var word = key[k] is null ? binding[b].Length > 0 : (wildcards && binding[b] == "*") || key[k] == binding[b];
                rest[k] = word && rest[k + 1];
            }

            rest[key.Length] = false;
        }

        return rest[0];
    }

    private static string[] Split(string key) => key.Length == 0 ? new string[0] : key.Split('.');
}

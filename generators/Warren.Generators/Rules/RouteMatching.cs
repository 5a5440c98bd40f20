using System.Collections.Generic;
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

    /// <summary>Whether some key of <paramref name="key"/> (see <see cref="KeyWords"/>) reaches a binding of <paramref name="bindingKey"/> on a topic or direct exchange.</summary>
    public static bool CanReach(string exchangeType, string?[] key, string bindingKey)
    {
        var binding = Split(bindingKey);
        var wildcards = exchangeType == "topic";
        var memo = new Dictionary<(int, int), bool>();
        return Match(0, 0);

        bool Match(int k, int b)
        {
            if (memo.TryGetValue((k, b), out var known))
            {
                return known;
            }

            bool result;
            if (wildcards && b < binding.Length && binding[b] == "#")
            {
                // '#' takes nothing, or one more word of the key.
                result = Match(k, b + 1) || (k < key.Length && Match(k + 1, b));
            }
            else if (k == key.Length || b == binding.Length)
            {
                result = k == key.Length && b == binding.Length;
            }
            else
            {
                // A placeholder word is one non-empty word: a topic '*' or any literal word of the binding but an empty one.
                var word = key[k] is null ? binding[b].Length > 0 : (wildcards && binding[b] == "*") || key[k] == binding[b];
                result = word && Match(k + 1, b + 1);
            }

            memo[(k, b)] = result;
            return result;
        }
    }

    private static string[] Split(string key) => key.Length == 0 ? new string[0] : key.Split('.');
}

using System;
using System.Collections.Generic;

namespace Warren.Manifest;

/// <summary>
/// Whether a published routing-key template can reach a binding: is there a routing key the template can produce that
/// the binding's pattern matches? A <c>{Property}</c> placeholder stands for any one non-empty word; the empty key has
/// no words; on topic exchanges <c>*</c>
/// matches one word and <c>#</c> zero or more; direct exchanges compare keys, fanout and headers exchanges route every
/// message to every binding as far as keys go (header values are not known before run time).
/// </summary>
internal static class RoutingMatch
{
    public static bool CanReach(string exchangeType, string template, string bindingKey) => exchangeType switch
    {
        "fanout" or "headers" => true,
        "topic" => Intersect(Words(template, placeholders: true), Words(bindingKey, placeholders: false), bindingWildcards: true),
        _ => Intersect(Words(template, placeholders: true), Words(bindingKey, placeholders: false), bindingWildcards: false),
    };

    private static string[] Words(string key, bool placeholders)
    {
        // The broker reads the empty key as no word at all (a '*' does not match it), not as one empty word.
        var words = key.Length == 0 ? [] : key.Split('.');
        if (placeholders)
        {
            for (var i = 0; i < words.Length; i++)
            {
                // A word holding a placeholder may become any word; the template's own * and # are literal text.
                words[i] = words[i].Contains('{', StringComparison.Ordinal) ? "\0any" : words[i];
            }
        }

        return words;
    }

    private static bool Intersect(string[] template, string[] binding, bool bindingWildcards)
    {
        var memo = new Dictionary<(int, int), bool>();
        return Match(0, 0);

        bool Match(int i, int j)
        {
            if (memo.TryGetValue((i, j), out var known))
            {
                return known;
            }

            bool result;
            if (j < binding.Length && bindingWildcards && binding[j] == "#")
            {
                // # takes nothing, or one more word of the template.
                result = Match(i, j + 1) || (i < template.Length && Match(i + 1, j));
            }
            else if (i == template.Length || j == binding.Length)
            {
                result = i == template.Length && j == binding.Length;
            }
            else
            {
                var t = template[i];
                var b = binding[j];
                // A placeholder's value is one non-empty word (the runtime refuses others): never an empty binding word.
                var words = t == "\0any" ? b.Length > 0 : (bindingWildcards && b == "*") || string.Equals(t, b, StringComparison.Ordinal);
                result = words && Match(i + 1, j + 1);
            }

            memo[(i, j)] = result;
            return result;
        }
    }
}

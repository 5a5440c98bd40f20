using System.Collections.Generic;

namespace Warren.Generators.Rules;

/// <summary>
/// The entries of a <c>[Headers]</c> attribute, each <c>"name=value"</c>: the header name before the first '=' and the
/// value after it, both trimmed (a value may hold '=' itself). An entry that cannot be the binding argument it looks like
/// is reported (WRN041) and its attribute binds nothing: the broker would match something other than what is written,
/// usually nothing at all, without a word. Shared by the generator and the analyzers.
/// </summary>
internal static class HeaderRules
{
    /// <summary>The name and value of an entry; an entry without '=' has an empty value (and a <see cref="Problems"/> entry).</summary>
    public static (string Name, string Value) Parse(string entry)
    {
        var separator = entry.IndexOf('=');
        return separator < 0 ? (entry.Trim(), string.Empty) : (entry.Substring(0, separator).Trim(), entry.Substring(separator + 1).Trim());
    }

    /// <summary>
    /// The entries of one <c>[Headers]</c> that cannot be binding arguments, by index, each with why (completing
    /// "The [Headers] entry '…' …"); none for a valid list.
    /// </summary>
    public static IEnumerable<(int Index, string Problem)> Problems(IReadOnlyList<string> entries)
    {
        var seen = new Dictionary<string, int>(System.StringComparer.Ordinal);
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            var (name, _) = Parse(entry);
            if (name.Length == 0 && entry.IndexOf('=') < 0)
            {
                yield return (i, "is empty: write \"name=value\", such as \"format=pdf\"");
                continue;
            }

            if (entry.IndexOf('=') < 0)
            {
                yield return (i, $"has no value: a headers binding compares header '{name}' with a value, so this one would receive only messages whose '{name}' is the empty string, none in practice. Write \"{name}=value\", such as \"{name}=pdf\"");
                continue;
            }

            if (name.Length == 0)
            {
                yield return (i, "has no header name before '=': write \"name=value\", such as \"format=pdf\"");
                continue;
            }

            if (name == "x-match")
            {
                yield return (i, "sets x-match, which Mode sets: the two would disagree. Remove the entry and write Mode = HeadersMatch.Any (or leave the default, All)");
                continue;
            }

            if (name.StartsWith("x-", System.StringComparison.Ordinal))
            {
                yield return (i, $"names header '{name}': RabbitMQ skips binding arguments starting with 'x-' when it matches with x-match all or any, so this entry would not be compared. Publish and bind the header under a name without the 'x-' prefix");
                continue;
            }

            if (seen.TryGetValue(name, out var first))
            {
                yield return (i, $"repeats header '{name}' (entry {first + 1} names it too): a binding has one value per header, so the broker would keep only the last. For either value, write a [Headers] for each (or one with Mode = HeadersMatch.Any over different headers)");
                continue;
            }

            seen.Add(name, i);
        }
    }
}

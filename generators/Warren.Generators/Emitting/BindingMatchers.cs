using System.Collections.Generic;
using System.Linq;
using Warren.Generators.Model;
using Warren.Generators.Parsing;

namespace Warren.Generators.Emitting;

/// <summary>
/// Writes the condition that a delivery published to <c>exchange</c> with <c>key</c> reaches a handler through one of its
/// bindings, inline in the dispatcher's method. Topic patterns become word-by-word code for exactly that pattern (no
/// regular expressions, no parsing at run time); direct keys a comparison; fanout the exchange alone; headers the values.
/// </summary>
internal static class BindingMatchers
{
    /// <summary>
    /// Writes <c>{prefix}a || b…{suffix}</c>, preceded by a comment naming the bindings and by the word position of
    /// each topic pattern that needs one. Positions are named <c>p</c>, or <c>p1</c>, <c>p2</c>… when the dispatcher
    /// has several topic bindings (<paramref name="positions"/> counts them across it). A <c>#</c> followed by more
    /// words needs a loop: it gets a method of its own, added to <paramref name="helpers"/>. Each alternative starts a
    /// line; one too long for <see cref="SourceWriter.Width"/> goes on with an <c>&amp;&amp;</c> operand a line.
    /// </summary>
    public static void Emit(SourceWriter w, string prefix, string suffix, string name, EquatableArray<BindingModel> bindings, IReadOnlyDictionary<string, string> exchangeTypes, Positions positions, List<string[]> helpers)
    {
        var alternatives = new List<List<string>>();
        var declarations = new List<string>();
        var topics = bindings.Count(b => b.HeadersMatch is null && TypeOf(b, exchangeTypes) == "topic");
        var topic = 0;
        foreach (var binding in bindings)
        {
            var exchange = $"exchange == {Literals.String(binding.Exchange)}";
            var type = TypeOf(binding, exchangeTypes);
            if (binding.HeadersMatch is not null)
            {
                var checks = binding.Headers.Select(h => $"RoutingKeys.HasHeader(context, {Literals.String(h.Name)}, {Literals.String(h.Value)})").ToList();
                if (checks.Count == 0)
                {
                    alternatives.Add([exchange, binding.HeadersMatch == "any" ? "false" : "true"]);
                }
                else if (binding.HeadersMatch == "any")
                {
                    // Any header: an alternative per header, each with the exchange (no parentheses to break across lines).
                    alternatives.AddRange(checks.Select(check => new List<string> { exchange, check }));
                }
                else
                {
                    alternatives.Add([exchange, .. checks]);
                }
            }
            else if (type == "fanout")
            {
                alternatives.Add([exchange]);
            }
            else if (type == "direct")
            {
                alternatives.Add([exchange, $"key == {Literals.String(binding.RoutingKey)}"]);
            }
            else
            {
                var position = positions.Peek();
                var words = binding.RoutingKey.Length == 0 ? new string[0] : binding.RoutingKey.Split('.');
                var operands = words.Length == 0
                    ? ["key.Length == 0"]
                    : Expression(words, position, name + "Key" + (topics == 1 ? string.Empty : (++topic).ToString(System.Globalization.CultureInfo.InvariantCulture)), helpers);
                if (UsesPosition(string.Join(" && ", operands), position))
                {
                    declarations.Add($"var {positions.Take()} = RoutingKeys.Start(key);");
                }

                // A pattern of '#' alone matches every key (no operands): the exchange decides.
                alternatives.Add([exchange, .. operands]);
            }
        }

        w.Comment($"Bound to {Text.Comment(string.Join(", ", bindings.Select(Describe)))}.");
        foreach (var line in declarations)
        {
            w.Line(line);
        }

        for (var i = 0; i < alternatives.Count; i++)
        {
            w.Chain(i == 0 ? prefix : "    || ", alternatives[i], "&&", i == alternatives.Count - 1 ? suffix : string.Empty, "        ");
        }
    }

    /// <summary>Names the word positions of a dispatcher's topic patterns.</summary>
    public sealed class Positions(int topics)
    {
        private int _taken;

        public static int Count(IEnumerable<HandlerModel> handlers, IReadOnlyDictionary<string, string> exchangeTypes) =>
            handlers.SelectMany(h => h.Bindings).Count(b => b.HeadersMatch is null && TypeOf(b, exchangeTypes) == "topic");

        /// <summary>The name the next position gets, if it needs one.</summary>
        public string Peek() => topics == 1 ? "p" : "p" + (_taken + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);

        public string Take()
        {
            var name = Peek();
            _taken++;
            return name;
        }
    }

    private static bool UsesPosition(string body, string position) =>
        body.Contains($"ref {position},") || body.Contains($"ref {position})") || body.Contains($"({position})") || body.Contains($", {position})");

    private static string TypeOf(BindingModel binding, IReadOnlyDictionary<string, string> exchangeTypes) =>
        exchangeTypes.TryGetValue(binding.Exchange, out var type) ? type : "topic";

    private static string Describe(BindingModel binding) =>
        binding.HeadersMatch is not null
            ? $"{binding.Exchange} ({binding.HeadersMatch}: {string.Join(", ", binding.Headers.Select(h => h.Name + "=" + h.Value))})"
            : binding.RoutingKey.Length == 0 ? binding.Exchange : $"{binding.Exchange} with {binding.RoutingKey}";

    /// <summary>
    /// The operands of the condition that a topic pattern's words match the key from position variable
    /// <paramref name="position"/> (none when any key matches). The words before the first <c>#</c> are tested in line.
    /// Each run of <c>#</c> is followed by a group of words (none when the pattern ends with it, which matches any rest):
    /// a group with another <c>#</c> after it is looked for from where the key stands, and the key goes on after its
    /// first fit (a later fit would leave less of the key to the rest, which the <c>#</c> after it can take anyway); the
    /// last group must end the key, tried at every position. Each group gets a method of its own, added to
    /// <paramref name="helpers"/>, and no group is tried again once found, so the work is the key's words times the
    /// pattern's at worst, whatever the number of <c>#</c>.
    /// </summary>
    private static List<string> Expression(string[] words, string position, string name, List<string[]> helpers)
    {
        var conditions = new List<string>();
        var i = 0;
        for (; i < words.Length && words[i] != "#"; i++)
        {
            conditions.Add(Word(words[i], position));
        }

        if (i == words.Length)
        {
            conditions.Add($"RoutingKeys.AtEnd({position})");
            return conditions;
        }

        while (i < words.Length)
        {
            // A run of '#' matches what one does: the group starts after the last of them.
            while (i + 1 < words.Length && words[i + 1] == "#")
            {
                i++;
            }

            var hash = i;
            var group = new List<string>();
            for (i++; i < words.Length && words[i] != "#"; i++)
            {
                group.Add(Word(words[i], "q"));
            }

            if (group.Count == 0)
            {
                // A trailing '#' matches whatever is left, even nothing.
                return conditions;
            }

            var helper = $"{name}After{hash}";
            var last = i == words.Length;
            if (last)
            {
                group.Add("RoutingKeys.AtEnd(q)");
            }

            // The helper is a member of the dispatcher class (column 8); its condition is two levels deeper.
            var test = SourceWriter.Chain(8 + 8, "if (", group, "&&", ")", "        ");
            helpers.Add(
            [
                last
                    ? $"/// <summary>The words after the <c>#</c> at word {hash}, from any position.</summary>"
                    : $"/// <summary>The words after the <c>#</c> at word {hash}, at their first fit from <paramref name=\"p\"/>, which goes past them.</summary>",
                last ? $"private static bool {helper}(string key, int p)" : $"private static bool {helper}(string key, ref int p)",
                "{",
                "    while (true)",
                "    {",
                "        var q = p;",
                .. test.Select(line => "        " + line),
                "        {",
                .. last ? new string[0] : ["            p = q;"],
                "            return true;",
                "        }",
                string.Empty,
                "        if (!RoutingKeys.AnyWord(key, ref p))",
                "        {",
                "            return false;",
                "        }",
                "    }",
                "}",
            ]);
            conditions.Add(last ? $"{helper}(key, {position})" : $"{helper}(key, ref {position})");
        }

        return conditions;
    }

    private static string Word(string word, string position) =>
        word == "*" ? $"RoutingKeys.AnyWord(key, ref {position})" : $"RoutingKeys.Word(key, ref {position}, {Literals.String(word)})";
}

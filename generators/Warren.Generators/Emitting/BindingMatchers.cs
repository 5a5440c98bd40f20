using System.Collections.Generic;
using System.Linq;
using Warren.Generators.Model;
using Warren.Generators.Parsing;

namespace Warren.Generators.Emitting;

/// <summary>
/// Emits <c>Binds…(context, exchange, key)</c>: whether a delivery published to <c>exchange</c> with <c>key</c> reaches
/// a handler through one of its bindings. Topic patterns become word-by-word code for exactly that pattern (no regular
/// expressions, no parsing at run time); direct keys a comparison; fanout the exchange alone; headers the values.
/// </summary>
internal static class BindingMatchers
{
    public static void Emit(SourceWriter w, string name, EquatableArray<BindingModel> bindings, IReadOnlyDictionary<string, string> exchangeTypes)
    {
        var helpers = new List<string[]>();
        var topics = bindings.Count(b => b.HeadersMatch is null && TypeOf(b, exchangeTypes) == "topic");
        var conditions = new List<string>();
        var topicIndex = 0;
        foreach (var binding in bindings)
        {
            var exchange = $"exchange == {Literals.String(binding.Exchange)}";
            var type = TypeOf(binding, exchangeTypes);
            if (binding.HeadersMatch is not null)
            {
                var checks = binding.Headers.Select(h => $"RoutingKeys.HasHeader(context, {Literals.String(h.Name)}, {Literals.String(h.Value)})").ToList();
                var any = binding.HeadersMatch == "any";
                var values = checks.Count == 0 ? (any ? "false" : "true") : checks.Count == 1 ? checks[0] : "(" + string.Join(any ? " || " : " && ", checks) + ")";
                conditions.Add($"{exchange} && {values}");
            }
            else if (type == "fanout")
            {
                conditions.Add(exchange);
            }
            else if (type == "direct")
            {
                conditions.Add($"{exchange} && key == {Literals.String(binding.RoutingKey)}");
            }
            else
            {
                var matcher = topics == 1 ? name + "Key" : name + "Key" + (++topicIndex).ToString(System.Globalization.CultureInfo.InvariantCulture);
                conditions.Add($"{exchange} && {matcher}(key)");
                helpers.Add(Topic(matcher, binding.RoutingKey));
            }
        }

        var described = string.Join(", ", bindings.Select(Describe));
        w.Line($"/// <summary>Bound to {Text.Xml(described)}.</summary>");
        w.Line($"private static bool {name}(MessageContext context, string exchange, string key) =>");
        for (var i = 0; i < conditions.Count; i++)
        {
            var lead = i == 0 ? "    " : "    || ";
            w.Line(lead + conditions[i] + (i == conditions.Count - 1 ? ";" : string.Empty));
        }

        foreach (var helper in helpers)
        {
            w.Line();
            foreach (var line in helper)
            {
                w.Line(line);
            }
        }
    }

    private static string TypeOf(BindingModel binding, IReadOnlyDictionary<string, string> exchangeTypes) =>
        exchangeTypes.TryGetValue(binding.Exchange, out var type) ? type : "topic";

    private static string Describe(BindingModel binding) =>
        binding.HeadersMatch is not null
            ? $"{binding.Exchange} ({binding.HeadersMatch}: {string.Join(", ", binding.Headers.Select(h => h.Name + "=" + h.Value))})"
            : binding.RoutingKey.Length == 0 ? binding.Exchange : $"{binding.Exchange} with {binding.RoutingKey}";

    /// <summary>A method testing a key against one topic pattern, plus one helper per <c>#</c> that is not last.</summary>
    private static string[] Topic(string name, string pattern)
    {
        var words = pattern.Length == 0 ? new string[0] : pattern.Split('.');
        var helpers = new List<string>();
        var body = Expression(words, 0, "p", name, helpers);
        var lines = new List<string>
        {
            $"/// <summary>Topic pattern <c>{Text.Xml(pattern)}</c>.</summary>",
            $"private static bool {name}(string key)",
            "{",
        };
        if (body.Contains("ref p") || body.Contains(", p)") || body.Contains("(p)"))
        {
            lines.Add("    var p = RoutingKeys.Start(key);");
        }
        else
        {
            body = body.Replace("RoutingKeys.AtEnd(RoutingKeys.Start(key))", "key.Length == 0");
        }

        lines.Add($"    return {body};");
        lines.Add("}");
        foreach (var helper in helpers)
        {
            lines.Add(string.Empty);
            lines.AddRange(helper.Split('\n'));
        }

        return lines.ToArray();
    }

    /// <summary>The condition that words[from..] match the key from position variable <paramref name="position"/>.</summary>
    private static string Expression(string[] words, int from, string position, string name, List<string> helpers)
    {
        var conditions = new List<string>();
        for (var i = from; i < words.Length; i++)
        {
            var word = words[i];
            if (word == "#")
            {
                if (i == words.Length - 1)
                {
                    // A trailing '#' matches whatever is left, even nothing.
                    return conditions.Count == 0 ? "true" : string.Join(" && ", conditions);
                }

                // '#' takes zero or more words: try the rest of the pattern at every position from here.
                var helper = $"{name}After{i}";
                var rest = Expression(words, i + 1, "q", name, helpers);
                helpers.Add(
                    $"/// <summary>The words after the <c>#</c> at word {i}, from any position.</summary>\n" +
                    $"private static bool {helper}(string key, int p)\n{{\n    while (true)\n    {{\n        var q = p;\n" +
                    $"        if ({rest})\n        {{\n            return true;\n        }}\n\n" +
                    "        if (!RoutingKeys.AnyWord(key, ref p))\n        {\n            return false;\n        }\n    }\n}");
                conditions.Add($"{helper}(key, {position})");
                return string.Join(" && ", conditions);
            }

            conditions.Add(word == "*"
                ? $"RoutingKeys.AnyWord(key, ref {position})"
                : $"RoutingKeys.Word(key, ref {position}, {Literals.String(word)})");
        }

        conditions.Add($"RoutingKeys.AtEnd({position})");
        return string.Join(" && ", conditions);
    }
}

using System.Linq;
using System.Text;
using Warren.Generators.Model;
using Warren.Generators.Parsing;

namespace Warren.Generators.Emitting;

/// <summary>Emits the topology three ways: code that declares it, RabbitMQ definitions.json, and a Mermaid diagram.</summary>
internal static class TopologyEmitter
{
    public const string HintName = "Warren.Topology.g.cs";

    public static string Emit(GenerationModel model)
    {
        var plan = TopologyPlan.From(model);
        var w = new SourceWriter();
        w.Open("namespace Warren.Generated");
        w.Line("/// <summary>Every exchange, queue and binding this assembly's attributes declare.</summary>");
        w.GeneratedType();
        w.Open("internal static class WarrenTopology");
        w.Line("/// <summary>The topology, in dependency order: exchanges, then queues, then bindings.</summary>");
        w.Open("public static global::Warren.Topology Create()");
        w.Line("var topology = new global::Warren.Topology();");
        foreach (var e in plan.Exchanges)
        {
            w.Line($"topology.Add(new global::Warren.ExchangeDeclaration({Literals.String(e.Name)}, {Literals.String(e.Type)}, Durable: {Bool(e.Durable)}, AutoDelete: {Bool(e.AutoDelete)}));");
        }

        foreach (var q in plan.Queues)
        {
            var args = q.Arguments.Count == 0 ? "null" : Dictionary(q.Arguments.Select(a => (a.Name, a.CSharpValue)));
            w.Line($"topology.Add(new global::Warren.QueueDeclaration({Literals.String(q.Name)}, Durable: {Bool(q.Durable)}, Exclusive: {Bool(q.Exclusive)}, AutoDelete: {Bool(q.AutoDelete)}, Arguments: {args}));");
        }

        foreach (var (exchange, queue, binding) in plan.Bindings.Select(b => (b.Exchange, b.Queue, b.Binding)))
        {
            var args = binding.HeadersMatch is null
                ? "null"
                : Dictionary(new[] { ("x-match", Literals.String(binding.HeadersMatch)) }.Concat(binding.Headers.Select(h => (h.Name, Literals.String(h.Value)))));
            w.Line($"topology.Add(new global::Warren.BindingDeclaration({Literals.String(exchange)}, {Literals.String(queue)}, {Literals.String(binding.RoutingKey)}, {args}));");
        }

        w.Line("return topology;");
        w.Close();
        w.Line();
        w.Line("/// <summary>The same topology as RabbitMQ definitions (<c>rabbitmqctl import_definitions</c>, management UI import), for virtual host <c>/</c>.</summary>");
        w.Line($"public const string DefinitionsJson = {Literals.String(DefinitionsJson(plan))};");
        w.Line();
        w.Line("/// <summary>The same topology as a Mermaid flowchart, for documentation.</summary>");
        w.Line($"public const string Mermaid = {Literals.String(Mermaid(plan))};");
        w.Close();
        w.Close();
        return w.ToString();
    }

    private static string Bool(bool value) => value ? "true" : "false";

    private static string Dictionary(System.Collections.Generic.IEnumerable<(string Key, string Value)> entries) =>
        "new global::System.Collections.Generic.Dictionary<string, object?> { " + string.Join(", ", entries.Select(e => $"[{Literals.String(e.Key)}] = {e.Value}")) + " }";

    private static string DefinitionsJson(TopologyPlan plan)
    {
        var b = new StringBuilder();
        b.Append("{\n  \"exchanges\": [");
        b.Append(string.Join(",", plan.Exchanges.Select(e =>
            $"\n    {{ \"name\": {Literals.JsonString(e.Name)}, \"vhost\": \"/\", \"type\": {Literals.JsonString(e.Type)}, \"durable\": {Bool(e.Durable)}, \"auto_delete\": {Bool(e.AutoDelete)}, \"internal\": false, \"arguments\": {{}} }}")));
        b.Append(plan.Exchanges.Count > 0 ? "\n  ],\n" : "],\n");
        b.Append("  \"queues\": [");
        b.Append(string.Join(",", plan.Queues.Select(q =>
            $"\n    {{ \"name\": {Literals.JsonString(q.Name)}, \"vhost\": \"/\", \"durable\": {Bool(q.Durable)}, \"auto_delete\": {Bool(q.AutoDelete)}, \"arguments\": {{{string.Join(",", q.Arguments.Select(a => $" {Literals.JsonString(a.Name)}: {a.JsonValue}"))}{(q.Arguments.Count > 0 ? " " : string.Empty)}}} }}")));
        b.Append(plan.Queues.Count > 0 ? "\n  ],\n" : "],\n");
        b.Append("  \"bindings\": [");
        b.Append(string.Join(",", plan.Bindings.Select(x =>
        {
            var args = x.Binding.HeadersMatch is null
                ? "{}"
                : "{ " + string.Join(", ", new[] { $"\"x-match\": {Literals.JsonString(x.Binding.HeadersMatch)}" }.Concat(x.Binding.Headers.Select(h => $"{Literals.JsonString(h.Name)}: {Literals.JsonString(h.Value)}"))) + " }";
            return $"\n    {{ \"source\": {Literals.JsonString(x.Exchange)}, \"vhost\": \"/\", \"destination\": {Literals.JsonString(x.Queue)}, \"destination_type\": \"queue\", \"routing_key\": {Literals.JsonString(x.Binding.RoutingKey)}, \"arguments\": {args} }}";
        })));
        b.Append(plan.Bindings.Count > 0 ? "\n  ]\n}\n" : "]\n}\n");
        return b.ToString();
    }

    private static string Mermaid(TopologyPlan plan)
    {
        var b = new StringBuilder("flowchart LR\n");
        foreach (var e in plan.Exchanges)
        {
            b.Append($"    x_{Id(e.Name)}{{{{\"{e.Name} ({e.Type})\"}}}}\n");
        }

        foreach (var q in plan.Queues)
        {
            b.Append($"    q_{Id(q.Name)}[(\"{q.Name}\")]\n");
        }

        foreach (var (exchange, queue, binding) in plan.Bindings.Select(b => (b.Exchange, b.Queue, b.Binding)))
        {
            var label = binding.HeadersMatch is null
                ? binding.RoutingKey
                : binding.HeadersMatch + ": " + string.Join(", ", binding.Headers.Select(h => h.Name + "=" + h.Value));
            b.Append(label.Length == 0
                ? $"    x_{Id(exchange)} --> q_{Id(queue)}\n"
                : $"    x_{Id(exchange)} -- \"{label}\" --> q_{Id(queue)}\n");
        }

        foreach (var q in plan.Queues)
        {
            var dlx = q.Arguments.FirstOrDefault(a => a.Name == "x-dead-letter-exchange");
            var key = q.Arguments.FirstOrDefault(a => a.Name == "x-dead-letter-routing-key");
            if (dlx is not null && dlx.JsonValue == "\"\"" && key is not null)
            {
                // Dead-lettering through the default exchange goes straight to the queue the key names (a retry).
                b.Append($"    q_{Id(q.Name)} -. retry .-> q_{Id(key.JsonValue.Trim('"'))}\n");
            }
            else if (dlx is not null)
            {
                b.Append($"    q_{Id(q.Name)} -. dead letters .-> x_{Id(dlx.JsonValue.Trim('"'))}\n");
            }
        }

        return b.ToString();
    }

    private static string Id(string name)
    {
        var b = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            b.Append(char.IsLetterOrDigit(c) ? c : '_');
        }

        return b.ToString();
    }
}

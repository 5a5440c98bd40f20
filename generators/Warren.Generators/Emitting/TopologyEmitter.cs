using System.Collections.Generic;
using System.Linq;
using System.Text;
using Warren.Generators.Model;
using Warren.Generators.Parsing;

namespace Warren.Generators.Emitting;

/// <summary>
/// Emits the topology three ways: code that declares it, RabbitMQ definitions.json, and a Mermaid diagram. Each
/// declaration states only what differs from the declaration records' defaults; queue and binding arguments go one per
/// line, and the two documents are verbatim strings laid out line by line as they will be read.
/// </summary>
internal static class TopologyEmitter
{
    public const string HintName = "Warren.Topology.g.cs";

    public static string Emit(TopologyPlan plan)
    {
        var w = new SourceWriter();
        w.Open("namespace Warren.Generated");
        w.Line("using global::System.Collections.Generic;");
        w.Line();
        w.Line("/// <summary>Every exchange, queue and binding this assembly's attributes declare.</summary>");
        w.GeneratedType();
        w.Open("internal static class WarrenTopology");
        w.Line("/// <summary>The topology, in dependency order: exchanges, then queues, then bindings.</summary>");
        w.Open("public static Topology Create()");
        w.Line("var topology = new Topology();");
        foreach (var e in plan.Exchanges)
        {
            var settings = Settings((!e.Durable, "Durable: false"), (e.AutoDelete, "AutoDelete: true"));
            w.Line($"topology.Add(new ExchangeDeclaration({Literals.String(e.Name)}, {Literals.String(e.Type)}{settings}));");
        }

        foreach (var q in plan.Queues)
        {
            var settings = Settings((!q.Durable, "Durable: false"), (q.Exclusive, "Exclusive: true"), (q.AutoDelete, "AutoDelete: true"));
            Declaration(w, $"new QueueDeclaration({Literals.String(q.Name)}{settings}", q.Arguments.Select(a => (a.Name, a.CSharpValue)).ToList());
        }

        foreach (var (exchange, queue, binding) in plan.Bindings.Select(b => (b.Exchange, b.Queue, b.Binding)))
        {
            var start = $"new BindingDeclaration({Literals.String(exchange)}, {Literals.String(queue)}";
            if (binding.HeadersMatch is null)
            {
                var key = binding.RoutingKey.Length == 0 ? string.Empty : ", " + Literals.String(binding.RoutingKey);
                w.Line($"topology.Add({start}{key}));");
            }
            else
            {
                var arguments = new[] { ("x-match", Literals.String(binding.HeadersMatch)) }.Concat(binding.Headers.Select(h => (h.Name, Literals.String(h.Value)))).ToList();
                Declaration(w, start, arguments);
            }
        }

        w.Line("return topology;");
        w.Close();
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// The same topology as RabbitMQ definitions, for virtual host <c>/</c>");
        w.Line("/// (<c>rabbitmqctl import_definitions</c>, or an import in the management UI).");
        w.Line("/// </summary>");
        w.Line($"public const string DefinitionsJson = {Literals.Verbatim(DefinitionsJson(plan))};");
        w.Line();
        w.Line("/// <summary>The same topology as a Mermaid flowchart, for documentation.</summary>");
        w.Line($"public const string Mermaid = {Literals.Verbatim(Mermaid(plan))};");
        w.Close();
        w.Close();
        return w.ToString();
    }

    /// <summary><c>topology.Add(…)</c> of a declaration whose arguments, if any, are a dictionary written one per line.</summary>
    private static void Declaration(SourceWriter w, string start, IReadOnlyList<(string Name, string Value)> arguments)
    {
        if (arguments.Count == 0)
        {
            w.Line($"topology.Add({start}));");
            return;
        }

        w.Line($"topology.Add({start}, Arguments: new Dictionary<string, object?>");
        w.Open(string.Empty);
        foreach (var (name, value) in arguments)
        {
            w.Line($"[{Literals.String(name)}] = {value},");
        }

        w.Close("));");
    }

    private static string Settings(params (bool Differs, string Text)[] settings) =>
        string.Concat(settings.Where(s => s.Differs).Select(s => ", " + s.Text));

    private static string Bool(bool value) => value ? "true" : "false";

    private static string DefinitionsJson(TopologyPlan plan)
    {
        var json = new JsonWriter();
        json.Open("{");
        json.Array("exchanges", plan.Exchanges, e => new[]
        {
            ("name", Literals.JsonString(e.Name)),
            ("vhost", "\"/\""),
            ("type", Literals.JsonString(e.Type)),
            ("durable", Bool(e.Durable)),
            ("auto_delete", Bool(e.AutoDelete)),
            ("internal", "false"),
            ("arguments", "{}"),
        });
        json.Array("queues", plan.Queues, q => new[]
        {
            ("name", Literals.JsonString(q.Name)),
            ("vhost", "\"/\""),
            ("durable", Bool(q.Durable)),
            ("auto_delete", Bool(q.AutoDelete)),
            ("arguments", JsonWriter.Object(q.Arguments.Select(a => (a.Name, a.JsonValue)))),
        });
        json.Array("bindings", plan.Bindings, b => new[]
        {
            ("source", Literals.JsonString(b.Exchange)),
            ("vhost", "\"/\""),
            ("destination", Literals.JsonString(b.Queue)),
            ("destination_type", "\"queue\""),
            ("routing_key", Literals.JsonString(b.Binding.RoutingKey)),
            ("arguments", b.Binding.HeadersMatch is null
                ? "{}"
                : JsonWriter.Object(new[] { ("x-match", Literals.JsonString(b.Binding.HeadersMatch)) }
                    .Concat(b.Binding.Headers.Select(h => (h.Name, Literals.JsonString(h.Value)))))),
        }, last: true);
        json.Close("}");
        return json.ToString();
    }

    private static string Mermaid(TopologyPlan plan)
    {
        var b = new StringBuilder("flowchart LR\n");
        foreach (var e in plan.Exchanges)
        {
            b.Append($"    x_{Id(e.Name)}{{{{\"{Label(e.Name)} ({e.Type})\"}}}}\n");
        }

        foreach (var q in plan.Queues)
        {
            b.Append($"    q_{Id(q.Name)}[(\"{Label(q.Name)}\")]\n");
        }

        foreach (var (exchange, queue, binding) in plan.Bindings.Select(b => (b.Exchange, b.Queue, b.Binding)))
        {
            var label = binding.HeadersMatch is null
                ? binding.RoutingKey
                : binding.HeadersMatch + ": " + string.Join(", ", binding.Headers.Select(h => h.Name + "=" + h.Value));
            b.Append(label.Length == 0
                ? $"    x_{Id(exchange)} --> q_{Id(queue)}\n"
                : $"    x_{Id(exchange)} -- \"{Label(label)}\" --> q_{Id(queue)}\n");
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
            b.Append(char.IsLetterOrDigit(c) && c < 128 ? c : '_');
        }

        return b.ToString();
    }

    /// <summary>Text inside a quoted Mermaid label: quotes as entities, line breaks and lone surrogates as '?'.</summary>
    private static string Label(string text)
    {
        var b = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            b.Append(c == '"' ? "#quot;" : char.IsControl(c) || char.IsSurrogate(c) || c is '\u2028' or '\u2029' ? "?" : c.ToString());
        }

        return b.ToString();
    }

    /// <summary>Indented JSON, one property per line, for definitions people read and diff.</summary>
    private sealed class JsonWriter
    {
        private readonly StringBuilder _builder = new();
        private int _indent;

        /// <summary>An object value: <c>{}</c>, or its properties one per line (the writer indents them).</summary>
        public static string Object(IEnumerable<(string Name, string Value)> properties)
        {
            var list = properties.ToList();
            return list.Count == 0 ? "{}" : "{\n" + string.Join(",\n", list.Select(p => $"  {Literals.JsonString(p.Name)}: {p.Value}")) + "\n}";
        }

        public void Open(string text)
        {
            Line(text);
            _indent++;
        }

        public void Close(string text)
        {
            _indent--;
            Line(text);
        }

        public void Array<T>(string name, EquatableArray<T> items, System.Func<T, (string Name, string Value)[]> properties, bool last = false)
        {
            var end = last ? string.Empty : ",";
            if (items.Count == 0)
            {
                Line($"\"{name}\": []{end}");
                return;
            }

            Open($"\"{name}\": [");
            for (var i = 0; i < items.Count; i++)
            {
                Open("{");
                var list = properties(items[i]);
                for (var p = 0; p < list.Length; p++)
                {
                    Line($"\"{list[p].Name}\": {list[p].Value}{(p < list.Length - 1 ? "," : string.Empty)}");
                }

                Close(i < items.Count - 1 ? "}," : "}");
            }

            Close("]" + end);
        }

        public override string ToString() => _builder.ToString();

        private void Line(string text)
        {
            foreach (var line in text.Split('\n'))
            {
                _builder.Append(' ', _indent * 2).Append(line).Append('\n');
            }
        }
    }
}

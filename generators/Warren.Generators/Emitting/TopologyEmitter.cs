using System.Collections.Generic;
using System.Linq;
using Warren.Generators.Model;
using Warren.Generators.Parsing;

namespace Warren.Generators.Emitting;

/// <summary>
/// Emits the code that declares the topology. Each declaration states only what differs from the declaration records'
/// defaults, queue and binding arguments go one per line, retry queues through one helper, and long runs split into
/// parts. The same topology as definitions.json and as a Mermaid diagram is rendered from it by the runtime
/// (<c>TopologyDocuments</c>), so no large strings are compiled into the user's assembly.
/// </summary>
internal static class TopologyEmitter
{
    public const string HintName = "Warren.Topology.g.cs";

    public static string Emit(TopologyPlan plan)
    {
        var statements = new List<System.Action<SourceWriter>>();
        foreach (var e in plan.Exchanges)
        {
            var settings = Settings((!e.Durable, "Durable: false"), (e.AutoDelete, "AutoDelete: true"));
            statements.Add(w => w.Line($"topology.Add(new ExchangeDeclaration({Literals.String(e.Name)}, {Literals.String(e.Type)}{settings}));"));
        }

        foreach (var q in plan.Queues)
        {
            if (q.RetryFor is { } workQueue)
            {
                statements.Add(w => w.Line($"RetryQueue(topology, {Literals.String(q.Name)}, {Literals.String(workQueue)}, {q.RetryDelay.ToString(System.Globalization.CultureInfo.InvariantCulture)});"));
                continue;
            }

            var settings = Settings((!q.Durable, "Durable: false"), (q.Exclusive, "Exclusive: true"), (q.AutoDelete, "AutoDelete: true"));
            statements.Add(w => Declaration(w, $"new QueueDeclaration({Literals.String(q.Name)}{settings}", q.Arguments.Select(a => (a.Name, a.CSharpValue)).ToList()));
        }

        foreach (var (exchange, queue, binding) in plan.Bindings.Select(b => (b.Exchange, b.Queue, b.Binding)))
        {
            var start = $"new BindingDeclaration({Literals.String(exchange)}, {Literals.String(queue)}";
            if (binding.HeadersMatch is null)
            {
                var key = binding.RoutingKey.Length == 0 ? string.Empty : ", " + Literals.String(binding.RoutingKey);
                statements.Add(w => w.Line($"topology.Add({start}{key}));"));
            }
            else
            {
                var arguments = new[] { ("x-match", Literals.String(binding.HeadersMatch)) }.Concat(binding.Headers.Select(h => (h.Name, Literals.String(h.Value)))).ToList();
                statements.Add(w => Declaration(w, start, arguments));
            }
        }

        var writer = new SourceWriter();
        writer.Open("namespace Warren.Generated");
        writer.Line("using global::System.Collections.Generic;");
        writer.Line();
        writer.Line("/// <summary>Every exchange, queue and binding this assembly's attributes declare.</summary>");
        writer.GeneratedType();
        writer.Open("internal static class WarrenTopology");
        writer.Line("/// <summary>The topology; it is declared in dependency order: exchanges, then queues, then bindings.</summary>");
        writer.Open("public static Topology Create()");
        writer.Line("var topology = new Topology();");
        writer.Line("Declare(topology);");
        writer.Line("return topology;");
        writer.Close();
        writer.Line();
        writer.Line("/// <summary>");
        writer.Line("/// The same topology as RabbitMQ definitions, for virtual host <c>/</c>");
        writer.Line("/// (<c>rabbitmqctl import_definitions</c>, or an import in the management UI).");
        writer.Line("/// </summary>");
        writer.Line("public static string DefinitionsJson => TopologyDocuments.DefinitionsJson(Create());");
        writer.Line();
        writer.Line("/// <summary>The same topology as a Mermaid flowchart, for documentation.</summary>");
        writer.Line("public static string Mermaid => TopologyDocuments.Mermaid(Create());");
        writer.Line();
        Chunks.Emit(writer, "private static void Declare(Topology topology)", "Declare", "Topology topology", "topology", statements);
        if (plan.Queues.Any(q => q.RetryFor is not null))
        {
            writer.Line();
            writer.Line("/// <summary>");
            writer.Line("/// A delayed-retry queue: a message waits <paramref name=\"delay\"/> ms,");
            writer.Line("/// then dead-letters back to <paramref name=\"workQueue\"/>.");
            writer.Line("/// </summary>");
            writer.Line("private static void RetryQueue(Topology topology, string name, string workQueue, long delay) =>");
            writer.Line("    topology.Add(new QueueDeclaration(name, Arguments: new Dictionary<string, object?>");
            writer.Line("    {");
            writer.Line("        [\"x-dead-letter-exchange\"] = \"\",");
            writer.Line("        [\"x-dead-letter-routing-key\"] = workQueue,");
            writer.Line("        [\"x-message-ttl\"] = delay,");
            writer.Line("    }));");
        }

        writer.Close();
        writer.Close();
        return writer.ToString();
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
}

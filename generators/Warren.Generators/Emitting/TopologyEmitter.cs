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

    public static string Emit(TopologyPlan plan, GeneratedScope scope)
    {
        var standard = StandardQueues(plan);
        // A default-policy queue's first plain binding is declared by its call too: one statement less per consumer.
        var folded = new Dictionary<string, PlannedBinding>(System.StringComparer.Ordinal);
        foreach (var b in plan.Bindings)
        {
            if (b.Binding.HeadersMatch is null && standard.Queues.Contains(b.Queue) && !folded.ContainsKey(b.Queue))
            {
                folded.Add(b.Queue, b);
            }
        }

        var statements = new List<System.Action<SourceWriter>>();
        foreach (var e in plan.Exchanges)
        {
            if (standard.AbsorbedExchanges.Contains(e.Name))
            {
                continue;
            }

            var arguments = new[] { Literals.String(e.Name), Literals.String(e.Type) }
                .Concat(Settings((!e.Durable, "Durable: false"), (e.AutoDelete, "AutoDelete: true")))
                .ToList();
            statements.Add(w => Add(w, "ExchangeDeclaration", arguments));
        }

        // A default-policy queue with a plain binding is a line of a table, declared by one loop: data, not a call each.
        var table = plan.Queues.Where(q => folded.ContainsKey(q.Name)).Select(q => (Queue: q.Name, folded[q.Name].Exchange, folded[q.Name].Binding.RoutingKey)).ToList();
        if (table.Count > 0)
        {
            statements.Add(w => w.Line("BoundQueuesWithDefaultRetry(topology);"));
        }

        foreach (var q in plan.Queues)
        {
            if (standard.Queues.Contains(q.Name))
            {
                if (!folded.ContainsKey(q.Name))
                {
                    statements.Add(w => w.Call("QueueWithDefaultRetry(", ["topology", Literals.String(q.Name)], ");"));
                }

                continue;
            }

            if (standard.AbsorbedQueues.Contains(q.Name))
            {
                continue;
            }

            // A quorum queue's retry queues (with x-queue-type) are declared in full.
            if (q.RetryFor is { } workQueue && !IsTyped(q))
            {
                var delay = q.RetryDelay.ToString(System.Globalization.CultureInfo.InvariantCulture);
                statements.Add(w => w.Call("RetryQueue(", ["topology", Literals.String(q.Name), Literals.String(workQueue), delay], ");"));
                continue;
            }

            var settings = new[] { Literals.String(q.Name) }
                .Concat(Settings((!q.Durable, "Durable: false"), (q.Exclusive, "Exclusive: true"), (q.AutoDelete, "AutoDelete: true")))
                .ToList();
            statements.Add(w => Add(w, "QueueDeclaration", settings, q.Arguments.Select(a => (a.Name, a.CSharpValue)).ToList()));
        }

        foreach (var (exchange, queue, binding) in plan.Bindings.Where(b => !(folded.TryGetValue(b.Queue, out var f) && ReferenceEquals(f, b))).Select(b => (b.Exchange, b.Queue, b.Binding)))
        {
            if (IsDeadLetterBinding(standard, exchange, queue, binding))
            {
                continue;
            }

            var names = new List<string> { Literals.String(exchange), Literals.String(queue) };
            if (binding.HeadersMatch is null)
            {
                if (binding.RoutingKey.Length > 0)
                {
                    names.Add(Literals.String(binding.RoutingKey));
                }

                statements.Add(w => Add(w, "BindingDeclaration", names));
            }
            else
            {
                var arguments = new[] { ("x-match", Literals.String(binding.HeadersMatch)) }
                    .Concat(binding.Headers.Select(h => (h.Name, Literals.String(h.Value))))
                    .ToList();
                statements.Add(w => Add(w, "BindingDeclaration", names, arguments));
            }
        }

        var writer = new SourceWriter();
        writer.Open("namespace " + scope.Namespace);
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
        if (table.Count > 0)
        {
            writer.Line();
            writer.Line("/// <summary>");
            writer.Line("/// The work queues with the default failure policy and a binding, a line each: queue, exchange,");
            writer.Line("/// routing key.");
            writer.Line("/// </summary>");
            writer.Line("private static readonly string[] BoundQueues = new string[]");
            writer.Open(string.Empty);
            foreach (var (queue, exchange, key) in table)
            {
                writer.Line($"{Literals.String(queue)}, {Literals.String(exchange)}, {Literals.String(key)},");
            }

            writer.Close(";");
            writer.Line();
            writer.Line("/// <summary>");
            writer.Line("/// Each queue of <see cref=\"BoundQueues\"/> with the default failure policy, bound to its exchange");
            writer.Line("/// with its routing key.");
            writer.Line("/// </summary>");
            writer.Open("private static void BoundQueuesWithDefaultRetry(Topology topology)");
            writer.Open("for (var i = 0; i < BoundQueues.Length; i += 3)");
            writer.Line("QueueWithDefaultRetry(topology, BoundQueues[i]);");
            writer.Line("topology.Add(new BindingDeclaration(BoundQueues[i + 1], BoundQueues[i], BoundQueues[i + 2]));");
            writer.Close();
            writer.Close();
        }

        if (standard.Queues.Count > 0)
        {
            writer.Line();
            writer.Line("/// <summary>");
            writer.Line("/// A work queue with the default failure policy: it dead-letters to exchange <c>{queue}.dlx</c>, which");
            writer.Line("/// routes to queue <c>{queue}.dlq</c>, and its delayed retries wait in <c>{queue}.retry.1</c> to");
            writer.Line("/// <c>.3</c> (5 s, 30 s, 2 min).");
            writer.Line("/// </summary>");
            writer.Open("private static void QueueWithDefaultRetry(Topology topology, string queue)");
            writer.Line("topology.Add(new ExchangeDeclaration(queue + \".dlx\", \"direct\"));");
            writer.Line("topology.Add(new QueueDeclaration(queue, Arguments: new Dictionary<string, object?>");
            writer.Open(string.Empty);
            writer.Line("[\"x-dead-letter-exchange\"] = queue + \".dlx\",");
            writer.Line("[\"x-dead-letter-routing-key\"] = queue,");
            writer.Close("));");
            writer.Line("topology.Add(new QueueDeclaration(queue + \".dlq\"));");
            for (var level = 1; level <= FailurePolicyDefaults.RetryDelays.Length; level++)
            {
                var delay = FailurePolicyDefaults.RetryDelays[level - 1].ToString(System.Globalization.CultureInfo.InvariantCulture);
                writer.Line($"RetryQueue(topology, queue + \".retry.{level.ToString(System.Globalization.CultureInfo.InvariantCulture)}\", queue, {delay});");
            }

            writer.Line("topology.Add(new BindingDeclaration(queue + \".dlx\", queue + \".dlq\", queue));");
            writer.Close();
        }

        if (plan.Queues.Any(q => q.RetryFor is not null && !IsTyped(q)))
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
        writer.Line();
        Alias(writer, scope);
        return writer.ToString();
    }

    /// <summary>
    /// <c>Warren.Generated.WarrenTopology</c>, the name the documentation and applications use for the topology, as calls
    /// of the assembly's own (<see cref="GeneratedScope"/>). Generated code never names it: in a project given the
    /// internals of another assembly running Warren, where it names two classes, code naming it binds to the project's
    /// own with CS0436, and <c>Warren.Generated.For_{assembly}.WarrenTopology</c> names either without one.
    /// </summary>
    private static void Alias(SourceWriter writer, GeneratedScope scope)
    {
        var topology = scope.Qualifier + "WarrenTopology";
        writer.Open("namespace Warren.Generated");
        writer.Line($"/// <summary>This assembly's topology: <see cref=\"{topology}\"/>.</summary>");
        writer.GeneratedType();
        writer.Open("internal static class WarrenTopology");
        writer.Line($"/// <inheritdoc cref=\"{topology}.Create\"/>");
        writer.Line($"public static global::Warren.Topology Create() => {topology}.Create();");
        writer.Line();
        writer.Line($"/// <inheritdoc cref=\"{topology}.DefinitionsJson\"/>");
        writer.Line($"public static string DefinitionsJson => {topology}.DefinitionsJson;");
        writer.Line();
        writer.Line($"/// <inheritdoc cref=\"{topology}.Mermaid\"/>");
        writer.Line($"public static string Mermaid => {topology}.Mermaid;");
        writer.Close();
        writer.Close();
    }

    /// <summary>
    /// <c>topology.Add(new {declaration}(arguments))</c>, and when <paramref name="dictionary"/> has entries, a last
    /// argument <c>Arguments:</c> holding them one per line; the arguments go on the next line (or a line each) when the
    /// call does not fit a line.
    /// </summary>
    private static void Add(
        SourceWriter w,
        string declaration,
        IReadOnlyList<string> arguments,
        IReadOnlyList<(string Name, string Value)>? dictionary = null)
    {
        var head = $"topology.Add(new {declaration}(";
        if (dictionary is null || dictionary.Count == 0)
        {
            w.Call(head, arguments, "));");
            return;
        }

        var wrapped = w.Call(head, arguments.Concat(new[] { "Arguments: new Dictionary<string, object?>" }).ToList(), string.Empty);
        var lead = wrapped ? "    " : string.Empty;
        w.Line(lead + "{");
        foreach (var (name, value) in dictionary)
        {
            w.Line($"{lead}    [{Literals.String(name)}] = {value},");
        }

        w.Line(lead + "}));");
    }

    /// <summary>
    /// The work queues whose declarations are exactly what the default failure policy plans (dead-letter exchange and
    /// queue, three retry queues with the default delays, the dead-letter binding, nothing else in the queue's
    /// arguments), declared by one call each; <c>AbsorbedExchanges</c> and <c>AbsorbedQueues</c> name what those calls declare.
    /// </summary>
    /// <remarks><paramref name="include"/>: which of those queues to take (all when null).</remarks>
    internal static (HashSet<string> Queues, HashSet<string> AbsorbedExchanges, HashSet<string> AbsorbedQueues) StandardQueues(TopologyPlan plan, System.Func<string, bool>? include = null)
    {
        var queues = new HashSet<string>(System.StringComparer.Ordinal);
        // Exchanges and queues are separate namespaces on the broker: a queue named like another queue's dead-letter
        // exchange is not declared by that queue's call, so the two sets are kept apart.
        var absorbedExchanges = new HashSet<string>(System.StringComparer.Ordinal);
        var absorbedQueues = new HashSet<string>(System.StringComparer.Ordinal);
        var byName = new Dictionary<string, QueueDeclarationModel>(System.StringComparer.Ordinal);
        foreach (var q in plan.Queues)
        {
            byName[q.Name] = q;
        }

        var exchanges = new Dictionary<string, ExchangeModel>(System.StringComparer.Ordinal);
        foreach (var e in plan.Exchanges)
        {
            exchanges[e.Name] = e;
        }

        var bindings = new HashSet<(string, string, string)>();
        foreach (var b in plan.Bindings)
        {
            if (b.Binding.HeadersMatch is null)
            {
                bindings.Add((b.Exchange, b.Queue, b.Binding.RoutingKey));
            }
        }

        var delays = FailurePolicyDefaults.RetryDelays;
        foreach (var q in plan.Queues)
        {
            var dlx = q.Name + FailurePolicyDefaults.ExchangeSuffix;
            var dlq = q.Name + FailurePolicyDefaults.QueueSuffix;
            if (include is not null && !include(q.Name))
            {
                continue;
            }

            if (!Plain(q) || q.Arguments.Count != 2
                || q.Arguments[0] != new QueueArgument("x-dead-letter-exchange", Literals.String(dlx), Literals.JsonString(dlx))
                || q.Arguments[1] != new QueueArgument("x-dead-letter-routing-key", Literals.String(q.Name), Literals.JsonString(q.Name))
                || !exchanges.TryGetValue(dlx, out var exchange) || exchange != new ExchangeModel(dlx, "direct", true, false)
                || !byName.TryGetValue(dlq, out var deadLetterQueue) || !Plain(deadLetterQueue) || deadLetterQueue.Arguments.Count != 0
                || !bindings.Contains((dlx, dlq, q.Name))
                || byName.ContainsKey(q.Name + ".retry." + (delays.Length + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)))
            {
                continue;
            }

            var retries = Enumerable.Range(1, delays.Length).Select(level => q.Name + ".retry." + level.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
            if (retries.Select((name, i) => byName.TryGetValue(name, out var r) && r.RetryFor == q.Name && r.RetryDelay == delays[i] && Plain(r, retry: true)).All(ok => ok))
            {
                queues.Add(q.Name);
                absorbedExchanges.Add(dlx);
                absorbedQueues.Add(dlq);
                absorbedQueues.UnionWith(retries);
            }
        }

        // A queue declared by one of these calls and also by another (a dead-letter queue read by a consumer with its
        // own failure policy) keeps its own declaration: only what nothing else claims is absorbed.
        absorbedQueues.ExceptWith(queues);
        return (queues, absorbedExchanges, absorbedQueues);
    }

    /// <summary>The binding of a standard queue's dead-letter exchange to its dead-letter queue, declared with the queue.</summary>
    internal static bool IsDeadLetterBinding((HashSet<string> Queues, HashSet<string> AbsorbedExchanges, HashSet<string> AbsorbedQueues) standard, string exchange, string queue, BindingModel binding) =>
        standard.AbsorbedExchanges.Contains(exchange) && standard.AbsorbedQueues.Contains(queue) && binding.HeadersMatch is null && standard.Queues.Contains(binding.RoutingKey)
        && exchange == binding.RoutingKey + FailurePolicyDefaults.ExchangeSuffix && queue == binding.RoutingKey + FailurePolicyDefaults.QueueSuffix;

    private static bool Plain(QueueDeclarationModel q, bool retry = false) =>
        q.Durable && !q.Exclusive && !q.AutoDelete && (retry ? q.RetryFor is not null : q.RetryFor is null);

    /// <summary>Whether a queue names its type (x-queue-type): a quorum retry queue, declared in full rather than through the classic helper.</summary>
    private static bool IsTyped(QueueDeclarationModel q) => q.Arguments.Any(a => a.Name == "x-queue-type");

    private static IEnumerable<string> Settings(params (bool Differs, string Text)[] settings) =>
        settings.Where(s => s.Differs).Select(s => s.Text);
}

using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Warren.Generators.Model;

/// <summary>
/// A queue declaration in the topology. <paramref name="RetryFor"/>: a delayed-retry queue, which dead-letters back to
/// that work queue after <paramref name="RetryDelay"/> milliseconds (its arguments say the same).
/// </summary>
internal sealed record QueueDeclarationModel(string Name, bool Durable, bool Exclusive, bool AutoDelete, EquatableArray<QueueArgument> Arguments, string? RetryFor = null, long RetryDelay = 0);

/// <summary>A binding of a queue to an exchange in the topology.</summary>
internal sealed record PlannedBinding(string Exchange, string Queue, BindingModel Binding);

/// <summary>The exchanges, queues and bindings of a compilation, in declaration order (exchanges, queues, bindings; each sorted).</summary>
internal sealed record TopologyPlan(
    EquatableArray<ExchangeModel> Exchanges,
    EquatableArray<QueueDeclarationModel> Queues,
    EquatableArray<PlannedBinding> Bindings)
{
    private static readonly EquatableArray<QueueArgument> QuorumArguments =
        new[] { new QueueArgument("x-queue-type", "\"quorum\"", "\"quorum\"") }.ToEquatableArray();

    public static TopologyPlan From(GenerationModel model)
    {
        // Declarations of one exchange that differ are WRN008. Which one is planned never depends on type names: a
        // referenced assembly's (the shared contract) first, then the declaration itself in a fixed order.
        var candidates = new List<(int Rank, ExchangeModel Exchange)>();
        void AddExchange(ExchangeModel? exchange, int rank = 1)
        {
            // amq.* exchanges exist on every broker and cannot be declared.
            if (exchange is not null && exchange.Name.Length > 0 && !exchange.Name.StartsWith("amq.", System.StringComparison.Ordinal))
            {
                candidates.Add((rank, exchange));
            }
        }

        foreach (var message in model.Messages)
        {
            AddExchange(message.Exchange, message.Referenced ? 0 : 1);
        }

        // Text and byte publisher methods name their exchange on the interface; message types on themselves.
        foreach (var method in model.Publishers.SelectMany(p => p.Methods))
        {
            AddExchange(method.Exchange);
        }

        // Consumer queues first: when a consumer reads another queue's dead-letter queue, its declaration is the one.
        var queues = new List<QueueDeclarationModel>();
        foreach (var consumer in model.Consumers)
        {
            var queue = consumer.Queue;
            queues.Add(new QueueDeclarationModel(queue.Name, queue.Durable, queue.Exclusive, queue.AutoDelete, queue.Arguments));
        }

        // The dead-letter queue of a quorum queue or a stream is a quorum queue, and so are a quorum queue's retry queues:
        // replicated like the work queue (a classic queue would be lost with its node), durable, with no argument a quorum
        // queue refuses (RabbitMQ 3.10). The runtime's default failure policy declares the same (ConsumerHost). Other
        // queues' dead-letter and retry queues are classic. A dead-letter queue shared by both kinds is a quorum queue.
        var quorumDeadLetterQueues = new HashSet<string>(DeadLetterConsumers.DeadLetterQueues(model.Consumers).Where(d => d.Quorum).Select(d => d.Queue));
        var bindings = new List<PlannedBinding>();
        foreach (var consumer in model.Consumers)
        {
            AddExchange(consumer.DefaultExchange);
            var queue = consumer.Queue;
            var replicated = DeadLetterConsumers.IsReplicated(queue);
            foreach (var dl in new[] { queue.DeadLetter }.Concat(consumer.Handlers.Select(h => h.RetryOverride)))
            {
                if (dl is null)
                {
                    continue;
                }

                AddExchange(new ExchangeModel(dl.Exchange, "direct", true, false));
                queues.Add(new QueueDeclarationModel(dl.Queue, true, false, false, quorumDeadLetterQueues.Contains(dl.Queue) ? QuorumArguments : EquatableArray<QueueArgument>.Empty));
                bindings.Add(new PlannedBinding(dl.Exchange, dl.Queue, new BindingModel(dl.Exchange, dl.RoutingKey, EquatableArray<HeaderArgument>.Empty, null)));

                // Delayed retries without a plugin: a TTL queue per delay that dead-letters back to the work queue.
                for (var level = 1; dl.MaxRetries > 0 && level <= dl.RetryDelays.Count; level++)
                {
                    var delay = dl.RetryDelays[level - 1];
                    var ttl = delay.ToString(CultureInfo.InvariantCulture);
                    var retryArguments = new List<QueueArgument>
                    {
                        new("x-dead-letter-exchange", "\"\"", "\"\""),
                        new("x-dead-letter-routing-key", Parsing.Literals.String(queue.Name), Parsing.Literals.JsonString(queue.Name)),
                        new("x-message-ttl", ttl + "L", ttl),
                    };
                    if (replicated)
                    {
                        retryArguments.AddRange(QuorumArguments);
                    }

                    queues.Add(new QueueDeclarationModel($"{dl.RetryQueuePrefix}.retry.{level}", true, false, false, retryArguments.ToEquatableArray(), queue.Name, delay));
                }
            }

            foreach (var handler in consumer.Handlers)
            {
                AddExchange(handler.Message.Exchange);
                foreach (var binding in handler.Bindings)
                {
                    bindings.Add(new PlannedBinding(binding.Exchange, queue.Name, binding with { FromMessage = false }));
                }
            }
        }

        foreach (var service in model.RpcServers.SelectMany(s => s.Services))
        {
            // Only servers declare an RPC queue: a client alone must see "no server" at once, not wait for a timeout.
            var arguments = service.Quorum ? QuorumArguments : EquatableArray<QueueArgument>.Empty;
            queues.Add(new QueueDeclarationModel(service.Queue, service.Durable, false, false, arguments));
            foreach (var method in service.Methods)
            {
                // Clients that route by method name (no type property) reach the service through amq.direct.
                bindings.Add(new PlannedBinding(RpcRouting.Exchange, service.Queue, new BindingModel(RpcRouting.Exchange, method.ContractName, EquatableArray<HeaderArgument>.Empty, null)));
            }
        }

        var exchanges = candidates.GroupBy(c => c.Exchange.Name).ToDictionary(
            g => g.Key,
            g => g.OrderBy(c => c.Rank).ThenBy(c => c.Exchange.Type, System.StringComparer.Ordinal).ThenBy(c => c.Exchange.Durable).ThenBy(c => c.Exchange.AutoDelete).First().Exchange);
        return new TopologyPlan(
            exchanges.Values.OrderBy(e => e.Name, System.StringComparer.Ordinal).ToEquatableArray(),
            queues.GroupBy(q => q.Name).Select(g => g.First()).OrderBy(q => q.Name, System.StringComparer.Ordinal).ToEquatableArray(),
            bindings
                .Distinct()
                .OrderBy(b => b.Exchange, System.StringComparer.Ordinal)
                .ThenBy(b => b.Queue, System.StringComparer.Ordinal)
                .ThenBy(b => b.Binding.RoutingKey, System.StringComparer.Ordinal)
                .ThenBy(b => HeadersKey(b.Binding), System.StringComparer.Ordinal)
                .ToEquatableArray());
    }

    /// <summary>A binding's header arguments as one sort key; most bindings have none.</summary>
    private static string HeadersKey(BindingModel binding) =>
        binding.Headers.Count == 0 ? string.Empty : string.Join(",", binding.Headers.Select(h => h.Name + "=" + h.Value));
}

/// <summary>How RPC requests without a <c>type</c> property find their method.</summary>
internal static class RpcRouting
{
    /// <summary>Every service queue is bound to this exchange with each method's contract name.</summary>
    public const string Exchange = "amq.direct";
}

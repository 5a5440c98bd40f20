using System.Collections.Generic;
using System.Linq;

namespace Warren.Generators.Model;

/// <summary>The exchanges, queues and bindings of a compilation, in declaration order (exchanges, queues, bindings; each sorted).</summary>
internal sealed class TopologyPlan
{
    public List<ExchangeModel> Exchanges { get; } = [];

    public List<(string Name, bool Durable, bool Exclusive, bool AutoDelete, EquatableArray<QueueArgument> Arguments)> Queues { get; } = [];

    public List<(string Exchange, string Queue, BindingModel Binding)> Bindings { get; } = [];

    public static TopologyPlan From(GenerationModel model)
    {
        var plan = new TopologyPlan();
        var exchanges = new Dictionary<string, ExchangeModel>();
        void AddExchange(ExchangeModel? exchange)
        {
            if (exchange is not null && exchange.Name.Length > 0 && !exchanges.ContainsKey(exchange.Name))
            {
                exchanges.Add(exchange.Name, exchange);
            }
        }

        foreach (var message in model.Messages)
        {
            AddExchange(message.Exchange);
        }

        var queues = new List<(string, bool, bool, bool, EquatableArray<QueueArgument>)>();
        var bindings = new List<(string, string, BindingModel)>();
        foreach (var consumer in model.Consumers)
        {
            AddExchange(consumer.DefaultExchange);
            var queue = consumer.Queue;
            queues.Add((queue.Name, queue.Durable, queue.Exclusive, queue.AutoDelete, queue.Arguments));
            foreach (var dl in new[] { queue.DeadLetter }.Concat(consumer.Handlers.Select(h => h.RetryOverride)))
            {
                if (dl is null)
                {
                    continue;
                }

                AddExchange(new ExchangeModel(dl.Exchange, "direct", true, false));
                queues.Add((dl.Queue, true, false, false, EquatableArray<QueueArgument>.Empty));
                bindings.Add((dl.Exchange, dl.Queue, new BindingModel(dl.Exchange, dl.RoutingKey, EquatableArray<HeaderArgument>.Empty, null)));

                // Delayed retries without a plugin: a TTL queue per delay that dead-letters back to the work queue.
                for (var level = 1; dl.MaxRetries > 0 && level <= dl.RetryDelays.Count; level++)
                {
                    var ttl = dl.RetryDelays[level - 1].ToString(System.Globalization.CultureInfo.InvariantCulture);
                    queues.Add(($"{dl.RetryQueuePrefix}.retry.{level}", true, false, false, new[]
                    {
                        new QueueArgument("x-dead-letter-exchange", "\"\"", "\"\""),
                        new QueueArgument("x-dead-letter-routing-key", Parsing.Literals.String(queue.Name), Parsing.Literals.JsonString(queue.Name)),
                        new QueueArgument("x-message-ttl", ttl + "L", ttl),
                    }.ToEquatableArray()));
                }
            }

            foreach (var handler in consumer.Handlers)
            {
                AddExchange(handler.Message.Exchange);
                foreach (var binding in handler.Bindings)
                {
                    bindings.Add((binding.Exchange, queue.Name, binding));
                }
            }
        }

        foreach (var service in model.RpcServers.SelectMany(s => s.Services))
        {
            // Only servers declare an RPC queue: a client alone must see "no server" at once, not wait for a timeout.
            var arguments = service.Quorum
                ? new[] { new QueueArgument("x-queue-type", "\"quorum\"", "\"quorum\"") }.ToEquatableArray()
                : EquatableArray<QueueArgument>.Empty;
            queues.Add((service.Queue, true, false, false, arguments));
        }

        plan.Exchanges.AddRange(exchanges.Values.OrderBy(e => e.Name, System.StringComparer.Ordinal));
        plan.Queues.AddRange(queues.GroupBy(q => q.Item1).Select(g => g.First()).OrderBy(q => q.Item1, System.StringComparer.Ordinal));
        plan.Bindings.AddRange(bindings
            .Distinct()
            .OrderBy(b => b.Item1, System.StringComparer.Ordinal)
            .ThenBy(b => b.Item2, System.StringComparer.Ordinal)
            .ThenBy(b => b.Item3.RoutingKey, System.StringComparer.Ordinal)
            .ThenBy(b => string.Join(",", b.Item3.Headers.Select(h => h.Name + "=" + h.Value)), System.StringComparer.Ordinal));
        return plan;
    }
}

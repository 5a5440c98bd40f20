using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Warren;

/// <summary>
/// Declares the registered topology — with the default dead-letter and retry queues of every consumer that has no
/// retry policy of its own — and runs a <see cref="QueueConsumer"/> per registered queue.
/// </summary>
internal sealed class ConsumerHost
{
    private readonly IEnumerable<ConsumerDefinition> _definitions;
    private readonly IEnumerable<Topology> _topologies;
    private readonly WarrenConnections _connections;
    private readonly IServiceScopeFactory _scopes;
    private readonly WarrenOptions _options;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly MessagePublisher _publisher;
    private readonly WarrenConsumers _statuses;
    private readonly List<QueueConsumer> _running = [];

    /// <summary>Created by DI.</summary>
    public ConsumerHost(IEnumerable<ConsumerDefinition> definitions, IEnumerable<Topology> topologies, WarrenConnections connections, IServiceScopeFactory scopes, IOptions<WarrenOptions> options, ILoggerFactory loggers, MessagePublisher publisher, WarrenConsumers statuses)
    {
        _publisher = publisher;
        _definitions = definitions;
        _topologies = topologies;
        _connections = connections;
        _scopes = scopes;
        _options = options.Value;
        _loggers = loggers;
        _logger = loggers.CreateLogger<ConsumerHost>();
        _statuses = statuses;
    }

    /// <summary>The running consumers (for tests).</summary>
    internal IReadOnlyList<QueueConsumer> Consumers => _running;

    /// <summary>Declares the topology (every registered <see cref="Topology"/>, merged, plus default policies) and starts every consumer.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var topology = new Topology();
        foreach (var part in _topologies)
        {
            topology.Add(part);
        }

        var consumers = new List<(ConsumerDefinition Definition, RetryPolicy Policy)>();
        foreach (var definition in _definitions)
        {
            var policy = definition.Retry ?? RetryPolicy.CreateDefault(definition.Queue);
            if (definition.Retry is null)
            {
                AddDefaultPolicyTopology(topology, definition.Queue, policy);
            }

            consumers.Add((definition, policy));
        }

        if (topology.Exchanges.Count + topology.Queues.Count + topology.Bindings.Count > 0)
        {
            var connection = await _connections.GetConsumeConnectionAsync(cancellationToken).ConfigureAwait(false);
            await TopologyDeclarer.DeclareAsync(connection, topology, cancellationToken).ConfigureAwait(false);
            Log.TopologyDeclared(_logger, topology.Exchanges.Count, topology.Queues.Count, topology.Bindings.Count);
        }

        foreach (var (definition, policy) in consumers)
        {
            var own = TopologyOf(topology, definition.Queue, policy);
            Func<CancellationToken, Task>? redeclare = own.Queues.Count + own.Bindings.Count == 0
                ? null
                : async token => await TopologyDeclarer.DeclareAsync(await _connections.GetConsumeConnectionAsync(token).ConfigureAwait(false), own, token).ConfigureAwait(false);
            var consumer = new QueueConsumer(definition, policy, _connections, _scopes, _options, _publisher, _statuses, redeclare, _loggers.CreateLogger("Warren.Consumer." + definition.Queue));
            _running.Add(consumer);
            await consumer.StartAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stops every consumer gracefully, all at once; one that fails to stop does not keep the others running.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await Task.WhenAll(_running.Select(c => StopOneAsync(c, cancellationToken))).ConfigureAwait(false);
        _running.Clear();
    }

    /// <summary>
    /// The default policy's topology, as <c>[DeadLetter(MaxRetries = 3, RetryDelays = new[] { "5s", "30s", "2m" })]</c>
    /// declares it: the direct exchange <c>{queue}.dlx</c>, the queue <c>{queue}.dlq</c> bound to it with the queue's
    /// name, and the retry queues <c>{queue}.retry.{n}</c> whose messages expire back into the queue through the default
    /// exchange. What the registered topology already declares under those names is kept as it is.
    /// </summary>
    internal static void AddDefaultPolicyTopology(Topology topology, string queue, RetryPolicy policy)
    {
        var work = topology.Queues.FirstOrDefault(q => q.Name == queue);
        var exclusive = work?.Exclusive ?? false;
        var durable = (work?.Durable ?? true) && !exclusive;
        var exchange = policy.DeadLetterExchange ?? RetryPolicy.DeadLetterExchangeName(queue);
        var deadLetterQueue = RetryPolicy.DeadLetterQueueName(queue);
        if (topology.Exchanges.All(e => e.Name != exchange))
        {
            topology.Add(new ExchangeDeclaration(exchange, ExchangeTypes.Direct, Durable: durable, AutoDelete: exclusive));
        }

        // The same queue type as the work queue: a classic queue beside a quorum queue would be lost with its node,
        // and RabbitMQ.Client's topology recovery fails on it.
        var type = work?.Arguments is { } workArguments && workArguments.TryGetValue("x-queue-type", out var queueType) ? queueType : null;
        Dictionary<string, object?>? Arguments(Dictionary<string, object?>? arguments = null)
        {
            if (type is not null)
            {
                (arguments ??= [])["x-queue-type"] = type;
            }

            return arguments;
        }

        if (topology.Queues.All(q => q.Name != deadLetterQueue))
        {
            topology.Add(new QueueDeclaration(deadLetterQueue, Durable: durable, Exclusive: exclusive, Arguments: Arguments()));
        }

        topology.Add(new BindingDeclaration(exchange, deadLetterQueue, policy.DeadLetterRoutingKey ?? queue));
        for (var level = 1; level <= policy.RetryQueueCount; level++)
        {
            var name = RetryPolicy.RetryQueueName(policy.RetryQueuePrefix ?? queue, level);
            if (topology.Queues.Any(q => q.Name == name))
            {
                continue;
            }

            topology.Add(new QueueDeclaration(name, Durable: durable, Exclusive: exclusive, Arguments: Arguments(new Dictionary<string, object?>
            {
                ["x-dead-letter-exchange"] = string.Empty,
                ["x-dead-letter-routing-key"] = queue,
                ["x-message-ttl"] = (long)policy.Delays[Math.Min(level, policy.Delays.Count) - 1].TotalMilliseconds,
            })));
        }
    }

    /// <summary>What a consumer re-declares before it subscribes again: its queue, the queue's bindings and their exchanges, and its policy's dead-letter and retry queues.</summary>
    internal static Topology TopologyOf(Topology all, string queue, RetryPolicy policy)
    {
        var queues = new HashSet<string>(StringComparer.Ordinal) { queue };
        if (policy.DeadLetterExchange is { } dlx)
        {
            foreach (var binding in all.Bindings.Where(b => b.Exchange == dlx))
            {
                queues.Add(binding.Queue);
            }
        }

        for (var level = 1; level <= policy.RetryQueueCount; level++)
        {
            queues.Add(RetryPolicy.RetryQueueName(policy.RetryQueuePrefix ?? queue, level));
        }

        var own = new Topology();
        var bindings = all.Bindings.Where(b => queues.Contains(b.Queue)).ToList();
        var exchanges = new HashSet<string>(bindings.Select(b => b.Exchange), StringComparer.Ordinal);
        foreach (var exchange in all.Exchanges.Where(e => exchanges.Contains(e.Name)))
        {
            own.Add(exchange);
        }

        foreach (var declaration in all.Queues.Where(q => queues.Contains(q.Name)))
        {
            own.Add(declaration);
        }

        foreach (var binding in bindings)
        {
            own.Add(binding);
        }

        return own;
    }

    private async Task StopOneAsync(QueueConsumer consumer, CancellationToken cancellationToken)
    {
        try
        {
            await consumer.StopAsync(cancellationToken).ConfigureAwait(false);
            await consumer.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.ConsumerStopFailed(_logger, consumer.Queue, ex.Message);
        }
    }
}

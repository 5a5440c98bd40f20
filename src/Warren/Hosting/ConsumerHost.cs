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
    private readonly HandlerLifetimes? _lifetimes;
    private readonly WarrenOptions _options;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly MessagePublisher _publisher;
    private readonly WarrenConsumers _statuses;
    private readonly WarrenMetrics _metrics;
    private readonly WarrenQueueMonitor _monitor;
    private readonly List<QueueConsumer> _running = [];
    private readonly HashSet<QueueConsumer> _subscribed = [];
    private readonly DelayedDelivery _delays;
    private readonly SemaphoreSlim _relayLock = new(1, 1);
    private readonly LogScopes _logScopes;
    private QueueConsumer? _relay;
    private Topology? _topology;
    private bool _declared;

    /// <summary>Created by DI.</summary>
    public ConsumerHost(IEnumerable<ConsumerDefinition> definitions, IEnumerable<Topology> topologies, WarrenConnections connections, IServiceScopeFactory scopes, IOptions<WarrenOptions> options, ILoggerFactory loggers, MessagePublisher publisher, WarrenConsumers statuses, WarrenMetrics metrics, WarrenQueueMonitor monitor, DelayedDelivery delays, HandlerLifetimes? lifetimes = null, IOptionsMonitor<LoggerFilterOptions>? loggerFilters = null, IEnumerable<ILoggerProvider>? loggerProviders = null)
    {
        _logScopes = LogScopes.Of(loggers, loggerFilters, loggerProviders);
        _delays = delays;
        _metrics = metrics;
        _monitor = monitor;
        _publisher = publisher;
        _definitions = definitions;
        _topologies = topologies;
        _connections = connections;
        _scopes = scopes;
        _lifetimes = lifetimes;
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
        Prepare();
        await DeclareAndSubscribeAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Merges the topology and creates every consumer (each reports <see cref="ConsumerState.Starting"/>) without touching
    /// the broker. Runs once.
    /// </summary>
    internal void Prepare()
    {
        if (_topology is not null)
        {
            return;
        }

        var topology = new Topology();
        foreach (var part in _topologies)
        {
            topology.Add(part);
        }

        var consumers = new List<(ConsumerDefinition Definition, RetryPolicy Policy)>();
        foreach (var declared in _definitions)
        {
            var definition = AsStreamConsumer(declared, topology);
            var policy = definition.Retry ?? (definition.Stream is null ? RetryPolicy.CreateDefault(definition.Queue) : RetryPolicy.CreateStreamDefault(definition.Queue));
            if (definition.Retry is null)
            {
                AddDefaultPolicyTopology(topology, definition.Queue, policy);
            }

            consumers.Add((definition, policy));
        }

        foreach (var (definition, policy) in consumers)
        {
            var own = TopologyOf(topology, definition.Queue, policy);
            Func<CancellationToken, Task>? redeclare = own.Queues.Count + own.Bindings.Count == 0
                ? null
                : async token => await TopologyDeclarer.DeclareAsync(await _connections.GetConsumeConnectionAsync(token).ConfigureAwait(false), own, token).ConfigureAwait(false);
            _monitor.Watch(definition.Queue, WarrenQueueKind.Work);
            if (policy.DeadLetterExchange is { } deadLetterExchange)
            {
                foreach (var binding in topology.Bindings.Where(b => b.Exchange == deadLetterExchange))
                {
                    _monitor.Watch(binding.Queue, WarrenQueueKind.DeadLetter);
                }
            }

            _running.Add(new QueueConsumer(definition, policy, _connections, _scopes, _options, _publisher, _statuses, _metrics, redeclare, _loggers.CreateLogger("Warren.Consumer." + definition.Queue), _lifetimes, _logScopes));
        }

        _topology = topology;
    }

    /// <summary>
    /// Declares the topology and subscribes every consumer not subscribed yet. After a failure (the broker unreachable,
    /// the connection lost half-way) it can be called again and goes on where it stopped. <paramref name="progress"/>
    /// hears each step as it begins and ends (readiness names the step a failed start was in).
    /// </summary>
    internal async Task DeclareAndSubscribeAsync(CancellationToken cancellationToken, Action<string>? progress = null)
    {
        var topology = _topology ?? throw new InvalidOperationException("Prepare first.");
        if (!_declared && topology.Exchanges.Count + topology.Queues.Count + topology.Bindings.Count > 0)
        {
            var connection = await _connections.GetConsumeConnectionAsync(cancellationToken).ConfigureAwait(false);
            progress?.Invoke("declaring the topology");
            await TopologyDeclarer.DeclareAsync(connection, topology, cancellationToken).ConfigureAwait(false);
            Log.TopologyDeclared(_logger, topology.Exchanges.Count, topology.Queues.Count, topology.Bindings.Count);
            progress?.Invoke("topology declared");
        }

        _declared = true;
        if (_options.DelayRelay)
        {
            _delays.StartRelay = StartRelayAsync;
            var connection = await _connections.GetConsumeConnectionAsync(cancellationToken).ConfigureAwait(false);
            progress?.Invoke("starting the delay relay");
            if (_relay is null && await DelayTopology.ExistsAsync(connection, cancellationToken).ConfigureAwait(false))
            {
                await StartRelayAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        foreach (var consumer in _running.ToArray())
        {
            if (!_subscribed.Contains(consumer))
            {
                progress?.Invoke($"subscribing the consumer of queue '{consumer.Queue}'");
                await consumer.StartAsync(cancellationToken).ConfigureAwait(false);
                _subscribed.Add(consumer);
                progress?.Invoke($"consumer of queue '{consumer.Queue}' started");
            }
        }
    }

    /// <summary>Stops every consumer gracefully, all at once; one that fails to stop does not keep the others running.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _delays.StartRelay = null;
        await _relayLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        _relay = null;
        _relayLock.Release();
        await Task.WhenAll(_running.Select(c => StopOneAsync(c, cancellationToken))).ConfigureAwait(false);
        _running.Clear();
        _subscribed.Clear();
        _topology = null;
        _declared = false;
    }

    /// <summary>
    /// Starts consuming <see cref="DelayTopology.DueQueue"/> with <see cref="DelayRelay"/>, once: one handler at a time so
    /// messages due together are published in the order they became due, with the default retry policy (its dead-letter
    /// and retry queues are declared here).
    /// </summary>
    internal async Task StartRelayAsync(CancellationToken cancellationToken)
    {
        await _relayLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // StartRelay is taken back first thing when the host stops: a start begun by a delayed publish just before
            // (it runs in the background) must not add a consumer that the stop no longer sees.
            if (_relay is not null || _topology is null || _delays.StartRelay is null)
            {
                return;
            }

            var definition = new ConsumerDefinition(DelayTopology.DueQueue, new DelayRelay(_publisher)) { Prefetch = 64, Concurrency = 1 };
            var policy = RetryPolicy.CreateDefault(DelayTopology.DueQueue);
            var topology = DelayTopology.Build();
            AddDefaultPolicyTopology(topology, DelayTopology.DueQueue, policy);
            var own = TopologyOf(topology, DelayTopology.DueQueue, policy);
            var connection = await _connections.GetConsumeConnectionAsync(cancellationToken).ConfigureAwait(false);
            await TopologyDeclarer.DeclareAsync(connection, own, cancellationToken).ConfigureAwait(false);
            _monitor.Watch(DelayTopology.DueQueue, WarrenQueueKind.Work);
            var relay = new QueueConsumer(definition, policy, _connections, _scopes, _options, _publisher, _statuses, _metrics, token => RedeclareAsync(own, token), _loggers.CreateLogger("Warren.Consumer." + DelayTopology.DueQueue), logScopes: _logScopes);
            await relay.StartAsync(cancellationToken).ConfigureAwait(false);
            _running.Add(relay);
            _subscribed.Add(relay);
            _relay = relay;
            Log.DelayRelayStarted(_logger, DelayTopology.DueQueue);
        }
        finally
        {
            _relayLock.Release();
        }
    }

    private async Task RedeclareAsync(Topology topology, CancellationToken cancellationToken) =>
        await TopologyDeclarer.DeclareAsync(await _connections.GetConsumeConnectionAsync(cancellationToken).ConfigureAwait(false), topology, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// The default policy's topology, as <c>[DeadLetter(MaxRetries = 3, RetryDelays = new[] { "5s", "30s", "2m" })]</c>
    /// declares it: the direct exchange <c>{queue}.dlx</c>, the queue <c>{queue}.dlq</c> bound to it with the queue's
    /// name, and the retry queues <c>{queue}.retry.{n}</c> whose messages expire back into the queue through the default
    /// exchange. What the registered topology already declares under those names is kept as it is.
    /// </summary>
    /// <summary>
    /// A consumer of a queue the topology declares as a stream reads it as one (from <see cref="StreamOffset.Next"/>)
    /// even when its definition does not say so: a stream cannot requeue, and retry copies would be appended to it.
    /// </summary>
    internal static ConsumerDefinition AsStreamConsumer(ConsumerDefinition definition, Topology topology)
    {
        if (definition.Stream is not null
            || topology.Queues.FirstOrDefault(q => q.Name == definition.Queue)?.Arguments is not { } arguments
            || !arguments.TryGetValue("x-queue-type", out var type) || type as string != "stream")
        {
            return definition;
        }

        return new ConsumerDefinition(definition.Queue, definition.Dispatcher)
        {
            Prefetch = definition.Prefetch,
            Concurrency = definition.Concurrency,
            Retry = definition.Retry,
            HandlerTimeout = definition.HandlerTimeout,
            Stream = new StreamConsumer(StreamOffset.Next),
        };
    }

    internal static void AddDefaultPolicyTopology(Topology topology, string queue, RetryPolicy policy)
    {
        var work = topology.Queues.FirstOrDefault(q => q.Name == queue);
        var exchange = policy.DeadLetterExchange ?? RetryPolicy.DeadLetterExchangeName(queue);
        var deadLetterQueue = RetryPolicy.DeadLetterQueueName(queue);

        // Durable, not exclusive, not auto-delete, whatever the work queue is, as the generated topology declares them
        // (TopologyPlan): dead letters and messages waiting for a retry outlive a broker restart and the connection,
        // and one queue declared through either path never differs in 'durable' (a 406 on the next declaration).
        if (topology.Exchanges.All(e => e.Name != exchange))
        {
            topology.Add(new ExchangeDeclaration(exchange, ExchangeTypes.Direct));
        }

        // The same queue type as the work queue: a classic queue beside a quorum queue would be lost with its node,
        // and RabbitMQ.Client's topology recovery fails on it.
        // A stream's failed messages go to a quorum queue: replicated like the stream, and consumed destructively.
        var type = work?.Arguments is { } workArguments && workArguments.TryGetValue("x-queue-type", out var queueType) ? queueType : null;
        if (type is "stream")
        {
            type = "quorum";
        }

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
            topology.Add(new QueueDeclaration(deadLetterQueue, Arguments: Arguments()));
        }

        topology.Add(new BindingDeclaration(exchange, deadLetterQueue, policy.DeadLetterRoutingKey ?? queue));
        for (var level = 1; level <= policy.RetryQueueCount; level++)
        {
            var name = RetryPolicy.RetryQueueName(policy.RetryQueuePrefix ?? queue, level);
            if (topology.Queues.Any(q => q.Name == name))
            {
                continue;
            }

            topology.Add(new QueueDeclaration(name, Arguments: Arguments(new Dictionary<string, object?>
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

using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Warren;

/// <summary>Declares the registered topology and runs a <see cref="QueueConsumer"/> per registered queue.</summary>
internal sealed class ConsumerHost
{
    private readonly IEnumerable<ConsumerDefinition> _definitions;
    private readonly IEnumerable<Topology> _topologies;
    private readonly WarrenConnections _connections;
    private readonly IServiceScopeFactory _scopes;
    private readonly WarrenOptions _options;
    private readonly ILoggerFactory _loggers;
    private readonly MessagePublisher _publisher;
    private readonly List<QueueConsumer> _running = [];

    /// <summary>Created by DI.</summary>
    public ConsumerHost(IEnumerable<ConsumerDefinition> definitions, IEnumerable<Topology> topologies, WarrenConnections connections, IServiceScopeFactory scopes, IOptions<WarrenOptions> options, ILoggerFactory loggers, MessagePublisher publisher)
    {
        _publisher = publisher;
        _definitions = definitions;
        _topologies = topologies;
        _connections = connections;
        _scopes = scopes;
        _options = options.Value;
        _loggers = loggers;
    }

    /// <summary>Declares the topology (every registered <see cref="Topology"/>, merged) and starts every consumer.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var topology = new Topology();
        foreach (var part in _topologies)
        {
            topology.Add(part);
        }

        var definitions = _definitions.ToList();
        if (topology.Exchanges.Count + topology.Queues.Count + topology.Bindings.Count > 0)
        {
            var connection = await _connections.GetConsumeConnectionAsync(cancellationToken).ConfigureAwait(false);
            await TopologyDeclarer.DeclareAsync(connection, topology, cancellationToken).ConfigureAwait(false);
            Log.TopologyDeclared(_loggers.CreateLogger<ConsumerHost>(), topology.Exchanges.Count, topology.Queues.Count, topology.Bindings.Count);
        }

        foreach (var definition in definitions)
        {
            var consumer = new QueueConsumer(definition, _connections, _scopes, _options, _publisher, _loggers.CreateLogger("Warren.Consumer." + definition.Queue));
            _running.Add(consumer);
            await consumer.StartAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stops every consumer gracefully, all at once.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await Task.WhenAll(_running.Select(c => c.StopAsync(cancellationToken))).ConfigureAwait(false);
        foreach (var consumer in _running)
        {
            await consumer.DisposeAsync().ConfigureAwait(false);
        }

        _running.Clear();
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace Warren.Testing;

/// <summary>A connection to the in-memory broker. Closing it closes its channels and deletes its exclusive queues.</summary>
internal sealed class InMemoryConnection : IConnection
{
    private readonly List<InMemoryChannel> _channels = [];
    private int _nextChannel;
    private int _closing;
    private AsyncEventHandler<CallbackExceptionEventArgs>? _callbackException;
    private AsyncEventHandler<ShutdownEventArgs>? _shutdown;

    public InMemoryConnection(InMemoryBroker broker, int number, string? clientName)
    {
        Broker = broker;
        Number = number;
        ClientProvidedName = clientName;
        Name = clientName ?? $"connection {number}";
        ClientProperties = new Dictionary<string, object?>(StringComparer.Ordinal) { ["connection_name"] = clientName, ["product"] = "RabbitMQ" };
        ServerProperties = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["product"] = System.Text.Encoding.UTF8.GetBytes("RabbitMQ (Warren.Testing in-memory broker)"),
            ["version"] = System.Text.Encoding.UTF8.GetBytes("3.10.8"),
        };
    }

    public InMemoryBroker Broker { get; }

    public int Number { get; }

    public string Name { get; }

    /// <summary>The open channels (read under the broker's lock).</summary>
    public IReadOnlyList<InMemoryChannel> OpenChannels => _channels;

    public ushort ChannelMax => 2047;

    public IDictionary<string, object?> ClientProperties { get; }

    public ShutdownEventArgs? CloseReason { get; private set; }

    public AmqpTcpEndpoint Endpoint { get; } = new("in-memory", 5672);

    public uint FrameMax => 131072;

    public TimeSpan Heartbeat => TimeSpan.FromSeconds(60);

    public bool IsOpen => CloseReason is null;

    public IProtocol Protocol => Protocols.AMQP_0_9_1;

    public IDictionary<string, object?>? ServerProperties { get; }

    public IEnumerable<ShutdownReportEntry> ShutdownReport => Array.Empty<ShutdownReportEntry>();

    public string? ClientProvidedName { get; }

    public int LocalPort => 0;

    public int RemotePort => 5672;

    public event AsyncEventHandler<CallbackExceptionEventArgs> CallbackExceptionAsync { add => _callbackException += value; remove => _callbackException -= value; }

    public event AsyncEventHandler<ShutdownEventArgs> ConnectionShutdownAsync { add => _shutdown += value; remove => _shutdown -= value; }

    // Recovery, blocking and secrets never happen in memory: the events are accepted and never raised.
    public event AsyncEventHandler<AsyncEventArgs> RecoverySucceededAsync { add { } remove { } }

    public event AsyncEventHandler<ConnectionRecoveryErrorEventArgs> ConnectionRecoveryErrorAsync { add { } remove { } }

    public event AsyncEventHandler<ConsumerTagChangedAfterRecoveryEventArgs> ConsumerTagChangeAfterRecoveryAsync { add { } remove { } }

    public event AsyncEventHandler<QueueNameChangedAfterRecoveryEventArgs> QueueNameChangedAfterRecoveryAsync { add { } remove { } }

    public event AsyncEventHandler<RecoveringConsumerEventArgs> RecoveringConsumerAsync { add { } remove { } }

    public event AsyncEventHandler<ConnectionBlockedEventArgs> ConnectionBlockedAsync { add { } remove { } }

    public event AsyncEventHandler<AsyncEventArgs> ConnectionUnblockedAsync { add { } remove { } }

    public Task UpdateSecretAsync(string newSecret, string reason, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task<IChannel> CreateChannelAsync(CreateChannelOptions? options = null, CancellationToken cancellationToken = default)
    {
        lock (Broker.Gate)
        {
            if (CloseReason is { } reason)
            {
                throw new AlreadyClosedException(reason);
            }

            var channel = new InMemoryChannel(this, ++_nextChannel, options);
            _channels.Add(channel);
            return Task.FromResult<IChannel>(channel);
        }
    }

    public Task CloseAsync(ushort reasonCode, string reasonText, TimeSpan timeout, bool abort, CancellationToken cancellationToken = default) =>
        ShutdownAsync(new ShutdownEventArgs(ShutdownInitiator.Application, reasonCode, reasonText));

    /// <summary>The broker closes the connection (a connection-level error).</summary>
    internal Task CloseByBrokerAsync(ShutdownEventArgs reason) => ShutdownAsync(reason);

    internal void Remove(InMemoryChannel channel)
    {
        lock (Broker.Gate)
        {
            _channels.Remove(channel);
        }
    }

    public void Dispose()
    {
        if (IsOpen)
        {
            ShutdownAsync(new ShutdownEventArgs(ShutdownInitiator.Application, Constants.ReplySuccess, "Goodbye")).GetAwaiter().GetResult();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (IsOpen)
        {
            await ShutdownAsync(new ShutdownEventArgs(ShutdownInitiator.Application, Constants.ReplySuccess, "Goodbye")).ConfigureAwait(false);
        }
    }

    private async Task ShutdownAsync(ShutdownEventArgs reason)
    {
        if (Interlocked.Exchange(ref _closing, 1) == 1)
        {
            return;
        }

        List<InMemoryChannel> channels;
        lock (Broker.Gate)
        {
            CloseReason = reason;
            channels = [.. _channels];
        }

        foreach (var channel in channels)
        {
            await channel.CloseWithConnectionAsync(reason).ConfigureAwait(false);
        }

        var after = new List<Action>();
        Broker.ConnectionClosed(this, after);
        foreach (var action in after)
        {
            action();
        }

        if (_shutdown is { } handlers)
        {
            foreach (AsyncEventHandler<ShutdownEventArgs> handler in handlers.GetInvocationList())
            {
                try
                {
                    await handler(this, reason).ConfigureAwait(false);
                }
                catch (Exception ex) when (_callbackException is not null)
                {
                    await _callbackException(this, new CallbackExceptionEventArgs(new Dictionary<string, object>(StringComparer.Ordinal) { ["context"] = "OnShutdown" }, ex)).ConfigureAwait(false);
                }
            }
        }

        Broker.Signal();
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace Warren.Testing;

/// <summary>
/// A channel of the in-memory broker, behaving as RabbitMQ.Client's channel does against RabbitMQ: methods that wait for
/// a reply (declarations, bindings, consume, get …) throw <see cref="OperationInterruptedException"/> when the broker
/// refuses them, and the channel is then closed; methods that do not (publish, ack, nack, reject) close the channel
/// without throwing, and the next call fails with <see cref="AlreadyClosedException"/>.
/// </summary>
internal sealed class InMemoryChannel : IChannel
{
    private readonly SortedDictionary<ulong, Unacked> _unacked = [];
    private readonly Dictionary<ulong, TaskCompletionSource> _tracked = [];
    private readonly object _publishGate = new();
    private readonly bool _confirms;
    private readonly bool _tracking;
    private ulong _nextPublishSequence = 1;
    private ulong _deliveryTag;
    private int _closing;
    private AsyncEventHandler<BasicAckEventArgs>? _acks;
    private AsyncEventHandler<BasicNackEventArgs>? _nacks;
    private AsyncEventHandler<BasicReturnEventArgs>? _returns;
    private AsyncEventHandler<CallbackExceptionEventArgs>? _callbackExceptions;
    private AsyncEventHandler<FlowControlEventArgs>? _flowControl;
    private AsyncEventHandler<ShutdownEventArgs>? _shutdown;

    public InMemoryChannel(InMemoryConnection connection, int number, CreateChannelOptions? options)
    {
        Connection = connection;
        Broker = connection.Broker;
        ChannelNumber = number;
        _confirms = options?.PublisherConfirmationsEnabled ?? false;
        _tracking = _confirms && (options?.PublisherConfirmationTrackingEnabled ?? false);
        Dispatcher = new ConsumerDispatcher(this, options?.ConsumerDispatchConcurrency ?? 1);
    }

    public InMemoryConnection Connection { get; }

    public InMemoryBroker Broker { get; }

    public ConsumerDispatcher Dispatcher { get; }

    // State below is guarded by the broker's lock.
    public Dictionary<string, BrokerConsumer> Consumers { get; } = new(StringComparer.Ordinal);

    public ushort ConsumerPrefetch { get; set; }

    public ushort GlobalPrefetch { get; set; }

    public BrokerConsumer? ReplyConsumer { get; set; }

    public string? ReplyKey { get; set; }

    public int UnackedCount => _unacked.Count;

    public IEnumerable<Unacked> UnackedDeliveries => _unacked.Values;

    public int ChannelNumber { get; }

    public ShutdownEventArgs? CloseReason { get; private set; }

    public IAsyncBasicConsumer? DefaultConsumer { get; set; }

    public bool IsClosed => !IsOpen;

    public bool IsOpen => CloseReason is null;

    public string? CurrentQueue { get; private set; }

    public TimeSpan ContinuationTimeout { get; set; } = TimeSpan.FromSeconds(20);

    public event AsyncEventHandler<BasicAckEventArgs> BasicAcksAsync { add => _acks += value; remove => _acks -= value; }

    public event AsyncEventHandler<BasicNackEventArgs> BasicNacksAsync { add => _nacks += value; remove => _nacks -= value; }

    public event AsyncEventHandler<BasicReturnEventArgs> BasicReturnAsync { add => _returns += value; remove => _returns -= value; }

    public event AsyncEventHandler<CallbackExceptionEventArgs> CallbackExceptionAsync { add => _callbackExceptions += value; remove => _callbackExceptions -= value; }

    public event AsyncEventHandler<FlowControlEventArgs> FlowControlAsync { add => _flowControl += value; remove => _flowControl -= value; }

    public event AsyncEventHandler<ShutdownEventArgs> ChannelShutdownAsync { add => _shutdown += value; remove => _shutdown -= value; }

    // ------------------------------------------------------------ bookkeeping used by the broker (under its lock)

    public ulong NextDeliveryTag() => ++_deliveryTag;

    public void AddUnacked(Unacked unacked) => _unacked[unacked.Tag] = unacked;

    public bool HasUnacked(ulong tag) => _unacked.ContainsKey(tag);

    public Unacked TakeUnacked(ulong tag)
    {
        _unacked.Remove(tag, out var unacked);
        return unacked!;
    }

    public List<Unacked> TakeUnackedUpTo(ulong tag)
    {
        var taken = _unacked.Values.TakeWhile(u => u.Tag <= tag).ToList();
        foreach (var unacked in taken)
        {
            _unacked.Remove(unacked.Tag);
        }

        return taken;
    }

    public List<Unacked> TakeAllUnacked()
    {
        var taken = _unacked.Values.ToList();
        _unacked.Clear();
        return taken;
    }

    // ------------------------------------------------------------ IChannel

    public ValueTask<ulong> GetNextPublishSequenceNumberAsync(CancellationToken cancellationToken = default)
    {
        lock (_publishGate)
        {
            return new ValueTask<ulong>(_confirms ? _nextPublishSequence : 0);
        }
    }

    public ValueTask BasicAckAsync(ulong deliveryTag, bool multiple, CancellationToken cancellationToken = default) =>
        SettleAsync(deliveryTag, multiple, ack: true, requeue: false, Methods.Ack);

    public ValueTask BasicNackAsync(ulong deliveryTag, bool multiple, bool requeue, CancellationToken cancellationToken = default) =>
        SettleAsync(deliveryTag, multiple, ack: false, requeue, Methods.Nack);

    public ValueTask BasicRejectAsync(ulong deliveryTag, bool requeue, CancellationToken cancellationToken = default) =>
        SettleAsync(deliveryTag, multiple: false, ack: false, requeue, Methods.Reject);

    public async Task BasicCancelAsync(string consumerTag, bool noWait = false, CancellationToken cancellationToken = default) =>
        await CallAsync(after =>
        {
            Broker.Cancel(this, consumerTag, after);
            return true;
        }).ConfigureAwait(false);

    public async Task<string> BasicConsumeAsync(string queue, bool autoAck, string consumerTag, bool noLocal, bool exclusive, IDictionary<string, object?>? arguments, IAsyncBasicConsumer consumer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(consumer);
        return await CallAsync(after => Broker.Consume(this, queue, autoAck, consumerTag, exclusive, consumer, after)).ConfigureAwait(false);
    }

    public async Task<BasicGetResult?> BasicGetAsync(string queue, bool autoAck, CancellationToken cancellationToken = default) =>
        await CallAsync(after => Broker.Get(this, queue, autoAck, after)).ConfigureAwait(false);

    public ValueTask BasicPublishAsync<TProperties>(string exchange, string routingKey, bool mandatory, TProperties basicProperties, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
        where TProperties : IReadOnlyBasicProperties, IAmqpHeader =>
        PublishAsync(exchange, routingKey, mandatory, AmqpWire.Encode(basicProperties), body, cancellationToken);

    public ValueTask BasicPublishAsync<TProperties>(CachedString exchange, CachedString routingKey, bool mandatory, TProperties basicProperties, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
        where TProperties : IReadOnlyBasicProperties, IAmqpHeader =>
        PublishAsync(exchange.Value, routingKey.Value, mandatory, AmqpWire.Encode(basicProperties), body, cancellationToken);

    public async Task BasicQosAsync(uint prefetchSize, ushort prefetchCount, bool global, CancellationToken cancellationToken = default) =>
        await CallAsync(after =>
        {
            Broker.Qos(this, prefetchSize, prefetchCount, global, after);
            return true;
        }).ConfigureAwait(false);

    public Task CloseAsync(ushort replyCode, string replyText, bool abort, CancellationToken cancellationToken = default) =>
        CloseAsync(new ShutdownEventArgs(ShutdownInitiator.Application, replyCode, replyText), abort, cancellationToken);

    public Task CloseAsync(ShutdownEventArgs reason, bool abort) => CloseAsync(reason, abort, CancellationToken.None);

    [Obsolete("7.2.0 - cancellationToken is ignored")]
    Task IChannel.CloseAsync(ShutdownEventArgs reason, bool abort, CancellationToken cancellationToken) => CloseAsync(reason, abort, cancellationToken);

    public async Task ExchangeDeclareAsync(string exchange, string type, bool durable, bool autoDelete, IDictionary<string, object?>? arguments = null, bool passive = false, bool noWait = false, CancellationToken cancellationToken = default) =>
        await CallAsync(_ =>
        {
            Broker.ExchangeDeclare(this, exchange, type, durable, autoDelete, arguments, passive);
            return true;
        }).ConfigureAwait(false);

    public Task ExchangeDeclarePassiveAsync(string exchange, CancellationToken cancellationToken = default) =>
        ExchangeDeclareAsync(exchange, string.Empty, false, false, null, passive: true, cancellationToken: cancellationToken);

    public async Task ExchangeDeleteAsync(string exchange, bool ifUnused = false, bool noWait = false, CancellationToken cancellationToken = default) =>
        await CallAsync(_ =>
        {
            Broker.ExchangeDelete(exchange, ifUnused);
            return true;
        }).ConfigureAwait(false);

    public async Task ExchangeBindAsync(string destination, string source, string routingKey, IDictionary<string, object?>? arguments = null, bool noWait = false, CancellationToken cancellationToken = default) =>
        await CallAsync(_ =>
        {
            Broker.Bind(this, destination, toExchange: true, source, routingKey, arguments, unbind: false);
            return true;
        }).ConfigureAwait(false);

    public async Task ExchangeUnbindAsync(string destination, string source, string routingKey, IDictionary<string, object?>? arguments = null, bool noWait = false, CancellationToken cancellationToken = default) =>
        await CallAsync(_ =>
        {
            Broker.Bind(this, destination, toExchange: true, source, routingKey, arguments, unbind: true);
            return true;
        }).ConfigureAwait(false);

    public async Task<QueueDeclareOk> QueueDeclareAsync(string queue, bool durable, bool exclusive, bool autoDelete, IDictionary<string, object?>? arguments = null, bool passive = false, bool noWait = false, CancellationToken cancellationToken = default)
    {
        var ok = await CallAsync(_ => Broker.QueueDeclare(this, queue, durable, exclusive, autoDelete, arguments, passive)).ConfigureAwait(false);
        CurrentQueue = ok.QueueName;
        return ok;
    }

    public Task<QueueDeclareOk> QueueDeclarePassiveAsync(string queue, CancellationToken cancellationToken = default) =>
        QueueDeclareAsync(queue, false, false, false, null, passive: true, cancellationToken: cancellationToken);

    public async Task<uint> QueueDeleteAsync(string queue, bool ifUnused, bool ifEmpty, bool noWait = false, CancellationToken cancellationToken = default) =>
        await CallAsync(after => Broker.QueueDelete(this, queue, ifUnused, ifEmpty, after)).ConfigureAwait(false);

    public async Task<uint> QueuePurgeAsync(string queue, CancellationToken cancellationToken = default) =>
        await CallAsync(_ => Broker.QueuePurge(this, queue)).ConfigureAwait(false);

    public async Task QueueBindAsync(string queue, string exchange, string routingKey, IDictionary<string, object?>? arguments = null, bool noWait = false, CancellationToken cancellationToken = default) =>
        await CallAsync(_ =>
        {
            Broker.Bind(this, queue, toExchange: false, exchange, routingKey, arguments, unbind: false);
            return true;
        }).ConfigureAwait(false);

    public async Task QueueUnbindAsync(string queue, string exchange, string routingKey, IDictionary<string, object?>? arguments = null, CancellationToken cancellationToken = default) =>
        await CallAsync(_ =>
        {
            Broker.Bind(this, queue, toExchange: false, exchange, routingKey, arguments, unbind: true);
            return true;
        }).ConfigureAwait(false);

    public async Task<uint> MessageCountAsync(string queue, CancellationToken cancellationToken = default) =>
        (await QueueDeclarePassiveAsync(queue, cancellationToken).ConfigureAwait(false)).MessageCount;

    public async Task<uint> ConsumerCountAsync(string queue, CancellationToken cancellationToken = default) =>
        (await QueueDeclarePassiveAsync(queue, cancellationToken).ConfigureAwait(false)).ConsumerCount;

    public Task TxCommitAsync(CancellationToken cancellationToken = default) => throw NotSupported("transactions");

    public Task TxRollbackAsync(CancellationToken cancellationToken = default) => throw NotSupported("transactions");

    public Task TxSelectAsync(CancellationToken cancellationToken = default) => throw NotSupported("transactions");

    public void Dispose()
    {
        if (IsOpen)
        {
            _ = CloseAsync(new ShutdownEventArgs(ShutdownInitiator.Application, Constants.ReplySuccess, "Goodbye"), abort: true, CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (IsOpen)
        {
            await CloseAsync(new ShutdownEventArgs(ShutdownInitiator.Application, Constants.ReplySuccess, "Goodbye"), abort: true, CancellationToken.None).ConfigureAwait(false);
        }
    }

    // ------------------------------------------------------------ internals

    internal async Task RaiseCallbackExceptionAsync(Exception exception, string context, string? consumerTag)
    {
        var detail = new Dictionary<string, object>(StringComparer.Ordinal) { ["context"] = context };
        if (consumerTag is not null)
        {
            detail["consumerTag"] = consumerTag;
        }

        if (_callbackExceptions is { } handlers)
        {
            foreach (AsyncEventHandler<CallbackExceptionEventArgs> handler in handlers.GetInvocationList())
            {
                try
                {
                    await handler(this, new CallbackExceptionEventArgs(detail, exception)).ConfigureAwait(false);
                }
                catch (Exception)
                {
                    // A failing callback-exception handler has nowhere left to report to, as in RabbitMQ.Client.
                }
            }
        }
    }

    /// <summary>Closes the channel because of the connection closing (its reason is the connection's).</summary>
    internal Task CloseWithConnectionAsync(ShutdownEventArgs reason) => ShutdownAsync(reason, waitForCallbacks: false, CancellationToken.None);

    private static NotSupportedException NotSupported(string what) => new($"The in-memory broker does not support {what}.");

    private void EnsureOpen()
    {
        if (CloseReason is { } reason)
        {
            throw new AlreadyClosedException(reason);
        }
    }

    /// <summary>A method that waits for the broker's reply: a refusal closes the channel and throws.</summary>
    private async Task<T> CallAsync<T>(Func<List<Action>, T> call)
    {
        EnsureOpen();
        var after = new List<Action>();
        T result;
        try
        {
            result = call(after);
        }
        catch (AmqpErrorException error)
        {
            Run(after);
            var reason = await FailAsync(error).ConfigureAwait(false);
            throw new OperationInterruptedException(reason);
        }

        Run(after);
        Broker.Signal();
        return result;
    }

    /// <summary>Closes the channel (or the connection, for a connection-level error) as the broker does on an error.</summary>
    private async Task<ShutdownEventArgs> FailAsync(AmqpErrorException error)
    {
        var reason = new ShutdownEventArgs(ShutdownInitiator.Peer, error.Code, error.Text, error.ClassId, error.MethodId);
        lock (Broker.Gate)
        {
            Broker.Record(BrokerEventKind.ChannelClosed, channel: this, detail: $"{error.Code} {error.Text}");
        }

        if (error.ConnectionLevel)
        {
            await Connection.CloseByBrokerAsync(reason).ConfigureAwait(false);
        }
        else
        {
            await ShutdownAsync(reason, waitForCallbacks: false, CancellationToken.None).ConfigureAwait(false);
        }

        return reason;
    }

    private async ValueTask SettleAsync(ulong deliveryTag, bool multiple, bool ack, bool requeue, ushort methodId)
    {
        EnsureOpen();
        var after = new List<Action>();
        try
        {
            Broker.Settle(this, deliveryTag, multiple, ack, requeue, methodId, after);
        }
        catch (AmqpErrorException error)
        {
            Run(after);

            // basic.ack has no reply: the broker closes the channel, and the caller learns it on its next call.
            await FailAsync(error).ConfigureAwait(false);
            return;
        }

        Run(after);
        Broker.Signal();
    }

    private async ValueTask PublishAsync(string exchange, string routingKey, bool mandatory, byte[] encoded, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        ulong sequence = 0;
        TaskCompletionSource? tracked = null;
        PublishOutcome? outcome = null;
        AmqpErrorException? refused = null;
        var after = new List<Action>();
        var properties = AmqpWire.Decode(encoded);
        lock (_publishGate)
        {
            EnsureOpen();
            if (_confirms)
            {
                sequence = _nextPublishSequence++;
                if (_tracking)
                {
                    tracked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    _tracked[sequence] = tracked;
                }
            }

            try
            {
                outcome = Broker.Publish(this, exchange, routingKey, mandatory, encoded, properties, body.ToArray(), after);
            }
            catch (AmqpErrorException error)
            {
                refused = error;
            }
        }

        Run(after);
        if (refused is not null || outcome is null)
        {
            // basic.publish has no reply: the broker closes the channel, which fails whatever waits for a confirmation.
            var reason = await FailAsync(refused!).ConfigureAwait(false);
            if (tracked is not null)
            {
                throw new AlreadyClosedException(reason);
            }

            return;
        }

        Broker.Signal();
        if (outcome.Returned)
        {
            await RaiseAsync(_returns, new BasicReturnEventArgs(312, "NO_ROUTE", exchange, routingKey, properties, body), "OnBasicReturn").ConfigureAwait(false);
        }

        if (_confirms)
        {
            if (outcome.Nacked)
            {
                await RaiseAsync(_nacks, new BasicNackEventArgs(sequence, multiple: false, requeue: false), "OnBasicNack").ConfigureAwait(false);
            }
            else
            {
                await RaiseAsync(_acks, new BasicAckEventArgs(sequence, multiple: false), "OnBasicAck").ConfigureAwait(false);
            }
        }

        if (tracked is not null)
        {
            lock (_publishGate)
            {
                _tracked.Remove(sequence);
            }

            if (outcome.Returned)
            {
                throw new PublishReturnException(sequence, $"Message was returned: 312 NO_ROUTE", exchange, routingKey, 312, "NO_ROUTE");
            }

            if (outcome.Nacked)
            {
                throw new RabbitMQ.Client.Exceptions.PublishException(sequence, isReturn: false);
            }
        }
    }

    private async Task RaiseAsync<T>(AsyncEventHandler<T>? handlers, T args, string context)
        where T : AsyncEventArgs
    {
        if (handlers is null)
        {
            return;
        }

        foreach (AsyncEventHandler<T> handler in handlers.GetInvocationList())
        {
            try
            {
                await handler(this, args).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                await RaiseCallbackExceptionAsync(ex, context, null).ConfigureAwait(false);
            }
        }
    }

    private async Task CloseAsync(ShutdownEventArgs reason, bool abort, CancellationToken cancellationToken)
    {
        if (!IsOpen)
        {
            return;
        }

        await ShutdownAsync(reason, waitForCallbacks: !Dispatcher.IsOnWorker, cancellationToken).ConfigureAwait(false);
    }

    private async Task ShutdownAsync(ShutdownEventArgs reason, bool waitForCallbacks, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _closing, 1) == 1)
        {
            return;
        }

        List<IAsyncBasicConsumer> consumers;
        List<TaskCompletionSource> tracked;
        lock (_publishGate)
        {
            CloseReason = reason;
            tracked = [.. _tracked.Values];
            _tracked.Clear();
        }

        var after = new List<Action>();
        lock (Broker.Gate)
        {
            consumers = [.. Consumers.Values.Select(c => c.Consumer).Distinct()];
            Broker.ChannelClosed(this, after);
        }

        Run(after);
        foreach (var pending in tracked)
        {
            pending.TrySetException(new AlreadyClosedException(reason));
        }

        await RaiseAsync(_shutdown, reason, "OnChannelShutdown").ConfigureAwait(false);
        Dispatcher.Shutdown(consumers, reason);
        Connection.Remove(this);
        Broker.Signal();
        if (waitForCallbacks)
        {
            await Dispatcher.WhenIdleAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static void Run(List<Action> after)
    {
        foreach (var action in after)
        {
            action();
        }
    }
}

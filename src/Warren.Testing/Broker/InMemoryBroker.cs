using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using RabbitMQ.Client;

namespace Warren.Testing;

/// <summary>
/// A RabbitMQ broker in memory, reached through RabbitMQ.Client's own <see cref="IConnection"/> and <see cref="IChannel"/>
/// interfaces, so Warren's runtime and the generated code run on it unchanged. It follows RabbitMQ 3.10's observable
/// behaviour for what Warren relies on: direct, topic, fanout and headers exchanges (and the default exchange,
/// exchange-to-exchange bindings, alternate exchanges, CC/BCC), queue arguments (message TTL, max length with its
/// overflow modes, max priority, dead-letter exchange and routing key, quorum delivery limit, single active consumer),
/// mandatory publishing with basic.return, publisher confirms (acks, and nacks for <c>reject-publish</c>), QoS prefetch,
/// ack/nack/reject with <c>multiple</c> and requeue, the redelivered flag, per-message and per-queue TTL expiring at
/// the head of the queue, dead-lettering with <c>x-death</c> and <c>x-first-death-*</c> headers written as RabbitMQ
/// writes them (and its cycle detection), direct reply-to, passive declarations, and the channel errors (403, 404, 405,
/// 406) that close a channel. Every step of every message is kept in <see cref="Journal"/>.
/// </summary>
/// <remarks>Time comes from <see cref="Time"/>: with a <see cref="VirtualClock"/>, TTLs and delayed retries run as soon as the clock is advanced.</remarks>
public sealed class InMemoryBroker : IConnectionSource
{
    /// <summary>The only virtual host.</summary>
    public const string VirtualHost = "/";

    internal const string ReplyToQueue = "amq.rabbitmq.reply-to";
    internal const string ReplyToPrefix = "amq.rabbitmq.reply-to.";
    private const int MaxJournal = 200_000;

    private readonly Dictionary<string, BrokerExchange> _exchanges = new(StringComparer.Ordinal);
    private readonly Dictionary<string, BrokerQueue> _queues = new(StringComparer.Ordinal);
    private readonly Dictionary<string, InMemoryChannel> _replyChannels = new(StringComparer.Ordinal);
    private readonly List<InMemoryConnection> _connections = [];
    private readonly List<BrokerEvent> _journal = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _messageIds;
    private long _sequence;
    private long _eventSequence;
    private long _journalDropped;
    private int _connectionNumber;
    private int _nameNumber;
    private bool _refuseConnections;

    /// <summary>Creates an empty broker (with RabbitMQ's predeclared <c>amq.*</c> exchanges) on <paramref name="time"/>, the system clock by default.</summary>
    public InMemoryBroker(TimeProvider? time = null)
    {
        Time = time ?? TimeProvider.System;
        foreach (var (name, type) in new[] { ("amq.direct", "direct"), ("amq.topic", "topic"), ("amq.fanout", "fanout"), ("amq.headers", "headers"), ("amq.match", "headers") })
        {
            _exchanges[name] = new BrokerExchange(name, type, durable: true, autoDelete: false, @internal: false, new Dictionary<string, object?>());
        }
    }

    /// <summary>The threads running the application's code: what the callbacks it dispatches, and the harness's actions, start.</summary>
    internal RunActivity Activity { get; } = new();

    /// <summary>
    /// While true, opening a connection fails as against a broker that is down: a
    /// <see cref="System.Net.Sockets.SocketException"/> "connection refused". Warren records it as it records a real
    /// refusal (the readiness check's last failure, <c>WarrenStartup.LastError</c> during a start, its log lines, the
    /// cause of a publish that timed out before it was sent), a default start fails and a background start retries until
    /// this is false again. Connections already open stay open: losing them is not modelled.
    /// </summary>
    public bool RefuseConnections
    {
        get => Volatile.Read(ref _refuseConnections);
        set => Volatile.Write(ref _refuseConnections, value);
    }

    /// <summary>The broker's clock: message expiry, queue TTLs, <c>x-death</c> times.</summary>
    public TimeProvider Time { get; }

    /// <summary>Raised for every journal entry, under the broker's lock and in journal order: never call the broker from it.</summary>
    public event Action<BrokerEvent>? EventRecorded;

    internal object Gate { get; } = new();

    /// <summary>Every step of every message so far, in order (the oldest are dropped beyond 200,000 entries).</summary>
    public IReadOnlyList<BrokerEvent> Journal
    {
        get
        {
            lock (Gate)
            {
                return [.. _journal];
            }
        }
    }

    /// <summary>The sequence number of the latest journal entry (0 before the first).</summary>
    public long LastSequence
    {
        get
        {
            lock (Gate)
            {
                return _eventSequence;
            }
        }
    }

    /// <summary>The names of the queues that exist.</summary>
    public IReadOnlyList<string> QueueNames
    {
        get
        {
            lock (Gate)
            {
                return [.. _queues.Keys.Order(StringComparer.Ordinal)];
            }
        }
    }

    /// <summary>The names of the exchanges that exist (the default exchange is not listed).</summary>
    public IReadOnlyList<string> ExchangeNames
    {
        get
        {
            lock (Gate)
            {
                return [.. _exchanges.Keys.Order(StringComparer.Ordinal)];
            }
        }
    }

    /// <summary>Opens a connection to this broker.</summary>
    /// <exception cref="System.Net.Sockets.SocketException">While <see cref="RefuseConnections"/> is true.</exception>
    public IConnection Connect(string? clientName = null)
    {
        if (RefuseConnections)
        {
            throw new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionRefused);
        }

        lock (Gate)
        {
            var connection = new InMemoryConnection(this, ++_connectionNumber, clientName);
            _connections.Add(connection);
            return connection;
        }
    }

    /// <inheritdoc/>
    Task<IConnection> IConnectionSource.ConnectAsync(ConnectionRole role, string clientName, CancellationToken cancellationToken)
    {
        try
        {
            return Task.FromResult(Connect(clientName));
        }
        catch (System.Net.Sockets.SocketException ex)
        {
            return Task.FromException<IConnection>(ex);
        }
    }

    /// <summary>The journal entries after <paramref name="sequence"/>.</summary>
    public IReadOnlyList<BrokerEvent> JournalSince(long sequence)
    {
        lock (Gate)
        {
            var first = _journal.Count == 0 ? 0 : _journal[0].Sequence;
            var start = (int)Math.Max(0, sequence - first + 1);
            return start >= _journal.Count ? Array.Empty<BrokerEvent>() : _journal.GetRange(start, _journal.Count - start);
        }
    }

    /// <summary>Whether a queue of that name exists.</summary>
    public bool QueueExists(string queue)
    {
        lock (Gate)
        {
            return _queues.ContainsKey(queue);
        }
    }

    /// <summary>Whether an exchange of that name exists.</summary>
    public bool ExchangeExists(string exchange)
    {
        lock (Gate)
        {
            return _exchanges.ContainsKey(exchange);
        }
    }

    /// <summary>The messages ready in a queue (not delivered, or delivered and given back), in delivery order.</summary>
    public IReadOnlyList<BrokerMessage> Peek(string queue)
    {
        lock (Gate)
        {
            return _queues.TryGetValue(queue, out var q) ? [.. q.Ready.Select(m => new BrokerMessage(m.Message))] : throw new InvalidOperationException($"No queue '{queue}' in the in-memory broker. Queues: {string.Join(", ", _queues.Keys.Order(StringComparer.Ordinal))}.");
        }
    }

    /// <summary>How many messages are ready in a queue; 0 for a queue that does not exist.</summary>
    public int MessageCount(string queue)
    {
        lock (Gate)
        {
            return _queues.TryGetValue(queue, out var q) ? q.Ready.Count : 0;
        }
    }

    /// <summary>How many consumers a queue has.</summary>
    public int ConsumerCount(string queue)
    {
        lock (Gate)
        {
            return _queues.TryGetValue(queue, out var q) ? q.Consumers.Count : 0;
        }
    }

    /// <summary>
    /// What the broker's clients still have to do: delivery callbacks running or waiting to run, messages waiting for a
    /// consumer that has room, and deliveries not yet acknowledged. Empty when all is settled.
    /// </summary>
    public BrokerActivity GetActivity()
    {
        lock (Gate)
        {
            var active = new List<string>();
            var held = new List<string>();
            var now = Time.GetUtcNow();
            foreach (var connection in _connections)
            {
                foreach (var channel in connection.OpenChannels)
                {
                    if (channel.Dispatcher.Busy is > 0 and var busy)
                    {
                        active.Add($"{busy} callback(s) running or waiting on channel {channel.ChannelNumber} of connection '{connection.Name}'");
                    }

                    foreach (var unacked in channel.UnackedDeliveries)
                    {
                        held.Add($"message {Describe(unacked.Entry.Message)} delivered from queue '{unacked.Queue.Name}' (delivery tag {unacked.Tag}, consumer {unacked.Consumer?.Tag ?? "basic.get"} on connection '{connection.Name}') is not acknowledged");
                    }
                }
            }

            foreach (var queue in _queues.Values)
            {
                if (queue.Ready.Count > 0 && queue.Consumers.Exists(c => c.HasCapacity && c.Channel.IsOpen))
                {
                    active.Add($"queue '{queue.Name}' has {queue.Ready.Count} message(s) waiting for a consumer with room");
                }
            }

            return new BrokerActivity(active, held);
        }
    }

    /// <summary>Completes at the next change of the broker's state (a publish, delivery, settlement, callback finishing …).</summary>
    public Task WaitForChangeAsync(CancellationToken cancellationToken = default)
    {
        lock (Gate)
        {
            return _changed.Task.WaitAsync(cancellationToken);
        }
    }

    internal static string Describe(StoredMessage message)
    {
        var id = message.Properties.MessageId is { Length: > 0 } mid ? TrackedMessage.ShortId(mid) : "#" + message.Id;
        return message.Properties.Type is { Length: > 0 } type ? $"{type} {id}" : id;
    }

    internal void Signal()
    {
        TaskCompletionSource changed;
        lock (Gate)
        {
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    internal string NewName(string prefix)
    {
        lock (Gate)
        {
            return $"{prefix}{Guid.NewGuid():N}"[..(prefix.Length + 22)] + (++_nameNumber).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    internal void Record(BrokerEventKind kind, StoredMessage? message = null, string? queue = null, IReadOnlyList<string>? queues = null, string? detail = null, InMemoryChannel? channel = null, string? consumerTag = null, ulong deliveryTag = 0, bool redelivered = false)
    {
        var entry = new BrokerEvent
        {
            Sequence = ++_eventSequence,
            At = Time.GetUtcNow(),
            Kind = kind,
            Message = message is null ? null : new BrokerMessage(message),
            Queue = queue,
            Queues = queues ?? Array.Empty<string>(),
            Detail = detail,
            Connection = channel?.Connection.Name,
            Channel = channel?.ChannelNumber ?? 0,
            ConsumerTag = consumerTag,
            DeliveryTag = deliveryTag,
            Redelivered = redelivered,
        };
        if (_journal.Count >= MaxJournal)
        {
            _journal.RemoveAt(0);
            _journalDropped++;
        }

        _journal.Add(entry);
        EventRecorded?.Invoke(entry);
    }

    internal void Forget(InMemoryConnection connection)
    {
        lock (Gate)
        {
            _connections.Remove(connection);
        }
    }

    // ---------------------------------------------------------------- exchanges

    internal void ExchangeDeclare(InMemoryChannel channel, string name, string type, bool durable, bool autoDelete, IDictionary<string, object?>? arguments, bool passive)
    {
        lock (Gate)
        {
            if (passive)
            {
                if (name.Length > 0 && !_exchanges.ContainsKey(name))
                {
                    throw AmqpErrorException.NotFound($"no exchange '{name}' in vhost '{VirtualHost}'", Methods.Exchange, Methods.Declare);
                }

                return;
            }

            if (name.Length == 0)
            {
                throw AmqpErrorException.AccessRefused("operation not permitted on the default exchange", Methods.Exchange, Methods.Declare);
            }

            var args = AmqpWire.Table(arguments);
            if (_exchanges.TryGetValue(name, out var existing))
            {
                Equivalent("exchange", name, "type", type, existing.Type);
                Equivalent("exchange", name, "durable", durable, existing.Durable);
                Equivalent("exchange", name, "auto_delete", autoDelete, existing.AutoDelete);
                if (!Matching.FieldEquals(args, existing.Arguments))
                {
                    throw AmqpErrorException.Precondition($"inequivalent arg 'arguments' for exchange '{name}' in vhost '{VirtualHost}'", Methods.Exchange, Methods.Declare);
                }

                return;
            }

            if (name.StartsWith("amq.", StringComparison.Ordinal))
            {
                throw AmqpErrorException.AccessRefused($"exchange name '{name}' contains reserved prefix 'amq.*'", Methods.Exchange, Methods.Declare);
            }

            if (type is not ("direct" or "topic" or "fanout" or "headers"))
            {
                throw new AmqpErrorException(503, $"COMMAND_INVALID - unknown exchange type '{type}'", Methods.Exchange, Methods.Declare, connectionLevel: true);
            }

            _exchanges[name] = new BrokerExchange(name, type, durable, autoDelete, @internal: false, args);
        }
    }

    internal void ExchangeDelete(string name, bool ifUnused)
    {
        lock (Gate)
        {
            if (name.Length == 0 || name.StartsWith("amq.", StringComparison.Ordinal))
            {
                throw AmqpErrorException.AccessRefused($"operation not permitted on exchange '{name}'", Methods.Exchange, Methods.Delete);
            }

            if (!_exchanges.TryGetValue(name, out var exchange))
            {
                return;
            }

            if (ifUnused && exchange.Bindings.Count > 0)
            {
                throw AmqpErrorException.Precondition($"exchange '{name}' in vhost '{VirtualHost}' in use", Methods.Exchange, Methods.Delete);
            }

            _exchanges.Remove(name);
            foreach (var other in _exchanges.Values)
            {
                other.Bindings.RemoveAll(b => b.ToExchange && b.Destination == name);
            }
        }
    }

    internal void Bind(InMemoryChannel channel, string destination, bool toExchange, string source, string routingKey, IDictionary<string, object?>? arguments, bool unbind)
    {
        var (classId, methodId) = toExchange ? (Methods.Exchange, unbind ? (ushort)40 : (ushort)30) : (Methods.Queue, unbind ? Methods.Unbind : Methods.Bind);
        lock (Gate)
        {
            if (source.Length == 0 || (toExchange && destination.Length == 0))
            {
                throw AmqpErrorException.AccessRefused($"operation not permitted on the default exchange", classId, methodId);
            }

            if (!_exchanges.TryGetValue(source, out var exchange))
            {
                throw AmqpErrorException.NotFound($"no exchange '{source}' in vhost '{VirtualHost}'", classId, methodId);
            }

            if (toExchange)
            {
                if (!_exchanges.ContainsKey(destination))
                {
                    throw AmqpErrorException.NotFound($"no exchange '{destination}' in vhost '{VirtualHost}'", classId, methodId);
                }
            }
            else
            {
                CheckAccess(channel, QueueOrNotFound(destination, classId, methodId), classId, methodId);
            }

            var args = AmqpWire.Table(arguments);
            if (!unbind && exchange.Type == "headers" && args.TryGetValue("x-match", out var xMatch) && !Matching.IsValidXMatch(xMatch))
            {
                throw AmqpErrorException.Precondition($"Invalid x-match field value <<\"{Matching.Text(xMatch) ?? xMatch?.ToString()}\">>; expected all, any, all-with-x, or any-with-x", classId, methodId);
            }

            var index = exchange.Bindings.FindIndex(b => b.Same(destination, toExchange, routingKey, args));
            if (unbind)
            {
                if (index >= 0)
                {
                    exchange.Bindings.RemoveAt(index);
                }
            }
            else if (index < 0)
            {
                exchange.Bindings.Add(new BrokerBinding(source, destination, toExchange, routingKey, args));
            }
        }
    }

    // ---------------------------------------------------------------- queues

    internal QueueDeclareOk QueueDeclare(InMemoryChannel channel, string name, bool durable, bool exclusive, bool autoDelete, IDictionary<string, object?>? arguments, bool passive)
    {
        lock (Gate)
        {
            if (passive)
            {
                var found = QueueOrNotFound(name, Methods.Queue, Methods.Declare);
                CheckAccess(channel, found, Methods.Queue, Methods.Declare);
                return new QueueDeclareOk(found.Name, (uint)found.Ready.Count, (uint)found.Consumers.Count);
            }

            if (name.Length == 0)
            {
                name = NewName("amq.gen-");
            }
            else if (name.StartsWith("amq.", StringComparison.Ordinal))
            {
                throw AmqpErrorException.AccessRefused($"queue name '{name}' contains reserved prefix 'amq.*'", Methods.Queue, Methods.Declare);
            }

            var args = AmqpWire.Table(arguments);
            if (_queues.TryGetValue(name, out var existing))
            {
                CheckAccess(channel, existing, Methods.Queue, Methods.Declare);
                Equivalent("queue", name, "durable", durable, existing.Durable);
                Equivalent("queue", name, "exclusive", exclusive, existing.Exclusive);
                Equivalent("queue", name, "auto_delete", autoDelete, existing.AutoDelete);
                foreach (var key in args.Keys.Union(existing.Arguments.Keys).Order(StringComparer.Ordinal))
                {
                    args.TryGetValue(key, out var received);
                    existing.Arguments.TryGetValue(key, out var current);
                    if (key == "x-queue-type" && (Matching.Text(received) ?? "classic") == (Matching.Text(current) ?? "classic"))
                    {
                        continue;
                    }

                    if (!Matching.FieldEquals(received, current))
                    {
                        throw AmqpErrorException.Precondition(
                            $"inequivalent arg '{key}' for queue '{name}' in vhost '{VirtualHost}': received {Shown(received)} but current is {Shown(current)}",
                            Methods.Queue,
                            Methods.Declare);
                    }
                }

                return new QueueDeclareOk(name, (uint)existing.Ready.Count, (uint)existing.Consumers.Count);
            }

            var queue = new BrokerQueue(name, durable, exclusive, autoDelete, args, exclusive ? channel.Connection : null);
            Validate(queue);
            _queues[name] = queue;
            return new QueueDeclareOk(name, 0, 0);
        }
    }

    internal uint QueueDelete(InMemoryChannel channel, string name, bool ifUnused, bool ifEmpty, List<Action> after)
    {
        lock (Gate)
        {
            if (!_queues.TryGetValue(name, out var queue))
            {
                // RabbitMQ answers delete-ok for a queue that does not exist.
                return 0;
            }

            CheckAccess(channel, queue, Methods.Queue, Methods.QueueDelete);
            if (ifUnused && queue.Consumers.Count > 0)
            {
                throw AmqpErrorException.Precondition($"queue '{name}' in vhost '{VirtualHost}' in use", Methods.Queue, Methods.QueueDelete);
            }

            if (ifEmpty && queue.Ready.Count > 0)
            {
                throw AmqpErrorException.Precondition($"queue '{name}' in vhost '{VirtualHost}' is not empty", Methods.Queue, Methods.QueueDelete);
            }

            return DeleteQueue(queue, after);
        }
    }

    internal uint QueuePurge(InMemoryChannel channel, string name)
    {
        lock (Gate)
        {
            var queue = QueueOrNotFound(name, Methods.Queue, Methods.Purge);
            CheckAccess(channel, queue, Methods.Queue, Methods.Purge);
            var count = (uint)queue.Ready.Count;
            queue.Ready.Clear();
            queue.ReadyBytes = 0;
            ScheduleExpiry(queue);
            return count;
        }
    }

    // ---------------------------------------------------------------- consuming

    internal string Consume(InMemoryChannel channel, string queueName, bool autoAck, string consumerTag, bool exclusive, IAsyncBasicConsumer consumer, List<Action> after)
    {
        lock (Gate)
        {
            var tag = consumerTag.Length == 0 ? NewName("amq.ctag-") : consumerTag;
            if (queueName == ReplyToQueue)
            {
                if (!autoAck)
                {
                    throw AmqpErrorException.Precondition("reply consumer cannot acknowledge", Methods.Basic, Methods.Consume);
                }

                if (channel.ReplyConsumer is not null)
                {
                    throw AmqpErrorException.Precondition("reply consumer already set", Methods.Basic, Methods.Consume);
                }

                channel.ReplyConsumer = new BrokerConsumer(tag, channel, new BrokerQueue(ReplyToQueue, false, false, false, new Dictionary<string, object?>(), null), autoAck: true, 0, consumer);
                channel.ReplyKey ??= NewName("g1h2AA");
                _replyChannels[channel.ReplyKey] = channel;
                channel.Consumers[tag] = channel.ReplyConsumer;
                channel.Dispatcher.Reserve();
                after.Add(() => channel.Dispatcher.ConsumeOk(consumer, tag));
                return tag;
            }

            var queue = QueueOrNotFound(queueName, Methods.Basic, Methods.Consume);
            CheckAccess(channel, queue, Methods.Basic, Methods.Consume);
            if (channel.Consumers.ContainsKey(tag))
            {
                throw new AmqpErrorException(530, $"NOT_ALLOWED - attempt to reuse consumer tag '{tag}'", Methods.Basic, Methods.Consume, connectionLevel: true);
            }

            if (queue.Consumers.Exists(c => c.Tag.StartsWith("exclusive:", StringComparison.Ordinal)) || (exclusive && queue.Consumers.Count > 0))
            {
                throw AmqpErrorException.AccessRefused($"queue '{queueName}' in vhost '{VirtualHost}' in exclusive use", Methods.Basic, Methods.Consume);
            }

            if (queue.Kind == QueueKind.Quorum && channel.GlobalPrefetch > 0)
            {
                throw new AmqpErrorException(540, $"NOT_IMPLEMENTED - queue '{queueName}' in vhost '{VirtualHost}' does not support global qos", Methods.Basic, Methods.Consume, connectionLevel: true);
            }

            var registered = new BrokerConsumer(tag, channel, queue, autoAck, channel.ConsumerPrefetch, consumer);
            queue.Consumers.Add(registered);
            queue.HadConsumer = true;
            channel.Consumers[tag] = registered;
            channel.Dispatcher.Reserve();
            after.Add(() => channel.Dispatcher.ConsumeOk(consumer, tag));
            Deliver(queue, after);
            return tag;
        }
    }

    internal void Cancel(InMemoryChannel channel, string tag, List<Action> after)
    {
        lock (Gate)
        {
            if (!channel.Consumers.Remove(tag, out var consumer))
            {
                return;
            }

            channel.Dispatcher.Reserve();
            after.Add(() => channel.Dispatcher.CancelOk(consumer.Consumer, tag));
            if (ReferenceEquals(consumer, channel.ReplyConsumer))
            {
                channel.ReplyConsumer = null;
                return;
            }

            RemoveConsumer(consumer, after);
        }
    }

    internal BasicGetResult? Get(InMemoryChannel channel, string queueName, bool autoAck, List<Action> after)
    {
        lock (Gate)
        {
            var queue = QueueOrNotFound(queueName, Methods.Basic, Methods.Get);
            CheckAccess(channel, queue, Methods.Basic, Methods.Get);
            ExpireHead(queue, after);
            if (queue.Ready.Count == 0)
            {
                return null;
            }

            var entry = Take(queue);
            var tag = channel.NextDeliveryTag();
            if (!autoAck)
            {
                channel.AddUnacked(new Unacked(tag, queue, entry, null));
                queue.Unacked++;
            }

            Record(BrokerEventKind.Delivered, entry.Message, queue.Name, channel: channel, consumerTag: "basic.get", deliveryTag: tag, redelivered: entry.Redelivered);
            var properties = DeliveryProperties(queue, entry);
            ScheduleExpiry(queue);
            return new BasicGetResult(tag, entry.Redelivered, entry.Message.Exchange, entry.Message.RoutingKey, (uint)queue.Ready.Count, properties, entry.Message.Body.ToArray());
        }
    }

    internal void Settle(InMemoryChannel channel, ulong deliveryTag, bool multiple, bool ack, bool requeue, ushort methodId, List<Action> after)
    {
        lock (Gate)
        {
            List<Unacked> settled;
            if (multiple && deliveryTag == 0)
            {
                settled = channel.TakeAllUnacked();
            }
            else if (!channel.HasUnacked(deliveryTag))
            {
                throw AmqpErrorException.Precondition($"unknown delivery tag {deliveryTag}", Methods.Basic, methodId);
            }
            else
            {
                settled = multiple ? channel.TakeUnackedUpTo(deliveryTag) : [channel.TakeUnacked(deliveryTag)];
            }

            var touched = new HashSet<BrokerQueue>();
            foreach (var unacked in settled)
            {
                Release(unacked, touched);
                if (ack)
                {
                    Record(BrokerEventKind.Acked, unacked.Entry.Message, unacked.Queue.Name, channel: channel, consumerTag: unacked.Consumer?.Tag, deliveryTag: unacked.Tag);
                }
                else if (requeue)
                {
                    Return(unacked.Queue, unacked.Entry, channel, unacked.Tag, "requeued by the consumer", after);
                }
                else if (!unacked.Queue.Deleted)
                {
                    DeadLetterOrDiscard(unacked.Queue, unacked.Entry, "rejected", after, channel, unacked.Tag);
                }
            }

            foreach (var consumer in channel.Consumers.Values)
            {
                touched.Add(consumer.Queue);
            }

            foreach (var queue in touched)
            {
                Deliver(queue, after);
            }
        }
    }

    internal void Qos(InMemoryChannel channel, uint prefetchSize, ushort prefetchCount, bool global, List<Action> after)
    {
        if (prefetchSize != 0)
        {
            throw new AmqpErrorException(540, "NOT_IMPLEMENTED - prefetch_size!=0 (" + prefetchSize + ")", Methods.Basic, Methods.Qos, connectionLevel: true);
        }

        lock (Gate)
        {
            if (global)
            {
                channel.GlobalPrefetch = prefetchCount;
            }
            else
            {
                channel.ConsumerPrefetch = prefetchCount;
            }

            foreach (var consumer in channel.Consumers.Values)
            {
                Deliver(consumer.Queue, after);
            }
        }
    }

    /// <summary>The channel closed: its deliveries go back to their queues, its consumers are gone.</summary>
    internal void ChannelClosed(InMemoryChannel channel, List<Action> after)
    {
        lock (Gate)
        {
            if (channel.ReplyKey is { } key)
            {
                _replyChannels.Remove(key);
            }

            channel.ReplyConsumer = null;
            var touched = new HashSet<BrokerQueue>();
            foreach (var unacked in channel.TakeAllUnacked())
            {
                Release(unacked, touched);
                if (!unacked.Queue.Deleted)
                {
                    Return(unacked.Queue, unacked.Entry, channel, unacked.Tag, "its channel closed", after);
                }
            }

            foreach (var consumer in channel.Consumers.Values.ToList())
            {
                if (consumer.Queue.Name != ReplyToQueue)
                {
                    RemoveConsumer(consumer, after);
                }
            }

            channel.Consumers.Clear();
            foreach (var queue in touched)
            {
                Deliver(queue, after);
            }
        }
    }

    /// <summary>The connection closed: its exclusive queues are deleted.</summary>
    internal void ConnectionClosed(InMemoryConnection connection, List<Action> after)
    {
        lock (Gate)
        {
            foreach (var queue in _queues.Values.Where(q => ReferenceEquals(q.Owner, connection)).ToList())
            {
                DeleteQueue(queue, after);
            }

            _connections.Remove(connection);
        }
    }

    // ---------------------------------------------------------------- publishing

    /// <summary>Routes a publish. Returns the queues it reached, whether it was returned (mandatory, unroutable) or refused by a full queue.</summary>
    internal PublishOutcome Publish(InMemoryChannel channel, string exchangeName, string routingKey, bool mandatory, byte[] encoded, ReadOnlyBasicProperties properties, byte[] body, List<Action> after)
    {
        lock (Gate)
        {
            BrokerExchange? exchange = null;
            if (exchangeName.Length > 0 && !_exchanges.TryGetValue(exchangeName, out exchange))
            {
                var error = AmqpErrorException.NotFound($"no exchange '{exchangeName}' in vhost '{VirtualHost}'", Methods.Basic, Methods.Publish);
                RecordRefused(channel, exchangeName, routingKey, encoded, properties, body, error);
                throw error;
            }

            if (properties.Expiration is { } expiration && !TryParseExpiration(expiration, out _))
            {
                var error = AmqpErrorException.Precondition($"invalid expiration '{expiration}': {{value_negative,{expiration}}}", Methods.Basic, Methods.Publish);
                RecordRefused(channel, exchangeName, routingKey, encoded, properties, body, error);
                throw error;
            }

            if (properties.ReplyTo == ReplyToQueue)
            {
                if (channel.ReplyConsumer is null || channel.ReplyKey is null)
                {
                    var error = AmqpErrorException.Precondition("fast reply consumer does not exist", Methods.Basic, Methods.Publish);
                    RecordRefused(channel, exchangeName, routingKey, encoded, properties, body, error);
                    throw error;
                }

                var replyTo = ReplyToPrefix + channel.ReplyKey;
                encoded = AmqpWire.Change(properties, p => p.ReplyTo = replyTo);
                properties = AmqpWire.Decode(encoded);
            }

            var keys = new List<string> { routingKey };
            if (properties.Headers is { } headers && (headers.ContainsKey("CC") || headers.ContainsKey("BCC")))
            {
                keys.AddRange(RouteHeader(headers, "CC"));
                keys.AddRange(RouteHeader(headers, "BCC"));
                if (headers.ContainsKey("BCC"))
                {
                    encoded = AmqpWire.Change(properties, p => p.Headers!.Remove("BCC"));
                    properties = AmqpWire.Decode(encoded);
                }
            }

            var message = new StoredMessage
            {
                Id = ++_messageIds,
                OriginId = _messageIds,
                Exchange = exchangeName,
                RoutingKeys = keys,
                EncodedProperties = encoded,
                Properties = properties,
                Body = body,
            };

            if (exchange is null && routingKey.StartsWith(ReplyToPrefix, StringComparison.Ordinal))
            {
                var delivered = DeliverReply(channel, message, routingKey[ReplyToPrefix.Length..], after);
                Record(BrokerEventKind.Published, message, queues: delivered ? [ReplyToQueue] : [], channel: channel, detail: delivered ? null : "the reply consumer is gone");
                return new PublishOutcome(delivered ? [ReplyToQueue] : [], Returned: !delivered && mandatory, Nacked: false);
            }

            var targets = exchange is null
                ? (_queues.TryGetValue(routingKey, out var direct) ? [direct] : new List<BrokerQueue>())
                : Route(exchange, keys, properties.Headers);
            var names = targets.Select(q => q.Name).ToList();
            Record(BrokerEventKind.Published, message, queues: names, channel: channel);
            var nacked = false;
            foreach (var queue in targets)
            {
                if (!Enqueue(queue, message, redelivered: false, after))
                {
                    nacked = true;
                }
            }

            if (targets.Count == 0 && mandatory)
            {
                Record(BrokerEventKind.Returned, message, channel: channel, detail: "312 NO_ROUTE");
            }

            return new PublishOutcome(names, Returned: targets.Count == 0 && mandatory, Nacked: nacked);
        }
    }

    private void RecordRefused(InMemoryChannel channel, string exchange, string routingKey, byte[] encoded, ReadOnlyBasicProperties properties, byte[] body, AmqpErrorException error)
    {
        var message = new StoredMessage { Id = ++_messageIds, OriginId = _messageIds, Exchange = exchange, RoutingKeys = [routingKey], EncodedProperties = encoded, Properties = properties, Body = body };
        Record(BrokerEventKind.Refused, message, channel: channel, detail: $"{error.Code} {error.Text}");
    }

    private static IEnumerable<string> RouteHeader(IDictionary<string, object?> headers, string name) =>
        headers.TryGetValue(name, out var value) && value is System.Collections.IList list ? list.Cast<object?>().Select(Matching.Text).OfType<string>() : [];

    private bool DeliverReply(InMemoryChannel publisher, StoredMessage message, string key, List<Action> after)
    {
        if (!_replyChannels.TryGetValue(key, out var channel) || channel.ReplyConsumer is not { } consumer || !channel.IsOpen)
        {
            return false;
        }

        var tag = channel.NextDeliveryTag();
        Record(BrokerEventKind.Delivered, message, ReplyToQueue, channel: channel, consumerTag: consumer.Tag, deliveryTag: tag);
        var properties = AmqpWire.Decode(message.EncodedProperties);
        var body = message.Body.ToArray();
        channel.Dispatcher.Reserve();
        after.Add(() => channel.Dispatcher.Deliver(consumer.Consumer, consumer.Tag, tag, false, message.Exchange, message.RoutingKey, properties, body));
        return true;
    }

    private List<BrokerQueue> Route(BrokerExchange exchange, List<string> keys, IDictionary<string, object?>? headers)
    {
        var queues = new List<BrokerQueue>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        RouteInto(exchange, keys, headers, queues, seen);
        if (queues.Count == 0 && exchange.AlternateExchange is { } ae && _exchanges.TryGetValue(ae, out var alternate))
        {
            RouteInto(alternate, keys, headers, queues, seen);
        }

        return queues;
    }

    private void RouteInto(BrokerExchange exchange, List<string> keys, IDictionary<string, object?>? headers, List<BrokerQueue> queues, HashSet<string> seenExchanges)
    {
        if (!seenExchanges.Add(exchange.Name))
        {
            return;
        }

        foreach (var binding in exchange.Bindings)
        {
            var matches = exchange.Type switch
            {
                "fanout" => true,
                "direct" => keys.Contains(binding.RoutingKey, StringComparer.Ordinal),
                "topic" => keys.Exists(k => Matching.Topic(binding.RoutingKey, k)),
                "headers" => Matching.Headers(binding.Arguments, headers),
                _ => false,
            };
            if (!matches)
            {
                continue;
            }

            if (binding.ToExchange)
            {
                if (_exchanges.TryGetValue(binding.Destination, out var next))
                {
                    RouteInto(next, keys, headers, queues, seenExchanges);
                }
            }
            else if (_queues.TryGetValue(binding.Destination, out var queue) && !queues.Contains(queue))
            {
                queues.Add(queue);
            }
        }
    }

    /// <summary>Puts a message in a queue, applying its length limit. False when the queue refused it (reject-publish).</summary>
    private bool Enqueue(BrokerQueue queue, StoredMessage message, bool redelivered, List<Action> after)
    {
        var now = Time.GetUtcNow();
        DateTimeOffset? expiresAt = null;
        if (queue.MessageTtl is { } ttl)
        {
            expiresAt = now.AddMilliseconds(ttl);
        }

        if (message.Properties.Expiration is { } expiration && TryParseExpiration(expiration, out var perMessage))
        {
            var at = now.AddMilliseconds(perMessage);
            expiresAt = expiresAt is { } q && q < at ? q : at;
        }

        var priority = queue.MaxPriority is { } max ? Math.Min(message.Properties.Priority, max) : 0;
        var entry = new QueuedMessage(message, ++_sequence, priority, expiresAt) { Redelivered = redelivered };
        if (IsFull(queue, message) && !DropsHead(queue))
        {
            Record(BrokerEventKind.Nacked, message, queue.Name, detail: $"queue '{queue.Name}' is full (x-overflow {queue.Overflow})");
            if (queue.Overflow == "reject-publish-dlx")
            {
                DeadLetterOrDiscard(queue, entry, "maxlen", after, null, 0);
            }

            return false;
        }

        // Into an empty queue with a consumer waiting, a message goes straight to the consumer: even a TTL of 0 does not
        // expire it then.
        var wasEmpty = queue.Ready.Count == 0;
        queue.Ready.Add(entry);
        queue.ReadyBytes += message.Body.Length;
        if (wasEmpty)
        {
            Deliver(queue, after, expireFirst: false);
        }

        while (IsOverLimit(queue) && queue.Ready.Count > 0)
        {
            DeadLetterOrDiscard(queue, Take(queue), "maxlen", after, null, 0);
        }

        Deliver(queue, after);
        return true;
    }

    /// <summary>drop-head, and reject-publish-dlx on a quorum queue (RabbitMQ 3.10 accepts it there but drops the head).</summary>
    private static bool DropsHead(BrokerQueue queue) =>
        queue.Overflow == "drop-head" || (queue.Kind == QueueKind.Quorum && queue.Overflow == "reject-publish-dlx");

    private static bool IsFull(BrokerQueue queue, StoredMessage message) =>
        (queue.MaxLength is { } max && queue.Ready.Count >= max) || (queue.MaxLengthBytes is { } bytes && queue.ReadyBytes + message.Body.Length > bytes);

    private static bool IsOverLimit(BrokerQueue queue) =>
        (queue.MaxLength is { } max && queue.Ready.Count > max) || (queue.MaxLengthBytes is { } bytes && queue.ReadyBytes > bytes);

    /// <summary>A delivery came back: redelivered, at its place in the queue; a quorum queue counts it against its delivery limit.</summary>
    private void Return(BrokerQueue queue, QueuedMessage entry, InMemoryChannel? channel, ulong tag, string why, List<Action> after)
    {
        if (queue.Deleted)
        {
            return;
        }

        if (queue.Kind == QueueKind.Quorum)
        {
            entry.DeliveryCount++;
            if (queue.DeliveryLimit is { } limit && entry.DeliveryCount > limit)
            {
                DeadLetterOrDiscard(queue, entry, "delivery_limit", after, channel, tag);
                return;
            }
        }

        entry.Redelivered = true;
        queue.Ready.Add(entry);
        queue.ReadyBytes += entry.Message.Body.Length;
        Record(BrokerEventKind.Requeued, entry.Message, queue.Name, channel: channel, deliveryTag: tag, detail: why);
        ExpireHead(queue, after);
        ScheduleExpiry(queue);
    }

    // ---------------------------------------------------------------- delivering

    private void Deliver(BrokerQueue queue, List<Action> after, bool expireFirst = true)
    {
        if (queue.Deleted)
        {
            return;
        }

        while (true)
        {
            if (expireFirst)
            {
                ExpireHead(queue, after);
            }

            expireFirst = true;
            if (queue.Ready.Count == 0)
            {
                break;
            }

            var consumer = NextConsumer(queue);
            if (consumer is null)
            {
                break;
            }

            var entry = Take(queue);
            var channel = consumer.Channel;
            var tag = channel.NextDeliveryTag();
            if (!consumer.AutoAck)
            {
                channel.AddUnacked(new Unacked(tag, queue, entry, consumer));
                consumer.Unacked++;
                queue.Unacked++;
            }

            Record(BrokerEventKind.Delivered, entry.Message, queue.Name, channel: channel, consumerTag: consumer.Tag, deliveryTag: tag, redelivered: entry.Redelivered);
            var properties = DeliveryProperties(queue, entry);
            var body = entry.Message.Body.ToArray();
            var redelivered = entry.Redelivered;
            var message = entry.Message;
            channel.Dispatcher.Reserve();
            after.Add(() => channel.Dispatcher.Deliver(consumer.Consumer, consumer.Tag, tag, redelivered, message.Exchange, message.RoutingKey, properties, body));
        }

        ScheduleExpiry(queue);
    }

    private static BrokerConsumer? NextConsumer(BrokerQueue queue)
    {
        var count = queue.Consumers.Count;
        if (count == 0)
        {
            return null;
        }

        if (queue.SingleActiveConsumer)
        {
            var active = queue.Consumers[0];
            return active.HasCapacity && active.Channel.IsOpen ? active : null;
        }

        for (var i = 0; i < count; i++)
        {
            var index = (queue.NextConsumer + i) % count;
            var candidate = queue.Consumers[index];
            if (candidate.HasCapacity && candidate.Channel.IsOpen)
            {
                queue.NextConsumer = (index + 1) % count;
                return candidate;
            }
        }

        return null;
    }

    private static ReadOnlyBasicProperties DeliveryProperties(BrokerQueue queue, QueuedMessage entry)
    {
        if (queue.Kind == QueueKind.Quorum && entry.DeliveryCount > 0)
        {
            return AmqpWire.Decode(AmqpWire.Change(entry.Message.Properties, p =>
            {
                p.Headers ??= new Dictionary<string, object?>();
                p.Headers["x-delivery-count"] = entry.DeliveryCount;
            }));
        }

        return AmqpWire.Decode(entry.Message.EncodedProperties);
    }

    private static QueuedMessage Take(BrokerQueue queue)
    {
        var entry = queue.Ready.Min!;
        queue.Ready.Remove(entry);
        queue.ReadyBytes -= entry.Message.Body.Length;
        return entry;
    }

    private void Release(Unacked unacked, HashSet<BrokerQueue> touched)
    {
        if (unacked.Consumer is { } consumer)
        {
            consumer.Unacked--;
        }

        unacked.Queue.Unacked--;
        touched.Add(unacked.Queue);
    }

    private void RemoveConsumer(BrokerConsumer consumer, List<Action> after)
    {
        var queue = consumer.Queue;
        queue.Consumers.Remove(consumer);
        if (queue.NextConsumer >= queue.Consumers.Count)
        {
            queue.NextConsumer = 0;
        }

        if (queue.AutoDelete && queue.HadConsumer && queue.Consumers.Count == 0 && !queue.Deleted)
        {
            DeleteQueue(queue, after);
        }
        else
        {
            Deliver(queue, after);
        }
    }

    private uint DeleteQueue(BrokerQueue queue, List<Action> after)
    {
        var count = (uint)queue.Ready.Count;
        queue.Deleted = true;
        _queues.Remove(queue.Name);
        queue.ExpiryTimer?.Dispose();
        queue.ExpiryTimer = null;
        foreach (var exchange in _exchanges.Values)
        {
            exchange.Bindings.RemoveAll(b => !b.ToExchange && b.Destination == queue.Name);
        }

        foreach (var consumer in queue.Consumers.ToList())
        {
            consumer.Channel.Consumers.Remove(consumer.Tag);
            Record(BrokerEventKind.ConsumerCancelled, queue: queue.Name, channel: consumer.Channel, consumerTag: consumer.Tag, detail: "the queue was deleted");
            consumer.Channel.Dispatcher.Reserve();
            after.Add(() => consumer.Channel.Dispatcher.Cancel(consumer.Consumer, consumer.Tag));
        }

        queue.Consumers.Clear();
        queue.Ready.Clear();
        queue.ReadyBytes = 0;
        return count;
    }

    // ---------------------------------------------------------------- expiry and dead-lettering

    private void ExpireHead(BrokerQueue queue, List<Action> after)
    {
        var now = Time.GetUtcNow();
        while (queue.Ready.Count > 0 && queue.Ready.Min!.ExpiresAt is { } at && at <= now)
        {
            var head = Take(queue);
            DeadLetterOrDiscard(queue, head, "expired", after, null, 0);
        }
    }

    private void ScheduleExpiry(BrokerQueue queue)
    {
        var due = queue.Ready.Count > 0 ? queue.Ready.Min!.ExpiresAt : null;
        if (due == queue.ExpiryScheduledFor)
        {
            return;
        }

        queue.ExpiryScheduledFor = due;
        if (due is not { } at)
        {
            queue.ExpiryTimer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            return;
        }

        var wait = at - Time.GetUtcNow();
        if (wait < TimeSpan.Zero)
        {
            wait = TimeSpan.Zero;
        }

        if (queue.ExpiryTimer is { } timer)
        {
            timer.Change(wait, Timeout.InfiniteTimeSpan);
        }
        else
        {
            queue.ExpiryTimer = Time.CreateTimer(static state => ((ExpiryState)state!).Fire(), new ExpiryState(this, queue), wait, Timeout.InfiniteTimeSpan);
        }
    }

    private sealed class ExpiryState(InMemoryBroker broker, BrokerQueue queue)
    {
        public void Fire() => broker.OnExpiryTimer(queue);
    }

    private void OnExpiryTimer(BrokerQueue queue)
    {
        var after = new List<Action>();
        lock (Gate)
        {
            if (queue.Deleted)
            {
                return;
            }

            queue.ExpiryScheduledFor = null;
            Deliver(queue, after);
        }

        foreach (var action in after)
        {
            action();
        }

        Signal();
    }

    private void DeadLetterOrDiscard(BrokerQueue queue, QueuedMessage entry, string reason, List<Action> after, InMemoryChannel? channel, ulong tag)
    {
        var message = entry.Message;
        if (queue.DeadLetterExchange is not { } dlxName)
        {
            var kind = reason switch { "rejected" => BrokerEventKind.Discarded, "expired" => BrokerEventKind.Expired, _ => BrokerEventKind.Dropped };
            Record(kind, message, queue.Name, channel: channel, deliveryTag: tag, detail: reason);
            return;
        }

        if (!_exchanges.TryGetValue(dlxName, out var dlx) && dlxName.Length > 0)
        {
            Record(BrokerEventKind.Dropped, message, queue.Name, channel: channel, deliveryTag: tag, detail: $"{reason}, and the dead-letter exchange '{dlxName}' does not exist");
            return;
        }

        var dead = DeadLetters.Create(message, reason, dlxName, queue.DeadLetterRoutingKey, queue.Name, Time.GetUtcNow(), ++_messageIds);
        var targets = dlx is null
            ? (_queues.TryGetValue(dead.RoutingKey, out var direct) ? [direct] : new List<BrokerQueue>())
            : Route(dlx, [.. dead.RoutingKeys], dead.Properties.Headers);
        var delivered = new List<BrokerQueue>();
        var cycles = new List<string>();
        foreach (var target in targets)
        {
            if (reason != "rejected" && DeadLetters.IsCycle(target.Name, dead.Properties.Headers))
            {
                cycles.Add(target.Name);
            }
            else
            {
                delivered.Add(target);
            }
        }

        Record(BrokerEventKind.DeadLettered, dead, queue.Name, [.. delivered.Select(q => q.Name)], reason, channel, deliveryTag: tag);
        if (cycles.Count > 0)
        {
            Record(BrokerEventKind.Dropped, dead, queue.Name, cycles, $"dead-letter cycle through {string.Join(", ", cycles)}");
        }

        foreach (var target in delivered)
        {
            Enqueue(target, dead, redelivered: false, after);
        }
    }

    // ---------------------------------------------------------------- checks

    private BrokerQueue QueueOrNotFound(string name, ushort classId, ushort methodId) =>
        _queues.TryGetValue(name, out var queue) ? queue : throw AmqpErrorException.NotFound($"no queue '{name}' in vhost '{VirtualHost}'", classId, methodId);

    private static void CheckAccess(InMemoryChannel channel, BrokerQueue queue, ushort classId, ushort methodId)
    {
        if (queue.Owner is { } owner && !ReferenceEquals(owner, channel.Connection))
        {
            throw AmqpErrorException.Locked($"cannot obtain exclusive access to locked queue '{queue.Name}' in vhost '{VirtualHost}'. It could be originally declared on another connection or the exclusive property value does not match that of the original declaration.", classId, methodId);
        }
    }

    private static void Equivalent<T>(string kind, string name, string what, T received, T current)
    {
        if (!EqualityComparer<T>.Default.Equals(received, current))
        {
            throw AmqpErrorException.Precondition(
                $"inequivalent arg '{what}' for {kind} '{name}' in vhost '{VirtualHost}': received '{Lower(received)}' but current is '{Lower(current)}'",
                kind == "queue" ? Methods.Queue : Methods.Exchange,
                Methods.Declare);
        }

        static string? Lower(T value) => value is bool b ? (b ? "true" : "false") : value?.ToString();
    }

    private static string Shown(object? value) => value switch
    {
        null => "none",
        byte[] or string => $"the value '{Matching.Text(value)}' of type 'longstr'",
        int i => $"the value '{i}' of type 'signedint'",
        long l => $"the value '{l}' of type 'long'",
        bool b => $"the value '{(b ? "true" : "false")}' of type 'bool'",
        _ => $"the value '{value}'",
    };

    private static void Validate(BrokerQueue queue)
    {
        string? invalid = null;
        if (queue.Arguments.TryGetValue("x-max-priority", out var priority) && Matching.Integer(priority) is not (>= 0 and <= 255))
        {
            invalid = "x-max-priority";
        }
        else if (queue.Arguments.TryGetValue("x-message-ttl", out var ttl) && Matching.Integer(ttl) is not (>= 0 and <= uint.MaxValue))
        {
            invalid = "x-message-ttl";
        }
        else if (queue.Arguments.TryGetValue("x-max-length", out var length) && Matching.Integer(length) is not >= 0)
        {
            invalid = "x-max-length";
        }
        else if (queue.Arguments.TryGetValue("x-overflow", out var overflow) && Matching.Text(overflow) is not ("drop-head" or "reject-publish" or "reject-publish-dlx"))
        {
            invalid = "x-overflow";
        }
        else if (queue.Arguments.TryGetValue("x-queue-type", out var type) && Matching.Text(type) is not ("classic" or "quorum" or "stream"))
        {
            invalid = "x-queue-type";
        }

        if (invalid is not null)
        {
            throw AmqpErrorException.Precondition($"invalid arg '{invalid}' for queue '{queue.Name}' in vhost '{VirtualHost}'", Methods.Queue, Methods.Declare);
        }

        if (queue.Kind != QueueKind.Classic)
        {
            var property = !queue.Durable ? "non-durable" : queue.Exclusive ? "exclusive-owner" : queue.AutoDelete ? "auto-delete" : null;
            if (property is not null)
            {
                throw AmqpErrorException.Precondition($"invalid property '{property}' for queue '{queue.Name}' in vhost '{VirtualHost}'", Methods.Queue, Methods.Declare);
            }

            if (queue.Arguments.ContainsKey("x-max-priority"))
            {
                throw AmqpErrorException.Precondition($"invalid arg 'x-max-priority' for queue '{queue.Name}' in vhost '{VirtualHost}' of queue type rabbit_quorum_queue", Methods.Queue, Methods.Declare);
            }
        }
    }

    internal static bool TryParseExpiration(string text, out long milliseconds) =>
        long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out milliseconds) && milliseconds <= uint.MaxValue;
}

/// <summary>Where a publish went.</summary>
internal sealed record PublishOutcome(IReadOnlyList<string> Queues, bool Returned, bool Nacked);

/// <summary>What the broker's clients are doing right now.</summary>
/// <param name="Active">Work under way: callbacks running or queued, messages about to be delivered. Time should not move while there is any.</param>
/// <param name="Unsettled">Deliveries whose acknowledgement has not arrived yet.</param>
public sealed record BrokerActivity(IReadOnlyList<string> Active, IReadOnlyList<string> Unsettled)
{
    /// <summary>Nothing under way and nothing unsettled.</summary>
    public bool IsQuiet => Active.Count == 0 && Unsettled.Count == 0;
}

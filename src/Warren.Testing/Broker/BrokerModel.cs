using System;
using System.Collections.Generic;
using System.Threading;
using RabbitMQ.Client;

namespace Warren.Testing;

/// <summary>A channel or connection error as RabbitMQ sends it: reply code, reply text, and the method that caused it.</summary>
internal sealed class AmqpErrorException(ushort code, string text, ushort classId, ushort methodId, bool connectionLevel = false) : Exception(text)
{
    public ushort Code { get; } = code;

    public string Text { get; } = text;

    public ushort ClassId { get; } = classId;

    public ushort MethodId { get; } = methodId;

    public bool ConnectionLevel { get; } = connectionLevel;

    public static AmqpErrorException NotFound(string text, ushort classId, ushort methodId) => new(404, "NOT_FOUND - " + text, classId, methodId);

    public static AmqpErrorException Precondition(string text, ushort classId, ushort methodId) => new(406, "PRECONDITION_FAILED - " + text, classId, methodId);

    public static AmqpErrorException AccessRefused(string text, ushort classId, ushort methodId) => new(403, "ACCESS_REFUSED - " + text, classId, methodId);

    public static AmqpErrorException Locked(string text, ushort classId, ushort methodId) => new(405, "RESOURCE_LOCKED - " + text, classId, methodId);
}

/// <summary>AMQP class and method ids, for the errors' <c>class-id</c>/<c>method-id</c>.</summary>
internal static class Methods
{
    public const ushort Exchange = 40;
    public const ushort Queue = 50;
    public const ushort Basic = 60;
    public const ushort Declare = 10;
    public const ushort Delete = 20;
    public const ushort Bind = 20;
    public const ushort Purge = 30;
    public const ushort QueueDelete = 40;
    public const ushort Unbind = 50;
    public const ushort Qos = 10;
    public const ushort Consume = 20;
    public const ushort Cancel = 30;
    public const ushort Publish = 40;
    public const ushort Get = 70;
    public const ushort Ack = 80;
    public const ushort Reject = 90;
    public const ushort Nack = 120;
}

/// <summary>A message as the broker stores it: immutable, shared by the queues it was routed to.</summary>
internal sealed class StoredMessage
{
    public required long Id { get; init; }

    /// <summary>The id of the message this one was dead-lettered from (itself when published).</summary>
    public required long OriginId { get; init; }

    public required string Exchange { get; init; }

    /// <summary>The routing key first, then the CC and BCC keys.</summary>
    public required IReadOnlyList<string> RoutingKeys { get; init; }

    public required byte[] EncodedProperties { get; init; }

    public required ReadOnlyBasicProperties Properties { get; init; }

    public required byte[] Body { get; init; }

    public string RoutingKey => RoutingKeys.Count > 0 ? RoutingKeys[0] : string.Empty;
}

/// <summary>One message in one queue.</summary>
internal sealed class QueuedMessage(StoredMessage message, long sequence, int priority, DateTimeOffset? expiresAt)
{
    public StoredMessage Message { get; } = message;

    public long Sequence { get; } = sequence;

    public int Priority { get; } = priority;

    public DateTimeOffset? ExpiresAt { get; } = expiresAt;

    public bool Redelivered { get; set; }

    /// <summary>Quorum queues: how often the message was returned (requeued, or its channel closed while it was out).</summary>
    public long DeliveryCount { get; set; }
}

/// <summary>Highest priority first, then first in first out.</summary>
internal sealed class QueueOrder : IComparer<QueuedMessage>
{
    public static readonly QueueOrder Instance = new();

    public int Compare(QueuedMessage? x, QueuedMessage? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }

        var byPriority = y!.Priority.CompareTo(x!.Priority);
        return byPriority != 0 ? byPriority : x.Sequence.CompareTo(y.Sequence);
    }
}

internal sealed class BrokerExchange(string name, string type, bool durable, bool autoDelete, bool @internal, IDictionary<string, object?> arguments)
{
    public string Name { get; } = name;

    public string Type { get; } = type;

    public bool Durable { get; } = durable;

    public bool AutoDelete { get; } = autoDelete;

    public bool Internal { get; } = @internal;

    public IDictionary<string, object?> Arguments { get; } = arguments;

    public List<BrokerBinding> Bindings { get; } = [];

    public string? AlternateExchange => Matching.Text(Arguments.TryGetValue("alternate-exchange", out var ae) ? ae : null);
}

/// <summary>A binding from an exchange to a queue or to another exchange.</summary>
internal sealed record BrokerBinding(string Source, string Destination, bool ToExchange, string RoutingKey, IDictionary<string, object?> Arguments)
{
    public bool Same(string destination, bool toExchange, string routingKey, IDictionary<string, object?> arguments) =>
        Destination == destination && ToExchange == toExchange && RoutingKey == routingKey && Matching.FieldEquals(arguments, Arguments);
}

internal enum QueueKind
{
    Classic,
    Quorum,
    Stream,
}

internal sealed class BrokerQueue
{
    public BrokerQueue(string name, bool durable, bool exclusive, bool autoDelete, IDictionary<string, object?> arguments, InMemoryConnection? owner)
    {
        Name = name;
        Durable = durable;
        Exclusive = exclusive;
        AutoDelete = autoDelete;
        Arguments = arguments;
        Owner = owner;
        Kind = Matching.Text(Arg("x-queue-type")) switch
        {
            "quorum" => QueueKind.Quorum,
            "stream" => QueueKind.Stream,
            _ => QueueKind.Classic,
        };
        MaxPriority = Matching.Integer(Arg("x-max-priority")) is { } p ? (int)p : null;
        MessageTtl = Matching.Integer(Arg("x-message-ttl"));
        MaxLength = Matching.Integer(Arg("x-max-length"));
        MaxLengthBytes = Matching.Integer(Arg("x-max-length-bytes"));
        Overflow = Matching.Text(Arg("x-overflow")) ?? "drop-head";
        DeadLetterExchange = Matching.Text(Arg("x-dead-letter-exchange"));
        DeadLetterRoutingKey = Matching.Text(Arg("x-dead-letter-routing-key"));
        DeliveryLimit = Matching.Integer(Arg("x-delivery-limit"));
        SingleActiveConsumer = Arg("x-single-active-consumer") is true;
    }

    public string Name { get; }

    public bool Durable { get; }

    public bool Exclusive { get; }

    public bool AutoDelete { get; }

    public IDictionary<string, object?> Arguments { get; }

    public InMemoryConnection? Owner { get; }

    public QueueKind Kind { get; }

    public int? MaxPriority { get; }

    public long? MessageTtl { get; }

    public long? MaxLength { get; }

    public long? MaxLengthBytes { get; }

    public string Overflow { get; }

    public string? DeadLetterExchange { get; }

    public string? DeadLetterRoutingKey { get; }

    public long? DeliveryLimit { get; }

    public bool SingleActiveConsumer { get; }

    public SortedSet<QueuedMessage> Ready { get; } = new(QueueOrder.Instance);

    public long ReadyBytes { get; set; }

    public List<BrokerConsumer> Consumers { get; } = [];

    public int NextConsumer { get; set; }

    public bool HadConsumer { get; set; }

    public bool Deleted { get; set; }

    public ITimer? ExpiryTimer { get; set; }

    public DateTimeOffset? ExpiryScheduledFor { get; set; }

    /// <summary>Deliveries of this queue not yet settled, over all channels.</summary>
    public int Unacked { get; set; }

    private object? Arg(string name) => Arguments.TryGetValue(name, out var value) ? value : null;
}

internal sealed class BrokerConsumer(string tag, InMemoryChannel channel, BrokerQueue queue, bool autoAck, ushort prefetch, IAsyncBasicConsumer consumer)
{
    public string Tag { get; } = tag;

    public InMemoryChannel Channel { get; } = channel;

    public BrokerQueue Queue { get; } = queue;

    public bool AutoAck { get; } = autoAck;

    public ushort Prefetch { get; } = prefetch;

    public IAsyncBasicConsumer Consumer { get; } = consumer;

    public int Unacked { get; set; }

    public bool HasCapacity =>
        AutoAck || ((Prefetch == 0 || Unacked < Prefetch) && (Channel.GlobalPrefetch == 0 || Channel.UnackedCount < Channel.GlobalPrefetch));
}

/// <summary>A delivery waiting for its acknowledgement.</summary>
internal sealed record Unacked(ulong Tag, BrokerQueue Queue, QueuedMessage Entry, BrokerConsumer? Consumer);

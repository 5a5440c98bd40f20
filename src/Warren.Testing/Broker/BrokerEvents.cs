using System;
using System.Collections.Generic;
using RabbitMQ.Client;

namespace Warren.Testing;

/// <summary>What happened to a message in the in-memory broker.</summary>
public enum BrokerEventKind
{
    /// <summary>A publish the broker accepted; <see cref="BrokerEvent.Queues"/> holds where it was routed (none: unroutable).</summary>
    Published,

    /// <summary>A mandatory message no queue received was returned to its publisher (312 NO_ROUTE).</summary>
    Returned,

    /// <summary>A publish the broker refused with a channel error (a missing exchange, an unreadable expiration …).</summary>
    Refused,

    /// <summary>A queue refused the message (<c>x-overflow: reject-publish</c>): the publisher got a negative confirmation.</summary>
    Nacked,

    /// <summary>The message was delivered to a consumer (or fetched with basic.get).</summary>
    Delivered,

    /// <summary>The consumer acknowledged the delivery.</summary>
    Acked,

    /// <summary>The delivery went back to its queue (nack/reject with requeue, or its channel closed).</summary>
    Requeued,

    /// <summary>The delivery was rejected without requeue and its queue has no dead-letter exchange: the message is gone.</summary>
    Discarded,

    /// <summary>The broker dead-lettered the message (reason in <see cref="BrokerEvent.Detail"/>: rejected, expired, maxlen, delivery_limit).</summary>
    DeadLettered,

    /// <summary>The message expired in its queue without a dead-letter exchange: it is gone.</summary>
    Expired,

    /// <summary>The broker dropped the message for another reason (queue full, dead-letter cycle, missing dead-letter exchange).</summary>
    Dropped,

    /// <summary>The broker closed a channel with an error.</summary>
    ChannelClosed,

    /// <summary>The broker cancelled a consumer (its queue was deleted).</summary>
    ConsumerCancelled,
}

/// <summary>A message as the in-memory broker holds it.</summary>
public sealed class BrokerMessage
{
    internal BrokerMessage(StoredMessage message)
    {
        Id = message.Id;
        OriginId = message.OriginId;
        Exchange = message.Exchange;
        RoutingKey = message.RoutingKey;
        Properties = message.Properties;
        Body = message.Body;
    }

    /// <summary>The broker's number for this message (a dead-lettered copy gets a new one).</summary>
    public long Id { get; }

    /// <summary>The number of the published message this one descends from by dead-lettering (its own for a published message).</summary>
    public long OriginId { get; }

    /// <summary>The exchange it was published (or dead-lettered) to.</summary>
    public string Exchange { get; }

    /// <summary>The routing key it was published (or dead-lettered) with.</summary>
    public string RoutingKey { get; }

    /// <summary>Its properties, decoded as a consumer receives them (string headers are <c>byte[]</c>).</summary>
    public IReadOnlyBasicProperties Properties { get; }

    /// <summary>The body.</summary>
    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>The <c>message-id</c> property.</summary>
    public string? MessageId => Properties.MessageId;

    /// <summary>The <c>type</c> property: Warren's contract name.</summary>
    public string? Type => Properties.Type;

    /// <summary>A header as text (strings arrive as bytes), or null when absent or not a string.</summary>
    public string? Header(string name) => Properties.Headers is { } h && h.TryGetValue(name, out var v) ? Matching.Text(v) ?? v?.ToString() : null;

    /// <summary>The body as UTF-8 text.</summary>
    public string BodyText => System.Text.Encoding.UTF8.GetString(Body.Span);
}

/// <summary>One step of the message flow through the in-memory broker.</summary>
public sealed record BrokerEvent
{
    /// <summary>Its position in the broker's journal (1-based, gapless).</summary>
    public required long Sequence { get; init; }

    /// <summary>The broker clock's time.</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>What happened.</summary>
    public required BrokerEventKind Kind { get; init; }

    /// <summary>The message concerned, if any.</summary>
    public BrokerMessage? Message { get; init; }

    /// <summary>The queue concerned (delivered from, acked in, dead-lettered from …).</summary>
    public string? Queue { get; init; }

    /// <summary>Where a publish or a dead-lettered message was routed.</summary>
    public IReadOnlyList<string> Queues { get; init; } = Array.Empty<string>();

    /// <summary>A reason or reply text.</summary>
    public string? Detail { get; init; }

    /// <summary>The client name of the connection concerned.</summary>
    public string? Connection { get; init; }

    /// <summary>The number of the channel concerned on its connection (0 when none).</summary>
    public int Channel { get; init; }

    /// <summary>The consumer tag of a delivery.</summary>
    public string? ConsumerTag { get; init; }

    /// <summary>The delivery tag of a delivery or settlement.</summary>
    public ulong DeliveryTag { get; init; }

    /// <summary>The redelivered flag of a delivery.</summary>
    public bool Redelivered { get; init; }
}

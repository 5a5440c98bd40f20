using System;
using System.Collections.Generic;

namespace Warren;

/// <summary>Per-publish settings that override a message contract's defaults. Every property maps to one AMQP property.</summary>
public sealed class PublishOptions
{
    /// <summary>The <c>message-id</c> property; a new GUID when null. Give a stable id to let handlers deduplicate.</summary>
    public string? MessageId { get; set; }

    /// <summary>The <c>correlation-id</c> property.</summary>
    public string? CorrelationId { get; set; }

    /// <summary>The <c>reply-to</c> property.</summary>
    public string? ReplyTo { get; set; }

    /// <summary>The <c>priority</c> property (0–255; queues honour up to their <c>x-max-priority</c>).</summary>
    public byte? Priority { get; set; }

    /// <summary>The per-message TTL (<c>expiration</c> property): the broker discards or dead-letters the message once it has waited this long in a queue.</summary>
    public TimeSpan? Expiration { get; set; }

    /// <summary>
    /// The <c>content-type</c> property, overriding the format's (<c>application/json</c>, <c>text/plain; charset=utf-8</c>,
    /// <c>application/octet-stream</c>). It does not change how the body is written: text is always UTF-8.
    /// </summary>
    public string? ContentType { get; set; }

    /// <summary>Overrides the routing key the contract would build.</summary>
    public string? RoutingKey { get; set; }

    /// <summary>Overrides the contract's exchange.</summary>
    public string? Exchange { get; set; }

    /// <summary>Extra headers. Values must be AMQP field values: strings, numbers, booleans, byte arrays, lists, dictionaries.</summary>
    public IDictionary<string, object?>? Headers { get; set; }

    /// <summary>Persistent delivery (<c>delivery-mode 2</c>, the default): a durable queue keeps the message across broker restarts.</summary>
    public bool Persistent { get; set; } = true;

    /// <summary>Return an unroutable message as an error (the default). When false an unroutable message is silently dropped by the broker.</summary>
    public bool Mandatory { get; set; } = true;

    /// <summary>
    /// Deliver the message this long after the publish, through Warren's delay levels (no broker plugin): rounded up to
    /// whole seconds, at most 2^23 - 1 seconds (about 97 days). Zero or negative publishes at once. See docs/delayed-messages.md.
    /// </summary>
    public TimeSpan? Delay { get; set; }

    /// <summary>
    /// Deliver the message at this time (by this process's clock), through the same delay levels as <see cref="Delay"/>;
    /// a time in the past publishes at once. Setting both <see cref="Delay"/> and <see cref="DeliverAt"/> is an error.
    /// </summary>
    public DateTimeOffset? DeliverAt { get; set; }

    /// <summary>
    /// Send on the ordered publishing channel (the first of <see cref="WarrenOptions.PublishChannels"/>), so publishes
    /// made one after another without awaiting reach the broker in call order. Batches always do. Without it a publish
    /// goes to the next of the publishing channels in turn. With one publishing channel (the default) every publish is ordered.
    /// </summary>
    public bool Ordered { get; set; }
}

using System;

namespace Warren;

/// <summary>The queue types RabbitMQ offers (<c>x-queue-type</c>).</summary>
public enum QueueType
{
    /// <summary>Classic queues (the default).</summary>
    Classic,

    /// <summary>Replicated quorum queues: durable only; no priorities, exclusivity or auto-delete.</summary>
    Quorum,

    /// <summary>
    /// Streams: an append-only, replicated log read without removing messages, from an offset (see
    /// <see cref="ConsumeFromAttribute"/>). Durable only; no priorities, exclusivity, auto-delete, message TTL, maximum
    /// length in messages or dead-letter exchange; retention by <see cref="QueueAttribute.MaxAge"/> and
    /// <see cref="QueueAttribute.MaxLengthBytes"/>.
    /// </summary>
    Stream,
}

/// <summary>What a queue does when it is full (<c>x-overflow</c>).</summary>
public enum QueueOverflow
{
    /// <summary><c>drop-head</c> (the broker's default): the oldest message is dropped or dead-lettered.</summary>
    DropHead,

    /// <summary><c>reject-publish</c>: new publishes are refused with a negative confirmation.</summary>
    RejectPublish,

    /// <summary><c>reject-publish-dlx</c>: refused and dead-lettered (classic queues only).</summary>
    RejectPublishDlx,
}

/// <summary>
/// Makes a class a consumer: one class is one queue, bound by the <see cref="TopicAttribute"/>s on its handler
/// methods. Each property maps to a <c>queue.declare</c> field or argument, or to the consumer's channel settings.
/// Without this attribute a consumer class gets a queue named after the class (kebab-case).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class QueueAttribute : Attribute
{
    /// <summary>Names the queue.</summary>
    public QueueAttribute(string name)
    {
        Name = name;
    }

    /// <summary>The queue name.</summary>
    public string Name { get; }

    /// <summary><c>durable</c>: survives a broker restart. Default true.</summary>
    public bool Durable { get; set; } = true;

    /// <summary><c>exclusive</c>: used by this connection only, deleted when it closes. Default false.</summary>
    public bool Exclusive { get; set; }

    /// <summary><c>auto-delete</c>: deleted when its last consumer goes. Default false.</summary>
    public bool AutoDelete { get; set; }

    /// <summary><c>x-queue-type</c>. Default classic.</summary>
    public QueueType Type { get; set; } = QueueType.Classic;

    /// <summary><c>x-message-ttl</c>: how long a message may wait, as <c>"500ms"</c>, <c>"30s"</c>, <c>"5m"</c>, <c>"1h"</c> or <c>"1d"</c>.</summary>
    public string? MessageTtl { get; set; }

    /// <summary><c>x-max-length</c>: the most messages the queue holds (0 = unlimited).</summary>
    public int MaxLength { get; set; }

    /// <summary><c>x-max-length-bytes</c>: the most body bytes the queue holds (0 = unlimited). On a stream, its retention by size: whole segments are removed from the start once the stream is larger.</summary>
    public long MaxLengthBytes { get; set; }

    /// <summary>Streams: <c>x-max-age</c>, the retention by age, as RabbitMQ writes it — a number and a unit of <c>Y</c>, <c>M</c>, <c>D</c>, <c>h</c>, <c>m</c> or <c>s</c> (<c>"7D"</c>, <c>"12h"</c>). Whole segments older than this are removed.</summary>
    public string? MaxAge { get; set; }

    /// <summary>Streams: <c>x-stream-max-segment-size-bytes</c>, the size of the segment files retention removes whole (0 = the broker's default, 500 MB).</summary>
    public long MaxSegmentSizeBytes { get; set; }

    /// <summary><c>x-overflow</c>, when a maximum length is set.</summary>
    public QueueOverflow Overflow { get; set; } = QueueOverflow.DropHead;

    /// <summary><c>x-single-active-consumer</c>: only one consumer at a time receives messages (order across instances).</summary>
    public bool SingleActiveConsumer { get; set; }

    /// <summary>The consumer's QoS prefetch (<c>basic.qos</c>); 0 uses <c>Warren:Prefetch</c>.</summary>
    public int Prefetch { get; set; }

    /// <summary>Handlers running at once for this queue; 0 uses <c>Warren:Concurrency</c>.</summary>
    public int Concurrency { get; set; }

    /// <summary>How long a handler may run, as <c>"30s"</c>…: then its cancellation token fires and the attempt counts as failed (and follows the retry policy).</summary>
    public string? HandlerTimeout { get; set; }

    /// <summary>
    /// False declares the queue without <c>x-dead-letter-exchange</c>/<c>x-dead-letter-routing-key</c>, so that the
    /// declaration matches a queue other clients declare without them (the RabbitMQ tutorials' <c>hello</c>, for
    /// instance) instead of failing with <c>PRECONDITION_FAILED</c>. Retries and dead-letters still work: Warren publishes
    /// those copies itself. Only what the broker discards on its own (message TTL, length limits) then has no
    /// dead-letter target. Default true.
    /// </summary>
    public bool DeadLetterArguments { get; set; } = true;

    /// <summary>Quorum queues: <c>x-delivery-limit</c>, the redeliveries (after crashes or requeues) before the broker dead-letters a message. 0 = the broker's default.</summary>
    public int DeliveryLimit { get; set; }
}

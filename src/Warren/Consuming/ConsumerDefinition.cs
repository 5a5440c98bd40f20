using System;

namespace Warren;

/// <summary>One queue to consume and the dispatcher that handles its messages. Generated registration creates these.</summary>
public sealed class ConsumerDefinition
{
    /// <summary>Creates a definition.</summary>
    public ConsumerDefinition(string queue, IMessageDispatcher dispatcher)
    {
        ArgumentException.ThrowIfNullOrEmpty(queue);
        ArgumentNullException.ThrowIfNull(dispatcher);
        Queue = queue;
        Dispatcher = dispatcher;
    }

    /// <summary>The queue name.</summary>
    public string Queue { get; }

    /// <summary>Handles each delivery.</summary>
    public IMessageDispatcher Dispatcher { get; }

    /// <summary>QoS prefetch for this queue; <see cref="WarrenOptions.Prefetch"/> when null.</summary>
    public ushort? Prefetch { get; init; }

    /// <summary>Handlers running at once for this queue; <see cref="WarrenOptions.Concurrency"/> when null.</summary>
    public int? Concurrency { get; init; }

    /// <summary>
    /// Retries and dead-lettering for failed messages. Null (the default) means <see cref="RetryPolicy.CreateDefault"/>:
    /// three delayed retries, then <c>{queue}.dlq</c>, whose exchange and queues Warren declares at start-up.
    /// <see cref="RetryPolicy.Disabled"/> opts out.
    /// </summary>
    public RetryPolicy? Retry { get; init; }

    /// <summary>How long a handler may run: then its cancellation token fires and the attempt counts as failed.</summary>
    public TimeSpan? HandlerTimeout { get; init; }

    /// <summary>
    /// Set for a stream queue: where the consumer starts and whether it stores its offset. Stream deliveries are never
    /// requeued (a stream keeps its messages; a failed one is dead-lettered by copy or skipped with a log line), and a
    /// retry policy's delayed retries are not used (a retry copy would be appended to the stream for every reader).
    /// </summary>
    public StreamConsumer? Stream { get; init; }
}

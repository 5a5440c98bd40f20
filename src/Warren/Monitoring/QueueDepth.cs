using System;

namespace Warren;

/// <summary>What a queue is to the application.</summary>
public enum WarrenQueueKind
{
    /// <summary>A queue the application consumes, or one named in <see cref="WarrenMonitoringOptions.Queues"/>.</summary>
    Work,

    /// <summary>A dead-letter queue of one of the application's consumers.</summary>
    DeadLetter,
}

/// <summary>A queue's depth as the broker reported it to a passive declare.</summary>
/// <param name="Queue">The queue.</param>
/// <param name="Kind">What the queue is to the application.</param>
/// <param name="Exists">False when the broker has no such queue (404); the counts are then 0.</param>
/// <param name="ReadyMessages">Messages ready for delivery (not counting those delivered and awaiting acknowledgement).</param>
/// <param name="Consumers">Consumers subscribed to the queue, across all applications.</param>
/// <param name="ReadAt">When it was read.</param>
public sealed record QueueDepth(string Queue, WarrenQueueKind Kind, bool Exists, long ReadyMessages, long Consumers, DateTimeOffset ReadAt);

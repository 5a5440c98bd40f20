using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;

namespace Warren;

/// <summary>Where a queue's consumer is in its life.</summary>
public enum ConsumerState
{
    /// <summary>Opening its channel and subscribing.</summary>
    Starting,

    /// <summary>Subscribed: deliveries flow.</summary>
    Running,

    /// <summary>
    /// Not consuming, and working on it: its channel or subscription was lost (closed by the broker, queue deleted,
    /// consumer cancelled, connection lost) and a new one is being opened with back-off.
    /// </summary>
    Restarting,

    /// <summary>Stopped by the application (graceful stop).</summary>
    Stopped,
}

/// <summary>One consumer's state, for health checks and dashboards.</summary>
/// <param name="Queue">The queue consumed.</param>
/// <param name="State">Where the consumer is.</param>
/// <param name="RestartCount">How many times Warren opened a new channel and subscription after losing one.</param>
/// <param name="LastError">Why the consumer last stopped consuming without being asked to (null if it never did).</param>
/// <param name="LastErrorAt">When that happened.</param>
/// <param name="Since">When the consumer entered <paramref name="State"/>.</param>
public sealed record ConsumerStatus(string Queue, ConsumerState State, int RestartCount, string? LastError, DateTimeOffset? LastErrorAt, DateTimeOffset Since)
{
    /// <summary>
    /// Handlers still running a grace period after their <c>HandlerTimeout</c> fired (they ignore their cancellation
    /// token): none settles its message until it returns, and each holds a prefetch and concurrency slot while its
    /// channel stays open (if the channel closes first, the broker requeues the message). Only handlers of the consumer's
    /// current channel count: one whose channel closes under it (connection lost, consumer stopped) is logged as
    /// abandoned and no longer counted. The consumers' health check is Degraded while this is above zero.
    /// </summary>
    public int HandlersPastTimeout { get; init; }
}

/// <summary>
/// The consumers of this application and their states (registered by <c>AddWarren</c>; inject it). A consumer that
/// is <see cref="ConsumerState.Restarting"/> is not receiving messages.
/// </summary>
public sealed class WarrenConsumers
{
    private readonly ConcurrentDictionary<string, ConsumerStatus> _statuses = new(StringComparer.Ordinal);

    // Kept apart from the states so that a state change and a handler passing its timeout never overwrite each other.
    private readonly ConcurrentDictionary<string, int> _pastTimeout = new(StringComparer.Ordinal);

    /// <summary>Every consumer's current status, ordered by queue name.</summary>
    public IReadOnlyList<ConsumerStatus> Statuses => _statuses.Values.Select(WithPastTimeout).OrderBy(s => s.Queue, StringComparer.Ordinal).ToArray();

    /// <summary>True when every consumer is <see cref="ConsumerState.Running"/> (and there is at least one).</summary>
    public bool AllRunning => !_statuses.IsEmpty && _statuses.Values.All(s => s.State == ConsumerState.Running);

    /// <summary>The status of the consumer of <paramref name="queue"/>, or null when this application does not consume it.</summary>
    public ConsumerStatus? Get(string queue) => _statuses.TryGetValue(queue, out var status) ? WithPastTimeout(status) : null;

    internal void Set(ConsumerStatus status) => _statuses[status.Queue] = status;

    /// <summary>Counts a handler of <paramref name="queue"/> that started (+1) or stopped (-1) running past its timeout.</summary>
    internal void HandlersPastTimeout(string queue, int change) => _pastTimeout.AddOrUpdate(queue, change, (_, count) => count + change);

    private ConsumerStatus WithPastTimeout(ConsumerStatus status) =>
        _pastTimeout.TryGetValue(status.Queue, out var count) && count != status.HandlersPastTimeout ? status with { HandlersPastTimeout = count } : status;
}

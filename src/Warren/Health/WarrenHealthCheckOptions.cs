using System;
using System.Collections.Generic;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Warren;

/// <summary>What <c>AddWarrenHealthChecks</c> registers and the thresholds its checks apply.</summary>
public sealed class WarrenHealthCheckOptions
{
    /// <summary>The tag of the readiness checks (connections, consumers, queue depths). Default <c>ready</c>.</summary>
    public string ReadinessTag { get; set; } = "ready";

    /// <summary>The tag of the liveness check. Default <c>live</c>.</summary>
    public string LivenessTag { get; set; } = "live";

    /// <summary>
    /// How long a consumer may stay without its subscription, or a connection lost or given up, before the liveness check
    /// fails: a restart of the process is then the remaining remedy. Default 5 minutes.
    /// </summary>
    public TimeSpan LivenessGracePeriod { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long a start under way (<see cref="WarrenStartupState.Starting"/>) may go without any sign of progress — no
    /// connection attempt, no failed attempt, no topology declared, no consumer started — before the liveness check
    /// fails: such a start is stuck, not waiting for a broker that is down (a start that cannot reach the broker retries
    /// and logs every attempt, and stays live). Keep it above <see cref="WarrenOptions.ConnectTimeout"/> plus 30 s (the
    /// longest pause between attempts): a shorter period reports a start that is waiting between attempts as stalled.
    /// Must be positive (<c>AddWarrenHealthChecks</c> throws <see cref="ArgumentOutOfRangeException"/> otherwise).
    /// Default 5 minutes.
    /// </summary>
    public TimeSpan StalledStartPeriod { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Ready messages a consumed queue may hold before the queue check reports <see cref="QueueDepthFailureStatus"/>; null (the default) checks none.</summary>
    public long? MaxReadyMessages { get; set; }

    /// <summary>Messages a dead-letter queue of the application may hold before the queue check reports <see cref="QueueDepthFailureStatus"/>; null (the default) checks none.</summary>
    public long? MaxDeadLetterMessages { get; set; }

    /// <summary>Per-queue limits of ready messages, for any queue (consumed, dead-letter or other); they replace the two limits above for the queues they name.</summary>
    public IDictionary<string, long> QueueThresholds { get; } = new Dictionary<string, long>(StringComparer.Ordinal);

    /// <summary>What a queue over its limit reports. Default <see cref="HealthStatus.Degraded"/>.</summary>
    public HealthStatus QueueDepthFailureStatus { get; set; } = HealthStatus.Degraded;

    internal bool ChecksQueues => MaxReadyMessages is not null || MaxDeadLetterMessages is not null || QueueThresholds.Count > 0;
}

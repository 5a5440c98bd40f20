using System;
using System.Collections.Generic;

namespace Warren;

/// <summary>
/// Queue-depth monitoring without the management plugin, bound from <c>Warren:Monitoring</c>: which queues are read,
/// how often, and above which backlog a warning is logged (the RabbitMQ guide's <c>messages_ready &gt; 1000</c> alert).
/// </summary>
public sealed class WarrenMonitoringOptions
{
    /// <summary>The configuration section, under <c>Warren</c>.</summary>
    public const string SectionName = "Warren:Monitoring";

    /// <summary>How often the application's queues and dead-letter queues are read (a passive declare each). Default 30 s; <see cref="TimeSpan.Zero"/> turns the reading off.</summary>
    public TimeSpan QueueDepthInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Ready messages above which a queue's backlog is logged as a warning. Default 1,000; null turns the warning off.</summary>
    public long? BacklogWarningThreshold { get; set; } = 1000;

    /// <summary>Per-queue thresholds that replace <see cref="BacklogWarningThreshold"/> for the queues they name.</summary>
    public IDictionary<string, long> BacklogThresholds { get; } = new Dictionary<string, long>(StringComparer.Ordinal);

    /// <summary>More queues to read besides the ones this application consumes and their dead-letter queues (e.g. a queue it only publishes to).</summary>
    public IList<string> Queues { get; } = new List<string>();

    /// <summary>While a queue stays above its threshold, the warning is repeated at most this often. Default 5 minutes.</summary>
    public TimeSpan BacklogWarningRepeat { get; set; } = TimeSpan.FromMinutes(5);
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Warren;

/// <summary>
/// Both connections: open (Healthy), blocked by a resource alarm (Degraded), recovering, given up or closed (Unhealthy).
/// Not yet opened is Healthy (connections open on first use) unless the host is starting Warren: from the start
/// (<see cref="WarrenStartupState.Starting"/>, either start mode) until it is ready, the check is Unhealthy, with the
/// last failure if an attempt failed.
/// </summary>
internal sealed class ConnectionsHealthCheck(WarrenConnections connections, WarrenStartup? startup = null) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var statuses = new[] { connections.GetStatus(ConnectionRole.Publish), connections.GetStatus(ConnectionRole.Consume) };
        var data = statuses.ToDictionary(s => s.Role.ToString().ToLowerInvariant(), s => (object)s.State.ToString());
        if (StartupHealth.NotReady(startup, connections) is { } notReady)
        {
            data["startup"] = WarrenStartupState.Starting.ToString();
            return Task.FromResult(HealthCheckResult.Unhealthy(notReady, data: data));
        }

        var bad = statuses.Where(s => s.State is WarrenConnectionState.Recovering or WarrenConnectionState.Failed or WarrenConnectionState.Closed).ToArray();
        if (bad.Length > 0)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy(string.Join("; ", bad.Select(Describe)), data: data));
        }

        var blocked = statuses.Where(s => s.State == WarrenConnectionState.Blocked).ToArray();
        return Task.FromResult(blocked.Length > 0
            ? HealthCheckResult.Degraded(string.Join("; ", blocked.Select(Describe)), data: data)
            : HealthCheckResult.Healthy("connections open (or not needed yet)", data));
    }

    private static string Describe(WarrenConnectionStatus status) =>
        $"{status.Role.ToString().ToLowerInvariant()} connection {status.State.ToString().ToLowerInvariant()} since {status.Since:O}" + (status.LastError is { } error ? $": {error}" : string.Empty);
}

/// <summary>
/// Every consumer: running (Healthy), starting or running with handlers past their <c>HandlerTimeout</c> (Degraded),
/// restarting or stopped (Unhealthy: its queue is not being consumed). While the host is still starting Warren (connecting, declaring, subscribing) the check is Unhealthy.
/// </summary>
internal sealed class ConsumersHealthCheck(WarrenConsumers consumers, WarrenStartup? startup = null, WarrenConnections? connections = null) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var statuses = consumers.Statuses;
        var data = statuses.ToDictionary(s => s.Queue, s => (object)s.State.ToString());
        if (StartupHealth.NotReady(startup, connections) is { } notReady)
        {
            var queues = statuses.Count == 0 ? "consumers" : string.Join(", ", statuses.Select(s => $"'{s.Queue}'"));
            return Task.FromResult(HealthCheckResult.Unhealthy($"{queues} not started yet: {notReady}", data: data));
        }

        var down = statuses.Where(s => s.State is ConsumerState.Restarting or ConsumerState.Stopped).ToArray();
        if (down.Length > 0)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy(
                string.Join("; ", down.Select(s => $"queue '{s.Queue}' {s.State.ToString().ToLowerInvariant()} since {s.Since:O} (restarts {s.RestartCount})" + (s.LastError is { } error ? $": {error}" : string.Empty))),
                data: data));
        }

        // Starting, or running with handlers past their timeout: those hold their messages and slots until they return.
        var degraded = statuses
            .Where(s => s.State == ConsumerState.Starting || s.HandlersPastTimeout > 0)
            .Select(s => s.State == ConsumerState.Starting ? $"queue '{s.Queue}' starting"
                : $"queue '{s.Queue}': {s.HandlersPastTimeout} handler(s) still running past their HandlerTimeout (their messages are not settled until they return, and they hold their slots while their channel stays open; the broker requeues those whose channel closed)")
            .ToArray();
        return Task.FromResult(degraded.Length > 0
            ? HealthCheckResult.Degraded(string.Join("; ", degraded), data: data)
            : HealthCheckResult.Healthy($"{statuses.Count} consumer(s) running", data));
    }
}

/// <summary>What the readiness checks say while the host is still starting Warren.</summary>
internal static class StartupHealth
{
    /// <summary>
    /// Null unless the host is starting Warren; then why it is not ready, as it is: not yet connected (the broker not
    /// reached yet), connected and still starting (or retrying a start that failed, naming the step it failed in), or connected then lost
    /// (a connection recovering or given up); with the last failure if any.
    /// </summary>
    public static string? NotReady(WarrenStartup? startup, WarrenConnections? connections)
    {
        if (startup is not { State: WarrenStartupState.Starting })
        {
            return null;
        }

        var since = startup.StartedAt is { } startedAt ? $" (started {startedAt:O})" : string.Empty;

        // The newer of a failed connection attempt (each retry of the one under way counts) and a failed
        // start (a declaration the broker refused, for instance).
        // One snapshot of the start's failure, taken under its lock (the message, its time and its step belong together).
        var startFailure = startup.LastFailure;
        var (error, at) = (startFailure?.Error, startFailure?.At);
        if (connections?.LastConnectFailure is { } failure && (at is null || failure.At >= at))
        {
            (error, at) = (failure.Error.Message, failure.At);
        }

        var what = Where(connections, startFailure);
        return error is null
            ? $"{what}{since}; no attempt has failed yet"
            : $"{what}{since}; last failure at {at:O}: {error}";
    }

    private static string Where(WarrenConnections? connections, (string Error, DateTimeOffset At, string? Step)? startFailure)
    {
        if (connections is null)
        {
            return "not ready: Warren is still starting (connecting, declaring the topology, subscribing the consumers)";
        }

        var statuses = new[] { connections.GetStatus(ConnectionRole.Consume), connections.GetStatus(ConnectionRole.Publish) };
        var lost = statuses.Where(s => s.State is WarrenConnectionState.Recovering or WarrenConnectionState.Failed).ToArray();
        if (lost.Length > 0)
        {
            return "connected, then lost: " + string.Join("; ", lost.Select(s =>
                $"the {s.Role.ToString().ToLowerInvariant()} connection "
                + (s.State == WarrenConnectionState.Recovering ? "is recovering" : "was given up and is opened again on next use")
                + $" since {s.Since:O}" + (s.LastError is { } reason ? $" ({reason})" : string.Empty)))
                + "; Warren is still starting";
        }

        var open = statuses.Where(s => s.State is WarrenConnectionState.Open or WarrenConnectionState.Blocked).ToArray();
        if (open.Length > 0)
        {
            // A start that failed since a connection opened failed after reaching the broker; one that failed before
            // (the broker refused connections, then answered) is being tried again on the open connection.
            return startFailure is { } failed && open.Any(s => failed.At >= s.Since)
                ? "connected, but the start failed " + FailedStep(failed.Step)
                : "connected: Warren is still starting (declaring the topology, subscribing the consumers)";
        }

        if (statuses.Any(s => s.State == WarrenConnectionState.Closed))
        {
            return "not connected: the connections were closed; Warren is still starting";
        }

        return "not yet connected: Warren is still connecting, the broker has not been reached yet";
    }

    /// <summary>
    /// The step a failed start was in: the last it reported before failing (a step under way, or the last one done), or
    /// none when it failed before reaching any (<see cref="WarrenStartup.LastFailure"/> never holds a marker).
    /// </summary>
    internal static string FailedStep(string? step) => step switch
    {
        null => "before it reached any step",
        _ when IsUnderWay(step) => "while " + step,
        _ => $"after its last step ({step})",
    };

    /// <summary>True for a step under way ("opening the publish connection"), false for one done ("topology declared").</summary>
    internal static bool IsUnderWay(string step) =>
        step.StartsWith("opening ", StringComparison.Ordinal)
        || step.StartsWith("declaring ", StringComparison.Ordinal)
        || step.StartsWith("subscribing ", StringComparison.Ordinal)
        || step.StartsWith("starting ", StringComparison.Ordinal);
}

/// <summary>Queue depths read now, against the configured limits.</summary>
internal sealed class QueueDepthHealthCheck(WarrenQueueMonitor monitor, WarrenHealthCheckOptions options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var limits = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var queue in monitor.WatchedQueues)
        {
            if ((monitor.KindOf(queue) == WarrenQueueKind.DeadLetter ? options.MaxDeadLetterMessages : options.MaxReadyMessages) is { } limit)
            {
                limits[queue] = limit;
            }
        }

        foreach (var (queue, limit) in options.QueueThresholds)
        {
            limits[queue] = limit;
        }

        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        var problems = new List<string>();
        var unreadable = false;
        foreach (var (queue, limit) in limits)
        {
            try
            {
                var depth = await monitor.GetDepthAsync(queue, cancellationToken).ConfigureAwait(false);
                data[queue] = depth.ReadyMessages;
                if (!depth.Exists)
                {
                    problems.Add($"queue '{queue}' does not exist");
                    unreadable = true;
                }
                else if (depth.ReadyMessages > limit)
                {
                    problems.Add($"queue '{queue}' has {depth.ReadyMessages} ready messages, above {limit}");
                }
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                problems.Add($"queue '{queue}' could not be read: {ex.Message}");
                unreadable = true;
            }
        }

        if (problems.Count == 0)
        {
            return HealthCheckResult.Healthy($"{limits.Count} queue(s) within their limits", data);
        }

        return new HealthCheckResult(unreadable ? HealthStatus.Unhealthy : options.QueueDepthFailureStatus, string.Join("; ", problems), data: data);
    }
}

/// <summary>
/// Liveness: Unhealthy only when Warren has been unable to consume or connect for longer than the grace period — a
/// consumer restarting, or a connection recovering or given up, since before then — or when its start has stalled: no
/// step, no attempt and no failure for longer than <see cref="WarrenHealthCheckOptions.StalledStartPeriod"/>. Short
/// outages that recovery handles keep the process alive, and so does a start that keeps retrying a broker that is down
/// (each attempt is a step): restarting the process would not bring the broker back.
/// </summary>
internal sealed class LivenessHealthCheck(WarrenConnections connections, WarrenConsumers consumers, WarrenHealthCheckOptions options, WarrenStartup? startup = null) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        // Connection and consumer states are both stamped on the connections' clock (the TimeProvider registered in DI).
        var cutoff = connections.Time.GetUtcNow() - options.LivenessGracePeriod;
        var stuck = new List<string>();
        string? stalled = null;
        if (startup is { State: WarrenStartupState.Starting, LastProgress: var (step, at) } && startup.Now - at > options.StalledStartPeriod)
        {
            stalled = $"Warren's start has stalled: no attempt and no progress for longer than {options.StalledStartPeriod} (started {startup.StartedAt:O}; last sign of progress at {at:O}: {step})";
        }

        foreach (var status in new[] { connections.GetStatus(ConnectionRole.Publish), connections.GetStatus(ConnectionRole.Consume) })
        {
            if (status.State is WarrenConnectionState.Recovering or WarrenConnectionState.Failed && status.Since < cutoff)
            {
                stuck.Add($"{status.Role.ToString().ToLowerInvariant()} connection {status.State.ToString().ToLowerInvariant()} since {status.Since:O}");
            }
        }

        foreach (var status in consumers.Statuses)
        {
            if (status.State == ConsumerState.Restarting && status.Since < cutoff)
            {
                stuck.Add($"queue '{status.Queue}' not consumed since {status.Since:O}: {status.LastError}");
            }
        }

        if (stalled is null && stuck.Count == 0)
        {
            return Task.FromResult(HealthCheckResult.Healthy("no lasting failure"));
        }

        // The stalled start names its own period; the other failures share the grace period.
        var lasting = stuck.Count == 0 ? null : $"longer than {options.LivenessGracePeriod}: " + string.Join("; ", stuck);
        return Task.FromResult(HealthCheckResult.Unhealthy(string.Join("; ", new[] { stalled, lasting }.OfType<string>())));
    }
}

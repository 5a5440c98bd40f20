using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Warren;

/// <summary>
/// Both connections: open (Healthy), blocked by a resource alarm (Degraded), recovering, given up or closed (Unhealthy).
/// Not yet opened is Healthy (connections open on first use) unless the start is still trying to reach the broker
/// (<see cref="WarrenStartMode.Background"/> after a failed attempt): that is Unhealthy, with the last failure.
/// </summary>
internal sealed class ConnectionsHealthCheck(WarrenConnections connections, WarrenStartup? startup = null) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var statuses = new[] { connections.GetStatus(ConnectionRole.Publish), connections.GetStatus(ConnectionRole.Consume) };
        var data = statuses.ToDictionary(s => s.Role.ToString().ToLowerInvariant(), s => (object)s.State.ToString());
        if (startup is { State: WarrenStartupState.Starting, LastError: { } startError })
        {
            data["startup"] = startup.State.ToString();
            return Task.FromResult(HealthCheckResult.Unhealthy(
                $"the broker has not been reached yet (last attempt {startup.LastErrorAt:O}): {startError}", data: data));
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

/// <summary>Every consumer: running (Healthy), starting (Degraded), restarting or stopped (Unhealthy: its queue is not being consumed).</summary>
internal sealed class ConsumersHealthCheck(WarrenConsumers consumers) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var statuses = consumers.Statuses;
        var data = statuses.ToDictionary(s => s.Queue, s => (object)s.State.ToString());
        var down = statuses.Where(s => s.State is ConsumerState.Restarting or ConsumerState.Stopped).ToArray();
        if (down.Length > 0)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy(
                string.Join("; ", down.Select(s => $"queue '{s.Queue}' {s.State.ToString().ToLowerInvariant()} since {s.Since:O} (restarts {s.RestartCount})" + (s.LastError is { } error ? $": {error}" : string.Empty))),
                data: data));
        }

        var starting = statuses.Where(s => s.State == ConsumerState.Starting).ToArray();
        return Task.FromResult(starting.Length > 0
            ? HealthCheckResult.Degraded(string.Join("; ", starting.Select(s => $"queue '{s.Queue}' starting")), data: data)
            : HealthCheckResult.Healthy($"{statuses.Count} consumer(s) running", data));
    }
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
/// consumer restarting, or a connection recovering or given up, since before then. Short outages that recovery handles
/// keep the process alive.
/// </summary>
internal sealed class LivenessHealthCheck(WarrenConnections connections, WarrenConsumers consumers, WarrenHealthCheckOptions options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var cutoff = DateTimeOffset.UtcNow - options.LivenessGracePeriod;
        var stuck = new List<string>();
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

        return Task.FromResult(stuck.Count == 0
            ? HealthCheckResult.Healthy("no lasting failure")
            : HealthCheckResult.Unhealthy($"longer than {options.LivenessGracePeriod}: " + string.Join("; ", stuck)));
    }
}

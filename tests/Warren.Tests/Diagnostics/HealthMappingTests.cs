using System;
using System.Threading.Tasks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit;

namespace Warren.Tests.Diagnostics;

/// <summary>How the consumer and liveness checks map consumer states to health, with statuses set by the test.</summary>
public sealed class HealthMappingTests
{
    private static readonly WarrenConnections Connections = new(Options.Create(new WarrenOptions()), NullLogger<WarrenConnections>.Instance);

    [Fact]
    public async Task A_starting_consumer_is_degraded_a_restarting_or_stopped_one_unhealthy_and_running_ones_healthy()
    {
        var consumers = new WarrenConsumers();
        var check = new ConsumersHealthCheck(consumers);
        consumers.Set(Status("orders", ConsumerState.Running));
        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(new HealthCheckContext())).Status);

        consumers.Set(Status("invoices", ConsumerState.Starting));
        var starting = await check.CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Degraded, starting.Status);
        Assert.Contains("queue 'invoices' starting", starting.Description, StringComparison.Ordinal);
        Assert.Equal("Starting", starting.Data["invoices"]);

        // A consumer down outweighs one starting.
        consumers.Set(Status("emails", ConsumerState.Restarting, "the queue was deleted"));
        var down = await check.CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Unhealthy, down.Status);
        Assert.Contains("queue 'emails' restarting", down.Description, StringComparison.Ordinal);
        Assert.Contains("the queue was deleted", down.Description, StringComparison.Ordinal);

        consumers.Set(Status("emails", ConsumerState.Stopped));
        Assert.Equal(HealthStatus.Unhealthy, (await check.CheckHealthAsync(new HealthCheckContext())).Status);
    }

    [Fact]
    public async Task Liveness_turns_unhealthy_only_once_a_consumer_has_been_restarting_longer_than_the_grace_period()
    {
        var consumers = new WarrenConsumers();
        var options = new WarrenHealthCheckOptions { LivenessGracePeriod = TimeSpan.FromSeconds(30) };
        var check = new LivenessHealthCheck(Connections, consumers, options);
        consumers.Set(Status("orders", ConsumerState.Restarting, "channel closed", since: DateTimeOffset.UtcNow - TimeSpan.FromSeconds(5)));
        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(new HealthCheckContext())).Status);

        consumers.Set(Status("orders", ConsumerState.Restarting, "channel closed", since: DateTimeOffset.UtcNow - TimeSpan.FromSeconds(31)));
        var stuck = await check.CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Unhealthy, stuck.Status);
        Assert.Contains("queue 'orders' not consumed since", stuck.Description, StringComparison.Ordinal);
        Assert.Contains("channel closed", stuck.Description, StringComparison.Ordinal);

        // Starting or stopped for long is not a lasting failure of Warren's: liveness stays Healthy.
        consumers.Set(Status("orders", ConsumerState.Stopped, since: DateTimeOffset.UtcNow - TimeSpan.FromHours(1)));
        consumers.Set(Status("invoices", ConsumerState.Starting, since: DateTimeOffset.UtcNow - TimeSpan.FromHours(1)));
        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(new HealthCheckContext())).Status);
    }

    private static ConsumerStatus Status(string queue, ConsumerState state, string? error = null, DateTimeOffset? since = null) =>
        new(queue, state, 0, error, error is null ? null : DateTimeOffset.UtcNow, since ?? DateTimeOffset.UtcNow);
}

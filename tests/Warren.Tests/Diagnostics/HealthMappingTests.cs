using System;
using System.Threading.Tasks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Warren.Tests.Support;
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
    public async Task While_the_host_is_starting_Warren_the_readiness_checks_are_unhealthy_even_before_any_attempt_failed()
    {
        var startup = new WarrenStartup();
        var consumers = new WarrenConsumers();
        var connectionsCheck = new ConnectionsHealthCheck(Connections, startup);
        var consumersCheck = new ConsumersHealthCheck(consumers, startup, Connections);
        consumers.Set(Status("orders", ConsumerState.Starting));

        // Not started by a host: connections open on first use.
        Assert.Equal(HealthStatus.Healthy, (await connectionsCheck.CheckHealthAsync(new HealthCheckContext())).Status);

        // The first attempt is under way and nothing has failed yet.
        startup.Begin(gatePublishes: true);
        var connecting = await connectionsCheck.CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Unhealthy, connecting.Status);
        Assert.Contains("not yet connected", connecting.Description, StringComparison.Ordinal);
        Assert.Contains("no attempt has failed yet", connecting.Description, StringComparison.Ordinal);
        Assert.Equal("Starting", connecting.Data["startup"]);
        var notStarted = await consumersCheck.CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Unhealthy, notStarted.Status);
        Assert.Contains("'orders' not started yet: not yet connected", notStarted.Description, StringComparison.Ordinal);

        // An attempt failed: the checks say why.
        startup.Fail(new WarrenConnectionException("Could not open the consume connection: connection refused."));
        var failed = await connectionsCheck.CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Unhealthy, failed.Status);
        Assert.Contains("last failure at", failed.Description, StringComparison.Ordinal);
        Assert.Contains("connection refused", failed.Description, StringComparison.Ordinal);
        Assert.Contains("connection refused", (await consumersCheck.CheckHealthAsync(new HealthCheckContext())).Description, StringComparison.Ordinal);

        // Ready: connections not opened here stay Healthy (first use), the consumers' own states count again.
        startup.Ready();
        Assert.Equal(HealthStatus.Healthy, (await connectionsCheck.CheckHealthAsync(new HealthCheckContext())).Status);
        consumers.Set(Status("orders", ConsumerState.Running));
        Assert.Equal(HealthStatus.Healthy, (await consumersCheck.CheckHealthAsync(new HealthCheckContext())).Status);
    }

    [Fact]
    public async Task A_start_that_failed_opening_the_publish_connection_is_not_blamed_on_the_topology()
    {
        var (connection, _) = FakeConnection.Create();
        await using var connections = new WarrenConnections(Options.Create(new WarrenOptions()), NullLogger<WarrenConnections>.Instance, new QueuedConnections(() => connection));
        var startup = new WarrenStartup();
        var connectionsCheck = new ConnectionsHealthCheck(connections, startup);
        startup.Begin(gatePublishes: true);

        // The consume connection opened, the topology was declared and the consumers subscribed; then the publish
        // connection was refused.
        startup.Progress("opening the consume connection");
        await connections.GetConsumeConnectionAsync();
        startup.Progress("declaring the topology");
        startup.Progress("topology declared");
        startup.Progress("subscribing the consumer of queue 'orders'");
        startup.Progress("consumer of queue 'orders' started");
        startup.Progress("opening the publish connection");
        startup.Fail(new WarrenConnectionException("Could not open the publish connection: connection refused."));

        var refused = await connectionsCheck.CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Unhealthy, refused.Status);
        Assert.StartsWith("connected, but the start failed while opening the publish connection", refused.Description, StringComparison.Ordinal);
        Assert.DoesNotContain("declaring", refused.Description, StringComparison.Ordinal);
        Assert.Contains("connection refused", refused.Description, StringComparison.Ordinal);
        Assert.Equal("opening the publish connection", startup.LastFailure?.Step);

        // A step that was done rather than under way is named as the last one done.
        Assert.Equal("after its last step (consumer of queue 'orders' started)", StartupHealth.FailedStep("consumer of queue 'orders' started"));
    }

    [Fact]
    public async Task A_failure_that_no_step_preceded_says_so_and_never_names_a_marker_as_its_step()
    {
        var (connection, _) = FakeConnection.Create();
        await using var connections = new WarrenConnections(Options.Create(new WarrenOptions()), NullLogger<WarrenConnections>.Instance, new QueuedConnections(() => connection));
        var startup = new WarrenStartup();
        var connectionsCheck = new ConnectionsHealthCheck(connections, startup);
        await connections.GetConsumeConnectionAsync();

        // The start began and failed before it reported any step: "the start began" is no step of it.
        startup.Begin(gatePublishes: true);
        startup.Fail(new InvalidOperationException("first failure"));
        Assert.Null(startup.LastFailure?.Step);
        var first = await connectionsCheck.CheckHealthAsync(new HealthCheckContext());
        Assert.StartsWith("connected, but the start failed before it reached any step", first.Description, StringComparison.Ordinal);
        Assert.DoesNotContain("the start began", first.Description, StringComparison.Ordinal);

        // A step, a failure in it, then a second failure with no step since: the second names no step, and never the
        // failure before it ("an attempt failed" is a sign of life for liveness, not a step).
        startup.Progress("declaring the topology");
        startup.Fail(new InvalidOperationException("406 PRECONDITION_FAILED"));
        Assert.Equal("declaring the topology", startup.LastFailure?.Step);
        startup.Fail(new InvalidOperationException("second failure"));
        Assert.Null(startup.LastFailure?.Step);
        var second = await connectionsCheck.CheckHealthAsync(new HealthCheckContext());
        Assert.StartsWith("connected, but the start failed before it reached any step", second.Description, StringComparison.Ordinal);
        Assert.DoesNotContain("an attempt failed", second.Description, StringComparison.Ordinal);
        Assert.DoesNotContain("after its last step", second.Description, StringComparison.Ordinal);
        Assert.Contains("second failure", second.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Once_the_broker_was_reached_the_readiness_checks_no_longer_say_not_yet_connected()
    {
        var (connection, fake) = FakeConnection.Create();
        await using var connections = new WarrenConnections(Options.Create(new WarrenOptions()), NullLogger<WarrenConnections>.Instance, new QueuedConnections(() => connection));
        var startup = new WarrenStartup();
        var consumers = new WarrenConsumers();
        var connectionsCheck = new ConnectionsHealthCheck(connections, startup);
        var consumersCheck = new ConsumersHealthCheck(consumers, startup, connections);
        startup.Begin(gatePublishes: true);
        Assert.Contains("not yet connected", (await connectionsCheck.CheckHealthAsync(new HealthCheckContext())).Description, StringComparison.Ordinal);

        // Connected: still starting (declaring, subscribing), but not "not yet connected".
        await connections.GetConsumeConnectionAsync();
        var connected = await connectionsCheck.CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Unhealthy, connected.Status);
        Assert.StartsWith("connected: Warren is still starting", connected.Description, StringComparison.Ordinal);
        Assert.DoesNotContain("not yet connected", connected.Description, StringComparison.Ordinal);

        // A later step of the start failed on the open connection (a declaration the broker refused).
        startup.Progress("declaring the topology");
        startup.Fail(new InvalidOperationException("406 PRECONDITION_FAILED - inequivalent arg 'x-queue-type'"));
        var declarationFailed = await connectionsCheck.CheckHealthAsync(new HealthCheckContext());
        Assert.StartsWith("connected, but the start failed while declaring the topology", declarationFailed.Description, StringComparison.Ordinal);
        Assert.Contains("last failure at", declarationFailed.Description, StringComparison.Ordinal);
        Assert.Contains("PRECONDITION_FAILED", declarationFailed.Description, StringComparison.Ordinal);
        Assert.DoesNotContain("not yet connected", (await consumersCheck.CheckHealthAsync(new HealthCheckContext())).Description, StringComparison.Ordinal);

        // Then the connection is lost: it was connected, and is recovering.
        await fake.RaiseShutdownAsync(RabbitMQ.Client.ShutdownInitiator.Peer, 320, "CONNECTION_FORCED - broker forced connection closure");
        Assert.Equal(WarrenConnectionState.Recovering, connections.GetStatus(ConnectionRole.Consume).State);
        var lost = await connectionsCheck.CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Unhealthy, lost.Status);
        Assert.StartsWith("connected, then lost: the consume connection is recovering since", lost.Description, StringComparison.Ordinal);
        Assert.Contains("CONNECTION_FORCED", lost.Description, StringComparison.Ordinal);
        Assert.DoesNotContain("not yet connected", lost.Description, StringComparison.Ordinal);
        var consumersLost = await consumersCheck.CheckHealthAsync(new HealthCheckContext());
        Assert.Contains("not started yet: connected, then lost", consumersLost.Description, StringComparison.Ordinal);
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

    [Fact]
    public async Task A_running_consumer_with_handlers_past_their_timeout_is_degraded_until_they_return_and_a_state_change_keeps_the_count()
    {
        var consumers = new WarrenConsumers();
        var check = new ConsumersHealthCheck(consumers);
        consumers.Set(Status("orders", ConsumerState.Running));
        consumers.HandlersPastTimeout("orders", 1);
        consumers.HandlersPastTimeout("orders", 1);

        var hung = await check.CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Degraded, hung.Status);
        Assert.Contains("queue 'orders': 2 handler(s) still running past their HandlerTimeout", hung.Description, StringComparison.Ordinal);
        Assert.Equal(2, consumers.Get("orders")!.HandlersPastTimeout);

        // A new state (a restart) does not lose the count: those handlers still hold their messages.
        consumers.Set(Status("orders", ConsumerState.Running));
        Assert.Equal(2, Assert.Single(consumers.Statuses).HandlersPastTimeout);

        consumers.HandlersPastTimeout("orders", -1);
        consumers.HandlersPastTimeout("orders", -1);
        Assert.Equal(0, consumers.Get("orders")!.HandlersPastTimeout);
        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(new HealthCheckContext())).Status);
    }

    [Theory]
    [InlineData(100, 1000)]
    [InlineData(3000, 3000)]
    [InlineData(60_000, 5000)]
    public void The_grace_before_a_handler_is_reported_past_its_timeout_is_the_timeout_within_one_to_five_seconds(int timeoutMs, int graceMs) =>
        Assert.Equal(TimeSpan.FromMilliseconds(graceMs), HandlerOverrunWatch.GraceFor(TimeSpan.FromMilliseconds(timeoutMs)));

    private static ConsumerStatus Status(string queue, ConsumerState state, string? error = null, DateTimeOffset? since = null) =>
        new(queue, state, 0, error, error is null ? null : DateTimeOffset.UtcNow, since ?? DateTimeOffset.UtcNow);
}

using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using Warren.Infrastructure;
using Xunit;

namespace Warren.Tests.Diagnostics;

/// <summary>
/// Liveness during a start: a broker that stays down never restarts the process (the start retries and logs each
/// attempt), a start that makes no attempt and no progress for longer than <c>StalledStartPeriod</c> does.
/// </summary>
public sealed class StalledStartLivenessTests
{
    [Fact]
    public async Task A_start_retrying_a_broker_that_is_down_stays_live_and_one_without_progress_fails_liveness()
    {
        var clock = new SetClock();
        var startup = new WarrenStartup(clock);
        var connections = new WarrenConnections(Options.Create(new WarrenOptions()), NullLogger<WarrenConnections>.Instance);
        var options = new WarrenHealthCheckOptions { StalledStartPeriod = TimeSpan.FromMinutes(5) };
        var check = new LivenessHealthCheck(connections, new WarrenConsumers(), options, startup);
        startup.Begin(gatePublishes: true);
        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(new HealthCheckContext())).Status);

        // The broker is down for an hour: an attempt fails every minute (and each is logged), the process stays live.
        for (var minute = 1; minute <= 60; minute++)
        {
            clock.Advance(TimeSpan.FromMinutes(1));
            startup.AttemptBegan(minute);
            startup.Fail(new WarrenConnectionException("Could not open the consume connection: connection refused."));
            Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(new HealthCheckContext())).Status);
        }

        // Then nothing happens any more: no attempt, no failure, no step.
        clock.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(new HealthCheckContext())).Status);
        clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        var stalled = await check.CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Unhealthy, stalled.Status);
        Assert.StartsWith("Warren's start has stalled: no attempt and no progress for longer than 00:05:00", stalled.Description, StringComparison.Ordinal);
        Assert.Contains("an attempt failed", stalled.Description, StringComparison.Ordinal);

        // A step brings it back; once ready, time without steps no longer matters.
        startup.Progress("topology declared");
        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(new HealthCheckContext())).Status);
        startup.Ready();
        clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(new HealthCheckContext())).Status);
    }

    [Fact]
    public async Task A_background_start_stuck_opening_a_connection_fails_liveness_after_the_stalled_start_period()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddWarren(o =>
        {
            o.Url = "amqp://localhost:5672/";
            o.StartMode = WarrenStartMode.Background;
        });
        services.AddSingleton<IConnectionSource, HangsForever>();
        services.AddHealthChecks().AddWarrenHealthChecks(o => o.StalledStartPeriod = TimeSpan.FromMilliseconds(300));
        await using var provider = services.BuildServiceProvider();
        var hosted = provider.GetServices<IHostedService>().ToArray();
        var health = provider.GetRequiredService<HealthCheckService>();
        var source = (HangsForever)provider.GetRequiredService<IConnectionSource>();
        foreach (var service in hosted)
        {
            await service.StartAsync(CancellationToken.None);
        }

        try
        {
            // The start reaches the connection attempt, which never ends: the last step is that attempt.
            await source.Asked.Task.WaitAsync(TimeSpan.FromSeconds(10));
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            HealthReportEntry live;
            while ((live = (await health.CheckHealthAsync(c => c.Tags.Contains("live"))).Entries["warren-liveness"]).Status == HealthStatus.Healthy)
            {
                Assert.True(DateTime.UtcNow < deadline, "liveness stayed Healthy while the start made no progress: " + live.Description);
                await Task.Delay(50);
            }

            Assert.Equal(HealthStatus.Unhealthy, live.Status);
            Assert.Contains("Warren's start has stalled", live.Description, StringComparison.Ordinal);
            Assert.Contains("opening the consume connection", live.Description, StringComparison.Ordinal);
            Assert.Equal(WarrenStartupState.Starting, provider.GetRequiredService<WarrenStartup>().State);
        }
        finally
        {
            foreach (var service in hosted.Reverse())
            {
                await service.StopAsync(CancellationToken.None);
            }
        }
    }

    [Fact]
    public async Task The_start_and_the_connections_stamp_their_times_on_the_registered_clock()
    {
        var clock = new SetClock();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(clock);
        services.AddWarren(o => o.Url = "amqp://localhost:5672/");
        await using var provider = services.BuildServiceProvider();
        var startup = provider.GetRequiredService<WarrenStartup>();
        var connections = provider.GetRequiredService<WarrenConnections>();

        startup.Begin(gatePublishes: true);
        startup.Fail(new WarrenConnectionException("Could not open the consume connection: connection refused."));

        // Readiness compares these times with each other and with LastConnectFailure.At: one clock for all.
        var now = clock.GetUtcNow();
        Assert.Equal(now, startup.StartedAt);
        Assert.Equal(now, startup.LastFailure?.At);
        Assert.Equal(now, startup.Now);
        Assert.Equal(now, connections.GetStatus(ConnectionRole.Consume).Since);
        Assert.Equal(now, connections.GetStatus(ConnectionRole.Publish).Since);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void A_stalled_start_period_that_is_not_positive_is_refused(int seconds)
    {
        var services = new ServiceCollection();
        var refused = Assert.Throws<ArgumentOutOfRangeException>(() => services.AddHealthChecks().AddWarrenHealthChecks(o => o.StalledStartPeriod = TimeSpan.FromSeconds(seconds)));
        Assert.Contains("StalledStartPeriod must be positive", refused.Message, StringComparison.Ordinal);
        Assert.Contains("ConnectTimeout", refused.Message, StringComparison.Ordinal);
    }

    /// <summary>Opening a connection never ends (until cancelled): a start stuck without any attempt or failure.</summary>
    private sealed class HangsForever : IConnectionSource
    {
        public TaskCompletionSource Asked { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task<IConnection> ConnectAsync(ConnectionRole role, string clientName, CancellationToken cancellationToken)
        {
            Asked.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable");
        }
    }

    private sealed class SetClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}

using System;
using System.Threading.Tasks;
using Xunit;

namespace Warren.Tests;

/// <summary>The start-up state and the gate publishes wait on during a background start.</summary>
public sealed class WarrenStartupTests
{
    [Fact]
    public void Publishes_are_held_only_while_a_background_start_is_under_way()
    {
        var startup = new WarrenStartup();
        Assert.Equal(WarrenStartupState.NotStarted, startup.State);
        Assert.Null(startup.PublishGate);

        startup.Begin(gatePublishes: false);
        Assert.Null(startup.PublishGate);

        startup.Begin(gatePublishes: true);
        var gate = startup.PublishGate;
        Assert.NotNull(gate);
        Assert.False(gate.IsCompleted);

        startup.Ready();
        Assert.True(gate.IsCompletedSuccessfully);
        Assert.Null(startup.PublishGate);
        Assert.True(startup.IsReady);
    }

    [Fact]
    public void A_new_start_forgets_the_failure_of_the_previous_one()
    {
        var startup = new WarrenStartup();
        startup.Begin(gatePublishes: true);
        startup.Fail(new WarrenConnectionException("Could not open the consume connection: connection refused"));
        Assert.NotNull(startup.LastError);

        startup.Begin(gatePublishes: true);

        Assert.Equal(WarrenStartupState.Starting, startup.State);
        Assert.Null(startup.LastError);
        Assert.Null(startup.LastErrorAt);
        Assert.Null(startup.LastException);
    }

    [Fact]
    public async Task A_stop_before_the_broker_was_reached_fails_the_waiters_with_the_last_cause()
    {
        var startup = new WarrenStartup();
        startup.Begin(gatePublishes: true);
        var waiting = startup.WaitUntilReadyAsync();
        var cause = new WarrenConnectionException("Could not open the consume connection: connection refused");
        startup.Fail(cause);
        Assert.Equal(cause.Message, startup.LastError);
        Assert.NotNull(startup.LastErrorAt);

        startup.Stop();

        var error = await Assert.ThrowsAsync<WarrenConnectionException>(() => waiting);
        Assert.Same(cause, error.InnerException);
        Assert.Contains("connection refused", error.Message, StringComparison.Ordinal);
        Assert.Equal(WarrenStartupState.Stopped, startup.State);
    }

    [Fact]
    public async Task Waiting_honours_cancellation()
    {
        var startup = new WarrenStartup();
        startup.Begin(gatePublishes: true);
        using var cancel = new System.Threading.CancellationTokenSource(TimeSpan.FromMilliseconds(50));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => startup.WaitUntilReadyAsync(cancel.Token));
    }
}

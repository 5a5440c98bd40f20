using System;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Warren.Testing.Tests;

// Alone, like the busy-process tests: the second test needs an idle process for the clock to move to the deadline.
[Collection(nameof(BusyProcessTests))]
public sealed class HeldTimerWarningTests
{
    [Fact]
    public async Task A_server_waiting_on_the_real_clock_while_its_deadline_is_due_is_named_in_a_warning()
    {
        // The stall time is long, so the clock is not moved to the call's deadline while the server waits on the real
        // clock: the call is answered, and the session's log says why such a test is not deterministic.
        var behaviour = new Behaviour { QuoteWork = () => Task.Delay(TimeSpan.FromSeconds(3)) };
        await using var harness = await Shop.StartAsync(behaviour, options => options.StallTime = TimeSpan.FromMinutes(10));

        var session = await harness.RunAsync<IPricing, Quote>(pricing => pricing.GetQuote(new QuoteRequest("mug", 2)));

        Assert.Equal(5m, session.Result.Total);
        var warning = Assert.Single(session.Logs, l => l.Contains("The virtual timer due at +30 s virtual", StringComparison.Ordinal));
        Assert.Contains("the action", warning, StringComparison.Ordinal);
        Assert.Contains("Task.Delay without the TimeProvider", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_waiting_on_the_time_provider_times_out_on_virtual_time()
    {
        var behaviour = new Behaviour();
        await using var harness = await Shop.StartAsync(behaviour);
        behaviour.QuoteWork = () => Task.Delay(TimeSpan.FromMinutes(1), harness.Time);

        var run = await harness.TryRunAsync(async () =>
        {
            await using var scope = harness.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<IPricing>().GetQuote(new QuoteRequest("mug", 2));
        });

        Assert.IsType<RpcTimeoutException>(run.Exception);
    }
}

using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Warren.Infrastructure;
using Xunit;

namespace Warren.Testing.Tests;

/// <summary><c>HandlerTimeout</c> against a handler that does not observe its token (Warren's runtime on the in-memory broker).</summary>
public sealed class HandlerTimeoutTests
{
    [Fact]
    public async Task A_handler_that_ignores_its_token_past_the_timeout_is_acknowledged_with_a_warning_saying_so()
    {
        var finished = new TaskCompletionSource();
        await using var harness = await WarrenTestHarness.StartAsync(services => services.AddWarren(o => o.ClientName = "timeout-tests")
            .AddTopology(new Topology().Add(new QueueDeclaration("slow", Durable: false)))
            .AddConsumer(new ConsumerDefinition("slow", MessageDispatcher.Create(PayloadFormat.Text, async (text, context) =>
            {
                // Waits for its token to fire, then goes on as a blocking call would: the timeout cannot stop it.
                await Task.Delay(Timeout.InfiniteTimeSpan, context.CancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
                finished.SetResult();
            }))
            { HandlerTimeout = TimeSpan.FromMilliseconds(100) }));

        var session = await harness.RunAsync<IPublisher>(publisher => publisher.PublishTextAsync(string.Empty, "slow", "work").AsTask());

        Assert.True(finished.Task.IsCompleted);
        Assert.Single(session.Consumed, m => m.Queue == "slow");
        Assert.Empty(session.DeadLettered);
        Assert.Empty(session.Retried);
        Assert.Contains(session.Logs, line => line.Contains("Warning", StringComparison.Ordinal)
            && line.Contains("queue 'slow'", StringComparison.Ordinal)
            && line.Contains("after its HandlerTimeout of 00:00:00.1000000", StringComparison.Ordinal)
            && line.Contains("did not stop when its cancellation token fired", StringComparison.Ordinal));
    }
}

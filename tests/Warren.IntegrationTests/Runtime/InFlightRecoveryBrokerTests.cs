using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Xunit;
using Xunit.Abstractions;
using static Warren.IntegrationTests.Runtime.HungHandlerBrokerTests;

namespace Warren.IntegrationTests.Runtime;

/// <summary>
/// Handlers still running (slow, not hung) when the broker closes the connection and RabbitMQ.Client recovers it, on
/// the real broker (one <c>close_all_connections</c> for all of it): the lost channel session's late callbacks are not
/// taken for the broker cancelling the subscription, its queued deliveries are not handled, its handlers' outcomes are
/// dropped (a failure is not copied for retry), and every message is acknowledged once, by its redelivery.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class InFlightRecoveryBrokerTests(BrokerFixture broker, ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Handlers_running_across_a_recovered_connection_drop_their_outcome_and_the_consumer_neither_restarts_nor_copies_a_failure()
    {
        var node = broker.RequireLocalNode();
        var slow = Names.Unique("inflight");
        var failing = Names.Unique("inflight-fail");
        // The app may consume more than the test's two queues (the relay of due delayed messages, when an earlier test on
        // the shared node left its queue): lines about connection loss and resumption are counted for the test's queues.
        bool OfTheTest(string line) => line.Contains($"'{slow}'", StringComparison.Ordinal) || line.Contains($"'{failing}'", StringComparison.Ordinal);
        var logs = new LogSink();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var slowCalls = new ConcurrentQueue<(int N, bool Redelivered)>();
        var failingCalls = new ConcurrentQueue<(int N, bool Redelivered)>();
        var originalsReturned = 0;
        await using var app = await TestApp.StartAsync(
            broker.AmqpUrl,
            w =>
            {
                w.Services.AddHealthChecks().AddWarrenHealthChecks();
                w.AddTopology(new Topology().Add(new QueueDeclaration(slow)).Add(new QueueDeclaration(failing)))
                 // Two handlers at once and four deliveries prefetched: two run, two wait in RabbitMQ.Client's dispatcher.
                 // The first deliveries wait for the test (no HandlerTimeout: slow, never hung); redeliveries return at once.
                 .AddConsumer(new ConsumerDefinition(slow, MessageDispatcher.Create(RuntimeTestJson.Default.Numbered, async (m, context) =>
                 {
                     slowCalls.Enqueue((m.N, context.Redelivered));
                     if (!context.Redelivered)
                     {
                         await gate.Task;
                         Interlocked.Increment(ref originalsReturned);
                     }
                 })) { Concurrency = 2, Prefetch = 4 })
                 // The default retry policy: a failure is copied to the retry queue and the original acknowledged. The first
                 // delivery of message 1 fails once the test lets it go; everything else succeeds.
                 .AddConsumer(new ConsumerDefinition(failing, MessageDispatcher.Create(RuntimeTestJson.Default.Numbered, async (m, context) =>
                 {
                     failingCalls.Enqueue((m.N, context.Redelivered));
                     if (m.N == 1 && !context.Redelivered)
                     {
                         await gate.Task;
                         Interlocked.Increment(ref originalsReturned);
                         throw new InvalidOperationException("failed after its connection was lost");
                     }
                 })) { Concurrency = 1 });
            },
            o => o.ConsumerRestartDelay = TimeSpan.FromMilliseconds(200),
            logs);
        var health = app.Services.GetRequiredService<HealthCheckService>();
        var consumers = app.Services.GetRequiredService<ConsumerHost>().Consumers;
        try
        {
            for (var n = 1; n <= 4; n++)
            {
                await app.Sender.SendAsync(string.Empty, slow, new Numbered(n), RuntimeTestJson.Default.Numbered, "test.numbered");
            }

            await app.Sender.SendAsync(string.Empty, failing, new Numbered(1), RuntimeTestJson.Default.Numbered, "test.numbered");
            await Broker.WaitUntilAsync(() => slowCalls.Count == 2 && failingCalls.Count == 1, Wait, "the first handlers to run");
            await WaitForReadyAsync(slow, 0, "the two waiting deliveries to be sent to the client");

            await node.CloseAllConnectionsAsync();

            // Recovered while the first handlers still run: each consumer said so (though RabbitMQ.Client tells the second
            // channel of its lost session only after the first channel's handlers return), and every message is
            // redelivered and acknowledged on the new session.
            await Broker.WaitUntilAsync(
                () => Redelivered(slowCalls).SequenceEqual(new[] { 1, 2, 3, 4 }) && Redelivered(failingCalls).SequenceEqual(new[] { 1 }) && Lines(logs, l => IsResumed(l) && OfTheTest(l)).Length == 2,
                Wait,
                "the redeliveries after the recovery");
            Assert.Equal(0, Volatile.Read(ref originalsReturned));
            Assert.Equal(2, Lines(logs, l => l.Contains("lost its connection", StringComparison.Ordinal) && OfTheTest(l)).Length);

            // The first handlers return (one by throwing); RabbitMQ.Client then hands the lost session's queued deliveries
            // and its shutdown notice to the consumers.
            gate.TrySetResult();
            await Broker.WaitUntilAsync(
                () => Lines(logs, IsDropped).Length == 3 && Lines(logs, IsSkipped).Length == 2 && consumers.Where(c => c.Queue == slow || c.Queue == failing).All(c => c.CurrentConsumer?.ShutdownReason is not null),
                Wait,
                "the lost session's outcomes, queued deliveries and shutdown notice");

            Assert.Equal(3, Volatile.Read(ref originalsReturned));
            Assert.Equal(new[] { 1, 2 }, slowCalls.Where(c => !c.Redelivered).Select(c => c.N).Order().ToArray());
            Assert.Equal(new[] { 1, 2, 3, 4 }, Redelivered(slowCalls));
            Assert.Equal(new (int, bool)[] { (1, false), (1, true) }, failingCalls.ToArray());
            var dropped = Lines(logs, IsDropped);
            Assert.Equal(2, dropped.Count(l => l.Contains($"queue '{slow}' on message", StringComparison.Ordinal) && l.Contains("returned normally", StringComparison.Ordinal)));
            Assert.Contains("returned with a failure: System.InvalidOperationException: failed after its connection was lost after the channel", Assert.Single(dropped, l => l.Contains(failing, StringComparison.Ordinal)), StringComparison.Ordinal);
            Assert.All(Lines(logs, IsSkipped), l => Assert.Contains($"from queue '{slow}'", l, StringComparison.Ordinal));

            // Not a cancelled subscription: no error, no restart, and the next messages are handled on the same subscriptions.
            // (The one error line is the failing handler's own failure.)
            Assert.Single(logs.Entries, e => e.Level >= LogLevel.Error && e.Category.StartsWith("Warren", StringComparison.Ordinal));
            Assert.Single(logs.Entries, e => e.Level >= LogLevel.Error && e.Exception is InvalidOperationException { Message: "failed after its connection was lost" });
            Assert.Empty(Lines(logs, l => l.Contains("stopped receiving messages", StringComparison.Ordinal) || l.Contains("cancel notice", StringComparison.Ordinal)));
            Assert.Equal(2, Lines(logs, l => l.Contains("lost its connection", StringComparison.Ordinal) && OfTheTest(l)).Length);
            Assert.Equal(2, Lines(logs, l => IsResumed(l) && OfTheTest(l)).Length);
            await app.Sender.SendAsync(string.Empty, slow, new Numbered(5), RuntimeTestJson.Default.Numbered, "test.numbered");
            await app.Sender.SendAsync(string.Empty, failing, new Numbered(2), RuntimeTestJson.Default.Numbered, "test.numbered");
            await Broker.WaitUntilAsync(() => slowCalls.Count == 7 && failingCalls.Count == 3, Wait, "the next messages");
            Assert.All(new[] { slow, failing }, q => Assert.Equal(0, app.Consumers.Get(q)!.RestartCount));
            Assert.All(new[] { slow, failing }, q => Assert.Equal(ConsumerState.Running, app.Consumers.Get(q)!.State));
            Assert.Equal(HealthStatus.Healthy, (await WaitForHealthyAsync(health)).Status);
        }
        finally
        {
            gate.TrySetResult();
            output.WriteLine(string.Join(Environment.NewLine, logs.Entries.Where(e => e.Category.StartsWith("Warren", StringComparison.Ordinal)).Select(e => $"{e.Level} {e.Message}")));
        }

        // Acknowledged once each: after the stop closes the channels the broker has nothing to requeue, and the failure
        // of the lost session left no retry copy (nor a dead-lettered one).
        await app.StopAsync();
        await using var connection = await broker.ConnectAsync();
        Assert.Equal(0u, await Broker.ReadyCountAsync(connection, slow));
        Assert.Equal(0u, await Broker.ReadyCountAsync(connection, failing));
        Assert.Equal(0u, await Broker.ReadyCountAsync(connection, RetryPolicy.RetryQueueName(failing, 1)));
        Assert.Equal(0u, await Broker.ReadyCountAsync(connection, RetryPolicy.DeadLetterQueueName(failing)));
        foreach (var queue in new[] { slow, failing, RetryPolicy.RetryQueueName(failing, 1), RetryPolicy.RetryQueueName(failing, 2), RetryPolicy.RetryQueueName(failing, 3), RetryPolicy.DeadLetterQueueName(failing) })
        {
            await Broker.DeleteQueueAsync(connection, queue);
        }
    }

    private static int[] Redelivered(ConcurrentQueue<(int N, bool Redelivered)> calls) => [.. calls.Where(c => c.Redelivered).Select(c => c.N).Order()];

    private static bool IsResumed(string line) => line.Contains("resumed on the recovered connection", StringComparison.Ordinal);

    private static bool IsDropped(string line) => line.Contains("after the channel the message came on closed", StringComparison.Ordinal) && line.Contains("this outcome is dropped", StringComparison.Ordinal);

    private static bool IsSkipped(string line) => line.Contains("reached the consumer only after the channel it came on closed", StringComparison.Ordinal);

    /// <summary>Waits for a queue's ready count on a connection of its own, closed before the test closes the broker's connections.</summary>
    private async Task WaitForReadyAsync(string queue, uint count, string what)
    {
        await using var connection = await broker.ConnectAsync();
        using var limit = new CancellationTokenSource(Wait);
        while (await Broker.ReadyCountAsync(connection, queue) != count)
        {
            Assert.False(limit.IsCancellationRequested, $"Timed out waiting for {what}.");
            await Task.Delay(20);
        }
    }
}

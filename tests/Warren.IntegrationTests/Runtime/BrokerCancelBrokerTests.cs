using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Xunit;
using Xunit.Abstractions;
using static Warren.IntegrationTests.Runtime.HungHandlerBrokerTests;

namespace Warren.IntegrationTests.Runtime;

/// <summary>
/// The broker cancelling a subscription (its queue deleted) on a channel that stays open, on the real broker: while a
/// handler is failing and a prefetched delivery waits in RabbitMQ.Client, and while the consumer restarts after it when the
/// connection goes too.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class BrokerCancelBrokerTests(BrokerFixture broker, ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_broker_cancel_under_a_failing_handler_and_a_queued_delivery_settles_each_once_on_the_open_channel()
    {
        var queue = Names.Unique("cancelled");
        var logs = new LogSink();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = new ConcurrentQueue<(int N, bool Redelivered, int Retries)>();
        await using var app = await TestApp.StartAsync(
            broker.AmqpUrl,
            w => w
                .AddTopology(new Topology().Add(new QueueDeclaration(queue)))
                // One handler at a time and two deliveries prefetched: message 1 runs (and fails once the test lets it go),
                // message 2 waits in RabbitMQ.Client's dispatcher, and the broker's cancel waits behind it.
                .AddConsumer(new ConsumerDefinition(queue, MessageDispatcher.Create(RuntimeTestJson.Default.Numbered, async (m, context) =>
                {
                    calls.Enqueue((m.N, context.Redelivered, context.RetryCount));
                    if (m.N == 1 && context.RetryCount == 0)
                    {
                        await gate.Task;
                        throw new InvalidOperationException("failed while its subscription was cancelled");
                    }
                })) { Concurrency = 1, Prefetch = 2 }),
            o => o.ConsumerRestartDelay = TimeSpan.FromMilliseconds(200),
            logs);
        await using var connection = await broker.ConnectAsync();
        try
        {
            await app.Sender.SendAsync(string.Empty, queue, new Numbered(1), RuntimeTestJson.Default.Numbered, "test.numbered");
            await app.Sender.SendAsync(string.Empty, queue, new Numbered(2), RuntimeTestJson.Default.Numbered, "test.numbered");
            await Broker.WaitUntilAsync(() => calls.Count == 1, Wait, "the first handler to run");
            await WaitForReadyAsync(connection, queue, 0, "the second delivery to be sent to the client");

            // The queue goes: the broker cancels the subscription (the channel stays open) and drops the queue's messages,
            // unacknowledged ones included. The delete returns once the broker has sent the cancel.
            await Broker.DeleteQueueAsync(connection, queue);
        }
        finally
        {
            gate.TrySetResult();
        }

        // Message 1 fails on the open channel: copied to the retry queue once and acknowledged; message 2 is handled; then
        // the cancel reaches the consumer, which restarts (declaring the queue again), and the retry copy comes back to it.
        await Broker.WaitUntilAsync(() => app.Consumers.Get(queue) is { State: ConsumerState.Running, RestartCount: 1 }, Wait, "the restarted consumer");
        await Broker.WaitUntilAsync(() => calls.Count == 3, Wait, "the retry copy to be handled");
        output.WriteLine(string.Join(Environment.NewLine, logs.Entries.Where(e => e.Category.StartsWith("Warren", StringComparison.Ordinal)).Select(e => $"{e.Level} {e.Message}")));

        Assert.Equal(new[] { (1, false, 0), (2, false, 0), (1, false, 1) }, calls.ToArray());
        Assert.Single(Lines(logs, l => l.Contains($"consumer of queue '{queue}' stopped receiving", StringComparison.Ordinal) && l.Contains("cancelled the subscription", StringComparison.Ordinal)));
        Assert.Single(logs.Entries, e => e.Level >= LogLevel.Error && e.Exception is InvalidOperationException { Message: "failed while its subscription was cancelled" });
        // Settled on the open channel, and said so truthfully: no outcome dropped, no delivery skipped, no stale cancel, no
        // lost connection, no failed settlement.
        Assert.Empty(Lines(logs, l => l.Contains("this outcome is dropped", StringComparison.Ordinal)
            || l.Contains("reached the consumer only after the channel it came on closed", StringComparison.Ordinal)
            || l.Contains("cancel notice of a channel session lost since", StringComparison.Ordinal)
            || l.Contains("lost its connection", StringComparison.Ordinal)
            || l.StartsWith("Could not settle message", StringComparison.Ordinal)));

        // Each settled once: after the stop nothing is left for the broker to requeue, and the failure left one retry copy,
        // handled, and nothing dead-lettered.
        await app.StopAsync();
        Assert.Equal(0u, await Broker.ReadyCountAsync(connection, queue));
        Assert.Equal(0u, await Broker.ReadyCountAsync(connection, RetryPolicy.RetryQueueName(queue, 1)));
        Assert.Equal(0u, await Broker.ReadyCountAsync(connection, RetryPolicy.RetryQueueName(queue, 2)));
        Assert.Equal(0u, await Broker.ReadyCountAsync(connection, RetryPolicy.DeadLetterQueueName(queue)));
        foreach (var name in new[] { queue, RetryPolicy.RetryQueueName(queue, 1), RetryPolicy.RetryQueueName(queue, 2), RetryPolicy.RetryQueueName(queue, 3), RetryPolicy.DeadLetterQueueName(queue) })
        {
            await Broker.DeleteQueueAsync(connection, name);
        }
    }

    [Fact]
    public async Task A_connection_lost_while_the_consumer_restarts_after_a_broker_cancel_is_logged_once_and_its_end_once()
    {
        var node = broker.RequireLocalNode();
        var queue = Names.Unique("cancel-then-drop");
        var logs = new LogSink();
        var handled = new ConcurrentQueue<int>();
        await using var app = await TestApp.StartAsync(
            broker.AmqpUrl,
            w => w
                .AddTopology(new Topology().Add(new QueueDeclaration(queue)))
                .AddConsumer(new ConsumerDefinition(queue, MessageDispatcher.Create(RuntimeTestJson.Default.Numbered, (m, _) =>
                {
                    handled.Enqueue(m.N);
                    return ValueTask.CompletedTask;
                }))),
            // Long enough for rabbitmqctl to close the connection and RabbitMQ.Client to recover it while the consumer waits
            // to subscribe again.
            o => o.ConsumerRestartDelay = TimeSpan.FromSeconds(15),
            logs);
        bool OfTheQueue(string line) => line.Contains($"'{queue}'", StringComparison.Ordinal);
        await app.Sender.SendAsync(string.Empty, queue, new Numbered(1), RuntimeTestJson.Default.Numbered, "test.numbered");
        await Broker.WaitUntilAsync(() => handled.Contains(1), Wait, "the first message");

        await using (var connection = await broker.ConnectAsync())
        {
            await Broker.DeleteQueueAsync(connection, queue);
        }

        await Broker.WaitUntilAsync(() => Lines(logs, l => OfTheQueue(l) && l.Contains("stopped receiving", StringComparison.Ordinal)).Length == 1, Wait, "the broker cancel to be taken");
        Assert.Equal(ConsumerState.Restarting, app.Consumers.Get(queue)!.State);

        // The connection goes while the consumer waits to subscribe again: it says so, once, and that it is back once it
        // consumes again on the recovered connection.
        await node.CloseAllConnectionsAsync();
        await Broker.WaitUntilAsync(() => Lines(logs, l => OfTheQueue(l) && l.Contains("lost its connection", StringComparison.Ordinal)).Length == 1, Wait, "the loss of the connection to be logged");
        // Said while the consumer still waited to subscribe again (not by the new subscription).
        Assert.Empty(Lines(logs, l => OfTheQueue(l) && l.Contains("consuming again", StringComparison.Ordinal)));
        await Broker.WaitUntilAsync(() => app.Consumers.Get(queue) is { State: ConsumerState.Running, RestartCount: >= 1 }, TimeSpan.FromSeconds(60), "the restarted consumer");
        await app.Sender.SendAsync(string.Empty, queue, new Numbered(2), RuntimeTestJson.Default.Numbered, "test.numbered");
        await Broker.WaitUntilAsync(() => handled.Contains(2), Wait, "a message after the restart");
        output.WriteLine(string.Join(Environment.NewLine, logs.Entries.Where(e => e.Category.StartsWith("Warren", StringComparison.Ordinal)).Select(e => $"{e.Level} {e.Message}")));

        Assert.Single(Lines(logs, l => OfTheQueue(l) && l.Contains("lost its connection", StringComparison.Ordinal)));
        Assert.Single(Lines(logs, l => OfTheQueue(l) && l.Contains("resumed on the recovered connection", StringComparison.Ordinal)));
        Assert.Single(Lines(logs, l => OfTheQueue(l) && l.Contains("stopped receiving", StringComparison.Ordinal)));
        Assert.Equal(new[] { 1, 2 }, handled.ToArray());

        await app.StopAsync();
        await using var check = await broker.ConnectAsync();
        Assert.Equal(0u, await Broker.ReadyCountAsync(check, queue));
        await Broker.DeleteQueueAsync(check, queue);
    }

    private static async Task WaitForReadyAsync(RabbitMQ.Client.IConnection connection, string queue, uint count, string what)
    {
        using var limit = new CancellationTokenSource(Wait);
        while (await Broker.ReadyCountAsync(connection, queue) != count)
        {
            Assert.False(limit.IsCancellationRequested, $"Timed out waiting for {what}.");
            await Task.Delay(20);
        }
    }
}

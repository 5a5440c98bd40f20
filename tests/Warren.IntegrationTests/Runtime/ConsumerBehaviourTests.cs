using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Xunit;
using Xunit.Abstractions;

namespace Warren.IntegrationTests.Runtime;

[Collection(BrokerCollection.Name)]
public sealed class ConsumerBehaviourTests(BrokerFixture broker, ITestOutputHelper output)
{
    [Fact]
    public async Task Prefetch_and_concurrency_are_honoured()
    {
        var queue = Names.Unique("qos");
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = 0;
        var maxRunning = 0;
        var done = 0;
        await using var app = await TestApp.StartAsync(broker.AmqpUrl, w => w
            .AddTopology(new Topology().Add(new QueueDeclaration(queue)))
            .AddConsumer(new ConsumerDefinition(queue, MessageDispatcher.Create(RuntimeTestJson.Default.Numbered, async (m, _) =>
            {
                var now = Interlocked.Increment(ref running);
                InterlockedMax(ref maxRunning, now);
                await gate.Task;
                Interlocked.Decrement(ref running);
                Interlocked.Increment(ref done);
            })) { Concurrency = 3, Prefetch = 10 }));

        for (var i = 0; i < 30; i++)
        {
            await app.Sender.SendAsync(string.Empty, queue, new Numbered(i), RuntimeTestJson.Default.Numbered, "test.numbered");
        }

        await Broker.WaitUntilAsync(() => Volatile.Read(ref running) == 3, TimeSpan.FromSeconds(10), "three running handlers");
        await Task.Delay(500); // room for a fourth handler or an eleventh delivery, if either limit leaked

        await using var connection = await broker.ConnectAsync();
        Assert.Equal(3, Volatile.Read(ref maxRunning));
        Assert.Equal(20u, await Broker.ReadyCountAsync(connection, queue));

        gate.SetResult();
        await Broker.WaitUntilAsync(() => Volatile.Read(ref done) == 30, TimeSpan.FromSeconds(10), "all 30 messages");
        Assert.Equal(3, Volatile.Read(ref maxRunning));
        await app.StopAsync();
        await Broker.DeleteQueueAsync(connection, queue);
    }

    [Fact]
    public async Task Graceful_stop_finishes_and_acks_in_flight_handlers_and_none_is_redelivered()
    {
        var queue = Names.Unique("graceful");
        var started = new ConcurrentDictionary<int, bool>();
        var completed = new ConcurrentDictionary<int, bool>();
        var first = await TestApp.StartAsync(broker.AmqpUrl, w => w
            .AddTopology(new Topology().Add(new QueueDeclaration(queue)))
            .AddConsumer(new ConsumerDefinition(queue, MessageDispatcher.Create(RuntimeTestJson.Default.Numbered, async (m, _) =>
            {
                started[m.N] = true;
                await Task.Delay(400); // no cancellation token: a graceful stop must wait for this
                completed[m.N] = true;
            })) { Concurrency = 4, Prefetch = 8 }),
            o => o.ShutdownTimeout = TimeSpan.FromSeconds(20));

        for (var i = 0; i < 40; i++)
        {
            await first.Sender.SendAsync(string.Empty, queue, new Numbered(i), RuntimeTestJson.Default.Numbered, "test.numbered");
        }

        await Broker.WaitUntilAsync(() => started.Count >= 4, TimeSpan.FromSeconds(10), "four handlers in flight");
        await first.DisposeAsync();

        Assert.Equal(started.Keys.Order(), completed.Keys.Order());
        output.WriteLine($"handled before stop: {completed.Count}");

        var rest = new ConcurrentDictionary<int, bool>();
        var again = new ConcurrentBag<int>();
        await using var second = await TestApp.StartAsync(broker.AmqpUrl, w => w
            .AddConsumer(new ConsumerDefinition(queue, MessageDispatcher.Create(RuntimeTestJson.Default.Numbered, (m, _) =>
            {
                if (!rest.TryAdd(m.N, true) || completed.ContainsKey(m.N))
                {
                    again.Add(m.N);
                }

                return ValueTask.CompletedTask;
            })) { Prefetch = 50 }));
        await Broker.WaitUntilAsync(() => completed.Count + rest.Count >= 40, TimeSpan.FromSeconds(20), "the remaining messages");
        await Task.Delay(300);

        Assert.Empty(again);
        Assert.Equal(Enumerable.Range(0, 40), completed.Keys.Concat(rest.Keys).Order());
        await second.StopAsync();
        await using var connection = await broker.ConnectAsync();
        await Broker.DeleteQueueAsync(connection, queue);
    }

    [Fact]
    public async Task Connections_closed_by_the_broker_mid_stream_recover_and_nothing_is_lost()
    {
        var node = broker.RequireLocalNode();
        const int count = 5_000;
        var queue = Names.Unique("recover");
        var received = new ConcurrentDictionary<int, int>();
        var events = new ConcurrentQueue<ConnectionEvent>();
        await using var app = await TestApp.StartAsync(broker.AmqpUrl, w => w
            .AddTopology(new Topology().Add(new QueueDeclaration(queue)))
            .AddConsumer(new ConsumerDefinition(queue, MessageDispatcher.Create(RuntimeTestJson.Default.Numbered, (m, _) =>
            {
                received.AddOrUpdate(m.N, 1, (_, c) => c + 1);
                return ValueTask.CompletedTask;
            })) { Prefetch = 100, Concurrency = 2 }));
        app.Connections.ConnectionChanged += events.Enqueue;

        var publishing = Task.Run(async () =>
        {
            var pending = new Task[count];
            for (var i = 0; i < count; i++)
            {
                pending[i] = app.Sender.SendAsync(string.Empty, queue, new Numbered(i), RuntimeTestJson.Default.Numbered, "test.numbered").AsTask();
                if (i % 50 == 0)
                {
                    await Task.Delay(50); // a stream over seconds, not one burst: the close lands in the middle of it
                }
            }

            await Task.WhenAll(pending);
        });

        await Broker.WaitUntilAsync(() => received.Count >= count / 5, TimeSpan.FromSeconds(30), "the stream to be under way");
        var publishedBeforeClose = received.Count;
        await node.CloseAllConnectionsAsync();
        await publishing.WaitAsync(TimeSpan.FromSeconds(60));
        await Broker.WaitUntilAsync(() => received.Count == count, TimeSpan.FromSeconds(60), "every message after recovery");

        var duplicates = received.Values.Sum(c => c - 1);
        output.WriteLine($"closed at {publishedBeforeClose} received; received {received.Count} distinct messages, {duplicates} duplicate deliveries");
        Assert.Equal(count, received.Count);
        Assert.False(publishedBeforeClose >= count, "the stream had ended before the connections were closed");
        Assert.Contains(events, e => e.Kind == ConnectionEventKind.Lost && e.Role == ConnectionRole.Consume);
        Assert.Contains(events, e => e.Kind == ConnectionEventKind.Lost && e.Role == ConnectionRole.Publish);
        Assert.Contains(events, e => e.Kind == ConnectionEventKind.Recovered && e.Role == ConnectionRole.Consume);
        Assert.Contains(events, e => e.Kind == ConnectionEventKind.Recovered && e.Role == ConnectionRole.Publish);
        await app.StopAsync();
        await using var connection = await broker.ConnectAsync();
        await Broker.DeleteQueueAsync(connection, queue);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}

using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using Warren.Testing;
using Xunit;

namespace Warren.IntegrationTests.Runtime;

/// <summary>Delayed publishing through the delay levels on a real broker: precision, equal-delay order, and a broker restart.</summary>
[Collection(BrokerCollection.Name)]
public sealed class DelayedPublishTests(BrokerFixture broker)
{
    /// <summary>The documented precision: never early, at most one second plus the hops late.</summary>
    private static readonly TimeSpan Late = TimeSpan.FromSeconds(1.5);

    [Fact]
    public async Task Delays_are_honoured_and_equal_delays_keep_publish_order()
    {
        var queue = Names.Unique("delayed");
        var arrived = new ConcurrentQueue<(int N, TimeSpan At)>();
        var clock = Stopwatch.StartNew();
        await using var app = await TestApp.StartAsync(broker.AmqpUrl, w => w
            .AddTopology(new Topology().Add(new QueueDeclaration(queue)))
            .AddConsumer(new ConsumerDefinition(queue, MessageDispatcher.Create(RuntimeTestJson.Default.Numbered, (m, _) =>
            {
                arrived.Enqueue((m.N, clock.Elapsed));
                return ValueTask.CompletedTask;
            })) { Concurrency = 1 }));

        // N < 100: delay of N seconds (0 = none); N >= 100: 20 messages with the same 2 s delay, published in order.
        var delays = new[] { 0, 1, 2, 3, 5 };
        var sent = new Dictionary<int, (TimeSpan At, int Seconds)>();
        foreach (var seconds in delays)
        {
            sent[seconds] = (clock.Elapsed, seconds);
            await app.Sender.SendAsync(string.Empty, queue, new Numbered(seconds), RuntimeTestJson.Default.Numbered, "test.numbered", new PublishOptions { Delay = TimeSpan.FromSeconds(seconds) });
        }

        for (var i = 0; i < 20; i++)
        {
            sent[100 + i] = (clock.Elapsed, 2);
            await app.Sender.SendAsync(string.Empty, queue, new Numbered(100 + i), RuntimeTestJson.Default.Numbered, "test.numbered", new PublishOptions { DeliverAt = DateTimeOffset.UtcNow.AddSeconds(1.5) });
        }

        await Broker.WaitUntilAsync(() => arrived.Count >= sent.Count, TimeSpan.FromSeconds(30), "every delayed message");
        await Task.Delay(300);
        Assert.Equal(sent.Count, arrived.Count);
        foreach (var (n, at) in arrived)
        {
            var (publishedAt, seconds) = sent[n];
            var waited = at - publishedAt;
            Assert.True(waited >= TimeSpan.FromSeconds(seconds) - TimeSpan.FromMilliseconds(20), $"message {n} (delay {seconds} s) arrived after {waited}: early");
            Assert.True(waited <= TimeSpan.FromSeconds(seconds) + Late, $"message {n} (delay {seconds} s) arrived after {waited}: late");
        }

        Assert.Equal(Enumerable.Range(100, 20), arrived.Select(a => a.N).Where(n => n >= 100));
        await using var connection = await broker.ConnectAsync();
        await Broker.DeleteQueueAsync(connection, queue);
    }

    [Fact]
    public async Task Delayed_messages_survive_a_broker_restart_and_are_not_delivered_early()
    {
        await using var node = await PrivateBroker.StartAsync();
        var queue = Names.Unique("delayed-restart");
        const int count = 50;
        var published = Stopwatch.StartNew();
        await using (var publisher = await TestApp.StartAsync(node.AmqpUrl, w => w.AddTopology(new Topology().Add(new QueueDeclaration(queue)))))
        {
            for (var i = 0; i < count; i++)
            {
                // Half become due while the broker is down (3 s), half after it is back (25 s = 16 + 8 + 1).
                var delay = TimeSpan.FromSeconds(i % 2 == 0 ? 3 : 25);
                await publisher.Sender.SendAsync(string.Empty, queue, new Numbered(i), RuntimeTestJson.Default.Numbered, "test.numbered", new PublishOptions { Delay = delay });
            }
        }

        await node.Nodes[0].StopAsync();
        await node.Nodes[0].StartAsync();
        Assert.True(published.Elapsed < TimeSpan.FromSeconds(25), $"The restart took {published.Elapsed}: the test no longer proves that messages wait across it.");

        var arrived = new ConcurrentDictionary<int, TimeSpan>();
        await using var consumer = await TestApp.StartAsync(node.AmqpUrl, w => w
            .AddTopology(new Topology().Add(new QueueDeclaration(queue)))
            .AddConsumer(new ConsumerDefinition(queue, MessageDispatcher.Create(RuntimeTestJson.Default.Numbered, (m, _) =>
            {
                arrived.TryAdd(m.N, published.Elapsed);
                return ValueTask.CompletedTask;
            }))));

        await Broker.WaitUntilAsync(() => arrived.Count >= count, TimeSpan.FromSeconds(60), "every delayed message after the restart");
        await Task.Delay(300);
        Assert.Equal(count, arrived.Count);
        Assert.All(arrived.Where(a => a.Key % 2 == 1), a => Assert.True(a.Value >= TimeSpan.FromSeconds(25), $"message {a.Key} arrived after {a.Value}, before its 25 s delay"));
    }
}

using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using RabbitMQ.Client;
using Warren.Testing;
using Xunit;

namespace Warren.IntegrationTests.Runtime;

/// <summary>Delayed publishing through the delay levels on a real broker: precision, equal-delay order, and a broker restart.</summary>
[Collection(BrokerCollection.Name)]
public sealed class DelayedPublishTests(BrokerFixture broker, Xunit.Abstractions.ITestOutputHelper output)
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

    /// <summary>
    /// The first delayed publish of a process declares the delay levels (about 95 exchanges, queues and bindings) before it
    /// is sent. Measured by round trips, not by time: every answer from the broker is held 100 ms by a proxy, so a
    /// declaration that waits for each answer (as it did) holds the publish 95 × 100 ms ≈ 10 s, while one pipelined
    /// declaration costs a few round trips (opening its channel, the final wait, the relay's start). The bound of 4 s is
    /// one a hang crosses, not a speed measurement: the publish has 40 round trips within it.
    /// </summary>
    [Fact]
    public async Task The_first_delayed_publish_of_a_process_declares_the_delay_levels_in_a_few_round_trips()
    {
        await using var node = await PrivateBroker.StartAsync();
        var target = new Uri(node.AmqpUrl);
        await using var proxy = new BlackholeProxy(target.Port);
        var url = new UriBuilder(target) { Host = "127.0.0.1", Port = proxy.Port }.Uri.ToString();
        var queue = Names.Unique("delayed-first");
        await using var app = await TestApp.StartAsync(url, w => w.AddTopology(new Topology().Add(new QueueDeclaration(queue))));

        // A publish now, with the same latency: the round trip the delayed publish needs anyway (its confirmation).
        proxy.ReplyLatency = TimeSpan.FromMilliseconds(100);
        var clock = Stopwatch.StartNew();
        await app.Sender.SendAsync(string.Empty, queue, new Numbered(0), RuntimeTestJson.Default.Numbered, "test.numbered");
        var plain = clock.Elapsed;

        clock.Restart();
        await app.Sender.SendAsync(string.Empty, queue, new Numbered(1), RuntimeTestJson.Default.Numbered, "test.numbered", new PublishOptions { Delay = TimeSpan.FromSeconds(30) })
            .AsTask().WaitAsync(TimeSpan.FromSeconds(60));
        var first = clock.Elapsed;

        clock.Restart();
        await app.Sender.SendAsync(string.Empty, queue, new Numbered(2), RuntimeTestJson.Default.Numbered, "test.numbered", new PublishOptions { Delay = TimeSpan.FromSeconds(30) });
        var second = clock.Elapsed;
        output.WriteLine($"with 100 ms per answer: publish {plain.TotalMilliseconds:F0} ms, first delayed publish {first.TotalMilliseconds:F0} ms, second {second.TotalMilliseconds:F0} ms");
        Assert.True(first < TimeSpan.FromSeconds(4), $"the first delayed publish took {first.TotalMilliseconds:F0} ms with 100 ms per broker answer: it waited for each declaration of the delay levels in turn");

        // The levels are there and hold the messages: both are in the 16 s level's queue (30 s = 16 + 8 + 4 + 2).
        proxy.ReplyLatency = TimeSpan.Zero;
        await using var connection = await new ConnectionFactory { Uri = target }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        Assert.Equal(2u, await channel.MessageCountAsync(DelayTopology.LevelName(4)));
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
                // Half become due while the broker is down (3 s), half after it is back (40 s = 32 + 8).
                var delay = TimeSpan.FromSeconds(i % 2 == 0 ? 3 : 40);
                await publisher.Sender.SendAsync(string.Empty, queue, new Numbered(i), RuntimeTestJson.Default.Numbered, "test.numbered", new PublishOptions { Delay = delay });
            }
        }

        await node.Nodes[0].StopAsync();
        await node.Nodes[0].StartAsync();
        Assert.True(published.Elapsed < TimeSpan.FromSeconds(40), $"The restart took {published.Elapsed}: the test no longer proves that messages wait across it.");

        var arrived = new ConcurrentDictionary<int, TimeSpan>();
        await using var consumer = await TestApp.StartAsync(node.AmqpUrl, w => w
            .AddTopology(new Topology().Add(new QueueDeclaration(queue)))
            .AddConsumer(new ConsumerDefinition(queue, MessageDispatcher.Create(RuntimeTestJson.Default.Numbered, (m, _) =>
            {
                arrived.TryAdd(m.N, published.Elapsed);
                return ValueTask.CompletedTask;
            }))));

        await Broker.WaitUntilAsync(() => arrived.Count >= count, TimeSpan.FromSeconds(90), "every delayed message after the restart");
        await Task.Delay(300);
        Assert.Equal(count, arrived.Count);
        Assert.All(arrived.Where(a => a.Key % 2 == 1), a => Assert.True(a.Value >= TimeSpan.FromSeconds(40), $"message {a.Key} arrived after {a.Value}, before its 40 s delay"));
    }
}

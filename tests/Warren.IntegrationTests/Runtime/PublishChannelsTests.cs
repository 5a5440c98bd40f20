using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Warren.IntegrationTests.Runtime;

/// <summary>Publishing over several channels: nothing lost or duplicated, and ordered publishes keep their order.</summary>
[Collection(BrokerCollection.Name)]
public sealed class PublishChannelsTests(BrokerFixture broker)
{
    [Fact]
    public async Task Four_channels_lose_nothing_and_ordered_publishes_keep_their_order()
    {
        var spread = Names.Unique("channels-spread");
        var ordered = Names.Unique("channels-ordered");
        const int unordered = 20_000;
        const int batch = 5_000;
        const int single = 1_000;
        var spreadSeen = new ConcurrentDictionary<int, int>();
        var orderedSeen = new List<int>();
        await using var app = await TestApp.StartAsync(
            broker.AmqpUrl,
            w => w
                .AddTopology(new Topology().Add(new QueueDeclaration(spread)).Add(new QueueDeclaration(ordered)))
                .AddConsumer(new ConsumerDefinition(spread, MessageDispatcher.Create(RuntimeTestJson.Default.Numbered, (m, _) =>
                {
                    spreadSeen.AddOrUpdate(m.N, 1, (_, n) => n + 1);
                    return ValueTask.CompletedTask;
                })) { Prefetch = 500, Concurrency = 4 })
                .AddConsumer(new ConsumerDefinition(ordered, MessageDispatcher.Create(RuntimeTestJson.Default.Numbered, (m, _) =>
                {
                    orderedSeen.Add(m.N);
                    return ValueTask.CompletedTask;
                })) { Prefetch = 500, Concurrency = 1 }),
            o =>
            {
                o.PublishChannels = 4;
                o.MaxInFlightPublishes = 2048;
            });
        var publisher = app.Services.GetRequiredService<MessagePublisher>();

        await Task.WhenAll(Enumerable.Range(0, unordered).Select(n =>
            app.Sender.SendAsync(string.Empty, spread, new Numbered(n), RuntimeTestJson.Default.Numbered, "test.numbered").AsTask()));
        Assert.Equal(4, publisher.OpenChannels);

        // Ordered: a batch, then single publishes started one after another without awaiting them.
        var options = new PublishOptions { Ordered = true };
        app.Services.GetRequiredService<MessageContracts>().Register(new MessageContract<Numbered>("test.numbered", RuntimeTestJson.Default.Numbered, exchange: string.Empty, routingKey: ordered));
        await app.Publisher.PublishBatchAsync(Enumerable.Range(0, batch).Select(n => new Numbered(n)));
        var pending = new List<Task>(single);
        for (var n = batch; n < batch + single; n++)
        {
            pending.Add(app.Publisher.PublishAsync(new Numbered(n), options).AsTask());
        }

        await Task.WhenAll(pending);
        await Broker.WaitUntilAsync(() => spreadSeen.Count >= unordered && orderedSeen.Count >= batch + single, TimeSpan.FromSeconds(60), "every message");
        await Task.Delay(300);

        Assert.Equal(unordered, spreadSeen.Count);
        Assert.All(spreadSeen, pair => Assert.Equal(1, pair.Value));
        Assert.Equal(Enumerable.Range(0, batch + single), orderedSeen);
        Assert.Equal(2048, publisher.AvailableSlots);
        await using var connection = await broker.ConnectAsync();
        await Broker.DeleteQueueAsync(connection, spread);
        await Broker.DeleteQueueAsync(connection, ordered);
    }
}

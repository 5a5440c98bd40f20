using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Warren.IntegrationTests.Runtime;

/// <summary>Two applications in one process (tests, or one process talking to two brokers) keep their own routes.</summary>
[Collection(BrokerCollection.Name)]
public sealed class TwoHostsTests(BrokerFixture broker)
{
    private const int Count = 200;

    [Fact]
    public async Task Two_hosts_route_the_same_message_type_differently_without_interfering()
    {
        var queueA = Names.Unique("two-hosts-a");
        var queueB = Names.Unique("two-hosts-b");
        var inA = new ConcurrentBag<Numbered>();
        var inB = new ConcurrentBag<Numbered>();

        await using var a = await TestApp.StartAsync(broker.AmqpUrl, w => w
            .AddContract(new MessageContract<Numbered>("test.numbered.a", RuntimeTestJson.Default.Numbered, string.Empty, queueA))
            .AddTopology(new Topology().Add(new QueueDeclaration(queueA)))
            .AddConsumer(new ConsumerDefinition(queueA, MessageDispatcher.Create(RuntimeTestJson.Default.Numbered, (m, _) =>
            {
                inA.Add(m);
                return ValueTask.CompletedTask;
            }))));

        // The second host starts after the first is running, and registers a different route for the same type.
        await using var b = await TestApp.StartAsync(broker.AmqpUrl, w => w
            .AddContract(new MessageContract<Numbered>("test.numbered.b", RuntimeTestJson.Default.Numbered, string.Empty, queueB))
            .AddTopology(new Topology().Add(new QueueDeclaration(queueB)))
            .AddConsumer(new ConsumerDefinition(queueB, MessageDispatcher.Create(RuntimeTestJson.Default.Numbered, (m, _) =>
            {
                inB.Add(m);
                return ValueTask.CompletedTask;
            }))));

        Assert.NotSame(a.Services.GetRequiredService<MessageContracts>(), b.Services.GetRequiredService<MessageContracts>());
        Assert.Equal(queueA, a.Services.GetRequiredService<MessageContracts>().Get<Numbered>().RoutingKeyFor(new Numbered(0)));

        // Both publish at once, interleaved.
        await Task.WhenAll(
            Task.Run(async () => { for (var n = 0; n < Count; n++) { await a.Publisher.PublishAsync(new Numbered(n, "a")); } }),
            Task.Run(async () => { for (var n = 0; n < Count; n++) { await b.Publisher.PublishAsync(new Numbered(n, "b")); } }));

        await Broker.WaitUntilAsync(() => inA.Count >= Count && inB.Count >= Count, TimeSpan.FromSeconds(30), "both queues to receive their messages");

        Assert.All(inA, m => Assert.Equal("a", m.Note));
        Assert.All(inB, m => Assert.Equal("b", m.Note));
        Assert.Equal(Enumerable.Range(0, Count), inA.Select(m => m.N).Order());
        Assert.Equal(Enumerable.Range(0, Count), inB.Select(m => m.N).Order());

        await using var connection = await broker.ConnectAsync();
        await a.StopAsync();
        await b.StopAsync();
        await Broker.DeleteQueueAsync(connection, queueA);
        await Broker.DeleteQueueAsync(connection, queueB);
    }

    [Fact]
    public async Task A_host_without_a_route_does_not_borrow_another_hosts_route()
    {
        var queue = Names.Unique("two-hosts-only");
        await using var withRoute = await TestApp.StartAsync(broker.AmqpUrl, w => w
            .AddContract(new MessageContract<Numbered>("test.numbered", RuntimeTestJson.Default.Numbered, string.Empty, queue))
            .AddTopology(new Topology().Add(new QueueDeclaration(queue))));
        await using var withoutRoute = await TestApp.StartAsync(broker.AmqpUrl);

        await withRoute.Publisher.PublishAsync(new Numbered(1));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await withoutRoute.Publisher.PublishAsync(new Numbered(2)));
        Assert.Contains("no route", error.Message, StringComparison.Ordinal);

        await using var connection = await broker.ConnectAsync();
        Assert.Equal(1u, await Broker.ReadyCountAsync(connection, queue));
        await Broker.DeleteQueueAsync(connection, queue);
    }
}

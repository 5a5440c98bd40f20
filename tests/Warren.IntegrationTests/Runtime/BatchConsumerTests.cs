using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace Warren.IntegrationTests.Runtime;

/// <summary>Batch consumers on a real broker: sizes and timeouts, a poison message alone in the DLQ, a graceful stop.</summary>
[Collection(BrokerCollection.Name)]
public sealed class BatchConsumerTests(BrokerFixture broker)
{
    [Fact]
    public async Task Full_batches_come_at_size_and_a_partial_one_after_the_timeout()
    {
        var queue = Names.Unique("batch-size");
        var batches = new ConcurrentQueue<(int[] Ns, DateTime At)>();
        await using var app = await TestApp.StartAsync(broker.AmqpUrl, w => w
            .AddTopology(new Topology().Add(new QueueDeclaration(queue)))
            .AddConsumer(new ConsumerDefinition(queue, new BatchDispatcher<Numbered>(RuntimeTestJson.Default.Numbered, 50, TimeSpan.FromSeconds(1), (list, _) =>
            {
                batches.Enqueue((list.Select(m => m.N).ToArray(), DateTime.UtcNow));
                return ValueTask.CompletedTask;
            })) { Prefetch = 100 }));

        // The partial batch's timeout starts at its first delivery, which may come before the publish's confirmations do:
        // the bound is taken from the start of the publish, the earliest that delivery can be.
        var publishedFrom = DateTime.UtcNow;
        await app.Sender.SendBatchAsync(queue, Enumerable.Range(0, 120));
        await Broker.WaitUntilAsync(() => batches.Sum(b => b.Ns.Length) >= 120, TimeSpan.FromSeconds(20), "120 messages in batches");
        await Task.Delay(300);

        Assert.Equal(Enumerable.Range(0, 120), batches.SelectMany(b => b.Ns).Order());
        Assert.All(batches, b => Assert.InRange(b.Ns.Length, 1, 50));
        Assert.True(batches.Count(b => b.Ns.Length == 50) >= 2, string.Join(", ", batches.Select(b => b.Ns.Length)));
        var partial = batches.Where(b => b.Ns.Length < 50).ToList();
        Assert.All(partial, b => Assert.True(b.At - publishedFrom >= TimeSpan.FromMilliseconds(950), $"a partial batch of {b.Ns.Length} came {b.At - publishedFrom} after the publish began, before the 1 s timeout"));
        await using var connection = await broker.ConnectAsync();
        Assert.Equal(0u, await Broker.ReadyCountAsync(connection, queue));
        await Broker.DeleteQueueAsync(connection, queue);
    }

    [Fact]
    public async Task A_poison_message_ends_alone_in_the_dead_letter_queue_while_the_rest_are_handled()
    {
        var queue = Names.Unique("batch-poison");
        var handled = new ConcurrentDictionary<int, int>();
        await using var app = await TestApp.StartAsync(broker.AmqpUrl, w => w
            .AddTopology(new Topology().Add(new QueueDeclaration(queue)))
            .AddConsumer(new ConsumerDefinition(queue, new BatchDispatcher<Numbered>(RuntimeTestJson.Default.Numbered, 20, TimeSpan.FromMilliseconds(300), (list, _) =>
            {
                if (list.Any(m => m.N == 13))
                {
                    throw new InvalidOperationException("13 is poison");
                }

                foreach (var m in list)
                {
                    handled.AddOrUpdate(m.N, 1, (_, c) => c + 1);
                }

                return ValueTask.CompletedTask;
            }))
            {
                Prefetch = 40,
                Retry = new RetryPolicy { ImmediateRetries = 1, DeadLetterExchange = queue + ".dlx" },
            }).AddTopology(new Topology()
                .Add(new ExchangeDeclaration(queue + ".dlx", ExchangeTypes.Fanout))
                .Add(new QueueDeclaration(queue + ".dlq"))
                .Add(new BindingDeclaration(queue + ".dlx", queue + ".dlq"))));

        await app.Sender.SendBatchAsync(queue, Enumerable.Range(0, 40));
        await using var connection = await broker.ConnectAsync();
        await Broker.WaitUntilAsync(() => handled.Count >= 39, TimeSpan.FromSeconds(20), "39 good messages handled");
        for (var i = 0; i < 100 && await Broker.ReadyCountAsync(connection, queue + ".dlq") < 1; i++)
        {
            await Task.Delay(100);
        }

        Assert.Equal(Enumerable.Range(0, 40).Where(n => n != 13), handled.Keys.Order());
        Assert.Equal(1u, await Broker.ReadyCountAsync(connection, queue + ".dlq"));
        Assert.Equal(0u, await Broker.ReadyCountAsync(connection, queue));
        await Broker.DeleteQueueAsync(connection, queue);
        await Broker.DeleteQueueAsync(connection, queue + ".dlq");
    }

    [Fact]
    public async Task A_graceful_stop_hands_over_the_partial_batch()
    {
        var queue = Names.Unique("batch-stop");
        var handled = new ConcurrentQueue<int>();
        var app = await TestApp.StartAsync(broker.AmqpUrl, w => w
            .AddTopology(new Topology().Add(new QueueDeclaration(queue)))
            .AddConsumer(new ConsumerDefinition(queue, new BatchDispatcher<Numbered>(RuntimeTestJson.Default.Numbered, 100, TimeSpan.FromMinutes(5), (list, _) =>
            {
                foreach (var m in list)
                {
                    handled.Enqueue(m.N);
                }

                return ValueTask.CompletedTask;
            })) { Prefetch = 100 }));
        await using (app)
        {
            await app.Sender.SendBatchAsync(queue, Enumerable.Range(0, 30));
            await using var connection = await broker.ConnectAsync();
            await Broker.WaitUntilAsync(() => Broker.ReadyCountAsync(connection, queue).GetAwaiter().GetResult() == 0, TimeSpan.FromSeconds(10), "all 30 delivered");
            Assert.Empty(handled);
            var stopping = DateTime.UtcNow;
            await app.StopAsync();
            Assert.True(DateTime.UtcNow - stopping < TimeSpan.FromSeconds(10), "the stop waited for the batch timeout");
            Assert.Equal(Enumerable.Range(0, 30), handled.Order());
            Assert.Equal(0u, await Broker.ReadyCountAsync(connection, queue));
            await Broker.DeleteQueueAsync(connection, queue);
        }
    }
}

internal static class BatchSending
{
    public static async Task SendBatchAsync(this IMessageSender sender, string queue, IEnumerable<int> numbers)
    {
        foreach (var n in numbers)
        {
            await sender.SendAsync(string.Empty, queue, new Numbered(n), RuntimeTestJson.Default.Numbered, "test.numbered");
        }
    }
}

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using RabbitMQ.Client;
using Xunit;
using Xunit.Abstractions;

namespace Warren.IntegrationTests.Runtime;

/// <summary>
/// A batch waits for a publishing channel that is busy writing (the client's write queue is full) instead of queueing
/// every further publish behind it: the order on the broker, the single delivery of each message and the confirmation
/// of each publish must not change.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class BusyChannelTests(BrokerFixture broker, ITestOutputHelper output)
{
    /// <summary>Sends of random sizes (seeded) in a row, waiting for the channel whenever a send still holds it, as the batch loop does.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Sends_that_wait_for_a_busy_channel_keep_their_order_and_each_is_confirmed_once(int seed)
    {
        const int count = 1_500;
        var random = new Random(seed);
        var queue = Names.Unique("busy");
        await using var connection = await broker.ConnectAsync();
        await using (var setup = await connection.CreateChannelAsync())
        {
            await setup.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
        }

        await using var channel = await ConfirmChannel.OpenAsync(connection, TimeSpan.FromSeconds(60), TimeProvider.System, CancellationToken.None);
        var sends = new List<Task<ConfirmChannel.Pending>>(count);
        var sizes = new int[count];
        var waited = 0;
        for (var i = 0; i < count; i++)
        {
            // Mostly small bodies with some large ones, so that the client's bounded write queue fills now and then.
            sizes[i] = random.Next(10) == 0 ? random.Next(64 * 1024, 256 * 1024) : random.Next(0, 2048);
            var body = new byte[sizes[i]];
            var properties = new BasicProperties { MessageId = i.ToString(System.Globalization.CultureInfo.InvariantCulture), DeliveryMode = DeliveryModes.Persistent };
            sends.Add(channel.SendAsync(string.Empty, queue, mandatory: true, properties, body, messageId: 0, trace: default, Stopwatch.GetTimestamp() + (60 * Stopwatch.Frequency), CancellationToken.None).AsTask());
            if (channel.IsSending)
            {
                waited++;
                await channel.WhenSendFreeAsync(CancellationToken.None);

                // Nothing else sends on this channel: once free it stays free until the next send.
                Assert.False(channel.IsSending, $"seed {seed}: the channel was still held after WhenSendFreeAsync, at send {i}");
            }
        }

        var pendings = await Task.WhenAll(sends).WaitAsync(TimeSpan.FromSeconds(60));
        var sequences = pendings.Select(p => p.Sequence).ToArray();
        for (var i = 1; i < count; i++)
        {
            Assert.True(sequences[i] == sequences[i - 1] + 1, $"seed {seed}: send {i} got sequence {sequences[i]} after {sequences[i - 1]}");
        }

        await Task.WhenAll(pendings.Select(p => p.Task)).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.All(pendings, p => Assert.True(p.Task.IsCompletedSuccessfully));
        Assert.Equal(0, channel.PendingCount);
        output.WriteLine($"seed {seed}: {count} sends, {waited} waits for a busy channel");

        // On the broker: every message once, in the order sent.
        await using var reader = await connection.CreateChannelAsync();
        for (var i = 0; i < count; i++)
        {
            var got = await reader.BasicGetAsync(queue, autoAck: true);
            Assert.NotNull(got);
            Assert.Equal(i.ToString(System.Globalization.CultureInfo.InvariantCulture), got.BasicProperties.MessageId);
            Assert.Equal(sizes[i], got.Body.Length);
        }

        Assert.Null(await reader.BasicGetAsync(queue, autoAck: true));
        await Broker.DeleteQueueAsync(connection, queue);
    }

    [Fact]
    public async Task A_batch_of_large_messages_arrives_once_each_in_order_and_every_publish_is_confirmed()
    {
        const int count = 2_000;
        var queue = Names.Unique("busy-batch");
        var received = new List<int>(count);
        var redelivered = 0;
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var app = await TestApp.StartAsync(broker.AmqpUrl, w => w
            .AddContract(new MessageContract<Numbered>("test.numbered", RuntimeTestJson.Default.Numbered, exchange: string.Empty, routingKey: queue))
            .AddTopology(new Topology().Add(new QueueDeclaration(queue)))
            .AddConsumer(new ConsumerDefinition(queue, MessageDispatcher.Create(RuntimeTestJson.Default.Numbered, (m, ctx) =>
            {
                lock (received)
                {
                    received.Add(m.N);
                    redelivered += ctx.Redelivered ? 1 : 0;
                    if (received.Count == count)
                    {
                        all.TrySetResult();
                    }
                }

                return ValueTask.CompletedTask;
            })) { Concurrency = 1, Prefetch = 200 }));

        var note = new string('x', 48 * 1024);
        await app.Publisher.PublishBatchAsync(Enumerable.Range(0, count).Select(n => new Numbered(n, note)));
        await all.Task.WaitAsync(TimeSpan.FromSeconds(90));
        await Task.Delay(200); // anything extra (a duplicate) would arrive now

        lock (received)
        {
            Assert.Equal(Enumerable.Range(0, count), received);
            Assert.Equal(0, redelivered);
        }

        await using var connection = await broker.ConnectAsync();
        Assert.Equal(0u, await Broker.ReadyCountAsync(connection, queue));
        await Broker.DeleteQueueAsync(connection, queue);
    }
}

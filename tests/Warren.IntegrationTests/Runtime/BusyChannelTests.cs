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
        var suspended = 0;
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
                var free = channel.WhenSendFreeAsync(CancellationToken.None);
                suspended += free.IsCompleted ? 0 : 1;
                await free;

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
        output.WriteLine($"seed {seed}: {count} sends, {waited} waits for a busy channel, {suspended} of them suspended");

        // The run exercised what it is about: the channel was found busy, and waits were real (not completed at once).
        Assert.True(waited > 0, $"seed {seed}: the channel was never busy after a send; the test did not wait once");
        Assert.True(suspended > 0, $"seed {seed}: every wait for the busy channel completed at once; none suspended the caller");

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

    /// <summary>
    /// A wait for a busy channel is cancelled: it throws <see cref="OperationCanceledException"/> and takes nothing with
    /// it. The broker's memory alarm blocks the publishing connection, so the client's write queue fills and a send holds
    /// the channel for as long as the alarm lasts (a wait that must stay pending until cancelled, not a race). Once the
    /// alarm is cleared every send is confirmed, nothing is left pending, the channel is free again, and the broker has
    /// each message once, in order.
    /// </summary>
    [Fact]
    public async Task A_cancelled_wait_for_a_busy_channel_throws_and_leaves_nothing_pending_or_lost()
    {
        var node = broker.RequireLocalNode();
        var queue = Names.Unique("busy-cancel");
        await using var connection = await broker.ConnectAsync();
        await using (var setup = await connection.CreateChannelAsync())
        {
            await setup.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
        }

        var blocked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.ConnectionBlockedAsync += (_, _) =>
        {
            blocked.TrySetResult();
            return Task.CompletedTask;
        };
        await using var channel = await ConfirmChannel.OpenAsync(connection, TimeSpan.FromSeconds(120), TimeProvider.System, CancellationToken.None);
        var body = new byte[256 * 1024];
        var sends = new List<Task<ConfirmChannel.Pending>>();
        Task<ConfirmChannel.Pending> Send() => channel.SendAsync(
            string.Empty, queue, mandatory: true, new BasicProperties { MessageId = sends.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), DeliveryMode = DeliveryModes.Persistent },
            body, messageId: 0, trace: default, Stopwatch.GetTimestamp() + (120 * Stopwatch.Frequency), CancellationToken.None).AsTask();

        await node.RabbitmqctlAsync(node.Nodes[0], "set_vm_memory_high_watermark", "0.0000001");
        try
        {
            // The broker blocks a connection when it next publishes.
            sends.Add(Send());
            await blocked.Task.WaitAsync(TimeSpan.FromSeconds(20));

            // Send until a send holds the channel and keeps holding it: the socket and the client's write queue are full.
            var held = false;
            while (!held && sends.Count < 2_000)
            {
                for (var i = 0; i < 10; i++)
                {
                    sends.Add(Send());
                }

                held = channel.IsSending && !await Completes(sends[^1], TimeSpan.FromMilliseconds(300)) && channel.IsSending;
            }

            Assert.True(held, $"no send held the channel after {sends.Count} sends of {body.Length} bytes to a blocked connection");
            using var cancellation = new CancellationTokenSource();
            var wait = channel.WhenSendFreeAsync(cancellation.Token).AsTask();
            Assert.False(await Completes(wait, TimeSpan.FromMilliseconds(300)), "the wait completed while the channel was held");
            await cancellation.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait.WaitAsync(TimeSpan.FromSeconds(10)));
            Assert.True(channel.IsSending, "the channel was let go by the cancelled wait while a send still held it");
            output.WriteLine($"{sends.Count} sends, {sends.Count(s => s.IsCompleted)} written when the wait was cancelled");
        }
        finally
        {
            await node.RabbitmqctlAsync(node.Nodes[0], "set_vm_memory_high_watermark", "0.4");
        }

        // An uncancelled wait completes once the sends are through; every send is confirmed once, none left pending.
        var pendings = await Task.WhenAll(sends).WaitAsync(TimeSpan.FromSeconds(120));
        await channel.WhenSendFreeAsync(CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        await Task.WhenAll(pendings.Select(p => p.Task)).WaitAsync(TimeSpan.FromSeconds(120));
        Assert.All(pendings, p => Assert.True(p.Task.IsCompletedSuccessfully));
        Assert.Equal(pendings.Length, pendings.Select(p => p.Sequence).Distinct().Count());
        Assert.Equal(0, channel.PendingCount);
        Assert.False(channel.IsSending);

        // The channel still sends (the cancelled wait left the send lock as it found it), and the broker has every message once, in order.
        sends.Add(Send());
        var last = await sends[^1].WaitAsync(TimeSpan.FromSeconds(30));
        await last.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await using var reader = await connection.CreateChannelAsync();
        for (var i = 0; i < sends.Count; i++)
        {
            var got = await reader.BasicGetAsync(queue, autoAck: true);
            Assert.NotNull(got);
            Assert.Equal(i.ToString(System.Globalization.CultureInfo.InvariantCulture), got.BasicProperties.MessageId);
        }

        Assert.Null(await reader.BasicGetAsync(queue, autoAck: true));
        await Broker.DeleteQueueAsync(connection, queue);
    }

    private static async Task<bool> Completes(Task task, TimeSpan within)
    {
        await Task.WhenAny(task, Task.Delay(within));
        return task.IsCompleted;
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

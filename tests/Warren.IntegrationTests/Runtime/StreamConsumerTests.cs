using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;
using Xunit;

namespace Warren.IntegrationTests.Runtime;

/// <summary>Stream queues on a real broker: start positions, a stored offset across restarts, retention arguments, failures, foreign quorum queues.</summary>
[Collection(BrokerCollection.Name)]
public sealed class StreamConsumerTests(BrokerFixture broker)
{
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(700);

    [Fact]
    public async Task A_consumer_restarted_from_a_stored_offset_sees_exactly_the_messages_after_it()
    {
        var stream = Names.Unique("stream-stored");
        var store = new MemoryOffsetStore();
        var first = new ConcurrentQueue<(int N, long? Offset)>();
        await using (var app = await StartStreamAppAsync(stream, new StreamConsumer(StreamOffset.First, StoreOffsets: true), store, first))
        {
            await app.Sender.SendBatchAsync(stream, Enumerable.Range(0, 25));
            await Broker.WaitUntilAsync(() => first.Count >= 25, TimeSpan.FromSeconds(20), "25 stream messages");
            await app.StopAsync();
        }

        Assert.Equal(Enumerable.Range(0, 25), first.Select(m => m.N));
        Assert.Equal(Enumerable.Range(0, 25).Select(i => (long?)i), first.Select(m => m.Offset));
        Assert.Equal(24L, store.Saved[stream]);

        // Published while no consumer runs; the restarted consumer starts after offset 24 although it says First.
        await using (var sender = await TestApp.StartAsync(broker.AmqpUrl))
        {
            await sender.Sender.SendBatchAsync(stream, Enumerable.Range(25, 15));
        }

        var second = new ConcurrentQueue<(int N, long? Offset)>();
        await using (var app = await StartStreamAppAsync(stream, new StreamConsumer(StreamOffset.First, StoreOffsets: true), store, second))
        {
            await Broker.WaitUntilAsync(() => second.Count >= 15, TimeSpan.FromSeconds(20), "the 15 later messages");
            await Task.Delay(Settle);
            await app.StopAsync();
        }

        Assert.Equal(Enumerable.Range(25, 15), second.Select(m => m.N));
        Assert.Equal(39L, store.Saved[stream]);
        await DeleteAsync(stream);
    }

    [Fact]
    public async Task First_replays_next_skips_an_offset_and_a_timestamp_start_where_they_say()
    {
        var stream = Names.Unique("stream-start");
        await using (var sender = await TestApp.StartAsync(broker.AmqpUrl, w => w.AddTopology(StreamTopology(stream))))
        {
            await sender.Sender.SendBatchAsync(stream, Enumerable.Range(0, 10));
        }

        // Chunks carry millisecond timestamps; the broker takes whole seconds: a 1.5 s gap separates the two batches.
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var between = DateTimeOffset.UtcNow;
        await using (var sender = await TestApp.StartAsync(broker.AmqpUrl))
        {
            await sender.Sender.SendBatchAsync(stream, Enumerable.Range(10, 10));
        }

        async Task<int[]> ReadAsync(StreamOffset start, int expected)
        {
            var seen = new ConcurrentQueue<(int N, long? Offset)>();
            await using var app = await StartStreamAppAsync(stream, new StreamConsumer(start), null, seen);
            await Broker.WaitUntilAsync(() => seen.Count >= expected, TimeSpan.FromSeconds(20), $"{expected} messages from {start}");
            await Task.Delay(Settle);
            return seen.Select(m => m.N).ToArray();
        }

        Assert.Equal(Enumerable.Range(0, 20), await ReadAsync(StreamOffset.First, 20));
        Assert.Equal(Enumerable.Range(7, 13), await ReadAsync(StreamOffset.At(7), 13));
        Assert.Equal(Enumerable.Range(10, 10), await ReadAsync(StreamOffset.After(between), 10));
        Assert.Empty(await ReadAsync(StreamOffset.Next, 0));
        await DeleteAsync(stream);
    }

    [Fact]
    public async Task A_failing_stream_message_is_copied_to_the_dead_letter_queue_and_the_rest_are_handled()
    {
        var stream = Names.Unique("stream-poison");
        var handled = new ConcurrentQueue<int>();
        await using var app = await TestApp.StartAsync(broker.AmqpUrl, w => w
            .AddTopology(StreamTopology(stream))
            .AddConsumer(new ConsumerDefinition(stream, MessageDispatcher.Create(RuntimeTestJson.Default.Numbered, (m, _) =>
            {
                if (m.N == 4)
                {
                    throw new InvalidOperationException("4 is poison");
                }

                handled.Enqueue(m.N);
                return ValueTask.CompletedTask;
            }))
            {
                Prefetch = 10,
                Stream = new StreamConsumer(StreamOffset.First),
            }));
        await app.Sender.SendBatchAsync(stream, Enumerable.Range(0, 10));
        await using var connection = await broker.ConnectAsync();
        await Broker.WaitUntilAsync(() => handled.Count >= 9, TimeSpan.FromSeconds(20), "9 good messages");
        for (var i = 0; i < 100 && await Broker.ReadyCountAsync(connection, stream + ".dlq") < 1; i++)
        {
            await Task.Delay(50);
        }

        Assert.Equal(Enumerable.Range(0, 10).Where(n => n != 4), handled.Order());
        Assert.Equal(1u, await Broker.ReadyCountAsync(connection, stream + ".dlq"));
        await app.StopAsync();
        await Broker.DeleteQueueAsync(connection, stream + ".dlq");
        await Broker.DeleteQueueAsync(connection, stream);
    }

    [Fact]
    public async Task A_quorum_queue_another_client_declared_is_matched()
    {
        var queue = Names.Unique("foreign-quorum");
        await using var connection = await broker.ConnectAsync();
        await using (var channel = await connection.CreateChannelAsync())
        {
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, new Dictionary<string, object?> { ["x-queue-type"] = "quorum", ["x-max-length"] = 1000 });
        }

        var handled = new ConcurrentQueue<int>();
        await using var app = await TestApp.StartAsync(broker.AmqpUrl, w => w
            .AddTopology(new Topology().Add(new QueueDeclaration(queue, Arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum", ["x-max-length"] = 1000L })))
            .AddConsumer(new ConsumerDefinition(queue, MessageDispatcher.Create(RuntimeTestJson.Default.Numbered, (m, _) =>
            {
                handled.Enqueue(m.N);
                return ValueTask.CompletedTask;
            }))
            { Retry = RetryPolicy.Disabled }));
        await app.Sender.SendBatchAsync(queue, Enumerable.Range(0, 5));
        await Broker.WaitUntilAsync(() => handled.Count >= 5, TimeSpan.FromSeconds(20), "5 messages");
        await app.StopAsync();
        await Broker.DeleteQueueAsync(connection, queue);
    }

    private async Task<TestApp> StartStreamAppAsync(string stream, StreamConsumer consumer, IStreamOffsetStore? store, ConcurrentQueue<(int N, long? Offset)> seen) =>
        await TestApp.StartAsync(broker.AmqpUrl, w =>
        {
            if (store is not null)
            {
                w.Services.AddSingleton(store);
            }

            w.AddTopology(StreamTopology(stream))
                .AddConsumer(new ConsumerDefinition(stream, new ContextDispatcher(context =>
                {
                    var m = System.Text.Json.JsonSerializer.Deserialize(context.Body.Span, RuntimeTestJson.Default.Numbered)!;
                    seen.Enqueue((m.N, context.StreamOffset));
                }))
                {
                    Prefetch = 20,
                    Stream = consumer,
                    Retry = RetryPolicy.Disabled,
                });
        }, o => o.StreamOffsetSaveInterval = TimeSpan.FromMilliseconds(100));

    /// <summary>A stream with retention, as a generated topology declares it.</summary>
    private static Topology StreamTopology(string stream) => new Topology().Add(new QueueDeclaration(stream, Arguments: new Dictionary<string, object?>
    {
        ["x-queue-type"] = "stream",
        ["x-max-age"] = "1D",
        ["x-max-length-bytes"] = 50_000_000L,
        ["x-stream-max-segment-size-bytes"] = 1_000_000L,
    }));

    private async Task DeleteAsync(string stream)
    {
        await using var connection = await broker.ConnectAsync();
        await Broker.DeleteQueueAsync(connection, stream);
    }

    private sealed class ContextDispatcher(Action<MessageContext> handle) : IMessageDispatcher
    {
        public ValueTask<DispatchOutcome> DispatchAsync(MessageContext context)
        {
            handle(context);
            return ValueTask.FromResult(DispatchOutcome.Ack);
        }
    }

    private sealed class MemoryOffsetStore : IStreamOffsetStore
    {
        public ConcurrentDictionary<string, long> Saved { get; } = new();

        public ValueTask<long?> LoadAsync(string stream, CancellationToken cancellationToken) =>
            ValueTask.FromResult(Saved.TryGetValue(stream, out var offset) ? offset : (long?)null);

        public ValueTask SaveAsync(string stream, long offset, CancellationToken cancellationToken)
        {
            Saved[stream] = offset;
            return ValueTask.CompletedTask;
        }
    }
}

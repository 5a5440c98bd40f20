using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Xunit;
using Xunit.Abstractions;

namespace Warren.IntegrationTests.Runtime;

/// <summary>A publish the broker cannot accept fails alone, at once, and never takes the others or the connection with it.</summary>
[Collection(BrokerCollection.Name)]
public sealed class PublishFailureTests(BrokerFixture broker, ITestOutputHelper output)
{
    [Fact]
    public async Task One_publish_to_a_missing_exchange_among_640_fails_alone_with_its_own_reason()
    {
        const int count = 640;
        const int bad = 320;
        var queue = Names.Unique("one-bad");
        var missing = Names.Unique("no-such-exchange");
        await using var app = await TestApp.StartAsync(broker.AmqpUrl, w => w.AddTopology(new Topology().Add(new QueueDeclaration(queue))));
        await app.Sender.SendAsync(string.Empty, queue, new Numbered(-1), RuntimeTestJson.Default.Numbered, "test.numbered");

        var publishes = Enumerable.Range(0, count)
            .Select(n => app.Sender.SendAsync(n == bad ? missing : string.Empty, queue, new Numbered(n), RuntimeTestJson.Default.Numbered, "test.numbered").AsTask())
            .ToArray();
        var outcomes = await Outcomes(publishes);

        var failed = outcomes.Where(o => o.Error is not null).ToArray();
        var only = Assert.Single(failed);
        Assert.Equal(bad, only.Index);
        var error = Assert.IsType<WarrenPublishException>(only.Error);
        Assert.Equal(missing, error.Exchange);
        Assert.Contains("404", error.Message, StringComparison.Ordinal);
        Assert.Contains($"no exchange '{missing}'", error.Message, StringComparison.Ordinal);

        var delivered = await DrainAsync(queue, expectedDistinct: count);
        output.WriteLine($"{delivered.Count} deliveries, {delivered.Distinct().Count()} distinct (duplicates are the publishes sent again after the channel error)");
        Assert.Equal(Enumerable.Range(-1, count + 1).Where(n => n != bad), delivered.Distinct().Order());
        Assert.Equal(MaxInFlight(app), Publisher(app).AvailableSlots);
    }

    [Fact]
    public async Task An_error_the_broker_does_not_attribute_is_traced_to_its_publish_by_sending_each_again_alone()
    {
        const int count = 200;
        var queue = Names.Unique("unattributed");
        await using var app = await TestApp.StartAsync(broker.AmqpUrl, w => w.AddTopology(new Topology().Add(new QueueDeclaration(queue))));
        await app.Sender.SendAsync(string.Empty, queue, new Numbered(-1), RuntimeTestJson.Default.Numbered, "test.numbered");
        var publisher = Publisher(app);

        var publishes = Enumerable.Range(0, count)
            .Select(n => app.Sender.SendAsync(string.Empty, queue, new Numbered(n), RuntimeTestJson.Default.Numbered, "test.numbered").AsTask())
            .ToList();

        // An expiration the broker cannot read: 406 PRECONDITION_FAILED naming no exchange.
        var body = JsonSerializer.SerializeToUtf8Bytes(new Numbered(9999), RuntimeTestJson.Default.Numbered);
        var badOne = publisher.SendRawAsync(string.Empty, queue, mandatory: true, new BasicProperties { Expiration = "soon", MessageId = "bad" }, body, CancellationToken.None).AsTask();
        publishes.Insert(count / 2, badOne);
        var outcomes = await Outcomes(publishes.ToArray());

        var only = Assert.Single(outcomes, o => o.Error is not null);
        Assert.Equal(count / 2, only.Index);
        Assert.Contains("406", only.Error!.Message, StringComparison.Ordinal);
        Assert.Contains("expiration", only.Error.Message, StringComparison.OrdinalIgnoreCase);
        var delivered = await DrainAsync(queue, expectedDistinct: count + 1);
        Assert.Equal(Enumerable.Range(-1, count + 1), delivered.Distinct().Order());
        Assert.Equal(MaxInFlight(app), publisher.AvailableSlots);
    }

    [Fact]
    public async Task A_publish_with_130_kilobytes_of_headers_is_refused_before_sending_and_the_connection_lives_on()
    {
        const int stream = 2000;
        var queue = Names.Unique("oversize");
        var events = new ConcurrentQueue<ConnectionEvent>();
        await using var app = await TestApp.StartAsync(broker.AmqpUrl, w => w.AddTopology(new Topology().Add(new QueueDeclaration(queue))));
        app.Connections.ConnectionChanged += events.Enqueue;
        await app.Sender.SendAsync(string.Empty, queue, new Numbered(-1), RuntimeTestJson.Default.Numbered, "test.numbered");
        var connection = await app.Connections.GetPublishConnectionAsync();
        Assert.Equal(131_072u, connection.FrameMax);

        var unrelated = Task.Run(async () =>
        {
            var sends = new List<Task>();
            for (var n = 0; n < stream; n++)
            {
                sends.Add(app.Sender.SendAsync(string.Empty, queue, new Numbered(n), RuntimeTestJson.Default.Numbered, "test.numbered").AsTask());
            }

            await Task.WhenAll(sends);
        });
        var headers = Enumerable.Range(0, 130).ToDictionary(i => $"h{i:D3}", _ => (object?)new string('x', 1000));
        var oversize = new PublishOptions { Headers = headers };
        var timer = Stopwatch.StartNew();
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var error = await Assert.ThrowsAsync<WarrenPublishException>(async () =>
                await app.Sender.SendAsync(string.Empty, queue, new Numbered(10_000), RuntimeTestJson.Default.Numbered, "test.numbered", oversize));
            Assert.Contains("frame_max of 131072", error.Message, StringComparison.Ordinal);
            Assert.Contains("was not sent", error.Message, StringComparison.Ordinal);
        }

        Assert.True(timer.Elapsed < TimeSpan.FromSeconds(2), $"refusing took {timer.Elapsed}: it must not wait for a timeout");
        await unrelated.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.DoesNotContain(events, e => e.Role == ConnectionRole.Publish && e.Kind == ConnectionEventKind.Lost);
        Assert.True(connection.IsOpen);
        var delivered = await DrainAsync(queue, expectedDistinct: stream + 1);
        Assert.Equal(stream + 1, delivered.Count);
    }

    [Fact]
    public async Task A_batch_whose_sequence_throws_midway_reports_every_started_message_and_returns_the_window()
    {
        var queue = Names.Unique("batch-throws");
        await using var app = await TestApp.StartAsync(broker.AmqpUrl, w => w
            .AddContract(new MessageContract<Numbered>("test.numbered", RuntimeTestJson.Default.Numbered, exchange: string.Empty, m => m.N % 100 == 7 ? "nowhere-" + queue : queue))
            .AddTopology(new Topology().Add(new QueueDeclaration(queue))), o => o.MaxInFlightPublishes = 16);

        static IEnumerable<Numbered> ThrowsAt(int position)
        {
            for (var n = 0; ; n++)
            {
                if (n == position)
                {
                    throw new InvalidOperationException("the source broke");
                }

                yield return new Numbered(n);
            }
        }

        var error = await Assert.ThrowsAsync<PublishBatchException>(async () => await app.Publisher.PublishBatchAsync(ThrowsAt(500)));

        Assert.Equal(500, error.Total);
        var cause = Assert.IsType<InvalidOperationException>(error.Interruption);
        Assert.Equal("the source broke", cause.Message);
        Assert.Equal([7, 107, 207, 307, 407], error.FailedIndexes);
        Assert.Equal(495, error.Confirmed);
        Assert.Contains("the message sequence threw InvalidOperationException", error.Message, StringComparison.Ordinal);
        Assert.Equal(16, Publisher(app).AvailableSlots);
        await using var connection = await broker.ConnectAsync();
        Assert.Equal(495u, await Broker.ReadyCountAsync(connection, queue));
        await Broker.DeleteQueueAsync(connection, queue);
    }

    [Fact]
    public async Task A_batch_cancelled_midway_reports_every_started_message_and_returns_the_window()
    {
        var queue = Names.Unique("batch-cancel");
        await using var app = await TestApp.StartAsync(broker.AmqpUrl, w => w
            .AddContract(new MessageContract<Numbered>("test.numbered", RuntimeTestJson.Default.Numbered, exchange: string.Empty, routingKey: queue))
            .AddTopology(new Topology().Add(new QueueDeclaration(queue))), o => o.MaxInFlightPublishes = 16);
        using var cancel = new CancellationTokenSource();

        IEnumerable<Numbered> CancelsAt(int position)
        {
            for (var n = 0; n < 1000; n++)
            {
                if (n == position)
                {
                    cancel.Cancel();
                }

                yield return new Numbered(n);
            }
        }

        var error = await Assert.ThrowsAsync<PublishBatchException>(async () => await app.Publisher.PublishBatchAsync(CancelsAt(300), cancellationToken: cancel.Token));

        Assert.IsAssignableFrom<OperationCanceledException>(error.Interruption);
        Assert.Equal(300, error.Total);
        Assert.All(error.FailedIndexes, i => Assert.InRange(i, 0, 299));
        Assert.All(error.InnerExceptions.Skip(1), e => Assert.IsAssignableFrom<OperationCanceledException>(e));
        output.WriteLine($"confirmed {error.Confirmed}, cancelled while awaiting confirmation {error.FailedIndexes.Count}");
        Assert.Equal(16, Publisher(app).AvailableSlots);
        await using var connection = await broker.ConnectAsync();
        var ready = await Broker.ReadyCountAsync(connection, queue);
        Assert.InRange(ready, (uint)error.Confirmed, 300u);
        await Broker.DeleteQueueAsync(connection, queue);
    }

    [Fact]
    public async Task Publishers_that_do_not_await_are_bounded_before_serialization()
    {
        var node = broker.RequireLocalNode();
        var queue = Names.Unique("unawaited");
        CountedJson.Reset();
        await using var app = await TestApp.StartAsync(broker.AmqpUrl, w => w.AddTopology(new Topology().Add(new QueueDeclaration(queue))), o => o.MaxInFlightPublishes = 4);
        var events = new ConcurrentQueue<ConnectionEvent>();
        app.Connections.ConnectionChanged += events.Enqueue;
        await app.Sender.SendAsync(string.Empty, queue, new Counted(0), CountedJson.Default.Counted, "test.counted");

        var publishes = new List<Task>();
        await node.RabbitmqctlAsync(node.Nodes[0], "set_vm_memory_high_watermark", "0.0000001");
        try
        {
            publishes.Add(app.Sender.SendAsync(string.Empty, queue, new Counted(1), CountedJson.Default.Counted, "test.counted").AsTask());
            await Broker.WaitUntilAsync(() => events.Any(e => e.Kind == ConnectionEventKind.Blocked), TimeSpan.FromSeconds(20), "the blocked notification");
            for (var n = 2; n < 50; n++)
            {
                publishes.Add(app.Sender.SendAsync(string.Empty, queue, new Counted(n), CountedJson.Default.Counted, "test.counted").AsTask());
            }

            await Broker.WaitUntilAsync(() => CountedJson.Serialized >= 5, TimeSpan.FromSeconds(5), "the publishes holding the window to be serialized");
            await Task.Delay(300); // time for any unbounded publish to serialize too
            Assert.Equal(5, CountedJson.Serialized); // the first message, then the 4 publishes that hold the window
            Assert.Equal(0, Publisher(app).AvailableSlots);
        }
        finally
        {
            await node.RabbitmqctlAsync(node.Nodes[0], "set_vm_memory_high_watermark", "0.4");
        }

        await Task.WhenAll(publishes).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(50, CountedJson.Serialized);
        Assert.Equal(4, Publisher(app).AvailableSlots);
        await using var connection = await broker.ConnectAsync();
        Assert.Equal(50u, await Broker.ReadyCountAsync(connection, queue));
        await Broker.DeleteQueueAsync(connection, queue);
    }

    private static MessagePublisher Publisher(TestApp app) => app.Services.GetRequiredService<MessagePublisher>();

    private static int MaxInFlight(TestApp app) => app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<WarrenOptions>>().Value.MaxInFlightPublishes;

    private static async Task<(int Index, Exception? Error)[]> Outcomes(Task[] publishes)
    {
        var outcomes = new (int, Exception?)[publishes.Length];
        for (var i = 0; i < publishes.Length; i++)
        {
            try
            {
                await publishes[i].WaitAsync(TimeSpan.FromSeconds(60));
                outcomes[i] = (i, null);
            }
            catch (Exception ex) when (ex is not TimeoutException)
            {
                outcomes[i] = (i, ex);
            }
        }

        return outcomes;
    }

    /// <summary>Consumes the queue until <paramref name="expectedDistinct"/> distinct messages arrived and nothing more comes, then deletes it.</summary>
    private async Task<List<int>> DrainAsync(string queue, int expectedDistinct)
    {
        var received = new ConcurrentQueue<int>();
        await using var connection = await broker.ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, e) =>
        {
            var text = Encoding.UTF8.GetString(e.Body.Span);
            received.Enqueue(text.Contains("\"N\"", StringComparison.Ordinal)
                ? JsonSerializer.Deserialize(text, RuntimeTestJson.Default.Numbered)!.N
                : JsonSerializer.Deserialize(text, CountedJson.Default.Counted)!.Value);
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(queue, autoAck: true, consumer);
        await Broker.WaitUntilAsync(() => received.Distinct().Count() >= expectedDistinct, TimeSpan.FromSeconds(30), $"{expectedDistinct} distinct messages on {queue}");
        await Task.Delay(200); // duplicates still on their way arrive now
        await channel.QueueDeleteAsync(queue);
        return [.. received];
    }
}

/// <summary>A message whose serializations are counted, to see when publishing serializes it.</summary>
[JsonConverter(typeof(CountingConverter))]
public sealed record Counted(int Value);

internal sealed class CountingConverter : JsonConverter<Counted>
{
    public override Counted Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => new(reader.GetInt32());

    public override void Write(Utf8JsonWriter writer, Counted value, JsonSerializerOptions options)
    {
        CountedJson.Count();
        writer.WriteNumberValue(value.Value);
    }
}

[JsonSerializable(typeof(Counted))]
internal sealed partial class CountedJson : JsonSerializerContext
{
    private static int s_serialized;

    public static int Serialized => Volatile.Read(ref s_serialized);

    public static void Reset() => Volatile.Write(ref s_serialized, 0);

    public static void Count() => Interlocked.Increment(ref s_serialized);
}

using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using Xunit;
using Xunit.Abstractions;

namespace Warren.IntegrationTests.Runtime;

/// <summary>What producers and failures the consumer meets in the wild: foreign properties, poison, slow handlers, a broker that ends subscriptions, stops under load.</summary>
[Collection(BrokerCollection.Name)]
public sealed class ConsumerResilienceTests(BrokerFixture broker, ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_message_with_a_millisecond_timestamp_and_odd_headers_is_consumed()
    {
        var queue = Names.Unique("foreign");
        var seen = new TaskCompletionSource<MessageContext>(TaskCreationOptions.RunContinuationsAsynchronously);
        var logs = new LogSink();
        await using var app = await TestApp.StartAsync(broker.AmqpUrl, w => w
            .AddTopology(new Topology().Add(new QueueDeclaration(queue)))
            .AddConsumer(new ConsumerDefinition(queue, MessageDispatcher.Create(RuntimeTestJson.Default.Numbered, (m, ctx) =>
            {
                _ = ctx.Headers;
                _ = ctx.Deaths;
                seen.TrySetResult(ctx);
                return ValueTask.CompletedTask;
            }))), logs: logs);

        var now = DateTimeOffset.UtcNow;
        await using var connection = await broker.ConnectAsync();
        await RawPublishAsync(connection, queue, """{"N":1}""", new BasicProperties
        {
            Timestamp = new AmqpTimestamp(now.ToUnixTimeMilliseconds()), // what amqplib tutorials send: Date.now()
            Headers = new Dictionary<string, object?>
            {
                ["x-death"] = Encoding.UTF8.GetBytes("not a list"),
                ["x-delivery-count"] = Encoding.UTF8.GetBytes("twice"),
                [RetryPolicy.RetriesHeader] = (long)int.MaxValue + 1,
            },
        });
        var context = await seen.Task.WaitAsync(Wait);

        Assert.NotNull(context.Timestamp);
        Assert.InRange(context.Timestamp!.Value, now.AddSeconds(-5), now.AddSeconds(5));
        Assert.Equal(0, context.DeliveryCount);
        Assert.Equal(0, context.RetryCount);
        Assert.Empty(context.Deaths);
        await Broker.WaitUntilAsync(() => logs.Entries.Count(e => e.Message.Contains("unreadable", StringComparison.Ordinal)) == 2, Wait, "one log line per unreadable value");
        await app.StopAsync();
        await Broker.DeleteQueueAsync(connection, queue);
    }

    [Fact]
    public async Task By_default_an_unprocessable_message_ends_in_the_dead_letter_queue_and_a_failing_one_in_the_first_retry_queue()
    {
        var queue = Names.Unique("default-policy");
        var attempts = new ConcurrentQueue<int>();
        await using var app = await TestApp.StartAsync(broker.AmqpUrl, w => w
            .AddTopology(new Topology().Add(new QueueDeclaration(queue)))
            .AddConsumer(new ConsumerDefinition(queue, MessageDispatcher.Create(RuntimeTestJson.Default.Numbered, (m, _) =>
            {
                attempts.Enqueue(m.N);
                throw new InvalidOperationException($"{m.N} fails");
            }))));

        await using var connection = await broker.ConnectAsync();
        await RawPublishAsync(connection, queue, """{"n":1}""", new BasicProperties { MessageId = "camel" });
        await RawPublishAsync(connection, queue, """{"N":2}""", new BasicProperties { MessageId = "fails" });
        await RawPublishAsync(connection, queue, """{"N":3}""", new BasicProperties { MessageId = "negative", Headers = new Dictionary<string, object?> { [RetryPolicy.RetriesHeader] = -1 } });

        var dlq = RetryPolicy.DeadLetterQueueName(queue);
        var first = await TakeAsync(connection, dlq);
        var second = await TakeAsync(connection, dlq);
        var dead = new[] { first, second }.ToDictionary(d => d.BasicProperties.MessageId!);
        Assert.Contains("not valid JSON for Numbered", Header(dead["camel"], DeadLetterHeaders.Reason), StringComparison.Ordinal);
        Assert.Contains("outside 0..3", Header(dead["negative"], DeadLetterHeaders.Reason), StringComparison.Ordinal);
        Assert.Equal("System.InvalidOperationException", Header(dead["negative"], DeadLetterHeaders.ExceptionType));
        Assert.Equal(queue, Header(dead["camel"], DeadLetterHeaders.Queue));

        // The failing one waits its 5 s in the first retry queue, with its retry count.
        await Broker.WaitUntilAsync(() => Broker.ReadyCountAsync(connection, RetryPolicy.RetryQueueName(queue, 1)).Result == 1, Wait, "the retry copy");
        Assert.Equal([2, 3], attempts.Order());
        for (var level = 2; level <= 3; level++)
        {
            Assert.Equal(0u, await Broker.ReadyCountAsync(connection, RetryPolicy.RetryQueueName(queue, level)));
        }

        await app.StopAsync();
        foreach (var name in new[] { queue, dlq, RetryPolicy.RetryQueueName(queue, 1), RetryPolicy.RetryQueueName(queue, 2), RetryPolicy.RetryQueueName(queue, 3) })
        {
            await Broker.DeleteQueueAsync(connection, name);
        }
    }

    [Fact]
    public async Task Without_retries_a_failing_message_is_requeued_at_the_requeue_delay_not_in_a_hot_loop()
    {
        var queue = Names.Unique("disabled");
        var attempts = 0;
        var logs = new LogSink();
        await using var app = await TestApp.StartAsync(broker.AmqpUrl, w => w
            .AddTopology(new Topology().Add(new QueueDeclaration(queue)))
            .AddConsumer(new ConsumerDefinition(queue, MessageDispatcher.Create(RuntimeTestJson.Default.Numbered, (m, _) =>
            {
                Interlocked.Increment(ref attempts);
                throw new InvalidOperationException("always");
            })) { Retry = RetryPolicy.Disabled }),
            o => o.RequeueDelay = TimeSpan.FromMilliseconds(500),
            logs);

        await using var connection = await broker.ConnectAsync();
        await RawPublishAsync(connection, queue, """{"N":1}""", new BasicProperties());
        await RawPublishAsync(connection, queue, "not json", new BasicProperties { MessageId = "garbage" });
        var watch = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(3));
        var seen = Volatile.Read(ref attempts);
        var elapsed = watch.Elapsed;
        await app.StopAsync();

        output.WriteLine($"{seen} attempts in {elapsed}");
        Assert.InRange(seen, 3, (int)(elapsed / TimeSpan.FromMilliseconds(500)) + 2);
        Assert.Equal(1u, await Broker.ReadyCountAsync(connection, queue)); // the failing one is back; the garbage is gone
        var discarded = Assert.Single(logs.Entries, e => e.Message.Contains("garbage", StringComparison.Ordinal));
        Assert.Contains("discards", discarded.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(logs.Entries, e => e.Message.Contains("dead-lettered", StringComparison.Ordinal));
        await Broker.DeleteQueueAsync(connection, queue);
    }

    [Fact]
    public async Task Rejections_among_thousands_of_messages_at_concurrency_8_do_not_stop_the_consumer()
    {
        const int count = 5_000;
        var queue = Names.Unique("reject-mix");
        var handled = new ConcurrentDictionary<int, int>();
        await using var app = await TestApp.StartAsync(broker.AmqpUrl, w => w
            .AddTopology(new Topology().Add(new QueueDeclaration(queue)))
            .AddConsumer(new ConsumerDefinition(queue, MessageDispatcher.Create(RuntimeTestJson.Default.Numbered, async (m, _) =>
            {
                if (m.N % 7 == 0)
                {
                    await Task.Yield();
                }

                handled.AddOrUpdate(m.N, 1, (_, c) => c + 1);
            })) { Concurrency = 8, Prefetch = 32, Retry = RetryPolicy.Disabled }));

        await using var connection = await broker.ConnectAsync();
        await using (var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true)))
        {
            var publishes = new List<Task>(count);
            for (var i = 0; i < count; i++)
            {
                // Every 50th is not JSON: rejected without requeue between the acks of its neighbours.
                var body = i % 50 == 25 ? "garbage" : $$"""{"N":{{i}}}""";
                publishes.Add(channel.BasicPublishAsync(string.Empty, queue, true, new BasicProperties(), Encoding.UTF8.GetBytes(body)).AsTask());
            }

            await Task.WhenAll(publishes);
        }

        var expected = Enumerable.Range(0, count).Where(i => i % 50 != 25).ToArray();
        await Broker.WaitUntilAsync(() => handled.Count == expected.Length, TimeSpan.FromSeconds(60), "every valid message");
        await Broker.WaitUntilAsync(() => Broker.ReadyCountAsync(connection, queue).Result == 0, Wait, "an empty queue");
        await Task.Delay(300);

        Assert.Equal(expected, handled.Keys.Order());
        Assert.All(handled.Values, c => Assert.Equal(1, c));
        var status = app.Consumers.Get(queue)!;
        Assert.Equal(ConsumerState.Running, status.State);
        Assert.Equal(0, status.RestartCount);
        await app.StopAsync();
        await Broker.DeleteQueueAsync(connection, queue);
    }

    [Fact]
    public async Task One_slow_handler_does_not_stall_the_others_at_concurrency_8()
    {
        var queue = Names.Unique("slow-one");
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handled = new ConcurrentDictionary<int, bool>();
        await using var app = await TestApp.StartAsync(broker.AmqpUrl, w => w
            .AddTopology(new Topology().Add(new QueueDeclaration(queue)))
            .AddConsumer(new ConsumerDefinition(queue, MessageDispatcher.Create(RuntimeTestJson.Default.Numbered, async (m, _) =>
            {
                if (m.N == 0)
                {
                    await release.Task.WaitAsync(TimeSpan.FromSeconds(30));
                }

                handled[m.N] = true;
            })) { Concurrency = 8, Prefetch = 16 }));

        for (var i = 0; i < 500; i++)
        {
            await app.Sender.SendAsync(string.Empty, queue, new Numbered(i), RuntimeTestJson.Default.Numbered, "test.numbered");
        }

        // 499 messages through a window of 16 while the first one holds its slot and its delivery tag.
        await Broker.WaitUntilAsync(() => handled.Count == 499, Wait, "the other 499 messages");
        Assert.False(handled.ContainsKey(0));
        await using var connection = await broker.ConnectAsync();
        await Broker.WaitUntilAsync(() => Broker.ReadyCountAsync(connection, queue).Result == 0, Wait, "an empty queue");

        release.SetResult();
        await Broker.WaitUntilAsync(() => handled.Count == 500, Wait, "the slow one");
        await app.StopAsync();
        await Broker.DeleteQueueAsync(connection, queue);
    }

    [Fact]
    public async Task A_consumer_whose_queue_is_deleted_declares_it_again_and_consumes_again()
    {
        var queue = Names.Unique("deleted");
        var handled = new ConcurrentQueue<int>();
        var logs = new LogSink();
        await using var app = await TestApp.StartAsync(broker.AmqpUrl, w => w
            .AddTopology(new Topology().Add(new QueueDeclaration(queue)))
            .AddConsumer(new ConsumerDefinition(queue, MessageDispatcher.Create(RuntimeTestJson.Default.Numbered, (m, _) =>
            {
                handled.Enqueue(m.N);
                return ValueTask.CompletedTask;
            }))),
            o => o.ConsumerRestartDelay = TimeSpan.FromMilliseconds(200),
            logs);
        await app.Sender.SendAsync(string.Empty, queue, new Numbered(1), RuntimeTestJson.Default.Numbered, "test.numbered");
        await Broker.WaitUntilAsync(() => handled.Contains(1), Wait, "the first message");

        await using var connection = await broker.ConnectAsync();
        await Broker.DeleteQueueAsync(connection, queue);
        await Broker.WaitUntilAsync(() => app.Consumers.Get(queue) is { State: ConsumerState.Running, RestartCount: 1 }, Wait, "the restarted consumer");

        var status = app.Consumers.Get(queue)!;
        Assert.Contains("cancelled the subscription", status.LastError, StringComparison.Ordinal);
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Error && e.Message.Contains($"consumer of queue '{queue}' stopped receiving", StringComparison.Ordinal));
        await app.Sender.SendAsync(string.Empty, queue, new Numbered(2), RuntimeTestJson.Default.Numbered, "test.numbered");
        await Broker.WaitUntilAsync(() => handled.Contains(2), Wait, "a message after the restart");
        await app.StopAsync();
        await Broker.DeleteQueueAsync(connection, queue);
    }

    [Fact]
    public async Task A_consumer_whose_channel_the_broker_closes_gets_a_new_one()
    {
        var queue = Names.Unique("closed");
        var handled = new ConcurrentQueue<int>();
        await using var app = await TestApp.StartAsync(broker.AmqpUrl, w => w
            .AddTopology(new Topology().Add(new QueueDeclaration(queue)))
            .AddConsumer(new ConsumerDefinition(queue, MessageDispatcher.Create(RuntimeTestJson.Default.Numbered, (m, _) =>
            {
                handled.Enqueue(m.N);
                return ValueTask.CompletedTask;
            }))),
            o => o.ConsumerRestartDelay = TimeSpan.FromMilliseconds(200));

        // An ack naming a delivery tag the channel never had: the broker closes the channel with 406.
        var consumer = app.Services.GetRequiredService<ConsumerHost>().Consumers.Single(c => c.Queue == queue);
        await consumer.CurrentChannel!.BasicAckAsync(999_999, multiple: false);
        await Broker.WaitUntilAsync(() => app.Consumers.Get(queue) is { State: ConsumerState.Running, RestartCount: 1 }, Wait, "the restarted consumer");

        Assert.Contains("406", app.Consumers.Get(queue)!.LastError, StringComparison.Ordinal);
        await app.Sender.SendAsync(string.Empty, queue, new Numbered(3), RuntimeTestJson.Default.Numbered, "test.numbered");
        await Broker.WaitUntilAsync(() => handled.Contains(3), Wait, "a message after the restart");
        await app.StopAsync();
        Assert.Equal(ConsumerState.Stopped, app.Consumers.Get(queue)!.State);
        await using var connection = await broker.ConnectAsync();
        await Broker.DeleteQueueAsync(connection, queue);
    }

    [Fact]
    public async Task A_failure_copy_of_a_message_with_huge_headers_drops_them_and_publishing_goes_on()
    {
        var queue = Names.Unique("huge-headers");
        var topology = new Topology().Add(new QueueDeclaration(queue));
        var policy = new RetryPolicy { DeadLetterExchange = RetryPolicy.DeadLetterExchangeName(queue), DeadLetterRoutingKey = queue };
        ConsumerHost.AddDefaultPolicyTopology(topology, queue, policy);
        await using var app = await TestApp.StartAsync(broker.AmqpUrl, w => w
            .AddTopology(topology)
            .AddConsumer(new ConsumerDefinition(queue, MessageDispatcher.Create<Numbered>(RuntimeTestJson.Default.Numbered, (_, _) => throw new InvalidOperationException(new string('e', 200_000)))) { Retry = policy }));

        await using var connection = await broker.ConnectAsync();
        await RawPublishAsync(connection, queue, """{"N":1}""", new BasicProperties
        {
            MessageId = "huge",
            Headers = new Dictionary<string, object?> { ["blob"] = new byte[120_000], ["kept"] = Encoding.UTF8.GetBytes("yes") },
        });

        var dead = await TakeAsync(connection, RetryPolicy.DeadLetterQueueName(queue));
        Assert.False(dead.BasicProperties.Headers!.ContainsKey("blob"));
        Assert.Equal("yes", Header(dead, "kept"));
        Assert.StartsWith("blob (", Header(dead, DeadLetterHeaders.DroppedHeaders), StringComparison.Ordinal);
        Assert.Equal(DeadLetterHeaders.MaxTextLength, Header(dead, DeadLetterHeaders.ExceptionMessage)!.Length);

        // The publishing connection survived: an unrelated publish is confirmed.
        await app.Sender.SendAsync(string.Empty, RetryPolicy.DeadLetterQueueName(queue), new Numbered(9), RuntimeTestJson.Default.Numbered, "test.numbered");
        Assert.Equal(1u, await Broker.ReadyCountAsync(connection, RetryPolicy.DeadLetterQueueName(queue)));
        await app.StopAsync();
        await Broker.DeleteQueueAsync(connection, queue);
        await Broker.DeleteQueueAsync(connection, RetryPolicy.DeadLetterQueueName(queue));
    }

    [Fact]
    public async Task A_stop_ends_within_the_shutdown_timeout_when_handlers_ignore_cancellation_and_completed_handlers_are_not_redelivered()
    {
        var queue = Names.Unique("stop");
        var stuck = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var completed = new ConcurrentDictionary<int, bool>();
        var started = new ConcurrentDictionary<int, bool>();
        var logs = new LogSink();
        var app = await TestApp.StartAsync(broker.AmqpUrl, w => w
            .AddTopology(new Topology().Add(new QueueDeclaration(queue)))
            .AddConsumer(new ConsumerDefinition(queue, MessageDispatcher.Create(RuntimeTestJson.Default.Numbered, async (m, ctx) =>
            {
                started[m.N] = true;
                switch (m.N % 3)
                {
                    case 0: // finishes in time
                        await Task.Delay(300, CancellationToken.None);
                        completed[m.N] = true;
                        break;
                    case 1: // honours the token
                        await Task.Delay(Timeout.Infinite, ctx.CancellationToken);
                        break;
                    default: // ignores it
                        await stuck.Task;
                        break;
                }
            })) { Concurrency = 9, Prefetch = 9 }),
            o => o.ShutdownTimeout = TimeSpan.FromSeconds(2),
            logs);

        for (var i = 0; i < 9; i++)
        {
            await app.Sender.SendAsync(string.Empty, queue, new Numbered(i), RuntimeTestJson.Default.Numbered, "test.numbered");
        }

        await Broker.WaitUntilAsync(() => started.Count == 9, Wait, "nine running handlers");
        var watch = Stopwatch.StartNew();
        await app.StopAsync();
        var stopTook = watch.Elapsed;
        output.WriteLine($"stop took {stopTook}");

        Assert.True(stopTook < TimeSpan.FromSeconds(3.5), $"the stop took {stopTook} with a 2 s shutdown timeout");
        Assert.Equal([0, 3, 6], completed.Keys.Order());
        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Error);

        var again = new ConcurrentQueue<(int N, int Retries)>();
        await using var second = await TestApp.StartAsync(broker.AmqpUrl, w => w
            .AddConsumer(new ConsumerDefinition(queue, MessageDispatcher.Create(RuntimeTestJson.Default.Numbered, (m, ctx) =>
            {
                again.Enqueue((m.N, ctx.RetryCount));
                return ValueTask.CompletedTask;
            })) { Prefetch = 20 }));
        await Broker.WaitUntilAsync(() => again.Count >= 6, Wait, "the six unfinished messages");
        await Task.Delay(300);

        // Cancelled and abandoned ones come back as they were, without a retry used; completed ones never.
        Assert.Equal([1, 2, 4, 5, 7, 8], again.Select(a => a.N).Order());
        Assert.All(again, a => Assert.Equal(0, a.Retries));
        stuck.SetResult();
        await second.StopAsync();
        await app.DisposeAsync();
        await using var connection = await broker.ConnectAsync();
        Assert.Equal(0u, await Broker.ReadyCountAsync(connection, RetryPolicy.RetryQueueName(queue, 1)));
        await Broker.DeleteQueueAsync(connection, queue);
    }

    private static async Task RawPublishAsync(IConnection connection, string queue, string body, BasicProperties properties)
    {
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        await channel.BasicPublishAsync(string.Empty, queue, true, properties, Encoding.UTF8.GetBytes(body));
    }

    private static async Task<BasicGetResult> TakeAsync(IConnection connection, string queue)
    {
        await using var channel = await connection.CreateChannelAsync();
        var deadline = DateTime.UtcNow + Wait;
        while (DateTime.UtcNow < deadline)
        {
            if (await channel.BasicGetAsync(queue, autoAck: true) is { } message)
            {
                return message;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"Nothing arrived in {queue} within {Wait}.");
    }

    private static string? Header(BasicGetResult message, string name) =>
        message.BasicProperties.Headers is { } headers && headers.TryGetValue(name, out var value) ? AmqpHeaders.AsText(value) : null;
}

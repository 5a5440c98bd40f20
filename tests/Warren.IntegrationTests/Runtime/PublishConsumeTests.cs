using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using RabbitMQ.Client;
using Xunit;

namespace Warren.IntegrationTests.Runtime;

[Collection(BrokerCollection.Name)]
public sealed class PublishConsumeTests(BrokerFixture broker)
{
    [Fact]
    public async Task Ten_thousand_confirmed_messages_arrive_once_each_and_in_order()
    {
        const int count = 10_000;
        var queue = Names.Unique("order");
        var received = new List<int>(count);
        var redelivered = 0;
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var app = await TestApp.StartAsync(broker.AmqpUrl, w => w
            .AddContract(new MessageContract<Numbered>("test.numbered", RuntimeTestJson.Default.Numbered, exchange: string.Empty, routingKey: queue))
            .AddTopology(new Topology().Add(new QueueDeclaration(queue)))
            .AddConsumer(new ConsumerDefinition(queue, MessageDispatcher.Create(RuntimeTestJson.Default.Numbered, (m, ctx) =>
            {
                received.Add(m.N);
                if (ctx.Redelivered)
                {
                    redelivered++;
                }

                if (received.Count == count)
                {
                    all.TrySetResult();
                }

                return ValueTask.CompletedTask;
            })) { Concurrency = 1, Prefetch = 200 }));

        await app.Publisher.PublishBatchAsync(Enumerable.Range(0, count).Select(n => new Numbered(n)));
        await all.Task.WaitAsync(TimeSpan.FromSeconds(60));
        await Task.Delay(200); // anything extra (a duplicate) would arrive now

        Assert.Equal(Enumerable.Range(0, count), received);
        Assert.Equal(0, redelivered);
        await using var connection = await broker.ConnectAsync();
        Assert.Equal(0u, await Broker.ReadyCountAsync(connection, queue));
        await Broker.DeleteQueueAsync(connection, queue);
    }

    [Fact]
    public async Task Published_message_carries_contract_properties()
    {
        var queue = Names.Unique("props");
        var seen = new TaskCompletionSource<MessageContext>(TaskCreationOptions.RunContinuationsAsynchronously);
        string? headerValue = null;
        await using var app = await TestApp.StartAsync(broker.AmqpUrl, w => w
            .AddTopology(new Topology().Add(new QueueDeclaration(queue, Arguments: new Dictionary<string, object?> { ["x-max-priority"] = 10 })))
            .AddConsumer(new ConsumerDefinition(queue, MessageDispatcher.Create(RuntimeTestJson.Default.Numbered, (m, ctx) =>
            {
                headerValue = ctx.Headers["tenant"];
                seen.TrySetResult(ctx);
                return ValueTask.CompletedTask;
            }))));

        await app.Sender.SendAsync(string.Empty, queue, new Numbered(7), RuntimeTestJson.Default.Numbered, "test.numbered.v2", new PublishOptions
        {
            MessageId = "id-7",
            CorrelationId = "corr-7",
            Priority = 6,
            Headers = new Dictionary<string, object?> { ["tenant"] = "acme" },
        });
        var context = await seen.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("test.numbered.v2", context.MessageType);
        Assert.Equal("id-7", context.MessageId);
        Assert.Equal("corr-7", context.CorrelationId);
        Assert.Equal((byte)6, context.Priority);
        Assert.Equal("application/json", context.ContentType);
        Assert.Equal(queue, context.RoutingKey);
        Assert.NotNull(context.Timestamp);
        Assert.Equal("acme", headerValue);
        await using var connection = await broker.ConnectAsync();
        await Broker.DeleteQueueAsync(connection, queue);
    }

    [Fact]
    public async Task Unroutable_publish_fails_with_the_exchange_and_routing_key()
    {
        await using var app = await TestApp.StartAsync(broker.AmqpUrl);

        var error = await Assert.ThrowsAsync<UnroutableMessageException>(async () =>
            await app.Sender.SendAsync("amq.direct", "nobody.listens", new Numbered(1), RuntimeTestJson.Default.Numbered, "test.numbered"));

        Assert.Equal("amq.direct", error.Exchange);
        Assert.Equal("nobody.listens", error.RoutingKey);
        Assert.Contains("'nobody.listens'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publish_to_a_missing_exchange_fails_clearly_and_the_publisher_keeps_working()
    {
        var queue = Names.Unique("after-404");
        await using var app = await TestApp.StartAsync(broker.AmqpUrl, w => w.AddTopology(new Topology().Add(new QueueDeclaration(queue))));

        var error = await Assert.ThrowsAsync<WarrenPublishException>(async () =>
            await app.Sender.SendAsync("no-such-exchange", "k", new Numbered(1), RuntimeTestJson.Default.Numbered, "test.numbered"));
        Assert.Contains("no-such-exchange", error.Message, StringComparison.Ordinal);
        Assert.Contains("404", error.Message, StringComparison.Ordinal);

        // The broker closed that channel; the next publish must get a new one and succeed.
        await app.Sender.SendAsync(string.Empty, queue, new Numbered(2), RuntimeTestJson.Default.Numbered, "test.numbered");

        await using var connection = await broker.ConnectAsync();
        Assert.Equal(1u, await Broker.ReadyCountAsync(connection, queue));
        await Broker.DeleteQueueAsync(connection, queue);
    }

    [Fact]
    public async Task Without_retries_a_failing_message_is_redelivered_after_the_requeue_delay_and_the_consumer_goes_on()
    {
        var queue = Names.Unique("throws");
        var attempts = new ConcurrentQueue<(int N, bool Redelivered)>();
        var secondHandled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var app = await TestApp.StartAsync(broker.AmqpUrl, w => w
            .AddTopology(new Topology().Add(new QueueDeclaration(queue)))
            .AddConsumer(new ConsumerDefinition(queue, MessageDispatcher.Create(RuntimeTestJson.Default.Numbered, (m, ctx) =>
            {
                attempts.Enqueue((m.N, ctx.Redelivered));
                if (m.N == 1 && !ctx.Redelivered)
                {
                    throw new InvalidOperationException("first attempt fails");
                }

                if (m.N == 2)
                {
                    secondHandled.TrySetResult();
                }

                return ValueTask.CompletedTask;
            })) { Concurrency = 1, Prefetch = 1, Retry = RetryPolicy.Disabled }),
            o => o.RequeueDelay = TimeSpan.FromMilliseconds(200));

        await app.Sender.SendAsync(string.Empty, queue, new Numbered(1), RuntimeTestJson.Default.Numbered, "test.numbered");
        await app.Sender.SendAsync(string.Empty, queue, new Numbered(2), RuntimeTestJson.Default.Numbered, "test.numbered");
        await secondHandled.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await Broker.WaitUntilAsync(() => attempts.Count(a => a.N == 1) == 2, TimeSpan.FromSeconds(10), "the redelivery of message 1");

        Assert.Equal([(1, false), (1, true)], attempts.Where(a => a.N == 1));
        await using var connection = await broker.ConnectAsync();
        await app.StopAsync();
        Assert.Equal(0u, await Broker.ReadyCountAsync(connection, queue));
        await Broker.DeleteQueueAsync(connection, queue);
    }

    [Fact]
    public async Task Without_retries_a_malformed_body_is_rejected_to_the_queue_s_own_dead_letter_exchange()
    {
        var queue = Names.Unique("poison");
        var dlq = queue + ".dlq";
        var handled = new ConcurrentQueue<int>();
        await using var app = await TestApp.StartAsync(broker.AmqpUrl, w => w
            .AddTopology(new Topology()
                .Add(new QueueDeclaration(dlq))
                .Add(new QueueDeclaration(queue, Arguments: new Dictionary<string, object?>
                {
                    ["x-dead-letter-exchange"] = string.Empty,
                    ["x-dead-letter-routing-key"] = dlq,
                })))
            .AddConsumer(new ConsumerDefinition(queue, MessageDispatcher.Create(RuntimeTestJson.Default.Numbered, (m, _) =>
            {
                handled.Enqueue(m.N);
                return ValueTask.CompletedTask;
            })) { Retry = RetryPolicy.Disabled }));

        await using var connection = await broker.ConnectAsync();
        await using (var raw = await connection.CreateChannelAsync())
        {
            await raw.BasicPublishAsync(string.Empty, queue, Encoding.UTF8.GetBytes("{ not json"));
        }

        await app.Sender.SendAsync(string.Empty, queue, new Numbered(5), RuntimeTestJson.Default.Numbered, "test.numbered");
        await Broker.WaitUntilAsync(() => handled.Contains(5), TimeSpan.FromSeconds(10), "the good message");
        await Broker.WaitUntilAsync(() => Broker.ReadyCountAsync(connection, dlq).Result == 1, TimeSpan.FromSeconds(10), "the dead-lettered message");

        await using var channel = await connection.CreateChannelAsync();
        var dead = await channel.BasicGetAsync(dlq, autoAck: true);
        Assert.NotNull(dead);
        Assert.Equal("{ not json", Encoding.UTF8.GetString(dead.Body.Span));
        var death = Assert.Single(AmqpHeaders.ReadDeaths(dead.BasicProperties.Headers));
        Assert.Equal("rejected", death.Reason);
        Assert.Equal(queue, death.Queue);
        Assert.Equal([5], handled);
        await Broker.DeleteQueueAsync(connection, queue);
        await Broker.DeleteQueueAsync(connection, dlq);
    }

    [Fact]
    public async Task A_full_queue_with_reject_publish_nacks_and_the_caller_sees_it()
    {
        var queue = Names.Unique("full");
        await using var app = await TestApp.StartAsync(broker.AmqpUrl, w => w.AddTopology(new Topology().Add(new QueueDeclaration(queue, Arguments: new Dictionary<string, object?>
        {
            ["x-max-length"] = 1,
            ["x-overflow"] = "reject-publish",
        }))));

        await app.Sender.SendAsync(string.Empty, queue, new Numbered(1), RuntimeTestJson.Default.Numbered, "test.numbered");
        var error = await Assert.ThrowsAsync<PublishRejectedException>(async () =>
            await app.Sender.SendAsync(string.Empty, queue, new Numbered(2), RuntimeTestJson.Default.Numbered, "test.numbered"));

        Assert.Equal(queue, error.RoutingKey);
        await using var connection = await broker.ConnectAsync();
        Assert.Equal(1u, await Broker.ReadyCountAsync(connection, queue));
        await Broker.DeleteQueueAsync(connection, queue);
    }

    [Fact]
    public async Task A_batch_reports_exactly_the_messages_that_were_not_confirmed()
    {
        var queue = Names.Unique("batch");
        await using var app = await TestApp.StartAsync(broker.AmqpUrl, w => w
            .AddContract(new MessageContract<Numbered>("test.numbered", RuntimeTestJson.Default.Numbered, string.Empty, m => m.N % 10 == 3 ? "nowhere-" + queue : queue))
            .AddTopology(new Topology().Add(new QueueDeclaration(queue))));

        var error = await Assert.ThrowsAsync<PublishBatchException>(async () =>
            await app.Publisher.PublishBatchAsync(Enumerable.Range(0, 100).Select(n => new Numbered(n))));

        Assert.Equal(100, error.Total);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => i * 10 + 3), error.FailedIndexes);
        Assert.All(error.InnerExceptions, e => Assert.IsType<UnroutableMessageException>(e));
        await using var connection = await broker.ConnectAsync();
        Assert.Equal(90u, await Broker.ReadyCountAsync(connection, queue));
        await Broker.DeleteQueueAsync(connection, queue);
    }

    [Fact]
    public async Task Returns_of_publishes_with_their_own_headers_are_matched_to_them_by_the_message_id_warren_made()
    {
        var queue = Names.Unique("batch-headers");
        await using var app = await TestApp.StartAsync(broker.AmqpUrl, w => w
            .AddContract(new MessageContract<Numbered>("test.numbered", RuntimeTestJson.Default.Numbered, string.Empty, m => m.N % 7 == 2 ? "nowhere-" + queue : queue))
            .AddTopology(new Topology().Add(new QueueDeclaration(queue))));
        var headers = new Dictionary<string, object?> { ["tenant"] = "acme" };

        // The caller's headers go into every publish (a copy each); the id Warren makes names the publish, so no
        // sequence header joins them.
        var error = await Assert.ThrowsAsync<PublishBatchException>(async () =>
            await app.Publisher.PublishBatchAsync(Enumerable.Range(0, 140).Select(n => new Numbered(n)), new PublishOptions { Headers = headers }));

        Assert.Equal(Enumerable.Range(0, 140).Where(n => n % 7 == 2), error.FailedIndexes);
        Assert.All(error.InnerExceptions, e => Assert.IsType<UnroutableMessageException>(e));
        Assert.Equal(["tenant"], headers.Keys);

        await using var connection = await broker.ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        var numbers = new List<int>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        while (await channel.BasicGetAsync(queue, autoAck: true) is { } got)
        {
            Assert.False(got.BasicProperties.Headers!.ContainsKey(ConfirmChannel.SequenceHeader));
            Assert.Equal("acme", Encoding.UTF8.GetString((byte[])got.BasicProperties.Headers["tenant"]!));
            Assert.True(ids.Add(got.BasicProperties.MessageId!));
            numbers.Add(JsonSerializer.Deserialize(got.Body.Span, RuntimeTestJson.Default.Numbered)!.N);
        }

        Assert.Equal(Enumerable.Range(0, 140).Where(n => n % 7 != 2), numbers);
        await Broker.DeleteQueueAsync(connection, queue);
    }

    [Fact]
    public async Task Forwarded_headers_holding_an_earlier_publishs_number_do_not_mismatch_returns()
    {
        var queue = Names.Unique("forwarded");
        await using var app = await TestApp.StartAsync(broker.AmqpUrl, w => w
            .AddContract(new MessageContract<Numbered>("test.numbered", RuntimeTestJson.Default.Numbered, string.Empty, m => m.N % 2 == 1 ? "nowhere-" + queue : queue))
            .AddTopology(new Topology().Add(new QueueDeclaration(queue))));

        // Headers as a handler forwards them from a received message (MessageContext.RawHeaders): they hold the
        // sequence number of some earlier publish, here numbers this channel's next publishes will have.
        var publishes = Enumerable.Range(0, 20)
            .Select(n => app.Publisher.PublishAsync(new Numbered(n), new PublishOptions
            {
                Ordered = true,
                Headers = new Dictionary<string, object?> { [ConfirmChannel.SequenceHeader] = (long)(20 - n), ["tenant"] = "acme" },
            }).AsTask())
            .ToList();
        var outcomes = new List<Exception?>();
        foreach (var publish in publishes)
        {
            outcomes.Add(await Record.ExceptionAsync(() => publish));
        }

        // Each unroutable publish fails, and only those: no return is given to another publish or lost.
        Assert.Equal(Enumerable.Range(0, 20).Where(n => n % 2 == 1), Enumerable.Range(0, 20).Where(n => outcomes[n] is not null));
        Assert.All(outcomes.Where(o => o is not null), o => Assert.IsType<UnroutableMessageException>(o));

        await using var connection = await broker.ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        var received = 0;
        while (await channel.BasicGetAsync(queue, autoAck: true) is { } got)
        {
            Assert.False(got.BasicProperties.Headers!.ContainsKey(ConfirmChannel.SequenceHeader));
            received++;
        }

        Assert.Equal(10, received);
        await Broker.DeleteQueueAsync(connection, queue);
    }

    [Fact]
    public async Task Returns_of_publishes_with_ids_the_caller_chose_are_matched_by_a_sequence_header_even_when_the_ids_repeat()
    {
        var queue = Names.Unique("caller-ids");
        await using var app = await TestApp.StartAsync(broker.AmqpUrl, w => w
            .AddContract(new MessageContract<Numbered>("test.numbered", RuntimeTestJson.Default.Numbered, string.Empty, m => m.N % 5 == 1 ? "nowhere-" + queue : queue))
            .AddTopology(new Topology().Add(new QueueDeclaration(queue))));

        // Every message has the same id, routed or not, in flight together on one channel: only the header tells
        // the returned ones apart.
        var publishes = Enumerable.Range(0, 60)
            .Select(n => app.Publisher.PublishAsync(new Numbered(n), new PublishOptions { MessageId = "same-id", Ordered = true }).AsTask())
            .ToList();
        var outcomes = new List<Exception?>();
        foreach (var publish in publishes)
        {
            outcomes.Add(await Record.ExceptionAsync(() => publish));
        }

        Assert.Equal(Enumerable.Range(0, 60).Where(n => n % 5 == 1), Enumerable.Range(0, 60).Where(n => outcomes[n] is not null));
        Assert.All(outcomes.Where(o => o is not null), o => Assert.IsType<UnroutableMessageException>(o));

        await using var connection = await broker.ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        var sequences = new List<long>();
        while (await channel.BasicGetAsync(queue, autoAck: true) is { } got)
        {
            Assert.Equal("same-id", got.BasicProperties.MessageId);
            sequences.Add((long)got.BasicProperties.Headers![ConfirmChannel.SequenceHeader]!);
        }

        // Each message carries its own number (the header's value is set in place per send).
        Assert.Equal(48, sequences.Count);
        Assert.Equal(sequences.Count, sequences.Distinct().Count());
        Assert.Equal(sequences.Order(), sequences);
        await Broker.DeleteQueueAsync(connection, queue);
    }

    [Fact]
    public async Task A_resource_alarm_blocks_publishing_visibly_and_the_publish_completes_after_it_clears()
    {
        var node = broker.RequireLocalNode();
        var queue = Names.Unique("blocked");
        var events = new ConcurrentQueue<ConnectionEvent>();
        await using var app = await TestApp.StartAsync(broker.AmqpUrl, w => w.AddTopology(new Topology().Add(new QueueDeclaration(queue))));
        app.Connections.ConnectionChanged += events.Enqueue;
        await app.Sender.SendAsync(string.Empty, queue, new Numbered(0), RuntimeTestJson.Default.Numbered, "test.numbered");

        await node.RabbitmqctlAsync(node.Nodes[0], "set_vm_memory_high_watermark", "0.0000001");
        Task publish;
        try
        {
            publish = app.Sender.SendAsync(string.Empty, queue, new Numbered(1), RuntimeTestJson.Default.Numbered, "test.numbered").AsTask();
            await Broker.WaitUntilAsync(() => events.Any(e => e.Kind == ConnectionEventKind.Blocked), TimeSpan.FromSeconds(20), "the blocked notification");
            Assert.True(app.Connections.IsPublishingBlocked);
            Assert.False(publish.IsCompleted);
        }
        finally
        {
            await node.RabbitmqctlAsync(node.Nodes[0], "set_vm_memory_high_watermark", "0.4");
        }

        await publish.WaitAsync(TimeSpan.FromSeconds(20));
        await Broker.WaitUntilAsync(() => events.Any(e => e.Kind == ConnectionEventKind.Unblocked), TimeSpan.FromSeconds(20), "the unblocked notification");
        Assert.False(app.Connections.IsPublishingBlocked);
        await using var connection = await broker.ConnectAsync();
        Assert.Equal(2u, await Broker.ReadyCountAsync(connection, queue));
        await Broker.DeleteQueueAsync(connection, queue);
    }
}

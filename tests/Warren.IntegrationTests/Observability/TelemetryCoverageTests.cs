using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;
using Warren.IntegrationTests.Runtime;
using Xunit;

namespace Warren.IntegrationTests.Observability;

/// <summary>The instruments and span outcomes the main scenario does not reach, counted against the real broker.</summary>
[Collection(BrokerCollection.Name)]
public sealed class TelemetryCoverageTests(BrokerFixture broker)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Immediate_retries_non_retryable_and_unprocessable_dead_letters_are_counted_by_kind_and_reason()
    {
        var queue = Names.Unique("kinds");
        var policy = new RetryPolicy
        {
            ImmediateRetries = 2,
            MaxRetries = 1,
            Delays = [TimeSpan.FromMilliseconds(100)],
            DeadLetterExchange = RetryPolicy.DeadLetterExchangeName(queue),
            DeadLetterRoutingKey = queue,
            IsNonRetryable = ex => ex is ArgumentException,
        };
        var topology = new Topology().Add(new QueueDeclaration(queue));
        ConsumerHost.AddDefaultPolicyTopology(topology, queue, policy);
        using var spans = new TelemetryCapture();
        await using var app = await TestApp.StartAsync(broker.AmqpUrl, w => w
            .AddTopology(topology)
            .AddConsumer(new ConsumerDefinition(queue, MessageDispatcher.Create<Numbered>(RuntimeTestJson.Default.Numbered, (m, _) => m.N switch
            {
                1 => throw new InvalidOperationException("1 always fails"),
                2 => throw new ArgumentException("2 cannot be retried"),
                _ => ValueTask.CompletedTask,
            })) { Retry = policy }));
        using var telemetry = new TelemetryCapture(app.Services.GetRequiredService<IMeterFactory>());

        await app.Sender.SendAsync(string.Empty, queue, new Numbered(1), RuntimeTestJson.Default.Numbered, "test.numbered");
        await app.Sender.SendAsync(string.Empty, queue, new Numbered(2), RuntimeTestJson.Default.Numbered, "test.numbered");
        await using var connection = await broker.ConnectAsync();
        await using (var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true)))
        {
            await channel.BasicPublishAsync(string.Empty, queue, mandatory: true, new BasicProperties { MessageId = "garbage" }, "not json"u8.ToArray());
        }

        await Broker.WaitUntilAsync(() => telemetry.Sum("warren.consumer.dead_lettered", queue) == 3, Wait, "3 dead-lettered messages");
        await Broker.WaitUntilAsync(() => spans.Spans.Count(s => s.DisplayName == "process " + queue && s.GetTagItem("warren.outcome") is "dead_letter") == 3, Wait, "3 dead-letter process spans");

        // 1: 2 immediate retries on its first delivery and 2 on its delayed retry, then max_retries. 2: non-retryable at once.
        Assert.Equal(4, telemetry.Sum("warren.consumer.retries", queue, m => m.Tag("warren.retry.kind") == "immediate"));
        Assert.Equal(1, telemetry.Sum("warren.consumer.retries", queue, m => m.Tag("warren.retry.kind") == "delayed"));
        Assert.Equal(1, telemetry.Sum("warren.consumer.dead_lettered", queue, m => m.Tag("warren.dead_letter.reason") == "max_retries"));
        Assert.Equal(1, telemetry.Sum("warren.consumer.dead_lettered", queue, m => m.Tag("warren.dead_letter.reason") == "non_retryable"));
        Assert.Equal(1, telemetry.Sum("warren.consumer.dead_lettered", queue, m => m.Tag("warren.dead_letter.reason") == "unprocessable"));
        Assert.Equal(1, telemetry.Count("messaging.process.duration", queue, m => m.Tag("error.type") == "unprocessable"));

        var unprocessable = Assert.Single(spans.Spans, s => s.DisplayName == "process " + queue && (string?)s.GetTagItem("messaging.message.id") == "garbage");
        Assert.Equal(ActivityStatusCode.Error, unprocessable.Status);
        Assert.Equal("unprocessable", unprocessable.GetTagItem("error.type"));
        Assert.Equal("unprocessable", unprocessable.GetTagItem("warren.dead_letter.reason"));
        Assert.Equal(new Uri(broker.AmqpUrl).Host, unprocessable.GetTagItem("server.address"));
        Assert.Equal((long)new Uri(broker.AmqpUrl).Port, unprocessable.GetTagItem("server.port"));
        var nonRetryable = Assert.Single(spans.Spans, s => s.DisplayName == "process " + queue && (string?)s.GetTagItem("warren.dead_letter.reason") == "non_retryable");
        Assert.Equal(ActivityStatusCode.Error, nonRetryable.Status);
        Assert.Equal(typeof(ArgumentException).FullName, nonRetryable.GetTagItem("error.type"));
        await app.StopAsync();
        await Broker.DeleteQueueAsync(connection, queue);
        await Broker.DeleteQueueAsync(connection, RetryPolicy.DeadLetterQueueName(queue));
        await Broker.DeleteQueueAsync(connection, RetryPolicy.RetryQueueName(queue, 1));
        await using var cleanup = await connection.CreateChannelAsync();
        await cleanup.ExchangeDeleteAsync(RetryPolicy.DeadLetterExchangeName(queue));
    }

    [Fact]
    public async Task A_timed_out_handler_fails_its_span_and_is_requeued_and_an_unprocessable_message_without_a_target_is_rejected()
    {
        var queue = Names.Unique("timeout");
        var attempts = new ConcurrentDictionary<int, int>();
        using var spans = new TelemetryCapture();
        await using var app = await TestApp.StartAsync(
            broker.AmqpUrl,
            w => w
                .AddTopology(new Topology().Add(new QueueDeclaration(queue)))
                .AddConsumer(new ConsumerDefinition(queue, MessageDispatcher.Create<Numbered>(RuntimeTestJson.Default.Numbered, async (m, context) =>
                {
                    if (attempts.AddOrUpdate(m.N, 1, (_, n) => n + 1) == 1)
                    {
                        await Task.Delay(Timeout.Infinite, context.CancellationToken);
                    }
                }))
                { Retry = RetryPolicy.Disabled, HandlerTimeout = TimeSpan.FromMilliseconds(200) }),
            o => o.RequeueDelay = TimeSpan.FromMilliseconds(50));
        using var telemetry = new TelemetryCapture(app.Services.GetRequiredService<IMeterFactory>());

        await app.Sender.SendAsync(string.Empty, queue, new Numbered(1), RuntimeTestJson.Default.Numbered, "test.numbered");
        await Broker.WaitUntilAsync(() => attempts.GetValueOrDefault(1) == 2, Wait, "the second attempt");
        await using var connection = await broker.ConnectAsync();
        await using (var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true)))
        {
            await channel.BasicPublishAsync(string.Empty, queue, mandatory: true, new BasicProperties(), "not json"u8.ToArray());
        }

        await Broker.WaitUntilAsync(() => spans.Spans.Count(s => s.DisplayName == "process " + queue) == 3, Wait, "3 process spans");
        var timedOut = Assert.Single(spans.Spans, s => s.DisplayName == "process " + queue && (string?)s.GetTagItem("warren.outcome") == "requeue");
        Assert.Equal(ActivityStatusCode.Error, timedOut.Status);
        Assert.Equal(typeof(TimeoutException).FullName, timedOut.GetTagItem("error.type"));
        Assert.Contains(timedOut.Events, e => e.Name == "exception");
        Assert.Single(spans.Spans, s => s.DisplayName == "process " + queue && s.Status == ActivityStatusCode.Unset && (string?)s.GetTagItem("warren.outcome") == "ack");
        var rejected = Assert.Single(spans.Spans, s => s.DisplayName == "process " + queue && (string?)s.GetTagItem("warren.outcome") == "rejected");
        Assert.Equal(ActivityStatusCode.Error, rejected.Status);
        Assert.Equal("unprocessable", rejected.GetTagItem("error.type"));

        Assert.Equal(1, telemetry.Sum("warren.consumer.retries", queue, m => m.Tag("warren.retry.kind") == "requeue"));
        Assert.Equal(1, telemetry.Sum("warren.consumer.dead_lettered", queue, m => m.Tag("warren.dead_letter.reason") == "rejected"));
        Assert.Equal(1, telemetry.Count("messaging.process.duration", queue, m => m.Tag("error.type") == typeof(TimeoutException).FullName));
        await app.StopAsync();
        await Broker.DeleteQueueAsync(connection, queue);
    }

    [Fact]
    public async Task A_consumer_restart_is_counted_and_the_connection_gauge_reports_both_connections_open()
    {
        var queue = Names.Unique("restarts");
        await using var connection = await broker.ConnectAsync();
        await DeclareAsync(connection, queue);
        await using var app = await TestApp.StartAsync(
            broker.AmqpUrl,
            w => w.AddConsumer(new ConsumerDefinition(queue, MessageDispatcher.Create<Numbered>(RuntimeTestJson.Default.Numbered, (_, _) => ValueTask.CompletedTask)) { Retry = RetryPolicy.Disabled }),
            o => o.ConsumerRestartDelay = TimeSpan.FromMilliseconds(200));
        using var telemetry = new TelemetryCapture(app.Services.GetRequiredService<IMeterFactory>());
        await app.Sender.SendAsync(string.Empty, queue, new Numbered(1), RuntimeTestJson.Default.Numbered, "test.numbered"); // opens the publishing connection

        telemetry.Observe();
        var open = telemetry.Of("warren.connection.open").ToArray();
        Assert.Equal(1, Assert.Single(open, m => m.Tag("warren.connection.role") == "publish").Value);
        Assert.Equal(1, Assert.Single(open, m => m.Tag("warren.connection.role") == "consume").Value);
        Assert.Equal(0, telemetry.Sum("warren.consumer.restarts", queue));

        await Broker.DeleteQueueAsync(connection, queue);
        await Broker.WaitUntilAsync(() => app.Consumers.Get(queue)!.State == ConsumerState.Restarting, Wait, "the consumer restarting");
        await DeclareAsync(connection, queue);
        await Broker.WaitUntilAsync(() => app.Consumers.Get(queue)!.State == ConsumerState.Running, Wait, "the consumer running again");
        Assert.Equal(1, telemetry.Sum("warren.consumer.restarts", queue));
        Assert.Equal(app.Consumers.Get(queue)!.RestartCount, telemetry.Sum("warren.consumer.restarts", queue));
        await app.StopAsync();
        await Broker.DeleteQueueAsync(connection, queue);
    }

    [Fact]
    public async Task Publishes_that_find_the_window_full_are_counted_as_waits_and_every_slot_is_given_back()
    {
        const int Count = 20;
        var queue = Names.Unique("window");
        await using var app = await TestApp.StartAsync(broker.AmqpUrl, w => w.AddTopology(new Topology().Add(new QueueDeclaration(queue))), o => o.MaxInFlightPublishes = 1);
        using var telemetry = new TelemetryCapture(app.Services.GetRequiredService<IMeterFactory>());
        app.Services.GetRequiredService<MessageContracts>().Register(new MessageContract<Numbered>("test.numbered", RuntimeTestJson.Default.Numbered, string.Empty, queue));
        await app.Publisher.PublishAsync(new Numbered(0)); // the channel is open: the next publishes cannot complete at once

        // Started one after another without awaiting: the first takes the only slot, and the next must wait for it
        // (a confirmation takes a round trip to the broker, far longer than starting a publish).
        var publishes = Enumerable.Range(1, Count).Select(n => app.Publisher.PublishAsync(new Numbered(n)).AsTask()).ToArray();
        await Task.WhenAll(publishes);

        var waits = telemetry.Sum("warren.publish.window.waits");
        Assert.InRange(waits, 1, Count - 1);
        Assert.Equal(0, telemetry.Sum("warren.publish.in_flight"));
        Assert.Equal(Count + 1, telemetry.Sum("messaging.client.sent.messages", queue));
        await app.StopAsync();
        await using var connection = await broker.ConnectAsync();
        Assert.Equal((uint)Count + 1, await Broker.ReadyCountAsync(connection, queue));
        await Broker.DeleteQueueAsync(connection, queue);
    }

    private static async Task DeclareAsync(IConnection connection, string queue)
    {
        await using var channel = await connection.CreateChannelAsync();
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
    }
}

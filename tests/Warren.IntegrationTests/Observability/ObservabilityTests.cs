using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using Warren.IntegrationTests.Runtime;
using Xunit;
using Xunit.Abstractions;

namespace Warren.IntegrationTests.Observability;

/// <summary>Warren's metrics, spans and logging scope against the real broker: counts equal what the scenario did.</summary>
[Collection(BrokerCollection.Name)]
public sealed class ObservabilityTests(BrokerFixture broker, ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Metric_counts_equal_the_messages_sent_handled_retried_and_dead_lettered()
    {
        const int Count = 30;
        var queue = Names.Unique("metrics");
        var policy = ShortPolicy(queue, maxRetries: 2);
        var handled = 0;
        await using var app = await StartAsync(queue, policy, (m, _) =>
        {
            if (m.N % 3 == 0)
            {
                throw new InvalidOperationException($"{m.N} always fails");
            }

            Interlocked.Increment(ref handled);
            return ValueTask.CompletedTask;
        });
        using var telemetry = new TelemetryCapture(app.Services.GetRequiredService<IMeterFactory>());
        app.Services.GetRequiredService<MessageContracts>().Register(new MessageContract<Numbered>("test.numbered", RuntimeTestJson.Default.Numbered, string.Empty, queue));

        await app.Publisher.PublishBatchAsync(Enumerable.Range(1, Count).Select(n => new Numbered(n)));
        await using var connection = await broker.ConnectAsync();
        await Broker.WaitUntilAsync(() => Volatile.Read(ref handled) == 20, Wait, "the 20 good messages");
        await WaitForReadyAsync(connection, RetryPolicy.DeadLetterQueueName(queue), 10);
        await Broker.WaitUntilAsync(() => telemetry.Count("messaging.process.duration", queue) == 50, Wait, "50 processed deliveries");

        // 30 published by the application, 20 retry copies (10 failing messages x 2 retries), 10 dead-letter copies.
        Assert.Equal(Count, telemetry.Sum("messaging.client.sent.messages", queue));
        Assert.Equal(20, telemetry.Sum("messaging.client.sent.messages", RetryPolicy.RetryQueueName(queue, 1)));
        Assert.Equal(10, telemetry.Sum("messaging.client.sent.messages", RetryPolicy.DeadLetterExchangeName(queue)));
        Assert.All(telemetry.Of("messaging.client.sent.messages"), m => Assert.Null(m.Tag("error.type")));
        Assert.Equal(Count, telemetry.Count("messaging.client.operation.duration", queue));
        Assert.All(telemetry.Of("messaging.client.sent.messages", queue), m =>
        {
            Assert.Equal("rabbitmq", m.Tag("messaging.system"));
            Assert.Equal("publish", m.Tag("messaging.operation.name"));
            Assert.Equal(queue, m.Tag("messaging.destination.template")); // a fixed key is its own template
        });

        // 30 first deliveries + 20 retried deliveries; 30 of the 50 failed.
        Assert.Equal(50, telemetry.Sum("messaging.client.consumed.messages", queue));
        Assert.Equal(30, telemetry.Count("messaging.process.duration", queue, m => m.Tag("error.type") == typeof(InvalidOperationException).FullName));
        Assert.Equal(20, telemetry.Count("messaging.process.duration", queue, m => m.Tag("error.type") is null));
        Assert.Equal(20, telemetry.Sum("warren.consumer.retries", queue, m => m.Tag("warren.retry.kind") == "delayed"));
        Assert.Equal(10, telemetry.Sum("warren.consumer.dead_lettered", queue, m => m.Tag("warren.dead_letter.reason") == "max_retries"));
        Assert.Equal(10, telemetry.Sum("warren.consumer.dead_lettered", queue));

        // Every window slot taken was given back.
        Assert.Equal(0, telemetry.Sum("warren.publish.in_flight"));
        await app.StopAsync();
        await DeleteAsync(connection, queue, policy);
    }

    [Fact]
    public async Task One_trace_spans_publish_consume_retry_and_dead_letter_and_the_failing_spans_say_why()
    {
        var queue = Names.Unique("traces");
        var policy = ShortPolicy(queue, maxRetries: 1);
        using var telemetry = new TelemetryCapture();
        await using var app = await StartAsync(queue, policy, (m, _) => throw new InvalidOperationException($"{m.N} fails"));
        app.Services.GetRequiredService<MessageContracts>().Register(new MessageContract<Numbered>("test.numbered", RuntimeTestJson.Default.Numbered, string.Empty, queue));

        await app.Publisher.PublishAsync(new Numbered(7));
        await using var connection = await broker.ConnectAsync();
        await WaitForReadyAsync(connection, RetryPolicy.DeadLetterQueueName(queue), 1);

        // A span is captured when it ends: a copy's publish span ends at its confirm and the last process span after the
        // acknowledgement, which can both come after the copy is already in the dead-letter queue.
        await Broker.WaitUntilAsync(
            () => telemetry.Spans.Count(s => s.DisplayName == "process " + queue) == 2
                && telemetry.Spans.Any(s => s.DisplayName == "publish " + RetryPolicy.RetryQueueName(queue, 1))
                && telemetry.Spans.Any(s => s.DisplayName == "publish " + RetryPolicy.DeadLetterExchangeName(queue)),
            Wait,
            "both process spans and the copies' publish spans");

        var publish = Assert.Single(telemetry.Spans, s => s.DisplayName == "publish " + queue);
        var trace = publish.TraceId;
        Assert.Equal(ActivityKind.Producer, publish.Kind);
        var processes = telemetry.Spans.Where(s => s.DisplayName == "process " + queue).ToArray();
        Assert.Equal(2, processes.Length); // first delivery, then the retried copy
        Assert.All(processes, p =>
        {
            Assert.Equal(trace, p.TraceId);
            Assert.Equal(ActivityKind.Consumer, p.Kind);
            Assert.Equal(ActivityStatusCode.Error, p.Status);
            Assert.Equal(typeof(InvalidOperationException).FullName, p.GetTagItem("error.type"));
            Assert.Equal("rabbitmq", p.GetTagItem("messaging.system"));
            Assert.Equal(queue, p.GetTagItem("warren.queue"));
            Assert.Equal("test.numbered", p.GetTagItem("warren.message.contract"));
            Assert.Contains(p.Events, e => e.Name == "exception");
        });
        Assert.Equal(publish.SpanId, processes.Single(p => (long)p.GetTagItem("warren.retry.count")! == 0).ParentSpanId);
        Assert.Equal("retry", processes.Single(p => (long)p.GetTagItem("warren.retry.count")! == 0).GetTagItem("warren.outcome"));
        var last = processes.Single(p => (long)p.GetTagItem("warren.retry.count")! == 1);
        Assert.Equal("dead_letter", last.GetTagItem("warren.outcome"));
        Assert.Equal("max_retries", last.GetTagItem("warren.dead_letter.reason"));

        var retryCopy = Assert.Single(telemetry.Spans, s => s.DisplayName == "publish " + RetryPolicy.RetryQueueName(queue, 1));
        var deadLetterCopy = Assert.Single(telemetry.Spans, s => s.DisplayName == "publish " + RetryPolicy.DeadLetterExchangeName(queue));
        Assert.Equal(trace, retryCopy.TraceId);
        Assert.Equal(trace, deadLetterCopy.TraceId);
        Assert.Equal(retryCopy.SpanId, last.ParentSpanId);

        // The dead-lettered message carries the trace onward: whoever reads the dead-letter queue continues it.
        await using var channel = await connection.CreateChannelAsync();
        var dead = await channel.BasicGetAsync(RetryPolicy.DeadLetterQueueName(queue), autoAck: true);
        Assert.NotNull(dead);
        var traceparent = Encoding.UTF8.GetString((byte[])dead!.BasicProperties.Headers!["traceparent"]!);
        Assert.Equal(deadLetterCopy.Id, traceparent);
        await app.StopAsync();
        await DeleteAsync(connection, queue, policy);
    }

    [Fact]
    public async Task Concurrent_publishes_each_carry_the_context_of_their_own_publish_span()
    {
        // The channel writes each traceparent into bytes it reuses for the next send: a message sent while another
        // is being written must still carry its own span's context, not its neighbour's.
        const int Count = 200;
        var queue = Names.Unique("trace-concurrent");
        var policy = ShortPolicy(queue, maxRetries: 1);
        using var telemetry = new TelemetryCapture();
        var handled = 0;
        await using var app = await StartAsync(queue, policy, (_, _) =>
        {
            Interlocked.Increment(ref handled);
            return ValueTask.CompletedTask;
        });
        app.Services.GetRequiredService<MessageContracts>().Register(new MessageContract<Numbered>("test.numbered", RuntimeTestJson.Default.Numbered, string.Empty, queue));

        await Task.WhenAll(Enumerable.Range(1, Count).Select(n => Task.Run(async () => await app.Publisher.PublishAsync(new Numbered(n)))));
        await Broker.WaitUntilAsync(() => Volatile.Read(ref handled) == Count, Wait, "every message handled");
        await Broker.WaitUntilAsync(() => telemetry.Spans.Count(s => s.DisplayName == "process " + queue) == Count, Wait, "every process span stopped");

        var publishes = telemetry.Spans.Where(s => s.DisplayName == "publish " + queue).ToDictionary(s => (string)s.GetTagItem("messaging.message.id")!);
        var processes = telemetry.Spans.Where(s => s.DisplayName == "process " + queue).ToArray();
        Assert.Equal(Count, publishes.Count);
        Assert.Equal(Count, processes.Length);
        Assert.All(processes, p =>
        {
            var publish = publishes[(string)p.GetTagItem("messaging.message.id")!];
            Assert.Equal(publish.TraceId, p.TraceId);
            Assert.Equal(publish.SpanId, p.ParentSpanId);
        });
        Assert.Equal(Count, processes.Select(p => p.TraceId).Distinct().Count());
        await app.StopAsync();
        await using var connection = await broker.ConnectAsync();
        await DeleteAsync(connection, queue, policy);
    }

    [Fact]
    public async Task Handler_logs_carry_the_message_id_contract_queue_and_correlation_id()
    {
        var queue = Names.Unique("scope");
        var logs = new ScopeSink();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var app = await TestApp.StartAsync(broker.AmqpUrl, w =>
        {
            w.Services.AddLogging(l => l.AddProvider(logs));
            w.AddTopology(new Topology().Add(new QueueDeclaration(queue)))
             .AddConsumer(new ConsumerDefinition(queue, MessageDispatcher.Create(RuntimeTestJson.Default.Numbered, (m, ctx) =>
             {
                 ctx.Services.GetRequiredService<ILogger<ObservabilityTests>>().LogInformation("handling {N}", m.N);
                 done.TrySetResult();
                 return ValueTask.CompletedTask;
             })) { Retry = RetryPolicy.Disabled });
        });

        await app.Sender.SendAsync(string.Empty, queue, new Numbered(1), RuntimeTestJson.Default.Numbered, "test.numbered", new PublishOptions { MessageId = "m-1", CorrelationId = "c-1" });
        await done.Task.WaitAsync(Wait);

        var line = Assert.Single(logs.Entries, e => e.Message == "handling 1");
        Assert.Equal("m-1", line.Scope["MessageId"]);
        Assert.Equal("test.numbered", line.Scope["MessageContract"]);
        Assert.Equal(queue, line.Scope["Queue"]);
        Assert.Equal("c-1", line.Scope["CorrelationId"]);
        await app.StopAsync();
        await using var connection = await broker.ConnectAsync();
        await Broker.DeleteQueueAsync(connection, queue);
    }

    [Fact]
    public async Task A_publish_continues_the_callers_trace_and_a_refused_one_has_error_status()
    {
        var queue = Names.Unique("caller");
        using var telemetry = new TelemetryCapture();
        using var caller = new ActivitySource("Warren.Tests.Caller");
        using var callerListener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == caller.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(callerListener);
        var received = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var app = await TestApp.StartAsync(broker.AmqpUrl, w => w
            .AddTopology(new Topology().Add(new QueueDeclaration(queue)))
            .AddConsumer(new ConsumerDefinition(queue, MessageDispatcher.Create(RuntimeTestJson.Default.Numbered, (_, _) =>
            {
                received.TrySetResult(Activity.Current?.TraceId.ToString());
                return ValueTask.CompletedTask;
            })) { Retry = RetryPolicy.Disabled }));

        ActivityTraceId trace;
        using (var request = caller.StartActivity("request"))
        {
            trace = request!.TraceId;
            await app.Sender.SendAsync(string.Empty, queue, new Numbered(1), RuntimeTestJson.Default.Numbered, "test.numbered");
            await Assert.ThrowsAsync<UnroutableMessageException>(() => app.Sender.SendAsync("amq.direct", "nobody-" + queue, new Numbered(2), RuntimeTestJson.Default.Numbered, "test.numbered").AsTask());
        }

        Assert.Equal(trace.ToString(), await received.Task.WaitAsync(Wait));
        var refused = Assert.Single(telemetry.Spans, s => s.DisplayName == "publish amq.direct");
        Assert.Equal(trace, refused.TraceId);
        Assert.Equal(ActivityStatusCode.Error, refused.Status);
        Assert.Equal(typeof(UnroutableMessageException).FullName, refused.GetTagItem("error.type"));
        Assert.Equal("nobody-" + queue, refused.GetTagItem("messaging.rabbitmq.destination.routing_key"));
        await app.StopAsync();
        await using var connection = await broker.ConnectAsync();
        await Broker.DeleteQueueAsync(connection, queue);
    }

    [Fact]
    public async Task The_backlog_warning_fires_above_its_threshold_and_the_gauges_report_the_depth()
    {
        var queue = Names.Unique("backlog");
        var logs = new LogSink();
        await using var app = await TestApp.StartAsync(
            broker.AmqpUrl,
            w =>
            {
                w.AddTopology(new Topology().Add(new QueueDeclaration(queue)));
                w.Services.Configure<WarrenMonitoringOptions>(o =>
                {
                    o.QueueDepthInterval = TimeSpan.FromMilliseconds(100);
                    o.BacklogWarningThreshold = 5;
                    o.Queues.Add(queue);
                });
            },
            logs: logs);
        using var telemetry = new TelemetryCapture(app.Services.GetRequiredService<IMeterFactory>());
        var monitor = app.Services.GetRequiredService<WarrenQueueMonitor>();
        app.Services.GetRequiredService<MessageContracts>().Register(new MessageContract<Numbered>("test.numbered", RuntimeTestJson.Default.Numbered, string.Empty, queue));
        bool Warned() => logs.Entries.Any(e => e.Level == LogLevel.Warning && e.Message.Contains($"Queue '{queue}' has a backlog", StringComparison.Ordinal));

        await app.Publisher.PublishBatchAsync(Enumerable.Range(0, 5).Select(n => new Numbered(n)));
        await Broker.WaitUntilAsync(() => monitor.Depths.Any(d => d.Queue == queue && d.ReadyMessages == 5), Wait, "a reading of 5 ready messages");
        var readAt = monitor.Depths.Single(d => d.Queue == queue).ReadAt;
        await Broker.WaitUntilAsync(() => monitor.Depths.Single(d => d.Queue == queue).ReadAt > readAt, Wait, "a second reading");
        Assert.False(Warned(), "5 ready messages are not above the threshold of 5");

        await app.Publisher.PublishAsync(new Numbered(5));
        await Broker.WaitUntilAsync(Warned, Wait, "the backlog warning");
        Assert.Single(logs.Entries, e => e.Message.Contains($"Queue '{queue}' has a backlog of 6 ready messages, above 5", StringComparison.Ordinal));

        telemetry.Observe();
        var ready = Assert.Single(telemetry.Of("warren.queue.messages.ready", queue));
        Assert.Equal(6, ready.Value);
        Assert.Equal("work", ready.Tag("warren.queue.kind"));
        Assert.Equal(0, Assert.Single(telemetry.Of("warren.queue.consumers", queue)).Value);
        Assert.Equal(new QueueDepth("missing-" + queue, WarrenQueueKind.Work, false, 0, 0, default), (await monitor.GetDepthAsync("missing-" + queue)) with { ReadAt = default });
        await app.StopAsync();
        await using var connection = await broker.ConnectAsync();
        await Broker.DeleteQueueAsync(connection, queue);
    }

    /// <summary>A policy like the default one with a short delay, its topology declared as the default one is.</summary>
    internal static RetryPolicy ShortPolicy(string queue, int maxRetries) => new()
    {
        MaxRetries = maxRetries,
        Delays = [TimeSpan.FromMilliseconds(100)],
        DeadLetterExchange = RetryPolicy.DeadLetterExchangeName(queue),
        DeadLetterRoutingKey = queue,
    };

    private Task<TestApp> StartAsync(string queue, RetryPolicy policy, Func<Numbered, MessageContext, ValueTask> handler)
    {
        var topology = new Topology().Add(new QueueDeclaration(queue));
        ConsumerHost.AddDefaultPolicyTopology(topology, queue, policy);
        return TestApp.StartAsync(broker.AmqpUrl, w => w
            .AddTopology(topology)
            .AddConsumer(new ConsumerDefinition(queue, MessageDispatcher.Create(RuntimeTestJson.Default.Numbered, handler)) { Retry = policy, Prefetch = 50, Concurrency = 4 }));
    }

    private async Task WaitForReadyAsync(IConnection connection, string queue, uint count)
    {
        using var timeout = new CancellationTokenSource(Wait);
        uint ready;
        while ((ready = await Broker.ReadyCountAsync(connection, queue)) < count)
        {
            await Task.Delay(50, timeout.Token);
        }

        output.WriteLine($"{queue}: {ready} ready");
        Assert.Equal(count, ready);
    }

    private static async Task DeleteAsync(IConnection connection, string queue, RetryPolicy policy)
    {
        await Broker.DeleteQueueAsync(connection, queue);
        await Broker.DeleteQueueAsync(connection, RetryPolicy.DeadLetterQueueName(queue));
        for (var level = 1; level <= policy.RetryQueueCount; level++)
        {
            await Broker.DeleteQueueAsync(connection, RetryPolicy.RetryQueueName(queue, level));
        }

        await using var channel = await connection.CreateChannelAsync();
        await channel.ExchangeDeleteAsync(RetryPolicy.DeadLetterExchangeName(queue));
    }
}

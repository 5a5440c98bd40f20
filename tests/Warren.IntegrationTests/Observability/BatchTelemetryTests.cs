using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Warren.IntegrationTests.Runtime;
using Xunit;

namespace Warren.IntegrationTests.Observability;

/// <summary>A batch handler runs in a context of its own: its scope names the batch, its span links every message.</summary>
[Collection(BrokerCollection.Name)]
public sealed class BatchTelemetryTests(BrokerFixture broker)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Batch_handler_logs_carry_the_batchs_scope_and_no_single_messages_id()
    {
        var queue = Names.Unique("batch-scope");
        var logs = new ScopeSink();
        var handled = 0;
        await using var app = await TestApp.StartAsync(broker.AmqpUrl, w =>
        {
            w.Services.AddLogging(l => l.AddProvider(logs));
            // A size the test never reaches: batches start on their timeout (the path that continued the first
            // delivery's context), and one test below fills them (the path that continued the last one's).
            w.AddTopology(new Topology().Add(new QueueDeclaration(queue)))
             .AddContract(new MessageContract<Numbered>("test.numbered", RuntimeTestJson.Default.Numbered, exchange: string.Empty, routingKey: queue))
             .AddConsumer(new ConsumerDefinition(queue, new BatchDispatcher<Numbered>(RuntimeTestJson.Default.Numbered, 50, TimeSpan.FromMilliseconds(500), (list, services, _) =>
             {
                 services.GetRequiredService<ILogger<BatchTelemetryTests>>().LogInformation("batch of {Count}", list.Count);
                 Interlocked.Add(ref handled, list.Count);
                 return ValueTask.CompletedTask;
             })) { Prefetch = 100, Retry = RetryPolicy.Disabled });
        });

        // The first delivery names the contract by another name (an alias a dispatcher may accept, here one an older
        // producer sent): the batch's scope names the dispatcher's own contract all the same.
        for (var n = 0; n < 3; n++)
        {
            await app.Sender.SendAsync(string.Empty, queue, new Numbered(n), RuntimeTestJson.Default.Numbered, n == 0 ? "test.numbered.v0" : "test.numbered", new PublishOptions { MessageId = $"m-{n}", CorrelationId = $"c-{n}" });
        }

        await Broker.WaitUntilAsync(() => Volatile.Read(ref handled) == 3, Wait, "3 messages handled");
        var lines = logs.Entries.Where(e => e.Message.StartsWith("batch of ", StringComparison.Ordinal)).ToArray();
        Assert.NotEmpty(lines);
        Assert.All(lines, line =>
        {
            Assert.False(line.Scope.ContainsKey("MessageId"), $"a batch line carries one message's id: {line.Scope.GetValueOrDefault("MessageId")}");
            Assert.False(line.Scope.ContainsKey("CorrelationId"));
            Assert.Equal(queue, line.Scope["Queue"]);
            Assert.Equal("test.numbered", line.Scope["MessageContract"]);
        });
        Assert.Equal(3, lines.Sum(l => (int)l.Scope["BatchSize"]!));
        await app.StopAsync();
        await using var connection = await broker.ConnectAsync();
        await Broker.DeleteQueueAsync(connection, queue);
    }

    [Fact]
    public async Task A_batchs_process_span_links_every_messages_producer_context_and_belongs_to_none_of_their_traces()
    {
        const int Size = 4;
        var queue = Names.Unique("batch-links");
        using var telemetry = new TelemetryCapture();
        var handlerTraces = new ConcurrentQueue<ActivityTraceId?>();
        await using var app = await TestApp.StartAsync(broker.AmqpUrl, w => w
            .AddTopology(new Topology().Add(new QueueDeclaration(queue)))
            .AddContract(new MessageContract<Numbered>("test.numbered", RuntimeTestJson.Default.Numbered, exchange: string.Empty, routingKey: queue))
            .AddConsumer(new ConsumerDefinition(queue, new BatchDispatcher<Numbered>(RuntimeTestJson.Default.Numbered, Size, TimeSpan.FromSeconds(20), (list, _) =>
            {
                handlerTraces.Enqueue(Activity.Current?.TraceId);
                return ValueTask.CompletedTask;
            })) { Prefetch = 20, Retry = RetryPolicy.Disabled }));

        // Each publish without an ambient activity starts a trace of its own. The first names the contract by an alias.
        for (var n = 0; n < Size; n++)
        {
            await app.Sender.SendAsync(string.Empty, queue, new Numbered(n), RuntimeTestJson.Default.Numbered, n == 0 ? "test.numbered.v0" : "test.numbered");
        }

        await Broker.WaitUntilAsync(() => telemetry.Spans.Any(s => s.DisplayName == "process " + queue && s.GetTagItem("messaging.batch.message_count") is not null), Wait, "the batch's span");
        var publishes = telemetry.Spans.Where(s => s.DisplayName == "publish " + queue).ToArray();
        Assert.Equal(Size, publishes.Select(p => p.TraceId).Distinct().Count());

        var batch = Assert.Single(telemetry.Spans, s => s.DisplayName == "process " + queue && s.GetTagItem("messaging.batch.message_count") is not null);
        Assert.Equal(ActivityKind.Consumer, batch.Kind);
        Assert.Equal((long)Size, batch.GetTagItem("messaging.batch.message_count"));
        Assert.Equal("rabbitmq", batch.GetTagItem("messaging.system"));
        Assert.Equal("test.numbered", batch.GetTagItem("warren.message.contract"));
        Assert.Equal(default, batch.ParentSpanId);
        Assert.Equal(Size, batch.Links.Count());
        Assert.Equal(publishes.Select(p => p.TraceId.ToHexString()).Order(), batch.Links.Select(l => l.Context.TraceId.ToHexString()).Order());
        Assert.Equal(publishes.Select(p => p.SpanId.ToHexString()).Order(), batch.Links.Select(l => l.Context.SpanId.ToHexString()).Order());
        Assert.DoesNotContain(batch.TraceId, publishes.Select(p => p.TraceId));

        // The handler runs inside the batch's span, not inside the process span of the delivery that filled the batch.
        Assert.Equal(batch.TraceId, Assert.Single(handlerTraces));
        await app.StopAsync();
        await using var connection = await broker.ConnectAsync();
        await Broker.DeleteQueueAsync(connection, queue);
    }
}

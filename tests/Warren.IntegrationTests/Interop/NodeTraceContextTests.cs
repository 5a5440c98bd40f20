using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Warren.IntegrationTests.Runtime;
using Xunit;
using Xunit.Abstractions;

namespace Warren.IntegrationTests.Interop;

/// <summary>
/// W3C trace context between amqplib and Warren: a Node.js producer's <c>traceparent</c> (an AMQP long string written
/// from a JavaScript string) is the parent of Warren's <c>process</c> span, and what Warren publishes from the handler
/// reaches the Node.js consumer as a string with the same trace and sampling decision.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class NodeTraceContextTests(BrokerFixture broker, ITestOutputHelper output)
{
    private static readonly TimeSpan NodeTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_node_producers_traceparent_is_continued_and_comes_back_to_node_with_its_sampling_decision()
    {
        const int Count = 20;
        var inQueue = Names.Unique("trace-in");
        var outQueue = Names.Unique("trace-out");
        var spans = new ConcurrentQueue<Activity>();

        // Parent-based, as OpenTelemetry's default sampler: a producer's unsampled trace gets spans that only carry its
        // context (not recorded), which is what Warren must still propagate.
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == WarrenDiagnostics.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> options) =>
                options.Parent == default || options.Parent.TraceFlags.HasFlag(ActivityTraceFlags.Recorded)
                    ? ActivitySamplingResult.AllDataAndRecorded
                    : ActivitySamplingResult.PropagationData,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);

        await using var app = await TestApp.StartAsync(broker.AmqpUrl, w => w
            .AddTopology(new Topology().Add(new QueueDeclaration(inQueue)).Add(new QueueDeclaration(outQueue)))
            .AddConsumer(new ConsumerDefinition(inQueue, MessageDispatcher.Create(RuntimeTestJson.Default.Numbered, (m, ctx) =>
                ctx.Services.GetRequiredService<IMessageSender>().SendAsync(string.Empty, outQueue, m, RuntimeTestJson.Default.Numbered, "test.numbered")))
            { Retry = RetryPolicy.Disabled }));

        await using var node = await NodePrograms.StartAsync("trace_relay.js", broker.AmqpUrl, inQueue, outQueue, Count.ToString(CultureInfo.InvariantCulture), "20000");
        var code = await node.WaitForExitAsync(NodeTimeout);
        var line = node.OutputLines.LastOrDefault(l => l.StartsWith('{'))
            ?? throw new InvalidOperationException($"trace_relay.js printed no result line.\n{node.Transcript()}");
        output.WriteLine(line);
        Assert.True(code == 0, $"trace_relay.js exited with {code}\n{node.Transcript()}");
        var result = JsonDocument.Parse(line).RootElement;
        var received = result.GetProperty("received").EnumerateArray().ToDictionary(r => r.GetProperty("n").GetInt32());
        Assert.Equal(Count, received.Count);

        // The node consumer can see the last relayed message before Warren has the broker's confirmation of it, which
        // is when its publish span (and the process span awaiting it) stops: wait for both spans of every trace.
        var traceIds = result.GetProperty("sent").EnumerateArray().Select(s => s.GetProperty("traceparent").GetString()!.Split('-')[1]).ToHashSet();
        await Broker.WaitUntilAsync(
            () => spans.Count(s => traceIds.Contains(s.TraceId.ToHexString()) && s.Kind is ActivityKind.Consumer or ActivityKind.Producer) >= 2 * Count,
            TimeSpan.FromSeconds(20),
            $"a process and a publish span stopped for each of the {Count} traces");

        foreach (var sent in result.GetProperty("sent").EnumerateArray())
        {
            var n = sent.GetProperty("n").GetInt32();
            var parts = sent.GetProperty("traceparent").GetString()!.Split('-');
            var (traceId, parentId, sampled) = (parts[1], parts[2], parts[3] == "01");
            var process = Assert.Single(spans, s => s.TraceId.ToHexString() == traceId && s.Kind == ActivityKind.Consumer);
            Assert.Equal("process " + inQueue, process.DisplayName);
            Assert.Equal(parentId, process.ParentSpanId.ToHexString());
            Assert.Equal($"node={n}", process.TraceStateString);
            Assert.Equal(sampled, process.Recorded);
            var publish = Assert.Single(spans, s => s.TraceId.ToHexString() == traceId && s.Kind == ActivityKind.Producer);
            Assert.Equal("publish " + outQueue, publish.DisplayName);
            Assert.Equal(process.SpanId, publish.ParentSpanId);
            Assert.Equal(sampled, publish.Recorded);
            if (!sampled)
            {
                // A span that only carries the context gets no attributes.
                Assert.Empty(process.TagObjects);
                Assert.Empty(publish.TagObjects);
            }
            else
            {
                Assert.Equal(outQueue, publish.GetTagItem("messaging.destination.name"));
            }

            // amqplib reads the AMQP long string as a JavaScript string: Warren's bytes and a string look the same.
            var back = received[n];
            Assert.Equal(JsonValueKind.String, back.GetProperty("traceparent").ValueKind);
            Assert.Equal($"00-{traceId}-{publish.SpanId.ToHexString()}-{parts[3]}", back.GetProperty("traceparent").GetString());
            Assert.Equal($"node={n}", back.GetProperty("tracestate").GetString());
        }

        await app.StopAsync();
        await using var connection = await broker.ConnectAsync();
        await Broker.DeleteQueueAsync(connection, inQueue);
        await Broker.DeleteQueueAsync(connection, outQueue);
    }
}

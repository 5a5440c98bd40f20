using System.Collections.Concurrent;
using System.Diagnostics;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using RabbitMQ.Client;
using Warren.IntegrationTests.Runtime;
using Xunit;

namespace Warren.IntegrationTests.Observability;

/// <summary>
/// Tests that listen to RabbitMQ.Client's own activity sources. A listener is process-wide, and while the client's
/// publisher source is listened to Warren keeps each publish span open until the confirmation (ClientPublishTracing):
/// run in parallel, such a test would change how every other test's publishes are traced. This collection runs alone,
/// after the parallel ones, on a broker node of its own.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClientSourceListenerCollection : ICollectionFixture<BrokerFixture>
{
    public const string Name = "client-source-listeners";
}

/// <summary>Warren's publish spans beside RabbitMQ.Client's, with the client's publisher source listened to.</summary>
[Collection(ClientSourceListenerCollection.Name)]
public sealed class ClientSourceTracingTests(BrokerFixture broker)
{
    [Fact]
    public async Task An_unsampled_publish_span_carries_the_decision_and_stays_the_parent_of_the_clients_span_while_that_is_listened_to()
    {
        // A parent-based sampler on an unsampled trace: Warren's publish span is only a carrier of the context. With
        // RabbitMQ.Client's publisher source listened to, it must stay current through the send so that the client's
        // span is its child; without, it ends before the send. Either way the message carries the unsampled context.
        var queue = Names.Unique("unsampled");
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == WarrenDiagnostics.ActivitySourceName || s.Name == RabbitMQActivitySource.PublisherSourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> options) =>
                options.Parent == default || options.Parent.TraceFlags.HasFlag(ActivityTraceFlags.Recorded)
                    ? ActivitySamplingResult.AllDataAndRecorded
                    : ActivitySamplingResult.PropagationData,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        await using var app = await TestApp.StartAsync(broker.AmqpUrl, w => w.AddTopology(new Topology().Add(new QueueDeclaration(queue))));

        var trace = ActivityTraceId.CreateRandom();
        using (var ambient = new Activity("incoming").SetParentId(trace, ActivitySpanId.CreateRandom(), ActivityTraceFlags.None).Start())
        {
            await app.Sender.SendAsync(string.Empty, queue, new Numbered(1), RuntimeTestJson.Default.Numbered, "test.numbered");
        }

        var publish = Assert.Single(spans, s => s.TraceId == trace && s.Source.Name == WarrenDiagnostics.ActivitySourceName);
        var client = Assert.Single(spans, s => s.TraceId == trace && s.Source.Name == RabbitMQActivitySource.PublisherSourceName);
        Assert.False(publish.Recorded);
        Assert.Empty(publish.TagObjects);
        Assert.False(client.Recorded);
        Assert.Equal(publish.SpanId, client.ParentSpanId);

        await using var connection = await broker.ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        var got = await channel.BasicGetAsync(queue, autoAck: true);
        Assert.NotNull(got);
        var parts = Encoding.UTF8.GetString((byte[])got.BasicProperties.Headers!["traceparent"]!).Split('-');
        Assert.Equal(trace.ToHexString(), parts[1]);
        Assert.Contains(parts[2], new[] { publish.SpanId.ToHexString(), client.SpanId.ToHexString() });
        Assert.Equal("00", parts[3]);
        await app.StopAsync();
        await Broker.DeleteQueueAsync(connection, queue);
    }
}

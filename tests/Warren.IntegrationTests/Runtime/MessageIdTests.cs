using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using RabbitMQ.Client;
using Xunit;

namespace Warren.IntegrationTests.Runtime;

/// <summary>
/// The message id of a typed publish is written by the publishing channel into one string per channel while it sends
/// (no string per message): what arrives must be each message's own id, unique, with RabbitMQ.Client's own publish spans
/// (which keep the string they are given) naming the id that was sent.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class MessageIdTests(BrokerFixture broker)
{
    private static readonly Regex IdShape = new("^[0-9a-f]{32}$", RegexOptions.CultureInvariant);

    [Fact]
    public async Task Concurrent_publishes_on_several_channels_arrive_with_unique_ids_of_one_process()
    {
        const int count = 3_000;
        var queue = Names.Unique("ids");
        var ids = new ConcurrentDictionary<int, string?>();
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var app = await TestApp.StartAsync(
            broker.AmqpUrl,
            w => w
                .AddContract(new MessageContract<Numbered>("test.numbered", RuntimeTestJson.Default.Numbered, exchange: string.Empty, routingKey: queue))
                .AddTopology(new Topology().Add(new QueueDeclaration(queue)))
                .AddConsumer(new ConsumerDefinition(queue, MessageDispatcher.Create(RuntimeTestJson.Default.Numbered, (m, ctx) =>
                {
                    ids[m.N] = ctx.MessageId;
                    if (ids.Count == count)
                    {
                        all.TrySetResult();
                    }

                    return ValueTask.CompletedTask;
                })) { Prefetch = 200 }),
            o => o.PublishChannels = 3);

        // Un-awaited single publishes (round-robin over the channels) and a batch (the ordered channel) at once.
        var singles = Enumerable.Range(0, count / 2).Select(n => app.Publisher.PublishAsync(new Numbered(n)).AsTask()).ToList();
        var batch = app.Publisher.PublishBatchAsync(Enumerable.Range(count / 2, count / 2).Select(n => new Numbered(n))).AsTask();
        await Task.WhenAll(singles.Append(batch));
        await all.Task.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(count, ids.Count);
        Assert.All(ids.Values, id => Assert.Matches(IdShape, id!));
        Assert.Equal(count, ids.Values.Distinct(StringComparer.Ordinal).Count());
        Assert.Single(ids.Values.Select(id => id![..16]).Distinct(StringComparer.Ordinal));

        await using var connection = await broker.ConnectAsync();
        await Broker.DeleteQueueAsync(connection, queue);
    }

    [Fact]
    public async Task Each_message_arrives_with_the_id_its_publish_span_and_the_clients_span_name()
    {
        const int count = 1_000;
        var queue = Names.Unique("ids-traced");
        var received = new ConcurrentDictionary<int, string?>();
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == WarrenDiagnostics.ActivitySourceName || s.Name == RabbitMQActivitySource.PublisherSourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        await using var app = await TestApp.StartAsync(
            broker.AmqpUrl,
            w => w
                .AddContract(new MessageContract<Numbered>("test.numbered", RuntimeTestJson.Default.Numbered, exchange: string.Empty, routingKey: queue))
                .AddTopology(new Topology().Add(new QueueDeclaration(queue)))
                .AddConsumer(new ConsumerDefinition(queue, MessageDispatcher.Create(RuntimeTestJson.Default.Numbered, (m, ctx) =>
                {
                    received[m.N] = ctx.MessageId;
                    if (received.Count == count)
                    {
                        all.TrySetResult();
                    }

                    return ValueTask.CompletedTask;
                })) { Prefetch = 200 }));

        await Task.WhenAll(Enumerable.Range(0, count).Select(n => app.Publisher.PublishAsync(new Numbered(n)).AsTask()));
        await all.Task.WaitAsync(TimeSpan.FromSeconds(60));

        // Read only now, after every publish: a span holding a string the channel wrote into again would show another id.
        var ours = spans.Where(s => Equals(s.GetTagItem("messaging.rabbitmq.destination.routing_key"), queue)).ToList();
        var warren = ours.Where(s => s.Source.Name == WarrenDiagnostics.ActivitySourceName && s.Kind == ActivityKind.Producer).ToList();
        var client = ours.Where(s => s.Source.Name == RabbitMQActivitySource.PublisherSourceName).ToList();
        Assert.Equal(count, warren.Count);
        Assert.Equal(count, client.Count);

        var sent = warren.Select(s => (string)s.GetTagItem("messaging.message.id")!).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(count, sent.Count);
        Assert.Equal(sent.Order(StringComparer.Ordinal), received.Values.Select(id => id!).Order(StringComparer.Ordinal));

        // The client's span of each send is a child of Warren's span of that publish and names the same id.
        var byWarrenSpan = warren.ToDictionary(s => s.SpanId, s => (string)s.GetTagItem("messaging.message.id")!);
        Assert.All(client, s => Assert.Equal(byWarrenSpan[s.ParentSpanId], (string?)s.GetTagItem("messaging.message.id")));
        Assert.Equal(count, client.Select(s => (string)s.GetTagItem("messaging.message.id")!).Distinct(StringComparer.Ordinal).Count());

        await using var connection = await broker.ConnectAsync();
        await Broker.DeleteQueueAsync(connection, queue);
    }
}

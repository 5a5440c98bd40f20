using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Warren.IntegrationTests.Runtime;
using Warren.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Warren.IntegrationTests.Reliability;

/// <summary>Faults in the middle of real streams, counting every message: at-least-once means 0 lost, duplicates allowed.</summary>
[Collection(BrokerCollection.Name)]
public sealed class FaultTests(BrokerFixture broker, ITestOutputHelper output)
{
    private const int Count = 20_000;

    [Fact]
    public async Task Consumer_connection_killed_mid_stream_loses_nothing()
    {
        var node = broker.RequireLocalNode();
        var queue = Names.Unique("fault-consumer");
        var handled = new ConcurrentDictionary<int, int>();
        await using (var producer = await TestApp.StartAsync(broker.AmqpUrl, w => w.AddTopology(new Topology().Add(new QueueDeclaration(queue)))))
        {
            producer.Services.GetRequiredService<MessageContracts>().Register(new MessageContract<Numbered>("test.numbered", RuntimeTestJson.Default.Numbered, string.Empty, queue));
            await producer.Publisher.PublishBatchAsync(Enumerable.Range(0, Count).Select(n => new Numbered(n)));
        }

        await using var consumer = await TestApp.StartAsync(broker.AmqpUrl, w => w
            .AddConsumer(new ConsumerDefinition(queue, MessageDispatcher.Create(RuntimeTestJson.Default.Numbered, async (m, _) =>
            {
                handled.AddOrUpdate(m.N, 1, (_, c) => c + 1);
                await Task.Delay(1); // a stream of several seconds, so the kill lands in the middle of it
            })) { Prefetch = 200, Concurrency = 4 }));
        var atKill = -1;
        consumer.Connections.ConnectionChanged += e =>
        {
            if (e.Role == ConnectionRole.Consume && e.Kind == ConnectionEventKind.Lost)
            {
                atKill = handled.Count;
            }
        };

        await Broker.WaitUntilAsync(() => handled.Count >= Count / 4, TimeSpan.FromSeconds(60), "a quarter of the stream");
        await node.CloseAllConnectionsAsync();
        await Broker.WaitUntilAsync(() => handled.Count == Count, TimeSpan.FromSeconds(120), "every message after the consumer recovered");

        output.WriteLine($"connection killed after {atKill} handled; {Count} of {Count} handled, {handled.Values.Sum(c => c - 1)} duplicate deliveries");
        Assert.True(atKill >= 0 && atKill < Count, $"the consumer's connection must be lost mid-stream (lost at {atKill})");
        Assert.Equal(Count, handled.Count);
        await consumer.StopAsync();
        await using var connection = await broker.ConnectAsync();
        Assert.Equal(0u, await Broker.ReadyCountAsync(connection, queue));
        await Broker.DeleteQueueAsync(connection, queue);
    }

    [Fact]
    public async Task Broker_restart_mid_stream_loses_no_confirmed_message()
    {
        var node = broker.RequireLocalNode().Nodes[0];
        var queue = Names.Unique("fault-restart");
        var confirmed = new ConcurrentDictionary<int, bool>();
        var failed = 0;
        await using (var producer = await TestApp.StartAsync(broker.AmqpUrl, w => w.AddTopology(new Topology().Add(new QueueDeclaration(queue))), o => o.PublishTimeout = TimeSpan.FromSeconds(60)))
        {
            var publishing = Task.Run(async () =>
            {
                var pending = new List<Task>(Count);
                for (var i = 0; i < Count; i++)
                {
                    var n = i;
                    pending.Add(PublishAsync(producer, queue, n).ContinueWith(t =>
                    {
                        if (t.IsCompletedSuccessfully)
                        {
                            confirmed[n] = true;
                        }
                        else
                        {
                            System.Threading.Interlocked.Increment(ref failed);
                        }
                    }, TaskScheduler.Default));
                    if (i % 100 == 0)
                    {
                        await Task.Delay(50); // about ten seconds of stream: the fault lands in the middle
                    }
                }

                await Task.WhenAll(pending);
            });

            await Broker.WaitUntilAsync(() => confirmed.Count >= Count / 4, TimeSpan.FromSeconds(60), "a quarter confirmed");
            await node.StopAsync();
            var atStop = confirmed.Count;
            await node.StartAsync();
            await publishing.WaitAsync(TimeSpan.FromSeconds(180));
            output.WriteLine($"node restarted after {atStop} confirmations; {confirmed.Count} confirmed, {failed} failed");
            Assert.True(atStop < Count, "the node must be down while the stream is still being published");
        }

        var received = new ConcurrentDictionary<int, int>();
        await using var consumer = await TestApp.StartAsync(broker.AmqpUrl, w => w
            .AddConsumer(new ConsumerDefinition(queue, MessageDispatcher.Create(RuntimeTestJson.Default.Numbered, (m, _) =>
            {
                received.AddOrUpdate(m.N, 1, (_, c) => c + 1);
                return ValueTask.CompletedTask;
            })) { Prefetch = 500 }));
        await Broker.WaitUntilAsync(() => confirmed.Keys.All(received.ContainsKey), TimeSpan.FromSeconds(120), "every confirmed message");

        var lost = confirmed.Keys.Count(k => !received.ContainsKey(k));
        output.WriteLine($"consumed {received.Count} distinct, {received.Values.Sum(c => c - 1)} duplicates, {lost} confirmed messages lost");
        Assert.Equal(0, lost);
        await consumer.StopAsync();
        await using var connection = await broker.ConnectAsync();
        await Broker.DeleteQueueAsync(connection, queue);
    }

    [Fact]
    public async Task Quorum_queue_on_a_three_node_cluster_survives_a_node_stopping_mid_stream()
    {
        await using var cluster = await PrivateBroker.StartClusterAsync(3);
        var queue = Names.Unique("fault-quorum");
        var confirmed = new ConcurrentDictionary<int, bool>();
        var received = new ConcurrentDictionary<int, int>();
        var logs = new LogSink();
        void Cluster(WarrenOptions o)
        {
            o.Url = null;
            o.Hosts.Clear();
            foreach (var endpoint in cluster.AmqpEndpoints)
            {
                o.Hosts.Add($"{endpoint.HostName}:{endpoint.Port}");
            }

            o.PublishTimeout = TimeSpan.FromSeconds(60);
        }

        await using var app = await TestApp.StartAsync(cluster.AmqpUrl, w => w
            .AddTopology(new Topology().Add(new QueueDeclaration(queue, Arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" })))
            .AddConsumer(new ConsumerDefinition(queue, MessageDispatcher.Create(RuntimeTestJson.Default.Numbered, (m, _) =>
            {
                received.AddOrUpdate(m.N, 1, (_, c) => c + 1);
                return ValueTask.CompletedTask;
            })) { Prefetch = 200 }), Cluster, logs);

        // The last quarter of the stream waits for the node to have stopped, so the stop lands mid-stream however long
        // stopping a node takes on a loaded machine.
        var nodeStopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var publishing = Task.Run(async () =>
        {
            var pending = new List<Task>(Count);
            for (var i = 0; i < Count; i++)
            {
                if (i == Count * 3 / 4)
                {
                    await nodeStopped.Task.WaitAsync(TimeSpan.FromSeconds(120));
                }

                var n = i;
                pending.Add(PublishAsync(app, queue, n).ContinueWith(t =>
                {
                    if (t.IsCompletedSuccessfully)
                    {
                        confirmed[n] = true;
                    }
                }, TaskScheduler.Default));
                if (i % 100 == 0)
                {
                    await Task.Delay(50); // about ten seconds of stream: the fault lands in the middle
                }
            }

            await Task.WhenAll(pending);
        });

        await Broker.WaitUntilAsync(() => confirmed.Count >= Count / 4, TimeSpan.FromSeconds(60), "a quarter confirmed");
        await cluster.Nodes[0].StopAsync();
        var atStop = confirmed.Count;
        nodeStopped.SetResult();
        await publishing.WaitAsync(TimeSpan.FromSeconds(180));
        try
        {
            await Broker.WaitUntilAsync(() => confirmed.Keys.All(received.ContainsKey), TimeSpan.FromSeconds(120), "every confirmed message consumed");
        }
        finally
        {
            foreach (var entry in logs.Entries.Where(e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Information && e.Category.StartsWith("Warren", StringComparison.Ordinal)))
            {
                output.WriteLine($"{entry.Level} {entry.Category}: {entry.Message}");
            }

            output.WriteLine(string.Join(Environment.NewLine, app.Consumers.Statuses));
        }

        var lost = confirmed.Keys.Count(k => !received.ContainsKey(k));
        output.WriteLine($"node 1 stopped after {atStop} confirmations; {confirmed.Count} of {Count} confirmed, {received.Count} consumed, {received.Values.Sum(c => c - 1)} duplicates, {lost} lost");
        Assert.True(atStop < Count, "the node must stop while the stream is still being published");
        Assert.Equal(0, lost);
        Assert.Equal(Count, confirmed.Count); // publishes retried after recovery: the stream completes
    }

    private static Task PublishAsync(TestApp app, string queue, int n) =>
        app.Sender.SendAsync(string.Empty, queue, new Numbered(n), RuntimeTestJson.Default.Numbered, "test.numbered").AsTask();
}

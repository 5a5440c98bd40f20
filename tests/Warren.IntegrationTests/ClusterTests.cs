using System;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Warren.Testing;
using Xunit;

namespace Warren.IntegrationTests;

/// <summary>A private 3-node cluster: membership, a quorum queue through node 2, cleanup.</summary>
public sealed class ClusterTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Three_node_cluster_serves_a_quorum_queue_and_cleans_up()
    {
        var cluster = await PrivateBroker.StartClusterAsync(3);
        ProcessProbe.Identity[] started;
        try
        {
            Assert.Equal(3, cluster.Nodes.Count);
            Assert.Equal(3, cluster.Nodes.Select(n => n.Name).Distinct().Count());
            Assert.Equal(6, cluster.Nodes.SelectMany(n => new[] { n.AmqpPort, n.DistributionPort }).Distinct().Count());
            Assert.Equal(cluster.Nodes[0].AmqpUrl, cluster.AmqpUrl);
            started = [.. ProcessProbe.Capture(cluster.StartedProcessIds)];
            Assert.Equal(7, started.Length);
            Assert.Single(started, p => p.Command == "epmd");
            Assert.Equal(3, started.Count(p => p.Command == "beam.smp"));

            // Node 3's view of the cluster: all three nodes, all running, all listening on loopback only.
            using (var status = JsonDocument.Parse(
                await cluster.RabbitmqctlAsync(cluster.Nodes[2], "cluster_status", "--formatter", "json")))
            {
                var expected = cluster.Nodes.Select(n => n.Name).Order(StringComparer.Ordinal).ToArray();
                string[] Names(string property) =>
                    [.. status.RootElement.GetProperty(property).EnumerateArray().Select(e => e.GetString()!).Order(StringComparer.Ordinal)];
                Assert.Equal(expected, Names("running_nodes"));
                Assert.Equal(expected, Names("disk_nodes"));
                var interfaces = status.RootElement.GetProperty("listeners").EnumerateObject()
                    .SelectMany(node => node.Value.EnumerateArray())
                    .Select(listener => listener.GetProperty("interface").GetString())
                    .ToArray();
                Assert.Equal(6, interfaces.Length); // AMQP + clustering per node
                Assert.All(interfaces, i => Assert.Equal("127.0.0.1", i));
            }

            var node2 = cluster.Nodes[1];
            var factory = new ConnectionFactory { Uri = new Uri(node2.AmqpUrl), AutomaticRecoveryEnabled = false };
            var queue = "warren-quorum-" + Guid.NewGuid().ToString("N");
            var body = Encoding.UTF8.GetBytes("replicated");
            await using var connection = await factory.CreateConnectionAsync();
            await using (var channel = await connection.CreateChannelAsync(
                new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true)))
            {
                await channel.QueueDeclareAsync(
                    queue, durable: true, exclusive: false, autoDelete: false,
                    arguments: new System.Collections.Generic.Dictionary<string, object?> { ["x-queue-type"] = "quorum" });
                await channel.BasicPublishAsync("", queue, mandatory: true, new BasicProperties { Persistent = true }, body);

                var received = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
                var consumer = new AsyncEventingBasicConsumer(channel);
                consumer.ReceivedAsync += async (_, delivery) =>
                {
                    var copy = delivery.Body.ToArray();
                    // Ack before completing: the test then closes the channel, and an ack racing that close
                    // is a connection error (504).
                    await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false);
                    received.TrySetResult(copy);
                };
                await channel.BasicQosAsync(0, 10, global: false);
                await channel.BasicConsumeAsync(queue, autoAck: false, consumer);
                Assert.Equal(body, await received.Task.WaitAsync(Patience));
            }

            // The queue is a quorum queue, seen from node 1.
            using (var queues = JsonDocument.Parse(
                await cluster.RabbitmqctlAsync(cluster.Nodes[0], "list_queues", "name", "type", "--formatter", "json")))
            {
                var entry = Assert.Single(queues.RootElement.EnumerateArray(), q => q.GetProperty("name").GetString() == queue);
                Assert.Equal("quorum", entry.GetProperty("type").GetString());
            }

            // CloseAllConnectionsAsync reaches the connection on node 2.
            var closed = new TaskCompletionSource<ShutdownEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
            connection.ConnectionShutdownAsync += (_, reason) =>
            {
                closed.TrySetResult(reason);
                return Task.CompletedTask;
            };
            await cluster.CloseAllConnectionsAsync();
            var shutdown = await closed.Task.WaitAsync(Patience);
            Assert.True(shutdown.ReplyCode == 320, $"expected CONNECTION_FORCED (320), got {shutdown}");
            Assert.Contains("test", shutdown.ReplyText, StringComparison.Ordinal);
            Assert.False(connection.IsOpen);
        }
        finally
        {
            await cluster.DisposeAsync();
        }

        Assert.Empty(ProcessProbe.StillPresent(started));
        Assert.False(Directory.Exists(cluster.DirectoryPath));
        Assert.Empty(ProcessProbe.RunningWithCommandLineContaining(cluster.DirectoryPath));
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Warren.IntegrationTests.Runtime;
using Warren.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Warren.IntegrationTests.Observability;

/// <summary>Connection recovery on a 3-node cluster when part of the recorded topology lived on the lost node.</summary>
public sealed class ClusterRecoveryTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_classic_queue_on_the_lost_node_is_skipped_and_the_consuming_connection_recovers()
    {
        await using var cluster = await PrivateBroker.StartClusterAsync(3);
        var quorum = Names.Unique("recover-quorum");
        var classic = Names.Unique("recover-classic");
        var logs = new LogSink();
        using var telemetry = new TelemetryCapture();
        var handled = 0;
        await using var app = await TestApp.StartAsync(
            cluster.AmqpUrl,
            w => w
                .AddTopology(new Topology()
                    .Add(new QueueDeclaration(quorum, Arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" }))
                    .Add(new QueueDeclaration(classic)))
                .AddConsumer(new ConsumerDefinition(quorum, MessageDispatcher.Create(RuntimeTestJson.Default.Numbered, (_, _) =>
                {
                    Interlocked.Increment(ref handled);
                    return ValueTask.CompletedTask;
                })) { Retry = RetryPolicy.Disabled }),
            o =>
            {
                o.Url = null;
                foreach (var endpoint in cluster.AmqpEndpoints)
                {
                    o.Hosts.Add($"{endpoint.HostName}:{endpoint.Port}");
                }
            },
            logs);
        var consuming = await app.Connections.GetConsumeConnectionAsync();

        // The classic queue was declared through the consuming connection, so it lives on that connection's node.
        var node = cluster.Nodes.Single(n => n.AmqpPort == consuming.Endpoint.Port);
        await node.StopAsync();
        try
        {
            await Broker.WaitUntilAsync(() => logs.Entries.Any(e => e.Message.Contains($"skipped the queue '{classic}'", StringComparison.Ordinal)), Wait, "the skipped classic queue");
            await Broker.WaitUntilAsync(
                () => app.Connections.GetStatus(ConnectionRole.Consume).State == WarrenConnectionState.Open && app.Consumers.Get(quorum)!.State == ConsumerState.Running,
                Wait,
                "the recovered connection and consumer");
            Assert.Same(consuming, await app.Connections.GetConsumeConnectionAsync()); // recovered, not replaced
            Assert.True(consuming.IsOpen);

            await app.Sender.SendAsync(string.Empty, quorum, new Numbered(1), RuntimeTestJson.Default.Numbered, "test.numbered");
            await Broker.WaitUntilAsync(() => Volatile.Read(ref handled) == 1, Wait, "a message consumed after the recovery");

            // The delivery's span names the node the connection recovered to, not the one it was first opened on.
            Assert.NotEqual(node.AmqpPort, consuming.Endpoint.Port);
            await Broker.WaitUntilAsync(() => telemetry.Spans.Any(s => s.DisplayName == "process " + quorum), Wait, "the delivery's process span");
            var process = telemetry.Spans.Last(s => s.DisplayName == "process " + quorum);
            Assert.Equal((long)consuming.Endpoint.Port, process.GetTagItem("server.port"));
            Assert.Equal(consuming.Endpoint.HostName, process.GetTagItem("server.address"));
        }
        finally
        {
            foreach (var entry in logs.Entries.Where(e => e.Level >= LogLevel.Information && e.Category.StartsWith("Warren", StringComparison.Ordinal)))
            {
                output.WriteLine($"{entry.Level} {entry.Category}: {entry.Message}");
            }
        }

        Assert.DoesNotContain(logs.Entries, e => e.Message.Contains("given up", StringComparison.Ordinal));
        await app.StopAsync();
    }
}

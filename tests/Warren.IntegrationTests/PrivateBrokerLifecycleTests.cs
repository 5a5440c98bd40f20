using System;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Warren.Testing;
using Xunit;

namespace Warren.IntegrationTests;

/// <summary>PrivateBroker itself: it cleans up after itself, and its nodes survive stop/start and kill/start.</summary>
public sealed class PrivateBrokerLifecycleTests
{
    [Fact]
    public async Task Dispose_ends_every_started_process_and_removes_the_directory()
    {
        var broker = await PrivateBroker.StartAsync();
        ProcessProbe.Identity[] started;
        string directory;
        try
        {
            directory = broker.DirectoryPath;
            Assert.StartsWith(Path.Combine(Path.GetTempPath(), "warren-broker-"), directory, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(directory, "home", ".erlang.cookie")));
            started = [.. ProcessProbe.Capture(broker.StartedProcessIds)];
            // epmd, the rabbitmq-server wrapper, and the node's beam.smp.
            Assert.Equal(3, started.Length);
            Assert.Single(started, p => p.Command == "epmd");
            Assert.Single(started, p => p.Command == "beam.smp");
            Assert.Single(started, p => p.Command == "rabbitmq-server");
            Assert.NotEmpty(ProcessProbe.RunningWithCommandLineContaining(directory));
        }
        finally
        {
            await broker.DisposeAsync();
        }

        Assert.Empty(ProcessProbe.StillPresent(started));
        Assert.False(Directory.Exists(directory), $"{directory} should be deleted");
        Assert.Empty(ProcessProbe.RunningWithCommandLineContaining(directory));

        await broker.DisposeAsync(); // idempotent
        await Assert.ThrowsAsync<ObjectDisposedException>(() => broker.Nodes[0].StartAsync());
    }

    [Fact]
    public async Task A_port_taken_before_the_node_binds_it_starts_the_node_again_on_other_ports()
    {
        // Another process holds the port the first start is given for AMQP, as happens when a port is taken between
        // being chosen and being bound; the node fails with eaddrinuse and the broker starts again on fresh ports.
        using var holder = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        holder.Start();
        var taken = ((System.Net.IPEndPoint)holder.LocalEndpoint).Port;
        var calls = 0;
        PrivateBroker.PortChooser.Value = count =>
        {
            if (Interlocked.Increment(ref calls) > 1)
            {
                return null;
            }

            var ports = ProcessTools.FreeLoopbackPorts(count);
            ports[1] = taken;
            return ports;
        };
        try
        {
            await using var broker = await PrivateBroker.StartAsync();
            Assert.Equal(2, calls);
            var node = Assert.Single(broker.Nodes);
            Assert.NotEqual(taken, node.AmqpPort);
            var factory = new ConnectionFactory { Uri = new Uri(node.AmqpUrl), AutomaticRecoveryEnabled = false };
            await using var connection = await factory.CreateConnectionAsync();
            Assert.True(connection.IsOpen);
        }
        finally
        {
            PrivateBroker.PortChooser.Value = null;
        }
    }

    [Fact]
    public async Task Node_keeps_durable_state_across_stop_start_and_kill_start()
    {
        var broker = await PrivateBroker.StartAsync();
        ProcessProbe.Identity[] started;
        try
        {
            var node = Assert.Single(broker.Nodes);
            Assert.Equal(broker.AmqpUrl, node.AmqpUrl);
            Assert.Equal($"amqp://guest:guest@127.0.0.1:{node.AmqpPort}/", node.AmqpUrl);

            // The node runs with the harness' configuration, and CLI failures surface.
            var diskFreeLimit = await broker.RabbitmqctlAsync(node, "eval", "rabbit_disk_monitor:get_disk_free_limit().");
            Assert.Equal("10000000", diskFreeLimit.Trim());
            var maxMessageSize = await broker.RabbitmqctlAsync(node, "eval", "application:get_env(rabbit, max_message_size).");
            Assert.Equal("{ok,134217728}", maxMessageSize.Trim());
            var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => broker.RabbitmqctlAsync(node, "no_such_command"));
            Assert.Contains("no_such_command", failure.Message, StringComparison.Ordinal);

            var factory = new ConnectionFactory { Uri = new Uri(node.AmqpUrl), AutomaticRecoveryEnabled = false };
            var queue = "warren-restart-" + Guid.NewGuid().ToString("N");
            var body = Encoding.UTF8.GetBytes("survives restarts");
            await using (var connection = await factory.CreateConnectionAsync())
            await using (var channel = await connection.CreateChannelAsync(
                new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true)))
            {
                await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, arguments: null);
                await channel.BasicPublishAsync("", queue, mandatory: true, new BasicProperties { Persistent = true }, body);
            }

            // Graceful stop (the node's processes are gone, and reaped), then start with the same data directory.
            var firstRun = ProcessProbe.Capture(broker.StartedProcessIds.Skip(1));
            Assert.Equal(["rabbitmq-server", "beam.smp"], firstRun.Select(p => p.Command));
            await node.StopAsync();
            Assert.False(node.IsRunning);
            Assert.Empty(ProcessProbe.StillPresent(firstRun));
            await Assert.ThrowsAsync<BrokerUnreachableException>(() => factory.CreateConnectionAsync());
            await node.StartAsync();
            Assert.True(node.IsRunning);
            Assert.Equal(1u, await CountMessagesAsync(factory, queue));

            // Crash (SIGKILL), then start again: the confirmed persistent message is still there.
            var secondRun = ProcessProbe.Capture(broker.StartedProcessIds.Skip(3));
            Assert.Equal(["rabbitmq-server", "beam.smp"], secondRun.Select(p => p.Command));
            node.Kill();
            Assert.False(node.IsRunning);
            Assert.Empty(ProcessProbe.StillPresent(secondRun));
            await Assert.ThrowsAsync<BrokerUnreachableException>(() => factory.CreateConnectionAsync());
            await node.StartAsync();

            await using (var connection = await factory.CreateConnectionAsync())
            await using (var channel = await connection.CreateChannelAsync())
            {
                var got = await channel.BasicGetAsync(queue, autoAck: true);
                Assert.NotNull(got);
                Assert.Equal(body, got.Body.ToArray());
            }

            // epmd + (wrapper + beam.smp) for each of the three runs; the last run and epmd are alive.
            var pids = broker.StartedProcessIds.ToArray();
            Assert.Equal(7, pids.Length);
            started = [.. ProcessProbe.Capture([pids[0], pids[5], pids[6]])];
            Assert.Equal(["epmd", "rabbitmq-server", "beam.smp"], started.Select(p => p.Command));
        }
        finally
        {
            await broker.DisposeAsync();
        }

        Assert.Empty(ProcessProbe.StillPresent(started));
        Assert.False(Directory.Exists(broker.DirectoryPath));
    }

    [Fact]
    public void Missing_rabbitmq_server_is_reported_with_install_instructions()
    {
        var missing = Assert.Throws<InvalidOperationException>(() => PrivateBroker.CheckInstalled("/nonexistent/rabbitmq/bin"));
        Assert.Contains("rabbitmq-server is not installed", missing.Message, StringComparison.Ordinal);
        Assert.Contains("apt-get update && apt-get install -y rabbitmq-server", missing.Message, StringComparison.Ordinal);

        // And on this machine it is installed: the harness' tests never skip.
        Assert.StartsWith("/", PrivateBroker.CheckInstalled(PrivateBroker.RabbitMQBinDirectory), StringComparison.Ordinal);
    }

    private static async Task<uint> CountMessagesAsync(ConnectionFactory factory, string queue)
    {
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var ok = await channel.QueueDeclarePassiveAsync(queue);
        return ok.MessageCount;
    }
}

using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using RabbitMQ.Client;
using Warren.IntegrationTests.Runtime;
using Warren.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Warren.IntegrationTests.Observability;

/// <summary>Warren's health checks follow what happens to the broker, the queues and the connections.</summary>
[Collection(BrokerCollection.Name)]
public sealed class HealthTests(BrokerFixture broker, ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    /// <summary>Long enough that the check within it has a wide margin on a busy machine.</summary>
    private static readonly TimeSpan LivenessGrace = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task Readiness_is_unhealthy_while_a_consumers_queue_is_deleted_and_healthy_once_it_is_back()
    {
        var queue = Names.Unique("health-queue");
        await using var connection = await broker.ConnectAsync();
        await DeclareAsync(connection, queue);
        await using var app = await StartAsync(broker.AmqpUrl, queue, _ => { });
        var health = app.Services.GetRequiredService<HealthCheckService>();
        Assert.Equal(HealthStatus.Healthy, (await ReadyAsync(health)).Status);

        await Broker.DeleteQueueAsync(connection, queue);
        var down = await WaitForAsync(health, HealthStatus.Unhealthy);
        Assert.Equal(HealthStatus.Unhealthy, down.Entries["warren-consumers"].Status);
        Assert.Contains(queue, down.Entries["warren-consumers"].Description, StringComparison.Ordinal);
        Assert.Equal(HealthStatus.Healthy, down.Entries["warren-connections"].Status);

        await DeclareAsync(connection, queue);
        await WaitForAsync(health, HealthStatus.Healthy);
        Assert.Equal(ConsumerState.Running, app.Consumers.Get(queue)!.State);
        await app.StopAsync();
        await Broker.DeleteQueueAsync(connection, queue);
    }

    [Fact]
    public async Task Readiness_is_unhealthy_while_the_node_is_stopped_and_healthy_after_it_is_back()
    {
        await using var node = await PrivateBroker.StartAsync();
        var queue = Names.Unique("health-node");
        await using var app = await StartAsync(node.AmqpUrl, queue, w => w.AddTopology(new Topology().Add(new QueueDeclaration(queue))));
        var health = app.Services.GetRequiredService<HealthCheckService>();
        Assert.Equal(HealthStatus.Healthy, (await ReadyAsync(health)).Status);

        await node.Nodes[0].StopAsync();
        var down = await WaitForAsync(health, HealthStatus.Unhealthy);
        Assert.Equal(HealthStatus.Unhealthy, down.Entries["warren-connections"].Status);
        Assert.Equal(WarrenConnectionState.Recovering, app.Connections.GetStatus(ConnectionRole.Consume).State);
        var live = await health.CheckHealthAsync(r => r.Tags.Contains("live"));
        Assert.Equal(HealthStatus.Healthy, live.Status); // a short outage that recovery handles keeps the process alive

        await node.Nodes[0].StartAsync();
        await WaitForAsync(health, HealthStatus.Healthy, TimeSpan.FromSeconds(60));
        Assert.Equal(WarrenConnectionState.Open, app.Connections.GetStatus(ConnectionRole.Consume).State);
        await app.StopAsync();
    }

    [Fact]
    public async Task A_connection_closed_outside_Warren_is_given_up_and_replaced_on_next_use()
    {
        var queue = Names.Unique("given-up");
        var logs = new LogSink();
        var handled = 0;
        await using var app = await TestApp.StartAsync(
            broker.AmqpUrl,
            w =>
            {
                w.Services.AddHealthChecks().AddWarrenHealthChecks();
                w.AddTopology(new Topology().Add(new QueueDeclaration(queue)))
                 .AddConsumer(new ConsumerDefinition(queue, MessageDispatcher.Create(RuntimeTestJson.Default.Numbered, (_, _) =>
                 {
                     Interlocked.Increment(ref handled);
                     return ValueTask.CompletedTask;
                 })) { Retry = RetryPolicy.Disabled });
            },
            logs: logs);
        var health = app.Services.GetRequiredService<HealthCheckService>();
        var old = await app.Connections.GetConsumeConnectionAsync();

        await old.CloseAsync(); // RabbitMQ.Client never recovers a connection closed by the application
        await Broker.WaitUntilAsync(() => logs.Entries.Any(e => e.Message.StartsWith("The Consume connection is given up", StringComparison.Ordinal)), Wait, "the log line");
        await Broker.WaitUntilAsync(() => app.Consumers.Get(queue)!.State == ConsumerState.Running && app.Connections.GetStatus(ConnectionRole.Consume).State == WarrenConnectionState.Open, Wait, "a new connection and subscription");
        Assert.NotSame(old, await app.Connections.GetConsumeConnectionAsync());
        // Readiness reads both connections and every consumer; it reaches Healthy once all of them report the replacement.
        Assert.Equal(HealthStatus.Healthy, (await WaitForAsync(health, HealthStatus.Healthy)).Status);

        await app.Sender.SendAsync(string.Empty, queue, new Numbered(1), RuntimeTestJson.Default.Numbered, "test.numbered");
        await Broker.WaitUntilAsync(() => Volatile.Read(ref handled) == 1, Wait, "the message after the replacement");
        output.WriteLine(string.Join(Environment.NewLine, logs.Entries.Where(e => e.Category.StartsWith("Warren", StringComparison.Ordinal)).Select(e => $"{e.Level} {e.Message}")));
        await app.StopAsync();
        await using var connection = await broker.ConnectAsync();
        await Broker.DeleteQueueAsync(connection, queue);
    }

    [Fact]
    public async Task The_queue_check_reports_a_dead_letter_queue_over_its_limit()
    {
        var queue = Names.Unique("health-dlq");
        await using var app = await StartAsync(
            broker.AmqpUrl,
            queue,
            w => w.AddTopology(new Topology().Add(new QueueDeclaration(queue))),
            o => o.MaxDeadLetterMessages = 0,
            handler: (_, _) => ValueTask.FromException(new InvalidOperationException("no")),
            retry: null);
        var health = app.Services.GetRequiredService<HealthCheckService>();
        Assert.Equal(HealthStatus.Healthy, (await ReadyAsync(health)).Status);

        // Unprocessable: dead-lettered at once by the default policy.
        await using (var raw = await broker.ConnectAsync())
        await using (var channel = await raw.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true)))
        {
            await channel.BasicPublishAsync(string.Empty, queue, mandatory: true, new BasicProperties(), "not json"u8.ToArray());
        }

        var report = await WaitForAsync(health, HealthStatus.Degraded);
        Assert.Contains(RetryPolicy.DeadLetterQueueName(queue), report.Entries["warren-queues"].Description, StringComparison.Ordinal);
        await app.StopAsync();
        await using var connection = await broker.ConnectAsync();
        await Broker.DeleteQueueAsync(connection, queue);
        await Broker.DeleteQueueAsync(connection, RetryPolicy.DeadLetterQueueName(queue));
    }

    [Fact]
    public async Task Readiness_is_degraded_while_a_resource_alarm_blocks_the_connection_and_healthy_after_it_clears()
    {
        var node = broker.RequireLocalNode();
        var queue = Names.Unique("health-blocked");
        await using var app = await StartAsync(broker.AmqpUrl, queue, w => w.AddTopology(new Topology().Add(new QueueDeclaration(queue))));
        var health = app.Services.GetRequiredService<HealthCheckService>();
        await app.Sender.SendAsync(string.Empty, queue, new Numbered(0), RuntimeTestJson.Default.Numbered, "test.numbered");
        Assert.Equal(HealthStatus.Healthy, (await ReadyAsync(health)).Status);

        await node.RabbitmqctlAsync(node.Nodes[0], "set_vm_memory_high_watermark", "0.0000001");
        Task publish;
        HealthReport blocked;
        try
        {
            // The broker blocks a connection when it publishes during the alarm.
            publish = app.Sender.SendAsync(string.Empty, queue, new Numbered(1), RuntimeTestJson.Default.Numbered, "test.numbered").AsTask();
            blocked = await WaitForAsync(health, HealthStatus.Degraded);
        }
        finally
        {
            await node.RabbitmqctlAsync(node.Nodes[0], "set_vm_memory_high_watermark", "0.4");
        }

        Assert.Equal(HealthStatus.Degraded, blocked.Entries["warren-connections"].Status);
        Assert.Contains("publish connection blocked", blocked.Entries["warren-connections"].Description, StringComparison.Ordinal);
        Assert.Equal(HealthStatus.Healthy, blocked.Entries["warren-consumers"].Status);
        await publish.WaitAsync(Wait);
        await WaitForAsync(health, HealthStatus.Healthy);
        await app.StopAsync();
        await using var connection = await broker.ConnectAsync();
        await Broker.DeleteQueueAsync(connection, queue);
    }

    [Fact]
    public async Task Liveness_turns_unhealthy_once_a_consumer_restarts_for_longer_than_the_grace_period_and_healthy_when_it_runs_again()
    {
        var queue = Names.Unique("health-live");
        await using var connection = await broker.ConnectAsync();
        await DeclareAsync(connection, queue);
        await using var app = await StartAsync(broker.AmqpUrl, queue, _ => { }, o => o.LivenessGracePeriod = LivenessGrace);
        var health = app.Services.GetRequiredService<HealthCheckService>();
        Assert.Equal(HealthStatus.Healthy, (await LiveAsync(health)).Status);

        await Broker.DeleteQueueAsync(connection, queue);
        await Broker.WaitUntilAsync(() => app.Consumers.Get(queue)!.State == ConsumerState.Restarting, Wait, "the consumer restarting");
        var since = app.Consumers.Get(queue)!.Since;
        // Checked only with a wide margin left before the grace period ends (a busy machine may be slow to get here).
        if (DateTimeOffset.UtcNow - since < LivenessGrace / 2)
        {
            Assert.Equal(HealthStatus.Healthy, (await LiveAsync(health)).Status); // within the grace period
        }

        var stuck = await WaitForAsync(health, HealthStatus.Unhealthy, live: true);
        Assert.True(DateTimeOffset.UtcNow - since >= LivenessGrace);
        Assert.Contains(queue, stuck.Entries["warren-liveness"].Description, StringComparison.Ordinal);

        // A failed attempt to subscribe again (the queue is still missing) does not restart the clock.
        var firstError = app.Consumers.Get(queue)!.LastErrorAt;
        await Broker.WaitUntilAsync(() => app.Consumers.Get(queue)!.LastErrorAt > firstError, Wait, "a failed attempt to subscribe again");
        Assert.Equal(ConsumerState.Restarting, app.Consumers.Get(queue)!.State);
        Assert.Equal(since, app.Consumers.Get(queue)!.Since);
        Assert.Equal(HealthStatus.Unhealthy, (await LiveAsync(health)).Status);

        await DeclareAsync(connection, queue);
        await WaitForAsync(health, HealthStatus.Healthy, live: true);
        await app.StopAsync();
        await Broker.DeleteQueueAsync(connection, queue);
    }

    [Fact]
    public async Task The_queue_check_applies_the_work_queue_limit_per_queue_thresholds_and_the_failure_status_and_a_missing_queue_is_unhealthy()
    {
        var watched = Names.Unique("health-watched");
        var strict = Names.Unique("health-strict");
        var missing = Names.Unique("health-missing");
        WarrenHealthCheckOptions? options = null;
        await using var app = await TestApp.StartAsync(broker.AmqpUrl, w =>
        {
            w.Services.AddHealthChecks().AddWarrenHealthChecks(o =>
            {
                o.MaxReadyMessages = 2;
                o.QueueThresholds[strict] = 0; // stricter than MaxReadyMessages, for one queue
                options = o; // read at every check: the test changes it below
            });
            w.AddTopology(new Topology().Add(new QueueDeclaration(watched)).Add(new QueueDeclaration(strict)));
            w.Services.Configure<WarrenMonitoringOptions>(o => o.Queues.Add(watched));
        });
        var health = app.Services.GetRequiredService<HealthCheckService>();
        Assert.Equal(HealthStatus.Healthy, (await ReadyAsync(health)).Status);

        // The work queue: 2 ready is its limit, 3 is over it.
        for (var n = 0; n < 2; n++)
        {
            await app.Sender.SendAsync(string.Empty, watched, new Numbered(n), RuntimeTestJson.Default.Numbered, "test.numbered");
        }

        Assert.Equal(HealthStatus.Healthy, (await ReadyAsync(health)).Entries["warren-queues"].Status);
        await app.Sender.SendAsync(string.Empty, watched, new Numbered(2), RuntimeTestJson.Default.Numbered, "test.numbered");
        var over = (await ReadyAsync(health)).Entries["warren-queues"];
        Assert.Equal(HealthStatus.Degraded, over.Status);
        Assert.Contains($"queue '{watched}' has 3 ready messages, above 2", over.Description, StringComparison.Ordinal);

        // A threshold of its own, and the failure status the application chose.
        options!.QueueDepthFailureStatus = HealthStatus.Unhealthy;
        await app.Sender.SendAsync(string.Empty, strict, new Numbered(0), RuntimeTestJson.Default.Numbered, "test.numbered");
        var strictOver = (await ReadyAsync(health)).Entries["warren-queues"];
        Assert.Equal(HealthStatus.Unhealthy, strictOver.Status);
        Assert.Contains($"queue '{strict}' has 1 ready messages, above 0", strictOver.Description, StringComparison.Ordinal);
        Assert.Equal(3L, strictOver.Data[watched]);
        Assert.Equal(1L, strictOver.Data[strict]);

        // A queue that does not exist cannot be within its limit: Unhealthy whatever the failure status.
        options.QueueDepthFailureStatus = HealthStatus.Degraded;
        await using var connection = await broker.ConnectAsync();
        await Broker.DeleteQueueAsync(connection, watched);
        await Broker.DeleteQueueAsync(connection, strict);
        options.QueueThresholds[missing] = 10;
        var gone = (await ReadyAsync(health)).Entries["warren-queues"];
        Assert.Equal(HealthStatus.Unhealthy, gone.Status);
        Assert.Contains($"queue '{missing}' does not exist", gone.Description, StringComparison.Ordinal);
        Assert.Contains($"queue '{watched}' does not exist", gone.Description, StringComparison.Ordinal);
        await app.StopAsync();
    }

    private static Task<HealthReport> LiveAsync(HealthCheckService health) => health.CheckHealthAsync(r => r.Tags.Contains("live"));

    private static Task<TestApp> StartAsync(string url, string queue, Action<WarrenBuilder> configure, Action<WarrenHealthCheckOptions>? health = null, Func<Numbered, MessageContext, ValueTask>? handler = null, RetryPolicy? retry = null) =>
        TestApp.StartAsync(
            url,
            w =>
            {
                w.Services.AddHealthChecks().AddWarrenHealthChecks(health);
                configure(w);
                w.AddConsumer(new ConsumerDefinition(queue, MessageDispatcher.Create(RuntimeTestJson.Default.Numbered, handler ?? ((_, _) => ValueTask.CompletedTask))) { Retry = retry ?? (handler is null ? RetryPolicy.Disabled : null) });
            },
            o => o.ConsumerRestartDelay = TimeSpan.FromMilliseconds(500));

    private static Task<HealthReport> ReadyAsync(HealthCheckService health) => health.CheckHealthAsync(r => r.Tags.Contains("ready"));

    private async Task<HealthReport> WaitForAsync(HealthCheckService health, HealthStatus status, TimeSpan? timeout = null, bool live = false)
    {
        using var limit = new CancellationTokenSource(timeout ?? Wait);
        while (true)
        {
            var report = live ? await LiveAsync(health) : await ReadyAsync(health);
            if (report.Status == status)
            {
                output.WriteLine(string.Join(Environment.NewLine, report.Entries.Select(e => $"{e.Key}: {e.Value.Status} {e.Value.Description}")));
                return report;
            }

            if (limit.IsCancellationRequested)
            {
                throw new TimeoutException($"health stayed {report.Status}, expected {status}: " + string.Join("; ", report.Entries.Select(e => $"{e.Key}: {e.Value.Status} {e.Value.Description}")));
            }

            await Task.Delay(20);
        }
    }

    private static async Task DeclareAsync(IConnection connection, string queue)
    {
        await using var channel = await connection.CreateChannelAsync();
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
    }
}

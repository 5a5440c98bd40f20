using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Xunit;
using Xunit.Abstractions;

namespace Warren.IntegrationTests.Runtime;

/// <summary>
/// <c>Warren:StartMode</c>: a background start lets the host run while the broker cannot be reached and connects when
/// it answers; the default fails the start.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class BackgroundStartTests(BrokerFixture broker, ITestOutputHelper output)
{
    [Fact]
    public async Task The_host_starts_without_the_broker_and_consumes_and_publishes_once_it_answers()
    {
        const int count = 50;
        using var refusing = new RefusingPort();
        var port = refusing.Port;
        var queue = Names.Unique("background");
        var received = new ConcurrentBag<int>();
        var logs = new LogSink();
        var clock = Stopwatch.StartNew();
        await using var app = await TestApp.StartAsync(
            $"amqp://guest:guest@127.0.0.1:{port}/",
            w =>
            {
                w.Services.AddHealthChecks().AddWarrenHealthChecks();
                w
                .AddTopology(new Topology().Add(new QueueDeclaration(queue)))
                .AddConsumer(new ConsumerDefinition(queue, MessageDispatcher.Create(RuntimeTestJson.Default.Numbered, (m, _) =>
                {
                    received.Add(m.N);
                    return ValueTask.CompletedTask;
                })));
            },
            o =>
            {
                o.StartMode = WarrenStartMode.Background;
                o.ConnectTimeout = TimeSpan.FromSeconds(1);
                o.PublishTimeout = TimeSpan.FromSeconds(60);
            },
            logs);
        output.WriteLine($"host started in {clock.ElapsedMilliseconds} ms");
        var startup = app.Services.GetRequiredService<WarrenStartup>();

        // Running, not connected: the state says so, the consumer waits, and so do publishes.
        Assert.Equal(WarrenStartupState.Starting, startup.State);
        Assert.Equal(ConsumerState.Starting, app.Consumers.Get(queue)?.State);
        await Broker.WaitUntilAsync(() => startup.LastError is not null, TimeSpan.FromSeconds(20), "a failed connection attempt to be recorded");
        output.WriteLine("last error: " + startup.LastError);
        Assert.Contains("refused", startup.LastError, StringComparison.OrdinalIgnoreCase);
        await Broker.WaitUntilAsync(
            () => logs.Entries.Any(e => e.Level == LogLevel.Warning && e.Message.Contains("the broker was not reached", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(10),
            "the failed background attempt to be logged");
        var health = app.Services.GetRequiredService<HealthCheckService>();
        var notReached = await health.CheckHealthAsync(c => c.Tags.Contains("ready"));
        Assert.Equal(HealthStatus.Unhealthy, notReached.Entries["warren-connections"].Status);
        Assert.Contains("not been reached", notReached.Entries["warren-connections"].Description, StringComparison.Ordinal);
        var publishes = Enumerable.Range(0, count)
            .Select(n => app.Sender.SendAsync(string.Empty, queue, new Numbered(n), RuntimeTestJson.Default.Numbered, "test.numbered").AsTask())
            .ToArray();
        await Task.Delay(300);
        Assert.DoesNotContain(publishes, p => p.IsCompleted);

        // The broker arrives.
        refusing.Dispose();
        await using var proxy = new BlackholeProxy(new Uri(broker.AmqpUrl).Port, port);
        await startup.WaitUntilReadyAsync().WaitAsync(TimeSpan.FromSeconds(45));
        Assert.Equal(ConsumerState.Running, app.Consumers.Get(queue)?.State);
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync(c => c.Tags.Contains("ready"))).Status);
        await Task.WhenAll(publishes).WaitAsync(TimeSpan.FromSeconds(30));
        await Broker.WaitUntilAsync(() => received.Count >= count, TimeSpan.FromSeconds(30), $"{count} messages to be consumed");
        await Task.Delay(200); // anything extra (a duplicate) would arrive now
        Assert.Equal(Enumerable.Range(0, count), received.Order());
        Assert.Contains(logs.Entries, e => e.Message.Contains("Connected in the background", StringComparison.Ordinal));

        await app.StopAsync();
        Assert.Equal(WarrenStartupState.Stopped, startup.State);
        await using var direct = await broker.ConnectAsync();
        await Broker.DeleteQueueAsync(direct, queue);
    }

    [Fact]
    public async Task A_publish_only_service_whose_start_cannot_open_the_consume_connection_says_its_publish_waited_for_the_start_on_that_connection()
    {
        using var refusing = new RefusingPort();
        var exchange = Names.Unique("publish-only");
        await using var app = await TestApp.StartAsync(
            $"amqp://guest:guest@127.0.0.1:{refusing.Port}/",
            // No consumer: the service only publishes, to an exchange it declares.
            w => w.AddTopology(new Topology().Add(new ExchangeDeclaration(exchange, ExchangeTypes.Topic))),
            o =>
            {
                o.StartMode = WarrenStartMode.Background;
                o.ConnectTimeout = TimeSpan.FromMinutes(10);
                o.PublishTimeout = TimeSpan.FromSeconds(1);
            });
        var connections = app.Services.GetRequiredService<WarrenConnections>();
        var waited = Stopwatch.StartNew();
        while (connections.LastConnectFailure is null)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(20), "no connection attempt failed");
            await Task.Delay(50);
        }

        var error = await Assert.ThrowsAsync<PublishTimeoutException>(async () =>
            await app.Sender.SendAsync(exchange, "order.placed", new Numbered(1), RuntimeTestJson.Default.Numbered, "test.numbered"));
        output.WriteLine(error.ToString());

        // What happens: the start opens the consume connection to declare the exchange, and the publish waits for the start.
        Assert.Contains("was not sent", error.Message, StringComparison.Ordinal);
        Assert.Contains("it waited for Warren's start, which had not finished: it was opening the consume connection (the start declares the topology on the consume connection before anything is published)", error.Message, StringComparison.Ordinal);
        Assert.Equal(WarrenConnectionState.NotOpened, connections.GetStatus(ConnectionRole.Publish).State);
        var cause = Assert.IsType<WarrenConnectionException>(error.InnerException);
        Assert.StartsWith("Could not open the consume connection", cause.Message, StringComparison.Ordinal);
        Assert.Contains("refused", cause.Message, StringComparison.OrdinalIgnoreCase);

        await app.StopAsync();
    }

    [Fact]
    public async Task Readiness_is_unhealthy_from_the_start_and_a_publish_that_timed_out_meanwhile_was_not_sent()
    {
        using var refusing = new RefusingPort();
        var queue = Names.Unique("unready");
        await using var app = await TestApp.StartAsync(
            $"amqp://guest:guest@127.0.0.1:{refusing.Port}/",
            w =>
            {
                w.Services.AddHealthChecks().AddWarrenHealthChecks();
                w
                .AddTopology(new Topology().Add(new QueueDeclaration(queue)))
                .AddConsumer(new ConsumerDefinition(queue, MessageDispatcher.Create(RuntimeTestJson.Default.Numbered, (_, _) => ValueTask.CompletedTask)));
            },
            o =>
            {
                o.StartMode = WarrenStartMode.Background;
                // The first attempt outlasts the test: nothing the start records as failed helps the checks below.
                o.ConnectTimeout = TimeSpan.FromMinutes(10);
                o.PublishTimeout = TimeSpan.FromSeconds(1);
            });
        var startup = app.Services.GetRequiredService<WarrenStartup>();
        var health = app.Services.GetRequiredService<HealthCheckService>();

        // From the start, before any attempt has ended.
        var atStart = await health.CheckHealthAsync(c => c.Tags.Contains("ready"));
        output.WriteLine($"at start: {atStart.Entries["warren-connections"].Description} | {atStart.Entries["warren-consumers"].Description}");
        Assert.Equal(HealthStatus.Unhealthy, atStart.Entries["warren-connections"].Status);
        Assert.Contains("not yet connected", atStart.Entries["warren-connections"].Description, StringComparison.Ordinal);
        Assert.Equal(HealthStatus.Unhealthy, atStart.Entries["warren-consumers"].Status);
        Assert.Contains($"'{queue}' not started yet", atStart.Entries["warren-consumers"].Description, StringComparison.Ordinal);

        // The refused connection inside the first attempt shows as the last failure.
        string? description = null;
        var waited = Stopwatch.StartNew();
        while ((description = (await health.CheckHealthAsync(c => c.Name == "warren-connections")).Entries["warren-connections"].Description)?.Contains("refused", StringComparison.OrdinalIgnoreCase) != true)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(20), "the refused connection did not show in the health description: " + description);
            await Task.Delay(50);
        }

        output.WriteLine("connecting: " + description);
        Assert.Contains("last failure at", description, StringComparison.Ordinal);
        Assert.Null(startup.LastError);
        Assert.Equal(WarrenStartupState.Starting, startup.State);

        // Nothing was sent: the publish says so, with the connection failure as its cause.
        var error = await Assert.ThrowsAsync<PublishTimeoutException>(async () =>
            await app.Sender.SendAsync(string.Empty, queue, new Numbered(1), RuntimeTestJson.Default.Numbered, "test.numbered"));
        output.WriteLine(error.ToString());
        Assert.Contains("was not sent", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("may or may not", error.Message, StringComparison.Ordinal);
        var cause = Assert.IsType<WarrenConnectionException>(error.InnerException);
        Assert.Contains("refused", cause.Message, StringComparison.OrdinalIgnoreCase);

        await app.StopAsync();
    }

    [Fact]
    public async Task Readiness_says_connected_when_a_declaration_the_broker_refuses_fails_the_start_and_healthy_once_it_is_fixed()
    {
        var queue = Names.Unique("refused-declaration");
        await using var direct = await broker.ConnectAsync();
        await using (var channel = await direct.CreateChannelAsync())
        {
            // The queue exists with another length limit: the application's declaration is refused (406).
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, arguments: new Dictionary<string, object?> { ["x-max-length"] = 5 });
        }

        await using var app = await TestApp.StartAsync(
            broker.AmqpUrl,
            w =>
            {
                w.Services.AddHealthChecks().AddWarrenHealthChecks();
                w
                .AddTopology(new Topology().Add(new QueueDeclaration(queue)))
                .AddConsumer(new ConsumerDefinition(queue, MessageDispatcher.Create(RuntimeTestJson.Default.Numbered, (_, _) => ValueTask.CompletedTask)));
            },
            o => o.StartMode = WarrenStartMode.Background);
        var startup = app.Services.GetRequiredService<WarrenStartup>();
        var health = app.Services.GetRequiredService<HealthCheckService>();
        await Broker.WaitUntilAsync(() => startup.LastError is not null, TimeSpan.FromSeconds(20), "the refused declaration to fail the start");

        // The broker was reached: readiness says so, with the broker's refusal, not "not yet connected".
        var refused = (await health.CheckHealthAsync(c => c.Name == "warren-connections")).Entries["warren-connections"];
        output.WriteLine("refused: " + refused.Description);
        Assert.Equal(HealthStatus.Unhealthy, refused.Status);
        Assert.StartsWith("connected, but the start failed while declaring the topology", refused.Description, StringComparison.Ordinal);
        Assert.Contains("PRECONDITION_FAILED", refused.Description, StringComparison.Ordinal);
        Assert.DoesNotContain("not yet connected", refused.Description, StringComparison.Ordinal);
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync(c => c.Tags.Contains("live"))).Status);

        // Fixed while the application runs: the next attempt declares, and readiness turns Healthy.
        await Broker.DeleteQueueAsync(direct, queue);
        await startup.WaitUntilReadyAsync().WaitAsync(TimeSpan.FromSeconds(45));
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync(c => c.Tags.Contains("ready"))).Status);

        await app.StopAsync();
        await Broker.DeleteQueueAsync(direct, queue);
    }

    [Fact]
    public async Task A_publish_waits_for_the_broker_no_longer_than_the_publish_timeout_and_a_stop_ends_the_wait()
    {
        using var refusing = new RefusingPort();
        var port = refusing.Port;
        await using var app = await TestApp.StartAsync(
            $"amqp://guest:guest@127.0.0.1:{port}/",
            options: o =>
            {
                o.StartMode = WarrenStartMode.Background;
                o.ConnectTimeout = TimeSpan.FromSeconds(1);
                o.PublishTimeout = TimeSpan.FromSeconds(2);
            });
        var startup = app.Services.GetRequiredService<WarrenStartup>();
        await Broker.WaitUntilAsync(() => startup.LastError is not null, TimeSpan.FromSeconds(20), "a failed connection attempt to be recorded");

        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<PublishTimeoutException>(async () =>
            await app.Sender.SendAsync(string.Empty, "nowhere", new Numbered(1), RuntimeTestJson.Default.Numbered, "test.numbered"));
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: {error}");
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(10));
        Assert.IsType<WarrenConnectionException>(error.InnerException);

        var waiting = startup.WaitUntilReadyAsync();
        clock.Restart();
        await app.StopAsync();
        output.WriteLine($"stopped in {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"the stop took {clock.Elapsed}");
        Assert.Equal(WarrenStartupState.Stopped, startup.State);
        await Assert.ThrowsAsync<WarrenConnectionException>(() => waiting);
    }

    [Fact]
    public async Task By_default_the_host_does_not_start_without_the_broker()
    {
        using var refusing = new RefusingPort();
        var port = refusing.Port;
        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<WarrenConnectionException>(() => TestApp.StartAsync(
            $"amqp://guest:guest@127.0.0.1:{port}/",
            w => w.AddTopology(new Topology().Add(new QueueDeclaration(Names.Unique("never")))),
            o => o.ConnectTimeout = TimeSpan.FromSeconds(1)));
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: {error.Message}");
        Assert.Equal(WarrenStartMode.FailFast, new WarrenOptions().StartMode);
        Assert.IsType<SocketException>(error.InnerException);
    }

    /// <summary>
    /// A loopback port that refuses connections: bound, so nothing else running in parallel takes it, but not listening.
    /// Disposing it frees the port for the proxy.
    /// </summary>
    private sealed class RefusingPort : IDisposable
    {
        private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

        public RefusingPort() => _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));

        public int Port => ((IPEndPoint)_socket.LocalEndPoint!).Port;

        public void Dispose() => _socket.Dispose();
    }
}

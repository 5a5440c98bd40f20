using System;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Xunit;
using Xunit.Abstractions;

namespace Warren.IntegrationTests.Runtime;

/// <summary>
/// A handler hung past its <c>HandlerTimeout</c> and the queue-depth monitor, on the real broker: reported while it hangs,
/// cleared when it returns; and when the node stops under it, abandoned with its count, the message redelivered and
/// settled once, the monitor's outage logged once and its readings back after the restart (one node stop for all of it).
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class HungHandlerBrokerTests(BrokerFixture broker, ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan HandlerTimeout = TimeSpan.FromMilliseconds(200);

    [Fact]
    public async Task A_hung_handler_is_reported_counted_and_degrades_health_until_it_returns_then_its_message_is_acknowledged_once()
    {
        var queue = Names.Unique("hung");
        var logs = new LogSink();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        using var metric = new PastTimeoutMeasurements(queue);
        await using var app = await TestApp.StartAsync(
            broker.AmqpUrl,
            w =>
            {
                w.Services.AddHealthChecks().AddWarrenHealthChecks();
                w.AddTopology(new Topology().Add(new QueueDeclaration(queue)))
                 .AddConsumer(new ConsumerDefinition(queue, MessageDispatcher.Create(RuntimeTestJson.Default.Numbered, async (_, _) =>
                 {
                     // Ignores its token altogether, as a blocking call would.
                     Interlocked.Increment(ref calls);
                     await gate.Task;
                 })) { HandlerTimeout = HandlerTimeout, Retry = RetryPolicy.Disabled });
            },
            logs: logs);
        var health = app.Services.GetRequiredService<HealthCheckService>();
        await using var connection = await broker.ConnectAsync();
        try
        {
            await app.Sender.SendAsync(string.Empty, queue, new Numbered(1), RuntimeTestJson.Default.Numbered, "test.numbered");
            await Broker.WaitUntilAsync(() => Lines(logs, IsStillRunning).Length == 1, Wait, "the hung handler's warning");

            Assert.Contains($"Handler for queue '{queue}' is still running message", Assert.Single(Lines(logs, IsStillRunning)), StringComparison.Ordinal);
            Assert.Equal(1, app.Consumers.Get(queue)!.HandlersPastTimeout);
            Assert.Equal(1, metric.Sum);
            var report = await health.CheckHealthAsync(r => r.Name == "warren-consumers");
            Assert.Equal(HealthStatus.Degraded, report.Status);
            Assert.Contains($"queue '{queue}': 1 handler(s) still running past their HandlerTimeout", report.Entries["warren-consumers"].Description, StringComparison.Ordinal);
            Assert.Equal(0u, await Broker.ReadyCountAsync(connection, queue)); // delivered, held by the handler
        }
        finally
        {
            gate.TrySetResult();
        }

        await Broker.WaitUntilAsync(() => app.Consumers.Get(queue)!.HandlersPastTimeout == 0 && Lines(logs, IsReturnedLate).Length == 1, Wait, "the handler's return");
        Assert.Equal(0, metric.Sum);
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync(r => r.Name == "warren-consumers")).Status);
        Assert.Single(Lines(logs, IsStillRunning));
        Assert.Empty(Lines(logs, IsAbandoned));

        // Acknowledged: after the stop closes the channel, the broker has nothing to requeue.
        await app.StopAsync();
        Assert.Equal(1, Volatile.Read(ref calls));
        Assert.Equal(0u, await Broker.ReadyCountAsync(connection, queue));
        await Broker.DeleteQueueAsync(connection, queue);
    }

    [Fact]
    public async Task When_the_node_stops_under_a_hung_handler_and_a_running_queue_monitor_each_says_so_once_and_all_is_right_after_the_restart()
    {
        var node = broker.RequireLocalNode().Nodes[0];
        var queue = Names.Unique("hung-outage");
        var watched = Names.Unique("depth-outage");
        var logs = new LogSink();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstCallReturned = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = new List<bool>();
        using var metric = new PastTimeoutMeasurements(queue);
        using var gauges = new QueueGauges();
        await using var app = await TestApp.StartAsync(
            broker.AmqpUrl,
            w =>
            {
                w.Services.AddHealthChecks().AddWarrenHealthChecks();
                w.Services.Configure<WarrenMonitoringOptions>(o =>
                {
                    o.QueueDepthInterval = TimeSpan.FromMilliseconds(200);
                    o.Queues.Add(watched);
                });
                w.AddTopology(new Topology().Add(new QueueDeclaration(queue)).Add(new QueueDeclaration(watched)))
                 .AddConsumer(new ConsumerDefinition(queue, MessageDispatcher.Create(RuntimeTestJson.Default.Numbered, async (_, context) =>
                 {
                     lock (calls)
                     {
                         calls.Add(context.Redelivered);
                     }

                     if (!context.Redelivered)
                     {
                         // The first delivery hangs, ignoring its token, until the test lets it go; the redelivery returns at once.
                         await gate.Task;
                         firstCallReturned.TrySetResult();
                     }
                 })) { HandlerTimeout = HandlerTimeout, Retry = RetryPolicy.Disabled });
            },
            o => o.ConsumerRestartDelay = TimeSpan.FromMilliseconds(500),
            logs);
        var health = app.Services.GetRequiredService<HealthCheckService>();
        var monitor = app.Services.GetRequiredService<WarrenQueueMonitor>();
        var restarted = false;
        try
        {
            for (var n = 0; n < 3; n++)
            {
                await app.Sender.SendAsync(string.Empty, watched, new Numbered(n), RuntimeTestJson.Default.Numbered, "test.numbered");
            }

            await app.Sender.SendAsync(string.Empty, queue, new Numbered(1), RuntimeTestJson.Default.Numbered, "test.numbered");
            await Broker.WaitUntilAsync(() => Lines(logs, IsStillRunning).Length == 1 && Depth(monitor, watched) == 3, Wait, "the hung handler's warning and the first readings");
            Assert.Equal(1, app.Consumers.Get(queue)!.HandlersPastTimeout);
            Assert.Equal(HealthStatus.Degraded, (await health.CheckHealthAsync(r => r.Name == "warren-consumers")).Status);
            Assert.Equal(3, gauges.Ready(watched));

            // The node goes: the hung handler's channel goes with it, so it is abandoned, uncounted, and said to be.
            await node.StopAsync();
            await Broker.WaitUntilAsync(() => Lines(logs, IsAbandoned).Length == 1 && Lines(logs, IsOutage).Length == 1, Wait, "the abandoned handler's line and the monitor's outage warning");
            Assert.Equal(0, app.Consumers.Get(queue)!.HandlersPastTimeout);
            Assert.Equal(0, metric.Sum);
            Assert.Equal(ConsumerState.Restarting, app.Consumers.Get(queue)!.State);
            var down = await health.CheckHealthAsync(r => r.Tags.Contains("ready"));
            Assert.Equal(HealthStatus.Unhealthy, down.Status);
            Assert.DoesNotContain("past their HandlerTimeout", down.Entries["warren-consumers"].Description, StringComparison.Ordinal);
            var outage = Assert.Single(Lines(logs, IsOutage));
            output.WriteLine(outage);
            Assert.Matches(@"^Could not read the depth of the \d+ watched queue\(s\): \S.*; the queue gauges are empty until the connection is back$", outage);
            Assert.Empty(monitor.Depths);
            Assert.Null(gauges.Ready(watched));
            Assert.Null(gauges.Ready(queue));

            await node.StartAsync();
            restarted = true;

            // Back: the readings resume (one line) and are right, the message is delivered again and settled by the
            // redelivery, nothing is counted past its timeout any more.
            await Broker.WaitUntilAsync(() => Lines(logs, IsResumed).Length == 1 && Depth(monitor, watched) == 3, TimeSpan.FromSeconds(60), "the readings to resume");
            await Broker.WaitUntilAsync(() => RedeliveredCalls(calls) == 1 && app.Consumers.Get(queue)!.State == ConsumerState.Running, TimeSpan.FromSeconds(60), "the redelivery");
            await Broker.WaitUntilAsync(() => DepthOf(monitor, queue) is { ReadyMessages: 0, Consumers: 1 }, Wait, "a reading of the consumed queue");
            Assert.Equal(3, gauges.Ready(watched));
            Assert.Equal(0, app.Consumers.Get(queue)!.HandlersPastTimeout);
            var report = await WaitForHealthyAsync(health);
            Assert.Equal(HealthStatus.Healthy, report.Status);
        }
        finally
        {
            gate.TrySetResult();
            if (!restarted && !node.IsRunning)
            {
                await node.StartAsync();
            }
        }

        // The hung handler returns at last: its outcome is dropped, said to be, and claims no acknowledgement.
        await firstCallReturned.Task.WaitAsync(Wait);
        await Broker.WaitUntilAsync(() => Lines(logs, IsDroppedReturn).Length == 1, Wait, "the abandoned handler's return");
        Assert.Empty(Lines(logs, IsReturnedLate));
        Assert.Equal(0, app.Consumers.Get(queue)!.HandlersPastTimeout);
        Assert.Equal(0, metric.Sum);
        Assert.Single(Lines(logs, IsStillRunning));
        Assert.Single(Lines(logs, IsAbandoned));
        Assert.Single(Lines(logs, IsOutage));
        Assert.Single(Lines(logs, IsResumed));
        // The abandoned handler's return does not pass for a cancelled subscription: the next message is handled on the
        // same subscription, without a restart.
        await app.Sender.SendAsync(string.Empty, queue, new Numbered(2), RuntimeTestJson.Default.Numbered, "test.numbered");
        await Broker.WaitUntilAsync(() => Calls(calls).Length == 3, Wait, "the next message");
        Assert.Equal([false, true, false], Calls(calls));
        Assert.Equal(0, app.Consumers.Get(queue)!.RestartCount);
        Assert.Empty(Lines(logs, l => l.Contains("stopped receiving messages", StringComparison.Ordinal)));
        output.WriteLine(string.Join(Environment.NewLine, logs.Entries.Where(e => e.Category.StartsWith("Warren", StringComparison.Ordinal)).Select(e => $"{e.Level} {e.Message}")));

        // Settled once: acknowledged by the redelivery, and nothing left for the broker to requeue after the stop.
        await app.StopAsync();
        await using var connection = await broker.ConnectAsync();
        Assert.Equal(0u, await Broker.ReadyCountAsync(connection, queue));
        Assert.Equal(3u, await Broker.ReadyCountAsync(connection, watched));
        await Broker.DeleteQueueAsync(connection, queue);
        await Broker.DeleteQueueAsync(connection, watched);
    }

    private static bool IsStillRunning(string line) => line.Contains("is still running message", StringComparison.Ordinal) && line.Contains("after its HandlerTimeout", StringComparison.Ordinal);

    private static bool IsReturnedLate(string line) => line.Contains("returned normally from message", StringComparison.Ordinal);

    private static bool IsAbandoned(string line) => line.Contains("is abandoned and no longer counted", StringComparison.Ordinal);

    private static bool IsDroppedReturn(string line) => line.Contains("so this outcome is dropped", StringComparison.Ordinal) && line.Contains("returned normally", StringComparison.Ordinal);

    private static bool IsOutage(string line) => line.StartsWith("Could not read the depth of the ", StringComparison.Ordinal) && line.Contains("watched queue(s)", StringComparison.Ordinal);

    private static bool IsResumed(string line) => line.StartsWith("Reading the depth of the ", StringComparison.Ordinal);

    internal static string[] Lines(LogSink logs, Func<string, bool> match) =>
        logs.Entries.Where(e => e.Category.StartsWith("Warren", StringComparison.Ordinal)).Select(e => e.Message).Where(match).ToArray();

    private static QueueDepth? DepthOf(WarrenQueueMonitor monitor, string queue) => monitor.Depths.FirstOrDefault(d => d.Queue == queue);

    private static long? Depth(WarrenQueueMonitor monitor, string queue) => DepthOf(monitor, queue)?.ReadyMessages;

    private static bool[] Calls(List<bool> calls)
    {
        lock (calls)
        {
            return [.. calls];
        }
    }

    private static int RedeliveredCalls(List<bool> calls) => Calls(calls).Count(r => r);

    internal static async Task<HealthReport> WaitForHealthyAsync(HealthCheckService health)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            var report = await health.CheckHealthAsync(r => r.Tags.Contains("ready"));
            if (report.Status == HealthStatus.Healthy || limit.IsCancellationRequested)
            {
                return report;
            }

            await Task.Delay(20);
        }
    }

    /// <summary>The <c>warren.consumer.handlers_past_timeout</c> changes for one queue.</summary>
    private sealed class PastTimeoutMeasurements : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _sum;

        public PastTimeoutMeasurements(string queue)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "Warren" && instrument.Name == "warren.consumer.handlers_past_timeout")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "messaging.destination.name" && Equals(tag.Value, queue))
                    {
                        Interlocked.Add(ref _sum, value);
                    }
                }
            });
            _listener.Start();
        }

        public long Sum => Interlocked.Read(ref _sum);

        public void Dispose() => _listener.Dispose();
    }

    /// <summary>What the <c>warren.queue.messages.ready</c> gauge reports now, per queue.</summary>
    private sealed class QueueGauges : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly Dictionary<string, long> _observed = new(StringComparer.Ordinal);

        public QueueGauges()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "Warren" && instrument.Name == "warren.queue.messages.ready")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "messaging.destination.name" && tag.Value is string queue)
                    {
                        _observed[queue] = value;
                    }
                }
            });
            _listener.Start();
        }

        /// <summary>The gauge's value for <paramref name="queue"/> at one observation now, or null when it reports none.</summary>
        public long? Ready(string queue)
        {
            lock (_observed)
            {
                _observed.Clear();
                _listener.RecordObservableInstruments();
                return _observed.TryGetValue(queue, out var value) ? value : null;
            }
        }

        public void Dispose() => _listener.Dispose();
    }
}

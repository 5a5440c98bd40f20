using System;
using System.Diagnostics.Metrics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Warren.Infrastructure;
using Xunit;

namespace Warren.Testing.Tests;

/// <summary><c>HandlerTimeout</c> against a handler that does not observe its token (Warren's runtime on the in-memory broker).</summary>
public sealed class HandlerTimeoutTests
{
    [Fact]
    public async Task A_handler_that_ignores_its_token_past_the_timeout_is_acknowledged_with_a_warning_saying_so()
    {
        var finished = new TaskCompletionSource();
        await using var harness = await WarrenTestHarness.StartAsync(services => services.AddWarren(o => o.ClientName = "timeout-tests")
            .AddTopology(new Topology().Add(new QueueDeclaration("slow", Durable: false)))
            .AddConsumer(new ConsumerDefinition("slow", MessageDispatcher.Create(PayloadFormat.Text, async (text, context) =>
            {
                // Waits for its token to fire, then goes on as a blocking call would: the timeout cannot stop it.
                await Task.Delay(Timeout.InfiniteTimeSpan, context.CancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
                finished.SetResult();
            }))
            { HandlerTimeout = TimeSpan.FromMilliseconds(100) }));

        var session = await harness.RunAsync<IPublisher>(publisher => publisher.PublishTextAsync(string.Empty, "slow", "work").AsTask());

        Assert.True(finished.Task.IsCompleted);
        Assert.Single(session.Consumed, m => m.Queue == "slow");
        Assert.Empty(session.DeadLettered);
        Assert.Empty(session.Retried);
        Assert.Contains(session.Logs, line => line.Contains("Warning", StringComparison.Ordinal)
            && line.Contains("queue 'slow'", StringComparison.Ordinal)
            && line.Contains("returned normally from message", StringComparison.Ordinal)
            && line.Contains("after its HandlerTimeout of 00:00:00.1000000 fired; the timeout is cooperative, so its success counts and the message is acknowledged", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_handler_hung_past_its_timeout_is_reported_once_counted_and_degrades_health_until_it_returns()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        using var metric = new PastTimeoutMeasurements("hung");
        await using var harness = await WarrenTestHarness.StartAsync(services =>
        {
            services.AddHealthChecks().AddWarrenHealthChecks();
            services.AddWarren(o => o.ClientName = "hung-tests")
                .AddTopology(new Topology().Add(new QueueDeclaration("hung", Durable: false)))
                .AddConsumer(new ConsumerDefinition("hung", MessageDispatcher.Create(PayloadFormat.Text, async (text, context) =>
                {
                    // Ignores its token altogether (as a blocking call would): only the test's gate lets it return.
                    Interlocked.Increment(ref calls);
                    await gate.Task;
                }))
                { HandlerTimeout = TimeSpan.FromMilliseconds(100) });
        });
        var consumers = harness.Services.GetRequiredService<WarrenConsumers>();
        var health = harness.Services.GetRequiredService<HealthCheckService>();

        try
        {
            await harness.Services.GetRequiredService<IPublisher>().PublishTextAsync(string.Empty, "hung", "work");
            await harness.WaitUntilAsync(() => harness.History.Logs.Any(IsStillRunningWarning), TimeSpan.FromSeconds(30));

            // Hung: reported once, counted in the status and the metric, the consumer degraded, the message not settled.
            var hung = harness.History;
            var warning = Assert.Single(hung.Logs, IsStillRunningWarning);
            Assert.Contains("after its HandlerTimeout of 00:00:00.1000000 fired", warning, StringComparison.Ordinal);
            Assert.Contains("its message is not settled until the handler returns, and while its channel stays open it holds a prefetch and concurrency slot (if the channel closes first, the broker requeues the message)", warning, StringComparison.Ordinal);
            Assert.DoesNotContain("unacknowledged", warning, StringComparison.Ordinal);
            Assert.Equal(1, consumers.Get("hung")!.HandlersPastTimeout);
            Assert.Equal(1, metric.Sum);
            var report = await health.CheckHealthAsync(r => r.Name == "warren-consumers");
            Assert.Equal(HealthStatus.Degraded, report.Status);
            Assert.Contains("queue 'hung': 1 handler(s) still running past their HandlerTimeout", report.Entries["warren-consumers"].Description, StringComparison.Ordinal);
            Assert.Contains("the broker requeues those whose channel closed", report.Entries["warren-consumers"].Description, StringComparison.Ordinal);
            Assert.DoesNotContain(hung.Steps, s => s.Queue == "hung" && s.Kind is BrokerEventKind.Acked or BrokerEventKind.Requeued or BrokerEventKind.DeadLettered or BrokerEventKind.Discarded);
        }
        finally
        {
            gate.TrySetResult();
        }

        await harness.WaitForQuietAsync(TimeSpan.FromSeconds(30));
        var all = harness.History;
        Assert.Equal(1, Volatile.Read(ref calls));
        Assert.Single(all.Steps, s => s.Queue == "hung" && s.Kind is BrokerEventKind.Acked or BrokerEventKind.Requeued or BrokerEventKind.DeadLettered or BrokerEventKind.Discarded);
        Assert.Single(all.Steps, s => s.Queue == "hung" && s.Kind == BrokerEventKind.Acked);
        Assert.Single(all.Logs, IsStillRunningWarning);
        Assert.Contains(all.Logs, line => line.Contains("returned normally from message", StringComparison.Ordinal) && line.Contains("after its HandlerTimeout", StringComparison.Ordinal));
        Assert.Equal(0, consumers.Get("hung")!.HandlersPastTimeout);
        Assert.Equal(0, metric.Sum);
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync(r => r.Name == "warren-consumers")).Status);
    }

    [Fact]
    public async Task A_hung_handler_still_running_when_its_consumer_stops_is_logged_as_abandoned_uncounted_and_its_late_return_settles_nothing()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var returned = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var metric = new PastTimeoutMeasurements("abandoned");
        var harness = await WarrenTestHarness.StartAsync(services => services.AddWarren(o =>
            {
                o.ClientName = "abandoned-tests";
                o.ShutdownTimeout = TimeSpan.FromSeconds(1);
            })
            .AddTopology(new Topology().Add(new QueueDeclaration("abandoned", Durable: false)))
            .AddConsumer(new ConsumerDefinition("abandoned", MessageDispatcher.Create(PayloadFormat.Text, async (text, context) =>
            {
                // Ignores its token and the stop's cancellation: only the test's gate lets it return.
                try
                {
                    await gate.Task;
                }
                finally
                {
                    returned.TrySetResult();
                }
            }))
            { HandlerTimeout = TimeSpan.FromMilliseconds(100) }));
        var consumers = harness.Services.GetRequiredService<WarrenConsumers>();
        try
        {
            await harness.Services.GetRequiredService<IPublisher>().PublishTextAsync(string.Empty, "abandoned", "work");
            await harness.WaitUntilAsync(() => harness.History.Logs.Any(l => l.Contains("queue 'abandoned' is still running message", StringComparison.Ordinal)), TimeSpan.FromSeconds(30));
            Assert.Equal(1, consumers.Get("abandoned")!.HandlersPastTimeout);

            // The stop gives up on it: the count does not outlive the consumer's channel, and a line says why.
            await harness.DisposeAsync();
            Assert.Equal(ConsumerState.Stopped, consumers.Get("abandoned")!.State);
            Assert.Equal(0, consumers.Get("abandoned")!.HandlersPastTimeout);
            Assert.Equal(0, metric.Sum);
            var abandoned = Assert.Single(harness.History.Logs, l => l.Contains("still running message", StringComparison.Ordinal) && l.Contains("is abandoned and no longer counted", StringComparison.Ordinal));
            Assert.Contains("queue 'abandoned'", abandoned, StringComparison.Ordinal);
            Assert.Contains("the consumer stopped and its channel is closed", abandoned, StringComparison.Ordinal);
        }
        finally
        {
            gate.TrySetResult();
        }

        // Its late return is not counted down twice and claims no acknowledgement.
        await returned.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await WaitForAsync(() => harness.History.Logs.Any(l => l.Contains("abandoned on message", StringComparison.Ordinal)));
        var logs = harness.History.Logs;
        Assert.Contains(logs, l => l.Contains("returned normally; its channel had closed and the broker had taken the message back, so this outcome is dropped", StringComparison.Ordinal));
        Assert.DoesNotContain(logs, l => l.Contains("returned normally from message", StringComparison.Ordinal));
        Assert.DoesNotContain(harness.History.Steps, s => s.Queue == "abandoned" && s.Kind == BrokerEventKind.Acked);
        Assert.Equal(0, consumers.Get("abandoned")!.HandlersPastTimeout);
        Assert.Equal(0, metric.Sum);
    }

    [Fact]
    public async Task The_failure_that_closes_a_hung_handlers_report_is_logged_even_when_the_failure_log_limit_is_used_up()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var harness = await WarrenTestHarness.StartAsync(services => services.AddWarren(o => o.ClientName = "limited-tests")
            .AddTopology(new Topology().Add(new QueueDeclaration("limited", Durable: false)))
            .AddConsumer(new ConsumerDefinition("limited", MessageDispatcher.Create(PayloadFormat.Text, async (text, context) =>
            {
                if (text == "hang")
                {
                    // Ignores its token, then fails once the test lets it go on.
                    await gate.Task;
                    throw new InvalidOperationException("hung, then failed");
                }

                throw new InvalidOperationException("failed at once");
            }))
            {
                HandlerTimeout = TimeSpan.FromMilliseconds(100),
                Concurrency = 2,
                Retry = new RetryPolicy { MaxRetries = 0 },
            }));
        var publisher = harness.Services.GetRequiredService<IPublisher>();

        await publisher.PublishTextAsync(string.Empty, "limited", "hang");
        await harness.WaitUntilAsync(() => harness.History.Logs.Any(l => l.Contains("queue 'limited' is still running message", StringComparison.Ordinal)), TimeSpan.FromSeconds(30));

        // More failures than the limiter writes in its window (10): the last ones are suppressed.
        for (var i = 0; i < 12; i++)
        {
            await publisher.PublishTextAsync(string.Empty, "limited", "fail");
        }

        await harness.WaitUntilAsync(() => harness.History.Steps.Count(s => s.Queue == "limited" && s.Kind == BrokerEventKind.Discarded) == 12, TimeSpan.FromSeconds(30));
        Assert.True(harness.History.Logs.Count(l => l.Contains("(InvalidOperationException: failed at once)", StringComparison.Ordinal)) < 12);

        gate.SetResult();
        await harness.WaitForQuietAsync(TimeSpan.FromSeconds(30));
        var closing = Assert.Single(harness.History.Logs, l => l.Contains("(InvalidOperationException: hung, then failed)", StringComparison.Ordinal));
        Assert.Contains("Handler for queue 'limited' failed on message", closing, StringComparison.Ordinal);
        Assert.Equal(0, harness.Services.GetRequiredService<WarrenConsumers>().Get("limited")!.HandlersPastTimeout);
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            await Task.Delay(10, limit.Token);
        }
    }

    [Fact]
    public async Task A_handler_that_returns_in_time_is_not_logged_as_late_when_its_scope_disposal_outlasts_the_timeout()
    {
        var disposed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var harness = await WarrenTestHarness.StartAsync(services =>
        {
            services.AddScoped(_ => new SlowDisposal(disposed));
            services.AddWarren(o => o.ClientName = "disposal-tests")
                .AddTopology(new Topology().Add(new QueueDeclaration("disposal", Durable: false)))
                .AddConsumer(new ConsumerDefinition("disposal", MessageDispatcher.Create(PayloadFormat.Text, (text, context) =>
                {
                    // Returns at once; only its scope's disposal takes longer than the timeout.
                    _ = context.Services.GetRequiredService<SlowDisposal>();
                    return ValueTask.CompletedTask;
                }))
                { HandlerTimeout = TimeSpan.FromMilliseconds(100) });
        });

        var session = await harness.RunAsync<IPublisher>(publisher => publisher.PublishTextAsync(string.Empty, "disposal", "work").AsTask());

        Assert.True(disposed.Task.IsCompleted);
        Assert.Single(session.Steps, s => s.Queue == "disposal" && s.Kind == BrokerEventKind.Acked);
        Assert.DoesNotContain(session.Logs, line => line.Contains("HandlerTimeout", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_handler_that_finishes_within_its_timeout_logs_nothing_and_counts_nothing()
    {
        using var metric = new PastTimeoutMeasurements("quick");
        await using var harness = await WarrenTestHarness.StartAsync(services => services.AddWarren(o => o.ClientName = "quick-tests")
            .AddTopology(new Topology().Add(new QueueDeclaration("quick", Durable: false)))
            .AddConsumer(new ConsumerDefinition("quick", MessageDispatcher.Create(PayloadFormat.Text, (text, context) => ValueTask.CompletedTask))
            { HandlerTimeout = TimeSpan.FromSeconds(30) }));

        var session = await harness.RunAsync<IPublisher>(publisher => publisher.PublishTextAsync(string.Empty, "quick", "work").AsTask());

        Assert.Single(session.Steps, s => s.Queue == "quick" && s.Kind == BrokerEventKind.Acked);
        Assert.DoesNotContain(session.Logs, line => line.Contains("HandlerTimeout", StringComparison.Ordinal));
        Assert.Equal(0, harness.Services.GetRequiredService<WarrenConsumers>().Get("quick")!.HandlersPastTimeout);
        Assert.Equal(0, metric.Changes);
    }

    private static bool IsStillRunningWarning(string line) =>
        line.Contains("Warning", StringComparison.Ordinal)
        && line.Contains("queue 'hung' is still running message", StringComparison.Ordinal)
        && line.Contains("its message is not settled", StringComparison.Ordinal);

    /// <summary>A scoped service whose disposal outlasts the handler's timeout.</summary>
    private sealed class SlowDisposal(TaskCompletionSource disposed) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            disposed.TrySetResult();
        }
    }

    /// <summary>The <c>warren.consumer.handlers_past_timeout</c> changes for one queue.</summary>
    private sealed class PastTimeoutMeasurements : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _sum;
        private int _changes;

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
                        Interlocked.Increment(ref _changes);
                    }
                }
            });
            _listener.Start();
        }

        public long Sum => Interlocked.Read(ref _sum);

        public int Changes => Volatile.Read(ref _changes);

        public void Dispose() => _listener.Dispose();
    }
}

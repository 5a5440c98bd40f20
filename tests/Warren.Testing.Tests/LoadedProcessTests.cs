using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using Xunit.Abstractions;

namespace Warren.Testing.Tests;

/// <summary>
/// The harness's tests that need the virtual clock moved after the stall time, run while other code of the same process
/// keeps the CPU and the thread pool busy (as the test classes xUnit runs in parallel do): the stall time counts the
/// idleness of the harness's own application, so the clock still moves within the normal time, and the protections
/// against moving it under work still going on (a slow action, a server starved of threads) still hold. Alone, like the
/// busy-process tests: the load would slow the other tests down, which is not what these measure.
/// </summary>
[Collection(nameof(BusyProcessTests))]
public sealed class LoadedProcessTests(ITestOutputHelper output)
{
    /// <summary>Far less than the default timeout, far more than the stall time on a loaded machine.</summary>
    private static readonly TimeSpan Normal = TimeSpan.FromSeconds(6);

    [Fact]
    public async Task An_action_awaiting_a_virtual_timer_sees_it_fire_while_the_process_is_busy()
    {
        await using var harness = await Shop.StartAsync(configure: o => o.Timeout = TimeSpan.FromSeconds(8));
        var clock = harness.Clock!;
        var started = clock.GetUtcNow();
        using var load = ProcessLoad.Start();
        var watch = Stopwatch.StartNew();

        await harness.RunAsync(() => Task.Delay(TimeSpan.FromMinutes(5), clock));

        Report(load, watch);
        Assert.True(watch.Elapsed < Normal, $"took {watch.Elapsed}");
        Assert.True(clock.GetUtcNow() - started >= TimeSpan.FromMinutes(5));
    }

    [Fact]
    public async Task A_slow_action_does_not_see_its_virtual_deadline_expire_while_the_process_is_busy()
    {
        // HarnessBehaviourTests.Virtual_time_does_not_move_under_an_action_still_running_slower_than_the_settle_time,
        // under load: the deadline must not move while the action works, and must move once it only waits on it.
        await using var harness = await Shop.StartAsync(configure: o => o.Timeout = TimeSpan.FromSeconds(8));
        var clock = harness.Clock!;
        var expiredEarly = true;
        using var load = ProcessLoad.Start();
        var watch = Stopwatch.StartNew();

        await harness.RunAsync(async () =>
        {
            var deadline = Task.Delay(TimeSpan.FromSeconds(30), clock);
            await Task.Delay(TimeSpan.FromMilliseconds(200));
            expiredEarly = deadline.IsCompleted;
            await deadline;
        });

        Report(load, watch);
        Assert.False(expiredEarly);
        Assert.True(watch.Elapsed < Normal, $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task A_handler_awaiting_the_clock_lets_it_move_while_the_process_is_busy()
    {
        var behaviour = new Behaviour();
        await using var harness = await Shop.StartAsync(behaviour, o => o.Timeout = TimeSpan.FromSeconds(8));
        using var load = ProcessLoad.Start();
        var watch = Stopwatch.StartNew();

        var session = await harness.PublishAsync(new BuildReport("r-1"));

        Report(load, watch);
        session.AssertConsumed<BuildReport>();
        Assert.Equal(["r-1"], behaviour.Reports);
        Assert.True(watch.Elapsed < Normal, $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task A_server_blocked_on_the_clock_lets_the_call_time_out_while_the_process_is_busy()
    {
        // A server blocking its thread on a timer of the virtual clock is waiting, not working: the caller's deadline
        // comes first (30 s virtual), then the server's own timer once the run waits for it to finish.
        var behaviour = new Behaviour();
        await using var harness = await Shop.StartAsync(behaviour, o => o.Timeout = TimeSpan.FromSeconds(8));
        behaviour.QuoteWork = () =>
        {
            Task.Delay(TimeSpan.FromMinutes(1), harness.Time).Wait();
            return Task.CompletedTask;
        };
        using var load = ProcessLoad.Start();
        var watch = Stopwatch.StartNew();

        var run = await harness.TryRunAsync(() => harness.Services.GetService<IPricing>()!.GetQuote(new QuoteRequest("mug", 2)));

        Report(load, watch);
        Assert.IsType<RpcTimeoutException>(run.Exception);
        Assert.True(watch.Elapsed < Normal, $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task A_server_starved_of_threads_is_answered_and_an_idle_one_times_out_while_the_process_is_busy()
    {
        // HarnessBehaviourTests.Virtual_time_does_not_move_under_an_rpc_server_starved_of_threads_for_longer_than_the_stall_time
        // under load: the starved server's work is the application's, so the call's deadline does not expire under it;
        // then a server waiting on the clock lets the clock move to the call's deadline as on an idle process.
        var behaviour = new Behaviour { QuoteWork = StarveThePoolAsync };
        await using var harness = await Shop.StartAsync(behaviour, o => o.Timeout = TimeSpan.FromSeconds(20));
        using var load = ProcessLoad.Start();

        var quote = await harness.RunAsync(() => harness.Services.GetService<IPricing>()!.GetQuote(new QuoteRequest("mug", 2)));

        Assert.Equal(new Quote("mug", 5m), quote.Result);
        Assert.False(quote.AssertRpcCall("pricing.get-quote").IsFault);

        behaviour.QuoteWork = () => Task.Delay(TimeSpan.FromMinutes(1), harness.Time);
        var watch = Stopwatch.StartNew();
        var run = await harness.TryRunAsync(() => harness.Services.GetService<IPricing>()!.GetQuote(new QuoteRequest("mug", 2)));

        Report(load, watch);
        Assert.IsType<RpcTimeoutException>(run.Exception);
        Assert.True(watch.Elapsed < Normal, $"took {watch.Elapsed}");
    }

    private void Report(ProcessLoad load, Stopwatch watch)
    {
        output.WriteLine($"took {watch.Elapsed.TotalMilliseconds:0} ms; load: {load.Spins} spins, {load.Items} work items, {load.BusySamples}/{load.Samples} samples with work items waiting");

        // The load was real: the old harness saw a busy process (work items waiting for a thread) all along.
        Assert.True(load.Items > 0 && load.Spins > 0);
        Assert.True(load.BusySamples > 0, "no work item was ever seen waiting for a thread");
    }

    private static async Task StarveThePoolAsync()
    {
        await Task.Yield();
        var work = new Task[100];
        for (var i = 0; i < work.Length; i++)
        {
            work[i] = Task.Run(() => Spin(TimeSpan.FromMilliseconds(40)));
        }

        await Task.WhenAll(work);
    }

    private static void Spin(TimeSpan span)
    {
        var until = Stopwatch.GetTimestamp() + (long)(span.TotalSeconds * Stopwatch.Frequency);
        var sum = 0L;
        while (Stopwatch.GetTimestamp() < until)
        {
            sum += Environment.TickCount64 & 1;
        }

        GC.KeepAlive(sum);
    }

    /// <summary>
    /// Work of other tests in the same process: two threads spinning on the CPU, and a flood of short work items on the
    /// thread pool, kept at about 32 waiting for a thread.
    /// </summary>
    private sealed class ProcessLoad : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Thread[] _threads;
        private long _spins;
        private long _items;
        private int _queued;
        private int _samples;
        private int _busySamples;

        private ProcessLoad()
        {
            _threads =
            [
                new Thread(SpinUntilStopped) { IsBackground = true },
                new Thread(SpinUntilStopped) { IsBackground = true },
                new Thread(Flood) { IsBackground = true },
            ];
        }

        public long Spins => Interlocked.Read(ref _spins);

        public long Items => Interlocked.Read(ref _items);

        public int Samples => Volatile.Read(ref _samples);

        public int BusySamples => Volatile.Read(ref _busySamples);

        public static ProcessLoad Start()
        {
            var load = new ProcessLoad();
            foreach (var thread in load._threads)
            {
                thread.Start();
            }

            return load;
        }

        public void Dispose()
        {
            _stop.Cancel();
            foreach (var thread in _threads)
            {
                thread.Join();
            }

            _stop.Dispose();
        }

        private void SpinUntilStopped()
        {
            while (!_stop.IsCancellationRequested)
            {
                Spin(TimeSpan.FromMilliseconds(1));
                Interlocked.Increment(ref _spins);
            }
        }

        private void Flood()
        {
            var sampled = Stopwatch.GetTimestamp();
            while (!_stop.IsCancellationRequested)
            {
                if (Stopwatch.GetElapsedTime(sampled) >= TimeSpan.FromMilliseconds(10))
                {
                    sampled = Stopwatch.GetTimestamp();
                    Interlocked.Increment(ref _samples);
                    if (ThreadPool.PendingWorkItemCount > 0)
                    {
                        Interlocked.Increment(ref _busySamples);
                    }
                }

                if (Volatile.Read(ref _queued) >= 32)
                {
                    Thread.Yield();
                    continue;
                }

                Interlocked.Increment(ref _queued);
                ThreadPool.UnsafeQueueUserWorkItem(
                    static load =>
                    {
                        Spin(TimeSpan.FromMilliseconds(0.2));
                        Interlocked.Increment(ref load._items);
                        Interlocked.Decrement(ref load._queued);
                    },
                    this,
                    preferLocal: false);
            }
        }
    }
}

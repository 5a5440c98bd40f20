using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace Warren.Testing.Tests;

/// <summary>
/// Runs with nothing beside it: its busy thread would keep the other tests' harnesses from counting idle time (it keeps
/// the process working), and other tests' work is not what it measures.
/// </summary>
[CollectionDefinition(nameof(BusyProcessTests), DisableParallelization = true)]
public sealed class BusyProcessCollection;

[Collection(nameof(BusyProcessTests))]
public sealed class BusyProcessTests
{
    [Fact]
    public async Task A_run_ends_when_its_action_finishes_while_a_timer_of_it_was_due_and_the_process_is_busy()
    {
        // The action holds a virtual deadline (as an RPC call does until its reply has been handled), then finishes
        // without any further change on the broker, while other work keeps the process busy (tests running beside it):
        // the finished action is itself the change the harness waits for; the run must not wait for a broker change
        // or an idle stall time that never come.
        await using var harness = await Shop.StartAsync(configure: o => o.Timeout = TimeSpan.FromSeconds(4));
        var clock = harness.Clock!;
        using var busy = new BusyThread();
        var watch = Stopwatch.StartNew();

        await harness.RunAsync(async () =>
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30), clock);
            await Task.Delay(TimeSpan.FromMilliseconds(300), CancellationToken.None);
            Assert.False(deadline.IsCancellationRequested);
        });

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"took {watch.Elapsed}");
        Assert.Null(clock.NextDue);
    }

    /// <summary>A thread busy on the CPU until disposed (work of other tests in the same process).</summary>
    private sealed class BusyThread : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Thread _thread;

        public BusyThread()
        {
            _thread = new Thread(() =>
            {
                var sum = 0L;
                while (!_stop.IsCancellationRequested)
                {
                    sum += Environment.TickCount64 & 1;
                }

                GC.KeepAlive(sum);
            }) { IsBackground = true };
            _thread.Start();
        }

        public void Dispose()
        {
            _stop.Cancel();
            _thread.Join();
            _stop.Dispose();
        }
    }
}

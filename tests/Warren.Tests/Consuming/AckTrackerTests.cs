using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using CsCheck;
using Xunit;

namespace Warren.Tests.Consuming;

public sealed class AckTrackerTests
{
    private const ulong FixedSeed = 20261201;
    private const int Iterations = 400;
    private static readonly TimeSpan Stall = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// One consumer channel's life: the broker delivers within the prefetch window; callbacks start in a
    /// concurrency-sized window out of order; handlers finish in any order (handled, rejected with or without
    /// requeue, or slow: still running until the very end); flushes and clock ticks come in between.
    /// </summary>
    public sealed record Scenario(int Prefetch, int Tags, int Window, int[] Outcomes, int[] Choices)
    {
        public override string ToString() =>
            $"Scenario(Prefetch: {Prefetch}, Tags: {Tags}, Window: {Window}, Outcomes: [{string.Join(",", Outcomes)}], Choices: [{string.Join(",", Choices)}])";
    }

    private static readonly Gen<Scenario> Scenarios =
        from prefetch in Gen.Int[1, 40]
        from tags in Gen.Int[1, 120]
        from window in Gen.Int[1, 8]
        from outcomes in Gen.Int[0, 19].Array[tags]
        from choices in Gen.Int[0, 9_999].Array[tags * 6]
        select new Scenario(prefetch, tags, window, outcomes, choices);

    [Fact]
    public async Task Random_interleavings_settle_every_delivery_once_and_never_ack_past_an_unhandled_one()
    {
        for (uint i = 0; i < Iterations; i++)
        {
            var pcg = new PCG(i, FixedSeed);
            var seed = pcg.ToString();
            var scenario = Scenarios.Generate(pcg, null, out _);
            try
            {
                await RunAsync(scenario);
            }
            catch (Exception ex)
            {
                throw new InvalidOperationException($"Failed on iteration {i} (CsCheck seed {seed}): {ex.Message}\n{scenario}", ex);
            }
        }
    }

    [Fact]
    public async Task A_slow_delivery_does_not_hold_back_the_acks_of_later_ones()
    {
        var time = new ManualTime();
        var broker = new FakeBroker();
        var tracker = new AckTracker(broker, prefetch: 32, time, Stall);
        var slow = broker.Deliver();
        tracker.Begin(slow);
        for (var i = 0; i < 8; i++)
        {
            var tag = broker.Deliver();
            tracker.Begin(tag);
            broker.MarkHandled(tag);
            tracker.Complete(tag);
        }

        await tracker.FlushAsync();
        Assert.Equal(8, broker.HandledUnacked); // within the stall delay a multiple ack may still come

        time.Advance(Stall);
        await tracker.FlushAsync();
        Assert.Equal(0, broker.HandledUnacked);
        Assert.Equal(1, broker.Unsettled);

        broker.MarkHandled(slow);
        tracker.Complete(slow);
        await tracker.FlushAsync();
        broker.AssertAllSettledOnce();
    }

    [Fact]
    public async Task In_order_handling_is_acknowledged_with_multiple_acks()
    {
        var broker = new FakeBroker();
        var tracker = new AckTracker(broker, prefetch: 32, TimeProvider.System, Stall);
        for (var i = 0; i < 320; i++)
        {
            var tag = broker.Deliver();
            tracker.Begin(tag);
            broker.MarkHandled(tag);
            if (tracker.Complete(tag))
            {
                await tracker.FlushAsync();
            }
        }

        await tracker.FlushAsync();
        broker.AssertAllSettledOnce();
        Assert.Equal(0, broker.SingleAcks);
        Assert.Equal(40, broker.MultipleAcks); // one per quarter of the prefetch window
    }

    [Fact]
    public async Task Concurrent_handlers_rejections_and_flushes_keep_every_invariant()
    {
        const int count = 20_000;
        const int prefetch = 32;
        const int concurrency = 8;
        var broker = new FakeBroker { AfterSend = () => Random.Shared.Next(4) == 0 ? Task.Delay(Random.Shared.Next(2)) : Task.CompletedTask };
        var tracker = new AckTracker(broker, prefetch, TimeProvider.System, TimeSpan.FromMilliseconds(2));
        var work = Channel.CreateUnbounded<ulong>();
        var failures = new List<Exception>();
        var settled = 0;

        async Task SettleAsync(Func<Task> settle)
        {
            try
            {
                await settle();
            }
            catch (Exception ex)
            {
                lock (failures)
                {
                    failures.Add(ex);
                }
            }
        }

        var producer = Task.Run(async () =>
        {
            for (var i = 0; i < count; i++)
            {
                // The broker keeps at most `prefetch` unsettled deliveries on the channel.
                while (broker.Unsettled >= prefetch)
                {
                    await Task.Yield();
                }

                await work.Writer.WriteAsync(broker.Deliver());
            }

            work.Writer.Complete();
        });

        var workers = Enumerable.Range(0, concurrency).Select(w => Task.Run(async () =>
        {
            var random = new Random(w + 1);
            await foreach (var tag in work.Reader.ReadAllAsync())
            {
                tracker.Begin(tag);
                var roll = random.Next(100);
                if (roll < 3)
                {
                    await Task.Delay(random.Next(1, 5));
                }
                else if (roll < 30)
                {
                    await Task.Yield();
                }

                if (roll % 17 == 0)
                {
                    broker.MarkRejected(tag);
                    await SettleAsync(() => tracker.RejectAsync(tag, requeue: roll % 2 == 0));
                }
                else
                {
                    broker.MarkHandled(tag);
                    if (tracker.Complete(tag))
                    {
                        await SettleAsync(() => tracker.FlushAsync());
                    }
                }

                Interlocked.Increment(ref settled);
            }
        })).ToArray();

        using var stop = new CancellationTokenSource();
        var flusher = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await SettleAsync(() => tracker.FlushAsync());
                await Task.Delay(1);
            }
        });

        await producer.WaitAsync(TimeSpan.FromSeconds(60));
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(60));
        await stop.CancelAsync();
        await flusher;
        await tracker.FlushAsync();

        Assert.Empty(failures);
        Assert.Equal(count, settled);
        broker.AssertAllSettledOnce();
        Assert.True(broker.MultipleAcks > 0, "no multiple ack was ever sent");
    }

    private static async Task RunAsync(Scenario s)
    {
        var time = new ManualTime();
        var broker = new FakeBroker();
        var tracker = new AckTracker(broker, (ushort)s.Prefetch, time, Stall);
        var unbegun = new List<ulong>();
        var running = new List<ulong>();
        var slow = new List<ulong>();
        var choice = 0;
        int Next(int n) => s.Choices[choice++ % s.Choices.Length] % n;

        void Begin(int index)
        {
            var tag = unbegun[index];
            unbegun.RemoveAt(index);
            tracker.Begin(tag);
            if (s.Outcomes[(int)tag - 1] == 2 && slow.Count < s.Prefetch - 1)
            {
                slow.Add(tag);
            }
            else
            {
                running.Add(tag);
            }
        }

        async Task FinishAsync(ulong tag, bool handled = false)
        {
            var outcome = handled ? 19 : s.Outcomes[(int)tag - 1];
            if (outcome is 0 or 1)
            {
                broker.MarkRejected(tag);
                await tracker.RejectAsync(tag, requeue: outcome == 0);
            }
            else
            {
                broker.MarkHandled(tag);
                if (tracker.Complete(tag))
                {
                    await tracker.FlushAsync();
                }
            }
        }

        for (var step = 0; step < s.Choices.Length; step++)
        {
            switch (Next(5))
            {
                case 0 when broker.Delivered < (ulong)s.Tags && broker.Unsettled < s.Prefetch:
                    unbegun.Add(broker.Deliver());
                    break;
                case 1 when unbegun.Count > 0:
                    Begin(Next(Math.Min(s.Window, unbegun.Count)));
                    break;
                case 2 when running.Count > 0:
                    var i = Next(running.Count);
                    var tag = running[i];
                    running.RemoveAt(i);
                    await FinishAsync(tag);
                    break;
                case 3:
                    await tracker.FlushAsync();
                    break;
                case 4:
                    time.Advance(TimeSpan.FromMilliseconds(Next(150)));
                    break;
            }
        }

        // Run the rest to the end while the slow handlers still run: nothing may wait behind them for long.
        for (var round = 0; round == 0 || broker.Delivered < (ulong)s.Tags || unbegun.Count > 0 || running.Count > 0; round++)
        {
            if (round > s.Tags + 10)
            {
                throw new InvalidOperationException($"No progress: delivered {broker.Delivered}, unsettled {broker.Unsettled}, slow {slow.Count}.");
            }

            while (broker.Delivered < (ulong)s.Tags && broker.Unsettled < s.Prefetch)
            {
                unbegun.Add(broker.Deliver());
            }

            while (unbegun.Count > 0)
            {
                Begin(0);
            }

            foreach (var tag in running)
            {
                await FinishAsync(tag);
            }

            running.Clear();
            await tracker.FlushAsync();
            time.Advance(Stall);
            await tracker.FlushAsync();
        }

        if (broker.HandledUnacked != 0)
        {
            throw new InvalidOperationException($"{broker.HandledUnacked} handled deliveries are still unacked behind {slow.Count} slow one(s) after the stall delay.");
        }

        foreach (var tag in slow)
        {
            await FinishAsync(tag, handled: true);
        }

        // Everything is settled or handled now: one flush acks the rest, no clock needed.
        await tracker.FlushAsync();
        broker.AssertAllSettledOnce();
        Assert.Equal(0, tracker.Pending);
    }
}

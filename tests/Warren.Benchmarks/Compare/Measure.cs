using System;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Warren.Benchmarks.Compare;

/// <summary>
/// Wall-clock time and this process's CPU time (user + system, every thread) over one timed section. CPU time divided by
/// messages is the framework's client-side cost per message, independent of how long the broker made it wait.
/// </summary>
internal readonly struct Meter
{
    private readonly long _started;
    private readonly TimeSpan _cpu;
    private readonly long _allocated;
    private readonly GcCounts _gc;
    private readonly TimeSpan _jit;

    private Meter(long started, TimeSpan cpu, long allocated, GcCounts gc, TimeSpan jit)
    {
        _started = started;
        _cpu = cpu;
        _allocated = allocated;
        _gc = gc;
        _jit = jit;
    }

    public static Meter Start() => new(Stopwatch.GetTimestamp(), CpuTime(), GC.GetTotalAllocatedBytes(precise: false), GcCounts.Now(), System.Runtime.JitInfo.GetCompilationTime());

    public Throughput Stop(int messages)
    {
        var elapsed = Stopwatch.GetElapsedTime(_started);
        var cpu = CpuTime() - _cpu;
        var allocated = GC.GetTotalAllocatedBytes(precise: false) - _allocated;
        var jit = System.Runtime.JitInfo.GetCompilationTime() - _jit;
        return new Throughput(messages / elapsed.TotalSeconds, cpu.TotalMicroseconds / messages, (double)allocated / messages) { Gc = GcCounts.Now() - _gc, JitMicroseconds = jit.TotalMicroseconds / messages };
    }

    /// <summary>
    /// Waits until the JIT has compiled nothing for 300 ms (at most 5 s): what a framework's setup left to compile — the
    /// background recompilation at tier 1 of its start-up code, which the benchmark calls once per round and so pushes
    /// over the runtime's call-count threshold round after round — is done before the timed section starts instead of
    /// being counted as CPU per message. The publish scenario calls it for every framework just before
    /// <see cref="Start"/>; what the JIT still compiles during the run is reported as <see cref="Throughput.JitMicroseconds"/>.
    /// </summary>
    public static async Task SettleJitAsync()
    {
        var deadline = Stopwatch.GetTimestamp() + (5 * Stopwatch.Frequency);
        var count = System.Runtime.JitInfo.GetCompiledMethodCount();
        var quiet = 0;
        while (quiet < 3 && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(100);
            var now = System.Runtime.JitInfo.GetCompiledMethodCount();
            quiet = now == count ? quiet + 1 : 0;
            count = now;
        }
    }

    public static TimeSpan CpuTime()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }
}

/// <summary>Messages (or calls) per second, client CPU microseconds per message and bytes allocated per message (all threads of the process).</summary>
internal sealed record Throughput(double PerSecond, double CpuMicroseconds, double AllocatedBytes)
{
    /// <summary>The garbage collections during the run and the time the runtime was paused for them.</summary>
    public GcCounts Gc { get; init; }

    /// <summary>
    /// The time the JIT spent compiling during the run, per message, as the runtime reports it (<c>JitInfo.GetCompilationTime</c>:
    /// elapsed time summed over every thread, methods compiled for the first time and the background recompilation of hot
    /// ones at tier 1). It is wall time, not CPU time: a compiling thread that waits for a core counts too, so on a loaded
    /// machine it can exceed <see cref="CpuMicroseconds"/>. A sign of JIT work in the timed section, not a part of the CPU.
    /// </summary>
    public double JitMicroseconds { get; init; }
}

/// <summary>Garbage collections by generation (a gen1 collection counts as gen0 too, as the runtime counts) and the total pause.</summary>
internal readonly record struct GcCounts(int Gen0, int Gen1, int Gen2, TimeSpan Paused)
{
    public static GcCounts Now() => new(GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration());

    public static GcCounts operator -(GcCounts a, GcCounts b) => new(a.Gen0 - b.Gen0, a.Gen1 - b.Gen1, a.Gen2 - b.Gen2, a.Paused - b.Paused);
}

/// <summary>Latency percentiles in milliseconds and client CPU microseconds per message.</summary>
internal sealed record Latency(double P50, double P99, double CpuMicroseconds)
{
    public static Latency From(double[] milliseconds, double cpuMicroseconds)
    {
        Array.Sort(milliseconds);
        return new Latency(Percentile(milliseconds, 0.50), Percentile(milliseconds, 0.99), cpuMicroseconds);
    }

    public static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)(sorted.Length * p))];
}

/// <summary>RPC: sequential round-trip latency and throughput with many calls in flight.</summary>
internal sealed record RpcResult(Latency Sequential, Throughput Parallel);

/// <summary>Counts handled messages and completes when the expected number arrived; optionally records end-to-end latency.</summary>
public sealed class RunCounter
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly double[]? _latencies;
    private int _count;

    public RunCounter(int target, bool recordLatency = false)
    {
        Target = target;
        _latencies = recordLatency ? new double[target] : null;
    }

    public int Target { get; }

    public int Count => Volatile.Read(ref _count);

    public Task Done => _done.Task;

    /// <summary>The latencies recorded so far, in milliseconds (a copy).</summary>
    public double[] Latencies => _latencies is null ? [] : _latencies.Take(Math.Min(Count, Target)).ToArray();

    /// <summary>One message handled; <paramref name="sentTimestamp"/> is the Stopwatch timestamp the sender put in the message.</summary>
    public void Hit(long sentTimestamp)
    {
        var index = Interlocked.Increment(ref _count) - 1;
        if (_latencies is not null && index < _latencies.Length)
        {
            _latencies[index] = Stopwatch.GetElapsedTime(sentTimestamp).TotalMilliseconds;
        }

        if (index + 1 == Target)
        {
            _done.TrySetResult();
        }
    }

    /// <summary>Waits for every message, failing with the count seen when they do not all arrive in time.</summary>
    public async Task WaitAsync(TimeSpan timeout, string what)
    {
        if (await Task.WhenAny(Done, Task.Delay(timeout)) != Done)
        {
            throw new TimeoutException($"{what}: {Count} of {Target} messages handled after {timeout.TotalSeconds:F0} s");
        }
    }
}

/// <summary>Sends at a fixed rate: message i is started at i / rate seconds, whatever the confirmations of earlier ones.</summary>
internal static class Pacer
{
    public static async Task RunAsync(int count, int rate, Func<int, Task> send)
    {
        var pending = new Task[count];
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            var due = TimeSpan.FromSeconds((double)i / rate);
            while (clock.Elapsed < due)
            {
                await Task.Delay(1);
            }

            pending[i] = send(i);
        }

        await Task.WhenAll(pending);
    }
}

/// <summary>Bounds concurrent sends like a publisher window: up to <see cref="Size"/> in flight.</summary>
internal static class Window
{
    public const int Size = 1024;

    public static async Task RunAsync(int count, Func<int, Task> send)
    {
        using var window = new SemaphoreSlim(Size, Size);
        var pending = new Task[count];
        for (var i = 0; i < count; i++)
        {
            await window.WaitAsync();
            pending[i] = SendOneAsync(i);
        }

        await Task.WhenAll(pending);

        async Task SendOneAsync(int i)
        {
            try
            {
                await send(i);
            }
            finally
            {
                window.Release();
            }
        }
    }
}

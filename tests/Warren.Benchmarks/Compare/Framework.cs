using System;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Warren.Benchmarks.Compare;

/// <summary>One contender of the comparison: the same scenarios, each with the settings its documentation recommends.</summary>
internal abstract class Framework
{
    /// <summary>The name used by <c>--frameworks</c> and in the output.</summary>
    public abstract string Name { get; }

    /// <summary>How it is configured, printed before the results.</summary>
    public abstract string Settings { get; }

    /// <summary>Confirmed, persistent publishing of <paramref name="count"/> messages to one queue.</summary>
    public abstract Task<Throughput> PublishAsync(string url, int count, int size);

    /// <summary>Consuming a queue pre-filled with <paramref name="count"/> messages (in the framework's own format), from subscribing to the last ack.</summary>
    public abstract Task<Throughput> ConsumeAsync(string url, int count, int size);

    /// <summary>Publishing with confirms while a consumer (already subscribed) handles them, to the last one handled.</summary>
    public abstract Task<Throughput> EndToEndAsync(string url, int count, int size);

    /// <summary>Publish → handled latency at a fixed publish rate.</summary>
    public abstract Task<Latency> LatencyAsync(string url, int count, int rate, int size);

    /// <summary>RPC round trips: sequential latency, then throughput with 64 calls in flight; null when the framework has no RPC over RabbitMQ.</summary>
    public abstract Task<RpcResult?> RpcAsync(string url, int calls);

    /// <summary>In a fresh child process: start, publish one message to itself, report when it is handled.</summary>
    public abstract Task<int> ColdStartAsync(string url);
}

/// <summary>The RPC measurement every framework shares: sequential calls for latency, then 64 in flight for throughput.</summary>
internal static class RpcMeasure
{
    public const int Parallel = 64;
    public const ushort ServerPrefetch = 64;

    /// <summary>Runs the calls; <paramref name="call"/> sends (id, data) and returns the id the echo came back with.</summary>
    public static async Task<RpcResult> RunAsync(int calls, Func<long, string, Task<long>> call)
    {
        var data = Payload.Create(0, 64).Data;
        var latencies = new double[calls];
        var cpu = Meter.CpuTime();
        for (var i = 0; i < calls; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var reply = await call(i, data);
            latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            Check(reply, i);
        }

        var sequential = Latency.From(latencies, (Meter.CpuTime() - cpu).TotalMicroseconds / calls);
        var next = -1L;
        var meter = Meter.Start();
        await Task.WhenAll(Enumerable.Range(0, Parallel).Select(async _ =>
        {
            long id;
            while ((id = Interlocked.Increment(ref next)) < calls)
            {
                Check(await call(id, data), id);
            }
        }));
        return new RpcResult(sequential, meter.Stop(calls));
    }

    private static void Check(long reply, long id)
    {
        if (reply != id)
        {
            throw new InvalidOperationException($"reply {reply} for call {id}");
        }
    }
}

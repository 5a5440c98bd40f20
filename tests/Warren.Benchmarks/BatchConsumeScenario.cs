using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;
using Warren.Benchmarks.Compare;

namespace Warren.Benchmarks;

/// <summary>
/// Consuming a pre-filled queue three ways, alternating within every round: the raw one-ack-per-message loop, Warren's
/// per-message consumer, and Warren's <see cref="BatchDispatcher{T}"/> (batches of <c>--batch</c> messages, prefetch
/// 200 as raw). Prints each round, then the medians, the median of the per-round ratios to raw and CPU µs per message.
/// </summary>
internal static class BatchConsumeScenario
{
    public static async Task<int> RunAsync(string url, int messages, int size, int rounds, int batchSize)
    {
        Console.WriteLine($"batch: consuming {messages:N0} pre-filled messages of {size} bytes, {rounds} rounds: raw (one ack per message), warren (per message), warren batch of {batchSize}");
        var runs = new (string Name, Func<int, Task<Throughput>> Run)[]
        {
            ("raw", n => new RawScenarios().ConsumeAsync(url, n, size)),
            ("warren", n => WarrenScenarios.ConsumeAsync(url, n, size, batchSize: 0)),
            ($"warren batch {batchSize}", n => WarrenScenarios.ConsumeAsync(url, n, size, batchSize)),
        };
        foreach (var (_, run) in runs)
        {
            await run(Math.Min(messages, 2_000)); // warm-up
        }

        var results = runs.ToDictionary(r => r.Name, _ => new List<Throughput>());
        for (var round = 0; round < rounds; round++)
        {
            var line = new List<string>();
            for (var i = 0; i < runs.Length; i++)
            {
                var (name, run) = runs[(i + round) % runs.Length];
                var r = await run(messages);
                results[name].Add(r);
                line.Add(string.Create(CultureInfo.InvariantCulture, $"{name} {r.PerSecond:N0} msg/s ({r.CpuMicroseconds:F0} µs CPU)"));
            }

            Console.WriteLine($"round {round + 1}: {string.Join("   ", line)}");
        }

        var raw = results["raw"];
        foreach (var (name, _) in runs)
        {
            var mine = results[name];
            var ratio = Median(mine.Zip(raw, (m, r) => m.PerSecond / r.PerSecond));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"consume, {name}: {Median(mine.Select(r => r.PerSecond)):N0} msg/s (median), ratio to raw {ratio:F2}, {Median(mine.Select(r => r.CpuMicroseconds)):F0} µs CPU/msg"));
        }

        return 0;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}

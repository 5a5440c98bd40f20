using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Warren.Benchmarks.Compare;

namespace Warren.Benchmarks;

/// <summary>
/// The end-to-end scenario through Warren without a listener, then with the OpenTelemetry SDK listening as
/// docs/observability.md sets it up, alternating within each round:
/// <list type="bullet">
/// <item><c>full</c>: <c>ParentBased(AlwaysOn)</c>, the SDK's default sampler: every span sampled and handed to a batch
/// exporter, the meter read every second;</item>
/// <item><c>sampled</c>: the same with <c>ParentBased(TraceIdRatioBased(0.1))</c>, a common production sampler (every
/// span is still created and its context propagated, one trace in ten is recorded);</item>
/// <item><c>metrics</c>: the meter alone, no tracing;</item>
/// <item><c>propagation</c> (not run by default): no SDK and no listener, but an ambient activity around the run, as
/// an incoming request would be: Warren starts no span and writes the ambient context into every message's
/// <c>traceparent</c>, so this is the cost of the header alone.</item>
/// <item><c>spans</c> (not run by default): <c>full</c> without the meter;</item>
/// <item><c>raw</c> (not run by default): the raw RabbitMQ.Client loop, untraced, then with the same two spans made by
/// hand (<see cref="RawScenarios.EndToEndAsync(string, int, int, bool)"/>) and the SDK attached as in <c>spans</c>: what
/// the SDK's spans cost without anything of Warren's, compared to the raw loop. Its SDK setup is that of <c>spans</c>
/// (no meter), not of <c>full</c>: run with <c>spans</c> as well, the summary ends with what Warren's spans add beyond
/// the hand-made ones, per round.</item>
/// </list>
/// The exporters only count, so what is measured is Warren's instrumentation and the SDK, not a network. Throughput on
/// a shared machine mostly measures the broker and the neighbours; client CPU time per message (every thread of the
/// process, the SDK's export threads included) and bytes allocated per message measure the instrumentation itself.
/// </summary>
internal static class OpenTelemetryScenario
{
    public static readonly string[] DefaultModes = ["full", "sampled", "metrics"];

    public static readonly string[] AllModes = [.. DefaultModes, "propagation", "spans", "raw"];

    public static async Task<int> RunAsync(string url, int messages, int size, int rounds, IReadOnlyList<string> modes)
    {
        Console.WriteLine($"otel: {messages:N0} messages of {size} bytes, {rounds} rounds, alternating warren (no listener) and warren+{string.Join(", warren+", modes)}; load average {LoadAverage()}");
        Console.WriteLine("CPU = client process CPU time / messages (all threads, exporters included); alloc = bytes allocated / messages");
        Console.WriteLine(
            "SDK set up as docs/observability.md does: AddSource(\"Warren\") and AddMeter(\"Warren\") only (RabbitMQ.Client.Publisher/Subscriber not added, as the docs advise); "
            + "spans through a BatchActivityExportProcessor (the OTLP exporter's default processor, default queue and batch sizes) to an exporter that counts; "
            + "metrics through a PeriodicExportingMetricReader every 1 s (the OTLP default is 60 s) to an exporter that counts; no exemplars (the SDK default); "
            + "full = ParentBased(AlwaysOn), the SDK's default sampler; sampled = ParentBased(TraceIdRatioBased(0.1))");
        var warmUp = Math.Min(messages, 5_000);
        await WarrenScenarios.EndToEndMeasuredAsync(url, warmUp, size);
        foreach (var mode in modes)
        {
            await RunModeAsync(url, warmUp, size, mode, (_, _) => { });
        }

        // Each configuration with the run it is compared to: Warren without a listener, or the raw client untraced.
        var results = new Dictionary<string, List<Throughput>> { ["warren"] = [] };
        var baselines = new Dictionary<string, string>();
        for (var round = 1; round <= rounds; round++)
        {
            AllocationProbe.Mode = "warren";
            var plain = await WarrenScenarios.EndToEndMeasuredAsync(url, messages, size);
            AllocationProbe.Count("warren", messages);
            results["warren"].Add(plain);
            var line = new List<string> { Describe("warren", plain) };
            foreach (var mode in modes)
            {
                await RunModeAsync(url, messages, size, mode, (name, result) =>
                {
                    var baseline = name.StartsWith("raw", StringComparison.Ordinal) ? "raw" : "warren";
                    if (name != baseline)
                    {
                        baselines[name] = baseline;
                    }

                    (results.TryGetValue(name, out var list) ? list : results[name] = []).Add(result);
                    line.Add(Describe(name, result) + (name == baseline ? "" : Invariant($" ratio {result.PerSecond / results[baseline][^1].PerSecond:F2}")));
                });
            }

            Console.WriteLine(Invariant($"round {round} (load {LoadAverage()}): ") + string.Join("  |  ", line));
        }

        AllocationProbe.Print();
        Console.WriteLine(Invariant($"== summary: medians of {rounds} round(s); ratios are medians of the per-round (paired) ratios to warren without a listener; load average now {LoadAverage()}"));
        Console.WriteLine("| configuration | msg/s | ratio msg/s | CPU µs/msg | ratio CPU | + CPU µs/msg | B allocated/msg | + B/msg | GCs gen0/1/2 per 100k msg | GC pause µs/msg |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var (name, mine) in results)
        {
            var pairs = mine.Zip(results[baselines.GetValueOrDefault(name, name)]).ToList();
            Console.WriteLine(Invariant(
                $"| {Label(name)} | {Median(mine.Select(r => r.PerSecond)):N0} | {Median(pairs.Select(p => p.First.PerSecond / p.Second.PerSecond)):F2} | {Median(mine.Select(r => r.CpuMicroseconds)):F1} | {Median(pairs.Select(p => p.First.CpuMicroseconds / p.Second.CpuMicroseconds)):F2} | {Median(pairs.Select(p => p.First.CpuMicroseconds - p.Second.CpuMicroseconds)):F1} | {Median(mine.Select(r => r.AllocatedBytes)):N0} | {Median(pairs.Select(p => p.First.AllocatedBytes - p.Second.AllocatedBytes)):N0} | {PerHundredThousand(mine, messages, g => g.Gen0)}/{PerHundredThousand(mine, messages, g => g.Gen1)}/{PerHundredThousand(mine, messages, g => g.Gen2)} | {Median(mine.Select(r => r.Gc.Paused.TotalMicroseconds)) / messages:F2} |"));
        }

        // The same SDK setup on both sides (spans through the batch processor, no meter): what Warren's two spans add
        // beyond the raw client's two hand-made ones, per round, each against its own untraced run.
        if (results.TryGetValue("spans", out var spans) && results.TryGetValue("raw+spans", out var rawSpans))
        {
            var warren = results["warren"];
            var raw = results["raw"];
            var cpu = spans.Select((r, i) => r.CpuMicroseconds - warren[i].CpuMicroseconds - (rawSpans[i].CpuMicroseconds - raw[i].CpuMicroseconds)).ToList();
            var bytes = spans.Select((r, i) => r.AllocatedBytes - warren[i].AllocatedBytes - (rawSpans[i].AllocatedBytes - raw[i].AllocatedBytes)).ToList();
            Console.WriteLine(Invariant(
                $"warren+otel spans beyond raw + the same two spans by hand (same SDK setup, no meter; medians of the per-round differences of the added costs): CPU {Median(cpu):+0.0;-0.0} µs/msg (rounds {string.Join(", ", cpu.Select(c => c.ToString("+0.0;-0.0", CultureInfo.InvariantCulture)))}), allocated {Median(bytes):+0;-0} B/msg (rounds {string.Join(", ", bytes.Select(b => b.ToString("+0;-0", CultureInfo.InvariantCulture)))})"));
        }

        return 0;
    }

    private static string Label(string name) => name switch
    {
        "warren" => "warren (no listener)",
        "raw" => "raw client (no listener)",
        "raw+spans" => "raw client + the same two spans by hand, otel full without metrics",
        _ => "warren+otel " + name,
    };

    /// <summary>The run(s) of <paramref name="mode"/>: <c>raw</c> is the raw client untraced, then traced by hand with the SDK attached.</summary>
    private static async Task RunModeAsync(string url, int count, int size, string mode, Action<string, Throughput> report)
    {
        if (mode != "raw")
        {
            AllocationProbe.Mode = mode;
            report(mode, await EndToEndAsync(url, count, size, mode));
            AllocationProbe.Count(mode, count);
            return;
        }

        AllocationProbe.Mode = "raw";
        report("raw", await RawScenarios.EndToEndAsync(url, count, size, traced: true));
        AllocationProbe.Count("raw", count);
        AllocationProbe.Mode = "raw+spans";
        var spans = new CountingExporter<Activity>();
        using (var tracing = Sdk.CreateTracerProviderBuilder()
            .AddSource(RawScenarios.TracedSource.Name)
            .SetSampler(new ParentBasedSampler(new AlwaysOnSampler()))
            .AddProcessor(new BatchActivityExportProcessor(spans))
            .Build())
        {
            var traced = await RawScenarios.EndToEndAsync(url, count, size, traced: true);
            tracing.ForceFlush();
            if (spans.Exported < count)
            {
                throw new InvalidOperationException($"only {spans.Exported} spans were exported for {count} messages");
            }

            AllocationProbe.Count("raw+spans", count);
            report("raw+spans", traced);
        }
    }

    /// <summary>
    /// One e2e run with the OpenTelemetry SDK attached in <paramref name="mode"/>; <c>spans</c> is <c>full</c> without
    /// the meter.
    /// </summary>
    public static async Task<Throughput> EndToEndAsync(string url, int count, int size, string mode)
    {
        if (mode == "propagation")
        {
            using var ambient = new Activity("bench.ambient").SetIdFormat(ActivityIdFormat.W3C).Start();
            return await WarrenScenarios.EndToEndMeasuredAsync(url, count, size);
        }

        var spans = new CountingExporter<Activity>();
        var metrics = new CountingExporter<Metric>();
        using var tracing = mode == "metrics"
            ? null
            : Sdk.CreateTracerProviderBuilder()
                .AddSource(WarrenDiagnostics.ActivitySourceName)
                .SetSampler(mode == "sampled" ? new ParentBasedSampler(new TraceIdRatioBasedSampler(0.1)) : new ParentBasedSampler(new AlwaysOnSampler()))
                .AddProcessor(new BatchActivityExportProcessor(spans))
                .Build();
        using var metering = mode == "spans"
            ? null
            : Sdk.CreateMeterProviderBuilder()
                .AddMeter(WarrenDiagnostics.MeterName)
                .AddReader(new PeriodicExportingMetricReader(metrics, exportIntervalMilliseconds: 1000))
                .Build();
        var result = await WarrenScenarios.EndToEndMeasuredAsync(url, count, size);
        tracing?.ForceFlush();
        metering?.ForceFlush();

        // Fewer spans than expected would mean the listener was not attached: the comparison would be void.
        if (mode is "full" or "spans" && spans.Exported < count)
        {
            throw new InvalidOperationException($"only {spans.Exported} spans were exported for {count} messages");
        }

        if (mode == "sampled" && spans.Exported == 0)
        {
            throw new InvalidOperationException($"no span was exported for {count} messages at a 10 % sampling ratio");
        }

        if (metering is not null && metrics.Exported == 0)
        {
            throw new InvalidOperationException("no metric was exported");
        }

        return result;
    }

    private static string Describe(string name, Throughput r) =>
        Invariant($"{name} {r.PerSecond:N0} msg/s {r.CpuMicroseconds:F1} µs {r.AllocatedBytes:N0} B gc {r.Gc.Gen0}/{r.Gc.Gen1}/{r.Gc.Gen2} {r.Gc.Paused.TotalMilliseconds:F0} ms");

    private static string PerHundredThousand(List<Throughput> runs, int messages, Func<GcCounts, int> generation) =>
        Invariant($"{Median(runs.Select(r => (double)generation(r.Gc))) * 100_000 / messages:F0}");

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private sealed class CountingExporter<T> : BaseExporter<T>
        where T : class
    {
        private long _exported;

        public long Exported => Interlocked.Read(ref _exported);

        public override ExportResult Export(in Batch<T> batch)
        {
            Interlocked.Add(ref _exported, batch.Count);
            return ExportResult.Success;
        }
    }
}

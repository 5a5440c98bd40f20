using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading.Tasks;

namespace Warren.Benchmarks.Compare;

/// <summary>
/// Runs the scenarios for the selected frameworks on one broker, alternating the frameworks within every round (the
/// order rotates from round to round), and prints each result as it comes, then one summary table: medians over the
/// rounds, the range, the median of the per-round ratios to raw, and client CPU microseconds per message.
/// </summary>
internal static class CompareCommand
{
    public static readonly string[] AllScenarios = ["publish", "consume", "e2e", "latency", "rpc", "coldstart"];

    private static readonly Framework[] AllFrameworks = [new RawScenarios(), new WarrenScenarios(), new MassTransitScenarios(), new WolverineScenarios()];

    internal sealed record Settings(
        IReadOnlyList<Framework> Frameworks,
        IReadOnlyList<string> Scenarios,
        int Messages,
        int Size,
        int Rounds,
        int Rate,
        int LatencyMessages,
        int Calls,
        int Launches,
        bool Samples);

    public static Framework? Find(string name) => AllFrameworks.FirstOrDefault(f => f.Name == name);

    public static Settings Parse(IReadOnlyList<string> scenarios, Dictionary<string, string> options)
    {
        var smoke = options.ContainsKey("smoke");
        int Int(string name, int normal, int small)
        {
            if (!options.TryGetValue(name, out var text))
            {
                return smoke ? small : normal;
            }

            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
                ? value
                : throw new ArgumentException($"--{name} needs a positive number, got '{text}'");
        }

        var frameworks = AllFrameworks.ToList();
        if (options.TryGetValue("frameworks", out var names))
        {
            frameworks = names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(n => Find(n) ?? throw new ArgumentException($"unknown framework '{n}' (known: {string.Join(", ", AllFrameworks.Select(f => f.Name))})"))
                .ToList();
            if (frameworks.All(f => f.Name != "raw"))
            {
                frameworks.Insert(0, AllFrameworks[0]); // ratios are to raw: it always runs
            }
        }

        var unknown = scenarios.Except(AllScenarios).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"unknown scenario '{unknown[0]}' (known: {string.Join(", ", AllScenarios)})");
        }

        return new Settings(
            frameworks,
            scenarios,
            Int("messages", 30_000, 500),
            Int("size", 256, 256),
            Int("rounds", 3, 1),
            Int("rate", 2_000, 2_000),
            Int("latency-messages", 10_000, 200),
            Int("calls", 3_000, 100),
            Int("launches", 5, 1),
            !options.ContainsKey("no-samples"));
    }

    public static async Task<int> RunAsync(string url, Settings settings)
    {
        var total = Stopwatch.StartNew();
        Header(url, settings);
        var summary = new List<string[]>();
        foreach (var scenario in settings.Scenarios)
        {
            Console.WriteLine();
            var rows = scenario switch
            {
                "publish" => await ThroughputAsync(scenario, settings, f => f.PublishAsync(url, settings.Messages, settings.Size), f => f.PublishAsync(url, Math.Min(settings.Messages, 2_000), settings.Size)),
                "consume" => await ThroughputAsync(scenario, settings, f => f.ConsumeAsync(url, settings.Messages, settings.Size), f => f.ConsumeAsync(url, Math.Min(settings.Messages, 2_000), settings.Size)),
                "e2e" => await ThroughputAsync(scenario, settings, f => f.EndToEndAsync(url, settings.Messages, settings.Size), f => f.EndToEndAsync(url, Math.Min(settings.Messages, 2_000), settings.Size)),
                "latency" => await LatencyAsync(url, settings),
                "rpc" => await RpcAsync(url, settings),
                _ => await ColdStartAsync(url, settings),
            };
            summary.AddRange(rows);
        }

        Console.WriteLine();
        WireProbe.Print();
        if (PeerFailures.Count > 0)
        {
            Console.WriteLine($"== failures of the frameworks compared with ({PeerFailures.Count})");
            foreach (var failure in PeerFailures)
            {
                Console.WriteLine("  " + failure);
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"== summary (medians of {settings.Rounds} round(s); ratio = median of the per-round ratios to raw; CPU = client process CPU time / messages) — {total.Elapsed.TotalMinutes:F1} min, load average now {LoadAverage()}"));
        Console.WriteLine("| scenario | framework | result (median) | range | ratio to raw | CPU µs/msg | KiB allocated/msg |");
        Console.WriteLine("| --- | --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (var row in summary)
        {
            Console.WriteLine("| " + string.Join(" | ", row) + " |");
        }

        return 0;
    }

    private static void Header(string url, Settings s)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Warren benchmark, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC"));
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores ({CpuModel()}), {MemoryGiB()} GiB, {RuntimeInformation.OSDescription}, .NET {Environment.Version}, load average {LoadAverage()}");
        Console.WriteLine($"broker: {BrokerVersion(url)} at {new Uri(url).Host}:{new Uri(url).Port}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"scenarios: {string.Join(", ", s.Scenarios)}; {s.Messages:N0} messages of {s.Size} bytes (persistent), {s.Rounds} round(s), latency {s.LatencyMessages:N0} messages at {s.Rate:N0} msg/s, rpc {s.Calls:N0} calls, cold start {s.Launches} launch(es)"));
        Console.WriteLine("frameworks:");
        foreach (var f in s.Frameworks)
        {
            Console.WriteLine($"  {f.Name,-12} {f.Settings}");
        }
    }

    /// <summary>Each round runs every framework once, starting one further along the list than the round before.</summary>
    private static IEnumerable<Framework> Order(IReadOnlyList<Framework> frameworks, int round) =>
        Enumerable.Range(0, frameworks.Count).Select(i => frameworks[(i + round) % frameworks.Count]);

    private static async Task<List<string[]>> ThroughputAsync(string scenario, Settings s, Func<Framework, Task<Throughput>> run, Func<Framework, Task<Throughput>> warmUp)
    {
        Console.WriteLine($"== {scenario}");
        await WarmUpAsync(s.Frameworks, warmUp, scenario);

        // A peer's failed run (e.g. a message it never delivers) is printed and left out of its medians; the run goes
        // on. Raw's and Warren's failures end the benchmark: they are the baseline and the subject.
        var results = s.Frameworks.ToDictionary(f => f.Name, _ => new List<Throughput?>());
        for (var round = 0; round < s.Rounds; round++)
        {
            var line = new StringBuilder($"round {round + 1}:");
            foreach (var f in Order(s.Frameworks, round))
            {
                await SettleAsync();
                try
                {
                    var r = await run(f);
                    results[f.Name].Add(r);
                    line.Append(CultureInfo.InvariantCulture, $"  {f.Name} {r.PerSecond:N0} msg/s ({r.CpuMicroseconds:F1} µs CPU, JIT {r.JitMicroseconds:F1} µs wall, {r.AllocatedBytes / 1024:F1} KiB/msg)");
                }
                catch (Exception e) when (IsPeer(f))
                {
                    results[f.Name].Add(null);
                    line.Append($"  {f.Name} FAILED ({e.GetType().Name}: {e.Message})");
                    PeerFailures.Add($"{scenario}, round {round + 1}: {f.Name} failed ({e.GetType().Name}: {e.Message}); left out of its medians");
                }
            }

            Console.WriteLine(line);
        }

        return s.Frameworks.Select(f =>
        {
            var mine = results[f.Name];
            var raw = results["raw"];
            var done = Enumerable.Range(0, mine.Count).Where(i => mine[i] is not null).ToList();
            return Row(
                scenario,
                done.Count < mine.Count ? $"{f.Name} ({mine.Count - done.Count} of {mine.Count} rounds failed)" : f.Name,
                done.Select(i => mine[i]!.PerSecond).ToList(),
                done.Select(i => raw[i]!.PerSecond).ToList(),
                "msg/s",
                done.Select(i => mine[i]!.CpuMicroseconds),
                done.Select(i => mine[i]!.AllocatedBytes));
        }).ToList();
    }

    /// <summary>The frameworks compared with, not measured for their own sake: their failures are reported, not fatal.</summary>
    private static bool IsPeer(Framework f) => f.Name is not ("raw" or "warren");

    /// <summary>Every peer failure of the run, printed again above the summary.</summary>
    private static readonly List<string> PeerFailures = [];

    /// <summary>
    /// Warms every framework up the same way before anything is measured: two passes with a pause after each, because
    /// tiered compilation with dynamic PGO moves a hot method through two recompilations (instrumented, then optimized)
    /// on a background thread, each after a quiet period of about 100 ms; a single short pass left part of that JIT
    /// work (process CPU time) to the first measured round of whichever framework ran first.
    /// </summary>
    private static async Task WarmUpAsync(IReadOnlyList<Framework> frameworks, Func<Framework, Task<Throughput>> warmUp, string scenario)
    {
        for (var pass = 0; pass < 2; pass++)
        {
            foreach (var f in frameworks)
            {
                try
                {
                    await warmUp(f); // JIT, connections, broker queues
                }
                catch (Exception e) when (IsPeer(f))
                {
                    var failure = $"{scenario}, warm-up {pass + 1}: {f.Name} failed ({e.GetType().Name}: {e.Message})";
                    Console.WriteLine(failure);
                    PeerFailures.Add(failure);
                }
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }
    }

    /// <summary>
    /// Lets what the run before left behind settle before the next run is measured, so that no framework's CPU time pays
    /// for another's leftovers: a pause for the broker (on the same cores) to finish deleting the last run's queue and
    /// messages, then a full collection of the last run's garbage and finalizers (e.g. a disposed host's dynamic
    /// methods). Without it, a framework measured right after the raw loop paid 1–1.5 µs/msg more than after itself.
    /// </summary>
    private static async Task SettleAsync()
    {
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    private static async Task<List<string[]>> LatencyAsync(string url, Settings s)
    {
        Console.WriteLine($"== latency: {s.LatencyMessages:N0} messages at {s.Rate:N0} msg/s, publish → handled");
        foreach (var f in s.Frameworks)
        {
            await f.LatencyAsync(url, Math.Min(s.LatencyMessages, 1_000), s.Rate, s.Size);
        }

        var results = s.Frameworks.ToDictionary(f => f.Name, _ => new List<Latency>());
        for (var round = 0; round < s.Rounds; round++)
        {
            var line = new StringBuilder($"round {round + 1}:");
            foreach (var f in Order(s.Frameworks, round))
            {
                var r = await f.LatencyAsync(url, s.LatencyMessages, s.Rate, s.Size);
                results[f.Name].Add(r);
                line.Append(CultureInfo.InvariantCulture, $"  {f.Name} p50 {r.P50:F2} ms p99 {r.P99:F2} ms ({r.CpuMicroseconds:F0} µs CPU/msg)");
            }

            Console.WriteLine(line);
        }

        var rows = new List<string[]>();
        foreach (var f in s.Frameworks)
        {
            var cpu = results[f.Name].Select(r => r.CpuMicroseconds);
            rows.Add(Row($"latency p50 at {s.Rate:N0}/s", f.Name, results[f.Name].Select(r => r.P50).ToList(), results["raw"].Select(r => r.P50).ToList(), "ms", cpu, decimals: 2));
            rows.Add(Row($"latency p99 at {s.Rate:N0}/s", f.Name, results[f.Name].Select(r => r.P99).ToList(), results["raw"].Select(r => r.P99).ToList(), "ms", cpu, decimals: 2));
        }

        return rows;
    }

    private static async Task<List<string[]>> RpcAsync(string url, Settings s)
    {
        Console.WriteLine($"== rpc: {s.Calls:N0} sequential calls (latency), then {s.Calls:N0} with {RpcMeasure.Parallel} in flight (throughput)");
        var supported = new List<Framework>();
        foreach (var f in s.Frameworks)
        {
            if (await f.RpcAsync(url, Math.Min(s.Calls, 500)) is null)
            {
                Console.WriteLine($"  {f.Name}: n/a (no request/reply over RabbitMQ)");
            }
            else
            {
                supported.Add(f);
            }
        }

        var results = supported.ToDictionary(f => f.Name, _ => new List<RpcResult>());
        for (var round = 0; round < s.Rounds; round++)
        {
            var line = new StringBuilder($"round {round + 1}:");
            foreach (var f in Order(supported, round))
            {
                var r = (await f.RpcAsync(url, s.Calls))!;
                results[f.Name].Add(r);
                line.Append(CultureInfo.InvariantCulture, $"  {f.Name} p50 {r.Sequential.P50:F3} ms p99 {r.Sequential.P99:F3} ms, {r.Parallel.PerSecond:N0} calls/s ({r.Parallel.CpuMicroseconds:F0} µs CPU, {r.Parallel.AllocatedBytes / 1024:F1} KiB/call)");
            }

            Console.WriteLine(line);
        }

        var rows = new List<string[]>();
        var raw = results["raw"];
        foreach (var f in supported)
        {
            var mine = results[f.Name];
            rows.Add(Row("rpc p50, sequential", f.Name, mine.Select(r => r.Sequential.P50).ToList(), raw.Select(r => r.Sequential.P50).ToList(), "ms", mine.Select(r => r.Sequential.CpuMicroseconds), decimals: 3));
            rows.Add(Row("rpc p99, sequential", f.Name, mine.Select(r => r.Sequential.P99).ToList(), raw.Select(r => r.Sequential.P99).ToList(), "ms", mine.Select(r => r.Sequential.CpuMicroseconds), decimals: 3));
            rows.Add(Row($"rpc, {RpcMeasure.Parallel} in flight", f.Name, mine.Select(r => r.Parallel.PerSecond).ToList(), raw.Select(r => r.Parallel.PerSecond).ToList(), "calls/s", mine.Select(r => r.Parallel.CpuMicroseconds), mine.Select(r => r.Parallel.AllocatedBytes)));
        }

        return rows;
    }

    private static async Task<List<string[]>> ColdStartAsync(string url, Settings s)
    {
        Console.WriteLine($"== cold start: launch → first handled message (the process publishes one message to itself), peak RSS; {s.Launches} launch(es) each after one unmeasured");
        var variants = await ColdStart.VariantsAsync(s.Frameworks, s.Samples);
        foreach (var v in variants)
        {
            await ColdStart.LaunchAsync(v, url); // warms the page cache and declares the queues
        }

        var results = variants.ToDictionary(v => v.Name, _ => new List<ColdStart.Launch>());
        for (var launch = 0; launch < s.Launches; launch++)
        {
            var line = new StringBuilder($"launch {launch + 1}:");
            foreach (var v in Enumerable.Range(0, variants.Count).Select(i => variants[(i + launch) % variants.Count]))
            {
                var r = await ColdStart.LaunchAsync(v, url);
                results[v.Name].Add(r);
                line.Append(CultureInfo.InvariantCulture, $"  {v.Name} {r.Milliseconds:F0} ms {r.PeakRssMiB:F0} MiB");
            }

            Console.WriteLine(line);
        }

        var raw = results["raw (JIT)"].Select(r => r.Milliseconds).ToList();
        var rows = new List<string[]>();
        foreach (var v in variants)
        {
            var times = results[v.Name].Select(r => r.Milliseconds).ToList();
            var row = Row("cold start", v.Name, times, raw, "ms", cpu: null, decimals: 0);
            row[2] += string.Create(CultureInfo.InvariantCulture, $", peak RSS {Median(results[v.Name].Select(r => r.PeakRssMiB)):F0} MiB");
            rows.Add(row);
        }

        return rows;
    }

    private static string[] Row(string scenario, string framework, List<double> values, List<double> raw, string unit, IEnumerable<double>? cpu, IEnumerable<double>? allocated = null, int decimals = 0)
    {
        var format = decimals == 0 ? "N0" : "F" + decimals.ToString(CultureInfo.InvariantCulture);
        var ratios = values.Zip(raw, (v, r) => v / r).ToList();
        return
        [
            scenario,
            framework,
            Median(values).ToString(format, CultureInfo.InvariantCulture) + " " + unit,
            values.Count > 1 ? values.Min().ToString(format, CultureInfo.InvariantCulture) + "–" + values.Max().ToString(format, CultureInfo.InvariantCulture) : "",
            Median(ratios).ToString("F2", CultureInfo.InvariantCulture),
            cpu is null ? "" : Median(cpu).ToString("F1", CultureInfo.InvariantCulture),
            allocated is null ? "" : (Median(allocated) / 1024).ToString("F1", CultureInfo.InvariantCulture),
        ];
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

    private static string CpuModel() =>
        File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?"
            : RuntimeInformation.ProcessArchitecture.ToString();

    private static string MemoryGiB() =>
        (GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024)).ToString("F0", CultureInfo.InvariantCulture);

    private static string BrokerVersion(string url)
    {
        try
        {
            using var connection = RawScenarios.Factory(url).CreateConnectionAsync("bench-version").GetAwaiter().GetResult();
            var properties = connection.ServerProperties;
            string Text(string key) => properties is not null && properties.TryGetValue(key, out var v) && v is byte[] b ? Encoding.UTF8.GetString(b) : "?";
            return $"{Text("product")} {Text("version")}";
        }
        catch (Exception ex)
        {
            return $"unknown ({ex.Message})";
        }
    }
}

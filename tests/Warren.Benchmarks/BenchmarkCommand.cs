using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;
using BenchmarkDotNet.Running;
using Warren.Benchmarks.Compare;
using Warren.Testing;

namespace Warren.Benchmarks;

internal static class BenchmarkCommand
{
    private const string Usage = """
        usage: dotnet run -c Release --project tests/Warren.Benchmarks -- <command> [options]
          all        every scenario below for every framework, alternating within each round (5–15 min on 2 cores)
          publish    confirmed persistent publishing                     [--messages 30000] [--size 256]
          consume    consuming a pre-filled queue                        [--messages 30000]
          e2e        publishing with confirms while a consumer acks      [--messages 30000]
          latency    publish → handled p50/p99 at a fixed rate           [--rate 2000] [--latency-messages 10000]
          rpc        sequential p50/p99, then throughput with 64 in flight [--calls 3000]
          coldstart  launch → first handled message and peak RSS; Warren also as the worker sample published
                     with JIT, ReadyToRun and NativeAOT (published to artifacts/bench/ when missing or stale)
                     [--launches 5] [--no-samples]
            common:  [--frameworks raw,warren,masstransit,wolverine] (raw always runs: ratios are to raw)
                     [--rounds 3] [--smoke] (small counts, one round: proves the benchmark works, measures nothing)
          otel       the e2e scenario through Warren without a listener vs with the OpenTelemetry SDK attached:
                     full (every span sampled and exported, metrics), sampled (ParentBased(TraceIdRatio 0.1), metrics),
                     metrics (meter only); msg/s, client CPU µs and bytes allocated per message, GCs, paired ratios
                     [--messages 100000] [--rounds 3] [--modes full,sampled,metrics] (also: propagation, an ambient
                     activity and no listener: the traceparent header alone; spans, full without the meter; raw, the
                     raw client loop untraced and with the same two spans made by hand, the SDK attached as in spans;
                     with spans and raw, a last line: what Warren's spans add beyond the hand-made ones);
                     WARREN_BENCH_ALLOC_TYPES=1 also prints sampled bytes per message by type for each run
          generator  what Warren adds to a clean build, at 200 and 2,000 consumers (or --classes N) [--rounds 5]:
                     overhead over a build with only System.Text.Json's generator, analyzers, incremental edits
                     [--breakdown] (the generator's run time and what compiling each kind of generated file adds)
                     [--analyzers] (Warren's analyzers alone: CPU time and each analyzer's execution time)
                     [--steps] (the generator alone, warm: run time and each pipeline step's time, medians of --rounds)
                     [--phases] (clean builds with System.Text.Json's generator only, with Warren's generator run but
                     its files not compiled, and with both: what the run and what compiling its output add)
                     [--dump DIR] (writes the synthetic project's generated files to DIR, for --classes N)
                     [--variants DIR1,DIR2,…] (compiles the synthetic sources with each directory's .cs files, alternating,
                     for --classes N: CPU medians and each one's difference from the first; for edited copies of a dump)
          channels   confirmed publishing through Warren at 1, 2 and 4 publishing channels [--messages 100000]
          batch      consuming a pre-filled queue: raw one-ack loop, Warren per message, Warren BatchDispatcher
                     [--messages 30000] [--batch 100] [--rounds 3]
          wire       publish variants (raw, warren, warren-each, raw-ts) on one node with the broker's CPU (its beam.smp's,
                     from /proc), client CPU, syscalls and TCP segments and bytes sent per message (from `ss -ti`)
                     wire raw,warren [--messages 30000] [--rounds 6]
          micro      BenchmarkDotNet in-process benchmarks (per-message work without a broker, header parsing);
                     arguments after `micro` go to BenchmarkDotNet (e.g. --filter '*')
        The broker is WARREN_BENCH_AMQP_URL when set, otherwise a private node started for the run.
        """;

    private static readonly HashSet<string> Flags = new(StringComparer.Ordinal) { "smoke", "no-samples", "breakdown", "analyzers", "steps", "phases" };

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help")
        {
            Console.WriteLine(Usage);
            return args.Length == 0 ? 1 : 0;
        }

        var command = args[0];
        switch (command)
        {
            case "micro":
                BenchmarkSwitcher.FromAssembly(typeof(BenchmarkCommand).Assembly).Run(args[1..]);
                return 0;
            case "generator":
            {
                var options = Options(args[1..]);
                int[] sizes = options.ContainsKey("classes") ? [Int(options, "classes", 1000)] : [200, 2000];
                if (options.TryGetValue("variants", out var dirs))
                {
                    return GeneratorBenchmark.Variants(sizes[0], Int(options, "rounds", 5), dirs.Split(','));
                }

                if (options.TryGetValue("dump", out var directory))
                {
                    return GeneratorBenchmark.Dump(sizes[0], directory);
                }

                return GeneratorBenchmark.Run(sizes, Int(options, "rounds", 5), options.ContainsKey("breakdown"), options.ContainsKey("analyzers"), options.ContainsKey("steps"), options.ContainsKey("phases"));
            }

            case "coldstart-child":
            {
                var framework = args.Length > 1 ? CompareCommand.Find(args[1]) : null;
                var url = Environment.GetEnvironmentVariable("WARREN_BENCH_AMQP_URL");
                if (framework is null || string.IsNullOrEmpty(url))
                {
                    Console.Error.WriteLine("coldstart-child <framework> runs inside the coldstart scenario (WARREN_BENCH_AMQP_URL set)");
                    return 2;
                }

                return await ColdStart.ChildAsync(framework, url);
            }

            case "wire":
            {
                if (args.Length < 2 || args[1].StartsWith("--", StringComparison.Ordinal))
                {
                    Console.Error.WriteLine("wire <variants, comma-separated: raw, warren, warren-each, raw-ts> [--messages N] [--rounds N]");
                    return 1;
                }

                var options = Options(args[2..]);
                return await PublishProbe.RunAsync(args[1].Split(','), Int(options, "messages", 30_000), Int(options, "size", 256), Int(options, "rounds", 6));
            }

            case "channels":
            {
                var options = Options(args[1..]);
                return await WithBrokerAsync(url => PublishChannelsScenario.RunAsync(url, Int(options, "messages", 100_000), Int(options, "size", 256), Int(options, "rounds", 3)));
            }

            case "batch":
            {
                var options = Options(args[1..]);
                return await WithBrokerAsync(url => BatchConsumeScenario.RunAsync(url, Int(options, "messages", 30_000), Int(options, "size", 256), Int(options, "rounds", 3), Int(options, "batch", 100)));
            }

            case "otel":
            {
                var options = Options(args[1..]);
                var modes = options.TryGetValue("modes", out var list) ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : OpenTelemetryScenario.DefaultModes;
                if (modes.Length == 0 || modes.Except(OpenTelemetryScenario.AllModes).Any())
                {
                    Console.Error.WriteLine($"--modes takes {string.Join(",", OpenTelemetryScenario.AllModes)}, got '{list}'");
                    return 1;
                }

                return await WithBrokerAsync(url => OpenTelemetryScenario.RunAsync(url, Int(options, "messages", 100_000), Int(options, "size", 256), Int(options, "rounds", 3), modes));
            }
        }

        var scenarios = command == "all" ? CompareCommand.AllScenarios : [command];
        CompareCommand.Settings settings;
        try
        {
            settings = CompareCommand.Parse(scenarios, Options(args[1..]));
        }
        catch (ArgumentException ex)
        {
            Console.Error.WriteLine(ex.Message);
            Console.Error.WriteLine(Usage);
            return 1;
        }

        return await WithBrokerAsync(url => CompareCommand.RunAsync(url, settings));
    }

    private static async Task<int> WithBrokerAsync(Func<string, Task<int>> run)
    {
        var url = Environment.GetEnvironmentVariable("WARREN_BENCH_AMQP_URL");
        if (!string.IsNullOrEmpty(url))
        {
            return await run(url);
        }

        Console.WriteLine("starting a private RabbitMQ node ...");
        await using var node = await PrivateBroker.StartAsync();
        return await run(node.AmqpUrl);
    }

    private static int Int(Dictionary<string, string> options, string name, int fallback) =>
        !options.TryGetValue(name, out var text) ? fallback
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0 ? value
        : throw new ArgumentException($"--{name} needs a positive number, got '{text}'");

    private static Dictionary<string, string> Options(string[] args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"expected --name [value], got '{args[i]}'");
            }

            var name = args[i][2..];
            if (Flags.Contains(name))
            {
                options[name] = "true";
            }
            else if (i + 1 < args.Length)
            {
                options[name] = args[++i];
            }
            else
            {
                throw new ArgumentException($"--{name} needs a value");
            }
        }

        return options;
    }
}

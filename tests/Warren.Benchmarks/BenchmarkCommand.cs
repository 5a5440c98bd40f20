using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;
using BenchmarkDotNet.Running;
using Warren.Testing;

namespace Warren.Benchmarks;

internal static class BenchmarkCommand
{
    private const string Usage = """
        usage: dotnet run -c Release --project tests/Warren.Benchmarks -- <scenario> [--messages N] [--size BYTES] [--rounds R]
          e2e       publish with confirms while a consumer acks, raw RabbitMQ.Client vs Warren
          otel      the e2e scenario through Warren without a listener vs with OpenTelemetry tracing (every span
                    sampled and exported) and metrics attached
          publish   confirmed publishing only
          consume   consuming a pre-filled queue only
          generator what Warren adds to a clean build, at 200 and 2,000 consumers (or --classes N) [--rounds 5]:
                    overhead over a build with only System.Text.Json's generator, analyzers, incremental edits
          channels  confirmed publishing through Warren at 1, 2 and 4 publishing channels
          rpc       RPC round trips [--calls 20000]: p50/p99 sequential, throughput with 64 in flight
          micro     BenchmarkDotNet in-process benchmarks (header parsing)
        The broker is WARREN_BENCH_AMQP_URL when set, otherwise a private node started for the run.
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help")
        {
            Console.WriteLine(Usage);
            return args.Length == 0 ? 1 : 0;
        }

        var scenario = args[0];
        if (scenario == "generator")
        {
            var generatorOptions = Options(args[1..]);
            int[] sizes = generatorOptions.TryGetValue("classes", out var classes) ? [classes] : [200, 2000];
            return GeneratorBenchmark.Run(sizes, generatorOptions.GetValueOrDefault("rounds", 5));
        }

        if (scenario == "micro")
        {
            BenchmarkSwitcher.FromAssembly(typeof(BenchmarkCommand).Assembly).Run(args[1..]);
            return 0;
        }

        if (scenario == "rpc")
        {
            var rpcOptions = Options(args[1..]);
            return await WithBrokerAsync(url => RpcScenarios.RunAsync(url, rpcOptions.GetValueOrDefault("calls", 20_000), rpcOptions.GetValueOrDefault("rounds", 3)));
        }

        if (scenario == "channels")
        {
            var channelOptions = Options(args[1..]);
            return await WithBrokerAsync(url => PublishChannelsScenario.RunAsync(url, channelOptions.GetValueOrDefault("messages", 100_000), channelOptions.GetValueOrDefault("size", 256), channelOptions.GetValueOrDefault("rounds", 3)));
        }

        var options = Options(args[1..]);
        var messages = options.GetValueOrDefault("messages", 100_000);
        var size = options.GetValueOrDefault("size", 256);
        var rounds = options.GetValueOrDefault("rounds", 3);
        var (baseline, baselineName, measured, measuredName) = scenario == "otel"
            ? ("warren", "Warren", "warren+otel", "Warren with OpenTelemetry")
            : ("raw", "raw", "warren", "Warren");
        Func<string, int, int, Task<double>>? raw = scenario switch
        {
            "otel" => WarrenScenarios.EndToEndAsync,
            "e2e" => RawScenarios.EndToEndAsync,
            "publish" => RawScenarios.PublishAsync,
            "consume" => RawScenarios.ConsumeAsync,
            _ => null,
        };
        Func<string, int, int, Task<double>>? warren = scenario switch
        {
            "otel" => OpenTelemetryScenario.EndToEndAsync,
            "e2e" => WarrenScenarios.EndToEndAsync,
            "publish" => WarrenScenarios.PublishAsync,
            "consume" => WarrenScenarios.ConsumeAsync,
            _ => null,
        };
        if (raw is null || warren is null)
        {
            Console.Error.WriteLine($"unknown scenario '{scenario}'");
            Console.Error.WriteLine(Usage);
            return 1;
        }

        var url = Environment.GetEnvironmentVariable("WARREN_BENCH_AMQP_URL");
        PrivateBroker? node = null;
        if (string.IsNullOrEmpty(url))
        {
            Console.WriteLine("starting a private RabbitMQ node ...");
            node = await PrivateBroker.StartAsync();
            url = node.AmqpUrl;
        }

        try
        {
            Console.WriteLine($"{scenario}: {messages} messages of {size} bytes, {rounds} rounds ({baselineName}, then {measuredName})");
            await raw(url, Math.Min(messages, 5_000), size); // warm-up: JIT, broker queues, connections
            await warren(url, Math.Min(messages, 5_000), size);
            var ratios = new List<double>();
            for (var round = 1; round <= rounds; round++)
            {
                var r = await raw(url, messages, size);
                var w = await warren(url, messages, size);
                ratios.Add(w / r);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {round}: {baseline} {r,10:N0} msg/s   {measured} {w,10:N0} msg/s   ratio {w / r:F2}"));
            }

            var median = ratios.Order().ElementAt(ratios.Count / 2);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{scenario} ratio {measured}/{baseline}: {median:F2}"));
            return 0;
        }
        finally
        {
            if (node is not null)
            {
                await node.DisposeAsync();
            }
        }
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

    private static Dictionary<string, int> Options(string[] args)
    {
        var options = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || !int.TryParse(args[i + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value <= 0)
            {
                throw new ArgumentException($"expected --name positive-number, got '{args[i]} {args[i + 1]}'");
            }

            options[args[i][2..]] = value;
        }

        return options;
    }
}

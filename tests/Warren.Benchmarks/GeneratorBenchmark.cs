using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Warren.Generators;

namespace Warren.Benchmarks;

/// <summary>
/// Runs the generator on a synthetic compilation with N consumer classes (each with its own message, exchange binding
/// and queue): the time of a full run, and whether an unrelated edit is served entirely from the cache.
/// </summary>
internal static class GeneratorBenchmark
{
    public static int Run(int classes, int rounds)
    {
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Append(typeof(IPublisher).Assembly.Location)
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToList();
        var trees = Enumerable.Range(0, classes).Select(i => CSharpSyntaxTree.ParseText(Source(i), parse, path: $"Handler{i}.cs")).ToList();
        var compilation = CSharpCompilation.Create("Synthetic", trees, references, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        Console.WriteLine($"generator: {classes} consumer classes, {rounds} full runs");

        var times = new double[rounds];
        GeneratorDriver? last = null;
        for (var round = 0; round < rounds + 1; round++)
        {
            var driver = CSharpGeneratorDriver.Create([new WarrenGenerator().AsSourceGenerator()], parseOptions: parse,
                driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
            var watch = Stopwatch.StartNew();
            last = driver.RunGenerators(compilation);
            watch.Stop();
            if (round > 0)
            {
                times[round - 1] = watch.Elapsed.TotalMilliseconds; // round 0 warms the JIT
            }
        }

        var result = last!.GetRunResult();
        var generated = result.Results[0].GeneratedSources.Length;
        var edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace Elsewhere; public static class Unrelated { public static int Answer => 42; }", parse));
        var watchEdit = Stopwatch.StartNew();
        var afterEdit = last.RunGenerators(edited).GetRunResult();
        watchEdit.Stop();
        var steps = afterEdit.Results[0].TrackedSteps.Where(s => s.Key.StartsWith("Warren.", StringComparison.Ordinal)).SelectMany(s => s.Value).SelectMany(s => s.Outputs).ToList();
        var cached = steps.All(o => o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged)
            && afterEdit.Results[0].TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).All(o => o.Reason == IncrementalStepRunReason.Cached);

        var median = times.Order().ElementAt(times.Length / 2);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"full run: median {median:F0} ms (min {times.Min():F0}, max {times.Max():F0}), {generated} files generated"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"unrelated edit: {watchEdit.Elapsed.TotalMilliseconds:F0} ms, every step cached: {(cached ? "yes" : "no")}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"generator full run ms: {median:F0} (target < 1000)"));
        return cached && median < 1000 ? 0 : 1;
    }

    private static string Source(int i) => new StringBuilder()
        .AppendLine("using System.Threading;")
        .AppendLine("using System.Threading.Tasks;")
        .AppendLine("using Warren;")
        .AppendLine($"namespace Synthetic.Area{i % 20};")
        .AppendLine($"[Exchange(\"events.{i % 10}\", ExchangeKind.Topic)]")
        .AppendLine($"[Topic(\"entity{i}.{{Region}}.changed\")]")
        .AppendLine($"public sealed record Changed{i}(string Id, string Region);")
        .AppendLine($"[Queue(\"handler-{i}\", Prefetch = 10)]")
        .AppendLine($"public sealed class Handler{i}")
        .AppendLine("{")
        .AppendLine($"    [Topic(\"entity{i}.*.changed\")]")
        .AppendLine($"    public Task Handle(Changed{i} message, CancellationToken ct) => Task.CompletedTask;")
        .AppendLine("}")
        .ToString();
}

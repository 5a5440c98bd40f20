using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Warren.Analyzers;
using Warren.Generators;

namespace Warren.Benchmarks;

/// <summary>
/// What Warren adds to a build. A synthetic project of N consumer classes (each with its own message, exchange binding
/// and queue) and one JsonSerializerContext listing the messages is built from source text, in process, the way csc
/// does: parse, run the generators, compile everything to IL. A clean build with only System.Text.Json's generator is
/// the baseline; the same build with Warren's generator added is compared with it (the overhead ratio), and Warren's
/// analyzers are timed on top. Then the generator alone: a warm full run, an unrelated edit, and an edit of one
/// consumer, which must re-emit that consumer's files only.
/// </summary>
internal static class GeneratorBenchmark
{
    private static readonly CSharpParseOptions Parse = new(LanguageVersion.Latest);

    public static int Run(IReadOnlyList<int> sizes, int rounds, bool breakdown = false, bool analyzers = false, bool steps = false, bool phases = false)
    {
        var json = LoadJsonGenerator();
        var references = References();
        var ok = true;
        Console.WriteLine($"load average at start: {LoadAverage()}");
        foreach (var classes in sizes)
        {
            if (phases)
            {
                Phases(classes, rounds, json, references);
                continue;
            }

            if (analyzers)
            {
                AnalyzerTimes(classes, rounds, json, references);
                continue;
            }

            if (breakdown)
            {
                Breakdown(classes, json, references);
                continue;
            }

            if (steps)
            {
                StepTimes(classes, rounds, json, references);
                continue;
            }

            ok &= Measure(classes, rounds, json, references);
        }

        Console.WriteLine($"load average at end: {LoadAverage()}");
        return ok ? 0 : 1;
    }

    /// <summary>The 1-, 5- and 15-minute load averages, which say how far a run on a shared machine can be trusted.</summary>
    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

    /// <summary>
    /// Where Warren's share of a clean build goes: the build with System.Text.Json's generator only, the build running
    /// both generators but compiling without Warren's files (what running Warren's generator costs the build, its
    /// driver work and memory included), and the full build, alternating round by round.
    /// </summary>
    private static void Phases(int classes, int rounds, ISourceGenerator json, ImmutableArray<MetadataReference> references)
    {
        var sources = Enumerable.Range(0, classes).Select(i => (Path: $"Handler{i}.cs", Text: Source(i))).Append(("Json.cs", JsonContext(classes))).ToList();
        var jsonOnly = new List<double>();
        var generatorOnly = new List<double>();
        var both = new List<double>();
        for (var round = 0; round <= rounds; round++)
        {
            var a = Build(sources, references, [json], out _);
            var b = Build(sources, references, [json, new WarrenGenerator().AsSourceGenerator()], out _, dropWarrenFiles: true);
            var c = Build(sources, references, [json, new WarrenGenerator().AsSourceGenerator()], out _);
            if (round > 0)
            {
                jsonOnly.Add(a);
                generatorOnly.Add(b);
                both.Add(c);
            }
        }

        var baseline = Median(jsonOnly);
        Console.WriteLine($"generator at {classes} consumers, phases of a clean build, medians of {rounds} (CPU):");
        Console.WriteLine(Invariant($"  System.Text.Json's generator only:                 {baseline,6:F0} ms (min {jsonOnly.Min():F0})"));
        Console.WriteLine(Invariant($"  + Warren's generator run, its files not compiled:  {Median(generatorOnly),6:F0} ms (min {generatorOnly.Min():F0}), {Median(generatorOnly) - baseline:+0;-0;0} ms"));
        Console.WriteLine(Invariant($"  + Warren's files compiled (the whole build):        {Median(both),6:F0} ms (min {both.Min():F0}), {Median(both) - Median(generatorOnly):+0;-0;0} ms more, {(Median(both) - baseline) / baseline * 100:+0.0;-0.0} % in all"));
    }

    /// <summary>Writes what the generators produce for the synthetic project of <paramref name="classes"/> consumers.</summary>
    public static int Dump(int classes, string directory)
    {
        var sources = Enumerable.Range(0, classes).Select(i => CSharpSyntaxTree.ParseText(Source(i), Parse, $"Handler{i}.cs")).Append(CSharpSyntaxTree.ParseText(JsonContext(classes), Parse, "Json.cs"));
        var compilation = CSharpCompilation.Create("Synthetic", sources, References(), Options);
        CreateDriver([LoadJsonGenerator(), new WarrenGenerator().AsSourceGenerator()]).RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        Directory.CreateDirectory(directory);
        foreach (var tree in output.SyntaxTrees.Skip(classes + 1))
        {
            File.WriteAllText(Path.Combine(directory, Path.GetFileName(tree.FilePath)), tree.ToString());
        }

        var errors = output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Console.WriteLine($"{output.SyntaxTrees.Count() - classes - 1} generated files written to {directory}, {errors.Count} compiler errors");
        return errors.Count == 0 ? 0 : 1;
    }

    /// <summary>
    /// What compiling other generated code would cost, before a generator is changed to write it: the synthetic sources of
    /// <paramref name="classes"/> consumers are compiled (parsed, bound, emitted, no generator run) with the <c>.cs</c>
    /// files of each directory in turn (typically a <c>--dump</c> and copies of it edited by hand), the variants
    /// alternating round by round; prints each one's CPU median and its difference from the first directory's. Each
    /// directory completes the compilation: System.Text.Json's generated files (or a stub of the context) included.
    /// </summary>
    public static int Variants(int classes, int rounds, string[] directories)
    {
        var references = References();
        var sources = Enumerable.Range(0, classes).Select(i => (Path: $"Handler{i}.cs", Text: Source(i))).Append((Path: "Json.cs", Text: JsonContext(classes))).ToList();
        var variants = directories.Select(d => sources.Concat(Directory.GetFiles(d, "*.cs").Select(f => (Path: f, Text: File.ReadAllText(f)))).ToList()).ToList();
        var times = variants.Select(_ => new List<double>()).ToList();
        Console.WriteLine($"load average at start: {LoadAverage()}");
        for (var round = 0; round <= rounds; round++)
        {
            for (var v = 0; v < variants.Count; v++)
            {
                var watch = CpuWatch.StartNew();
                var compilation = CSharpCompilation.Create("Synthetic", variants[v].Select(s => CSharpSyntaxTree.ParseText(s.Text, Parse, s.Path)), references, Options);
                using var stream = new MemoryStream();
                var result = compilation.Emit(stream);
                watch.Stop();
                if (!result.Success)
                {
                    Console.WriteLine(directories[v] + ": " + string.Join("; ", result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Take(5)));
                    return 1;
                }

                if (round > 0)
                {
                    times[v].Add(watch.Elapsed.TotalMilliseconds);
                }
            }
        }

        for (var v = 0; v < variants.Count; v++)
        {
            Console.WriteLine(Invariant($"  {directories[v],-30} median {Median(times[v]):F0} ms (min {times[v].Min():F0}), {Median(times[v]) - Median(times[0]):+0;-0;0} ms against the first"));
        }

        Console.WriteLine($"load average at end: {LoadAverage()}");

        return 0;
    }

    private static bool Measure(int classes, int rounds, ISourceGenerator json, ImmutableArray<MetadataReference> references)
    {
        var sources = Enumerable.Range(0, classes).Select(i => (Path: $"Handler{i}.cs", Text: Source(i))).Append(("Json.cs", JsonContext(classes))).ToList();
        Console.WriteLine($"generator: {classes} consumer classes + a JsonSerializerContext of their messages, {rounds} clean builds each way");

        // Alternate the two builds so drift (JIT, GC, other load) hits both alike; the first of each warms up.
        var baseline = new List<double>();
        var withWarren = new List<double>();
        var analyzers = new List<double>();
        for (var round = 0; round <= rounds; round++)
        {
            var jsonOnly = Build(sources, references, [json], out _);
            var both = Build(sources, references, [json, new WarrenGenerator().AsSourceGenerator()], out var compilation);
            // What the analyzers add to the compiler's own analysis: all diagnostics with them, minus without them.
            var compilerOnly = CpuWatch.StartNew();
            compilation.Clone().GetDiagnostics();
            compilerOnly.Stop();
            var watch = CpuWatch.StartNew();
            var warrenDiagnostics = compilation.Clone().WithAnalyzers([new SymbolRulesAnalyzer(), new CompilationRulesAnalyzer()]).GetAllDiagnosticsAsync().GetAwaiter().GetResult();
            watch.Stop();
            if (round == 0)
            {
                if (warrenDiagnostics.Any(d => d.Severity == DiagnosticSeverity.Error || d.Id.StartsWith("WRN", StringComparison.Ordinal)))
                {
                    Console.WriteLine("  the synthetic project has errors or Warren diagnostics: " + string.Join("; ", warrenDiagnostics.Take(3)));
                    return false;
                }

                continue;
            }

            baseline.Add(jsonOnly);
            withWarren.Add(both);
            analyzers.Add(Math.Max(0, (watch.Elapsed - compilerOnly.Elapsed).TotalMilliseconds));
        }

        var b = Median(baseline);
        var w = Median(withWarren);
        var a = Median(analyzers);
        var overhead = (w - b) / b * 100;
        var overheadWithAnalyzers = (w + a - b) / b * 100;
        Console.WriteLine(Invariant($"  clean build, System.Text.Json generator only: median {b:F0} ms CPU (min {baseline.Min():F0}, max {baseline.Max():F0})"));
        Console.WriteLine(Invariant($"  clean build, with Warren's generator:         median {w:F0} ms CPU (min {withWarren.Min():F0}, max {withWarren.Max():F0})"));
        Console.WriteLine(Invariant($"  Warren's analyzers on that compilation:       median {a:F0} ms CPU"));
        Console.WriteLine(Invariant($"  overhead at {classes} consumers: generator +{overhead:F1} % (target <= 15 %), generator and analyzers +{overheadWithAnalyzers:F1} %"));
        return Incremental(classes, sources, references) && overhead <= 15;
    }

    /// <summary>
    /// Where the time of a build with Warren goes: the generators' output is compiled (parsed, bound, emitted) without
    /// Warren's files, then with each kind of Warren file added in turn, alternating, so each increment is what that kind
    /// costs the compiler. (Binding one tree at a time would not do: the compiler's per-tree diagnostics walk the whole
    /// namespace for CLS compliance and documentation comments, so summed per-file times grow with the file count.)
    /// </summary>
    private static void Breakdown(int classes, ISourceGenerator json, ImmutableArray<MetadataReference> references)
    {
        var sources = Enumerable.Range(0, classes).Select(i => (Path: $"Handler{i}.cs", Text: Source(i))).Append((Path: "Json.cs", Text: JsonContext(classes))).ToList();
        var compilation = CSharpCompilation.Create("Synthetic", sources.Select(s => CSharpSyntaxTree.ParseText(s.Text, Parse, s.Path)), references, Options);
        CreateDriver([json, new WarrenGenerator().AsSourceGenerator()]).RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        var files = output.SyntaxTrees.Select(t => (Path: t.FilePath, Text: t.ToString())).ToList();
        // Warren.Contracts.g.cs → Contracts; Warren.Dispatchers07.g.cs → Dispatchers (a file per group of consumers).
        static string Kind(string path) => path.Contains("Warren.Generators", StringComparison.Ordinal) ? Path.GetFileName(path).Split('.')[^3].TrimEnd("0123456789".ToCharArray()) : string.Empty;
        var kinds = new[] { "Contracts", "Dispatchers", "Topology", "Registration", "Manifest" };
        var steps = Enumerable.Range(0, kinds.Length + 1).Select(n => (Name: n == 0 ? "without Warren's files" : "+ " + kinds[n - 1], Kinds: kinds.Take(n).Append("Module").Append(string.Empty).ToHashSet(StringComparer.Ordinal))).ToList();
        var times = steps.Select(_ => new List<double>()).ToList();
        for (var round = 0; round < 4; round++)
        {
            for (var step = 0; step < steps.Count; step++)
            {
                var watch = CpuWatch.StartNew();
                var subset = CSharpCompilation.Create("Synthetic", files.Where(f => steps[step].Kinds.Contains(Kind(f.Path))).Select(f => CSharpSyntaxTree.ParseText(f.Text, Parse, f.Path)), references, Options);
                using var stream = new MemoryStream();
                subset.Emit(stream);
                watch.Stop();
                if (round > 0)
                {
                    times[step].Add(watch.Elapsed.TotalMilliseconds);
                }
            }
        }

        var warren = new List<double>();
        for (var round = 0; round < 4; round++)
        {
            var watch = CpuWatch.StartNew();
            CreateDriver([new WarrenGenerator().AsSourceGenerator()]).RunGenerators(compilation.Clone());
            watch.Stop();
            warren.Add(watch.Elapsed.TotalMilliseconds);
        }

        Console.WriteLine(Invariant($"breakdown at {classes}: Warren's generator run median {Median(warren):F0} ms CPU; compiling the generated code (medians of 3):"));
        for (var step = 0; step < steps.Count; step++)
        {
            var kind = step == 0 ? null : kinds[step - 1];
            var count = kind is null ? 0 : files.Count(f => Kind(f.Path) == kind);
            var size = kind is null ? 0 : files.Where(f => Kind(f.Path) == kind).Sum(f => f.Text.Length) / 1024;
            var added = step == 0 ? Median(times[0]) : Median(times[step]) - Median(times[step - 1]);
            Console.WriteLine(Invariant($"  {steps[step].Name,-24} {Median(times[step]),7:F0} ms ({(step == 0 ? "" : "+")}{added:F0} ms{(kind is null ? "" : $", {count} files, {size} KiB")})"));
        }
    }

    /// <summary>
    /// Warren's generator alone, warm, each round on fresh symbols (a clone of the compilation, as csc has): the CPU and
    /// wall time of a run as csc runs it (no step tracking), on its own and after System.Text.Json's generator has run on
    /// the same compilation (as in a build, where the symbols both bind are bound once); then, from a run with step
    /// tracking, the time each named step took (summed over its inputs; Roslyn's own steps of
    /// ForAttributeWithMetadataName, if any, summed over every call).
    /// </summary>
    private static void StepTimes(int classes, int rounds, ISourceGenerator json, ImmutableArray<MetadataReference> references)
    {
        var sources = Enumerable.Range(0, classes).Select(i => (Path: $"Handler{i}.cs", Text: Source(i))).Append((Path: "Json.cs", Text: JsonContext(classes))).ToList();
        var compilation = CSharpCompilation.Create("Synthetic", sources.Select(s => CSharpSyntaxTree.ParseText(s.Text, Parse, s.Path)), references, Options);
        var alone = new List<double>();
        var aloneWall = new List<double>();
        var afterJson = new List<double>();
        var afterJsonWall = new List<double>();
        var steps = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        for (var round = 0; round <= rounds; round++)
        {
            var (cpu, wall) = TimeWarren(compilation.Clone());
            var clone = compilation.Clone();
            CreateDriver([json]).RunGenerators(clone);
            var (cpuAfter, wallAfter) = TimeWarren(clone);
            var tracked = CreateDriver([new WarrenGenerator().AsSourceGenerator()], track: true).RunGenerators(compilation.Clone()).GetRunResult().Results[0];
            if (round == 0)
            {
                continue;
            }

            alone.Add(cpu);
            aloneWall.Add(wall);
            afterJson.Add(cpuAfter);
            afterJsonWall.Add(wallAfter);
            foreach (var (name, runs) in tracked.TrackedSteps)
            {
                if (!steps.TryGetValue(name, out var list))
                {
                    steps[name] = list = [];
                }

                list.Add(runs.Sum(run => run.ElapsedTime.TotalMilliseconds));
            }
        }

        Console.WriteLine(Invariant($"generator at {classes} consumers, warm, medians of {rounds} (CPU; wall in brackets):"));
        Console.WriteLine(Invariant($"  alone:                                 {Median(alone),5:F0} ms (min {alone.Min():F0}) [{Median(aloneWall):F0} ms]"));
        Console.WriteLine(Invariant($"  after System.Text.Json's, as in a build: {Median(afterJson),5:F0} ms (min {afterJson.Min():F0}) [{Median(afterJsonWall):F0} ms]"));
        Console.WriteLine("  steps of a tracked run, alone (wall):");
        foreach (var (name, list) in steps.OrderByDescending(s => Median(s.Value)).Where(s => Median(s.Value) >= 0.5))
        {
            Console.WriteLine(Invariant($"    {name,-48} {Median(list),7:F1} ms"));
        }

        static (double Cpu, double Wall) TimeWarren(Compilation compilation)
        {
            var cpu = CpuWatch.StartNew();
            var wall = Stopwatch.StartNew();
            CreateDriver([new WarrenGenerator().AsSourceGenerator()]).RunGenerators(compilation);
            wall.Stop();
            cpu.Stop();
            return (cpu.Elapsed.TotalMilliseconds, wall.Elapsed.TotalMilliseconds);
        }
    }

    /// <summary>
    /// Warren's analyzers alone on the compilation of a build with Warren's generator: the execution time the compiler's
    /// analyzer driver records for each (summed over its actions, as they run concurrently), and the CPU time of the run.
    /// </summary>
    private static void AnalyzerTimes(int classes, int rounds, ISourceGenerator json, ImmutableArray<MetadataReference> references)
    {
        var sources = Enumerable.Range(0, classes).Select(i => (Path: $"Handler{i}.cs", Text: Source(i))).Append((Path: "Json.cs", Text: JsonContext(classes))).ToList();
        Build(sources, references, [json, new WarrenGenerator().AsSourceGenerator()], out var compilation);
        var times = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        var cpu = new List<double>();
        for (var round = 0; round <= rounds; round++)
        {
            var analyzers = ImmutableArray.Create<DiagnosticAnalyzer>(new SymbolRulesAnalyzer(), new CompilationRulesAnalyzer());
            var clone = compilation.Clone();
            clone.GetDiagnostics();
            var watch = CpuWatch.StartNew();
            var withAnalyzers = clone.WithAnalyzers(analyzers, new CompilationWithAnalyzersOptions(new AnalyzerOptions([]), onAnalyzerException: null, concurrentAnalysis: true, logAnalyzerExecutionTime: true));
            withAnalyzers.GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();
            watch.Stop();
            if (round == 0)
            {
                continue;
            }

            cpu.Add(watch.Elapsed.TotalMilliseconds);
            foreach (var analyzer in analyzers)
            {
                var telemetry = withAnalyzers.GetAnalyzerTelemetryInfoAsync(analyzer, default).GetAwaiter().GetResult();
                var name = analyzer.GetType().Name;
                if (!times.TryGetValue(name, out var list))
                {
                    times[name] = list = [];
                }

                list.Add(telemetry.ExecutionTime.TotalMilliseconds);
            }
        }

        // The floor: what the compiler's analyzer driver costs for an analyzer that registers the same kinds of
        // actions (named types, compilation start and end) and does nothing in them; measured as Measure does, all
        // diagnostics with the analyzer minus the compiler's diagnostics alone.
        var warren = new List<double>();
        var floor = new List<double>();
        for (var round = 0; round <= rounds; round++)
        {
            var compilerOnly = CpuWatch.StartNew();
            compilation.Clone().GetDiagnostics();
            compilerOnly.Stop();
            var withWarren = CpuWatch.StartNew();
            compilation.Clone().WithAnalyzers([new SymbolRulesAnalyzer(), new CompilationRulesAnalyzer()]).GetAllDiagnosticsAsync().GetAwaiter().GetResult();
            withWarren.Stop();
            var withEmpty = CpuWatch.StartNew();
            compilation.Clone().WithAnalyzers([new EmptyAnalyzer()]).GetAllDiagnosticsAsync().GetAwaiter().GetResult();
            withEmpty.Stop();
            if (round > 0)
            {
                warren.Add((withWarren.Elapsed - compilerOnly.Elapsed).TotalMilliseconds);
                floor.Add((withEmpty.Elapsed - compilerOnly.Elapsed).TotalMilliseconds);
            }
        }

        Console.WriteLine(Invariant($"analyzers at {classes} consumers: Warren's add median {Median(warren):F0} ms CPU to the compiler's diagnostics; an analyzer with the same kinds of actions doing nothing adds {Median(floor):F0} ms"));
        Console.WriteLine(Invariant($"  on a compilation with an event queue: median {Median(cpu):F0} ms CPU for the analyzer diagnostics (compiler diagnostics computed before); execution time per analyzer (medians of {rounds}):"));
        foreach (var (name, list) in times)
        {
            Console.WriteLine(Invariant($"  {name,-26} {Median(list),7:F0} ms"));
        }
    }

    /// <summary>The generator alone on one compilation: full run, unrelated edit, one consumer edited.</summary>
    private static bool Incremental(int classes, List<(string Path, string Text)> sources, ImmutableArray<MetadataReference> references)
    {
        var compilation = CSharpCompilation.Create("Synthetic", sources.Select(s => CSharpSyntaxTree.ParseText(s.Text, Parse, s.Path)), references, Options);

        // Timed as csc and the IDE run the generator (no step tracking): each round a full run on fresh symbols (as an
        // edited compilation has: binding is part of both), then an unrelated edit on that driver; the first warms up.
        var full = new List<double>();
        var unrelatedEdit = new List<double>();
        for (var round = 0; round < 6; round++)
        {
            var clone = compilation.Clone();
            var watch = Stopwatch.StartNew();
            var driver = CreateDriver([new WarrenGenerator().AsSourceGenerator()]).RunGenerators(clone);
            watch.Stop();
            var edited = clone.AddSyntaxTrees(Unrelated(round));
            var edit = Stopwatch.StartNew();
            driver.RunGenerators(edited);
            edit.Stop();
            if (round > 0)
            {
                full.Add(watch.Elapsed.TotalMilliseconds);
                unrelatedEdit.Add(edit.Elapsed.TotalMilliseconds);
            }
        }

        // What re-runs, from a driver that tracks its steps.
        var tracked = CreateDriver([new WarrenGenerator().AsSourceGenerator()], track: true).RunGenerators(compilation);
        var unrelated = compilation.AddSyntaxTrees(Unrelated(0));
        var afterUnrelated = tracked.RunGenerators(unrelated);
        var cached = afterUnrelated.GetRunResult().Results[0].TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).All(o => o.Reason == IncrementalStepRunReason.Cached);

        // One consumer gets another binding: its dispatcher changes, and the cross-cutting files (topology, registration).
        var tree = unrelated.SyntaxTrees.First(t => t.FilePath == "Handler7.cs");
        var changed = unrelated.ReplaceSyntaxTree(tree, CSharpSyntaxTree.ParseText(Source(7).Replace("[Topic(\"entity7.*.changed\")]", "[Topic(\"entity7.*.changed\")]\n    [Topic(\"entity7.#\")]", StringComparison.Ordinal), Parse, tree.FilePath));
        var afterConsumer = afterUnrelated.RunGenerators(changed).GetRunResult().Results[0];
        var generated = afterConsumer.GeneratedSources.Length;
        var emittedNow = afterConsumer.TrackedOutputSteps.SelectMany(s => s.Value).Count(s => s.Outputs.Any(o => o.Reason != IncrementalStepRunReason.Cached));

        var median = Median(full);
        var editMedian = Median(unrelatedEdit);
        Console.WriteLine(Invariant($"  generator alone: warm full run median {median:F0} ms (min {full.Min():F0}), {generated} files"));
        var slowest = tracked.GetRunResult().Results[0].TrackedSteps
            .Select(s => (Step: s.Key, Milliseconds: s.Value.Sum(run => run.ElapsedTime.TotalMilliseconds)))
            .OrderByDescending(s => s.Milliseconds)
            .Take(6);
        Console.WriteLine("  slowest steps of a full run: " + string.Join(", ", slowest.Select(s => Invariant($"{s.Step} {s.Milliseconds:F0} ms"))));
        Console.WriteLine(Invariant($"  unrelated edit: median {editMedian:F0} ms ({editMedian / median * 100:F0} % of a full run), every output cached: {(cached ? "yes" : "no")}"));
        Console.WriteLine(Invariant($"  one consumer's binding edited: {emittedNow} of {afterConsumer.TrackedOutputSteps.SelectMany(s => s.Value).Count()} outputs re-emitted"));
        return cached && editMedian < median;
    }

    private static SyntaxTree Unrelated(int n) =>
        CSharpSyntaxTree.ParseText($"namespace Elsewhere; public static class Unrelated{n} {{ public static int Answer => 42; }}", Parse, $"Unrelated{n}.cs");

    /// <summary>
    /// The CPU time of one clean build, in milliseconds: on a machine shared with other work, the process's processor
    /// time varies far less than wall time (the compiler's parallel phases count once per thread, as they cost).
    /// </summary>
    private static double Build(List<(string Path, string Text)> sources, ImmutableArray<MetadataReference> references, ISourceGenerator[] generators, out Compilation output, bool dropWarrenFiles = false)
    {
        var watch = CpuWatch.StartNew();
        var compilation = CSharpCompilation.Create("Synthetic", sources.Select(s => CSharpSyntaxTree.ParseText(s.Text, Parse, s.Path)), references, Options);
        CreateDriver(generators).RunGeneratorsAndUpdateCompilation(compilation, out output, out var generatorDiagnostics);
        if (dropWarrenFiles)
        {
            // Warren's files as the driver names them (the generator's assembly in the path); a dropped registration
            // leaves nothing that the other files need.
            output = output.RemoveSyntaxTrees(output.SyntaxTrees.Where(t => t.FilePath.Contains("Warren.Generators", StringComparison.Ordinal)));
        }

        using var stream = new MemoryStream();
        var emitted = output.Emit(stream);
        watch.Stop();
        if (!emitted.Success || generatorDiagnostics.Any(d => d.Severity == DiagnosticSeverity.Error))
        {
            throw new InvalidOperationException("the synthetic project does not compile: " + string.Join("; ", emitted.Diagnostics.Concat(generatorDiagnostics).Where(d => d.Severity == DiagnosticSeverity.Error).Take(5)));
        }

        return watch.Elapsed.TotalMilliseconds;
    }

    /// <summary>Processor time of this process since it started, like a Stopwatch.</summary>
    private sealed class CpuWatch
    {
        private readonly TimeSpan _start = Process.GetCurrentProcess().TotalProcessorTime;
        private TimeSpan _elapsed;

        public TimeSpan Elapsed => _elapsed;

        public static CpuWatch StartNew() => new();

        public void Stop() => _elapsed = Process.GetCurrentProcess().TotalProcessorTime - _start;
    }

    private static readonly CSharpCompilationOptions Options = new(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, optimizationLevel: OptimizationLevel.Release);

    /// <summary>
    /// A driver as csc creates one: without step tracking, which records every step's inputs and outputs (costly with
    /// thousands of outputs) and which only the incremental measurements read.
    /// </summary>
    private static GeneratorDriver CreateDriver(ISourceGenerator[] generators, bool track = false) =>
        CSharpGeneratorDriver.Create(generators, parseOptions: Parse, driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: track));

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static ImmutableArray<MetadataReference> References() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            // Not the benchmark itself (it uses Warren, so the generator would read it as a referenced contracts assembly).
            .Where(p => !string.Equals(Path.GetFileName(p), "Warren.Benchmarks.dll", StringComparison.Ordinal))
            .Concat([typeof(IPublisher).Assembly.Location, typeof(RabbitMQ.Client.IChannel).Assembly.Location])
            .Concat(Directory.GetFiles(AppContext.BaseDirectory, "Microsoft.Extensions.*.dll"))
            .Distinct(StringComparer.Ordinal)
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToImmutableArray();

    /// <summary>The SDK's System.Text.Json generator, the one a real build of a net10.0 project runs.</summary>
    private static ISourceGenerator LoadJsonGenerator()
    {
        var packs = Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "..", "..", "..", "packs", "Microsoft.NETCore.App.Ref");
        var path = Directory.GetDirectories(packs)
            .Select(d => Path.Combine(d, "analyzers", "dotnet", "cs", "System.Text.Json.SourceGeneration.dll"))
            .Where(File.Exists)
            .OrderByDescending(p => p, StringComparer.Ordinal)
            .FirstOrDefault() ?? throw new InvalidOperationException($"The SDK's System.Text.Json source generator was not found under {packs}.");
        return new AnalyzerFileReference(Path.GetFullPath(path), new Loader()).GetGenerators(LanguageNames.CSharp).Single();
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
        .AppendLine($"    public Task Handle(Changed{i} message, CancellationToken ct)")
        .AppendLine("    {")
        // Ordinary calls, as handler code has: the manifest's usage search must not bind them all on every edit.
        .AppendLine("        _ = string.Concat(message.Id.Trim(), message.Region.ToUpperInvariant()).GetHashCode();")
        .AppendLine("        return ct.IsCancellationRequested ? Task.FromCanceled(ct) : Task.CompletedTask;")
        .AppendLine("    }")
        .AppendLine("}")
        .ToString();

    private static string JsonContext(int classes) => new StringBuilder()
        .AppendLine("using System.Text.Json.Serialization;")
        .AppendLine("namespace Synthetic;")
        .AppendJoin("", Enumerable.Range(0, classes).Select(i => $"[JsonSerializable(typeof(Synthetic.Area{i % 20}.Changed{i}))]\n"))
        .AppendLine("internal sealed partial class SyntheticJson : JsonSerializerContext;")
        .ToString();

    /// <summary>Registers what Warren's analyzers register (named-type actions, compilation start and end) and does nothing.</summary>
    /// <remarks>Run in process only, never loaded by a compiler: the rules for shipped analyzers do not apply.</remarks>
#pragma warning disable RS1036, RS1038, RS1041, RS2008
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    private sealed class EmptyAnalyzer : DiagnosticAnalyzer
    {
        private static readonly DiagnosticDescriptor Never = new("BENCH001", "never", "never", "Benchmark", DiagnosticSeverity.Hidden, isEnabledByDefault: true);

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [Never];

        public override void Initialize(AnalysisContext context)
        {
            context.EnableConcurrentExecution();
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.RegisterSymbolAction(_ => { }, SymbolKind.NamedType);
            context.RegisterCompilationStartAction(start =>
            {
                start.RegisterSymbolAction(_ => { }, SymbolKind.NamedType);
                start.RegisterCompilationEndAction(_ => { });
            });
        }
    }
#pragma warning restore RS1036, RS1038, RS1041, RS2008

    private sealed class Loader : IAnalyzerAssemblyLoader
    {
        public void AddDependencyLocation(string fullPath)
        {
        }

        public Assembly LoadFromPath(string fullPath) => Assembly.LoadFrom(fullPath);
    }
}

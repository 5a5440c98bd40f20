using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Warren.Analyzers;
using Warren.Generators.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Warren.Generators.Tests.UserFacing;

/// <summary>
/// Every C# block (<c>```csharp</c>) in README.md and docs/ (docs/diagnostics included) compiles against Warren,
/// Warren.Testing, RabbitMQ.Client, Microsoft.Extensions.Hosting and xunit, with Warren's generator and analyzers, as a
/// file of a user's project with the SDK's implicit usings, beside <c>docs/examples/Shared.cs</c> (the application types
/// examples use without declaring them) and, unless it declares its own messages, handlers or JSON context,
/// <c>docs/examples/App.cs</c>. Blocks in other languages are skipped by their tag. The line before a block may hold a
/// marker (see <see cref="DocsSnippets"/>):
/// <list type="bullet">
/// <item><c>&lt;!-- snippet: reports WRN001 --&gt;</c> (ids separated by commas): the block is code Warren must report;
/// it compiles with exactly those Warren diagnostics on it (each at least once) and no other error;</item>
/// <item><c>&lt;!-- snippet: continues --&gt;</c>: compiled after the page's previous C# block (a correction that adds
/// to it), and then clean;</item>
/// <item><c>&lt;!-- snippet: fragment --&gt;</c>: a deliberate excerpt that cannot stand alone; not compiled (keep few).</item>
/// </list>
/// Any other block must compile with no error and no Warren diagnostic.
/// <para>
/// Speed: each block becomes one syntax tree in a namespace of its own (statements in a method), so all blocks share two
/// compilations (with and without App.cs). A block whose outcome there is not the expected one, or every block of a
/// compilation with an error no block owns, is compiled again alone, and that outcome decides: sharing a compilation
/// only saves time, it never decides a result.
/// </para>
/// </summary>
public sealed class DocsSnippetTests(ITestOutputHelper output)
{
    private const string GlobalUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Text.Json.Serialization;
        global using System.Threading;
        global using System.Threading.Tasks;
        global using Microsoft.Extensions.Configuration;
        global using Microsoft.Extensions.DependencyInjection;
        global using Microsoft.Extensions.Hosting;
        global using Microsoft.Extensions.Logging;
        global using Warren;
        global using Xunit;
        global using Docs.Shared;
        """;

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(LoadReferences);
    private static readonly Lazy<Task<Outcomes>> All = new(CheckAllAsync);

    public static TheoryData<string> Files() => [.. DocsSnippets.Read(RepositoryRoot()).Select(s => s.File).Distinct(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Every_csharp_block_does_what_its_marker_says(string file)
    {
        var outcomes = await All.Value;
        output.WriteLine(outcomes.Summary.Split(Environment.NewLine)[0]);
        var failures = outcomes.Failures.Where(f => f.Snippet.File == file).Select(f => $"{f.Snippet.Where}:{Environment.NewLine}  {f.Problem}").ToList();
        Assert.True(
            failures.Count == 0,
            $"C# blocks that do not do what they should (fix them; mark a deliberate excerpt with {DocsSnippets.FragmentMarker}, code meant to be reported with <!-- snippet: reports WRN0nn -->):{Environment.NewLine}{string.Join(Environment.NewLine, failures)}");
    }

    [Fact]
    public async Task Shared_compilations_report()
    {
        output.WriteLine((await All.Value).Summary);
    }

    [Fact]
    public void The_docs_have_csharp_blocks_and_few_fragments()
    {
        var all = DocsSnippets.Read(RepositoryRoot()).ToList();
        var fragments = all.Count(s => s.Kind == SnippetKind.Fragment);
        Assert.True(all.Count >= 60, $"only {all.Count} C# blocks found: is the docs folder where this test looks?");
        Assert.True(fragments * 10 <= all.Count, $"{fragments} of {all.Count} C# blocks are marked as fragments; nearly all must compile.");
    }

    /// <summary>
    /// Ids only a library built by an older Warren can cause, which no docs compilation references: their pages show an
    /// excerpt, and OlderLibraryRegistrationTests builds such libraries and checks the diagnostic.
    /// </summary>
    private static readonly string[] NeedsAnOlderBuild = ["WRN043"];

    [Fact]
    public void Every_diagnostic_page_shows_code_reporting_its_id()
    {
        var root = RepositoryRoot();
        var snippets = DocsSnippets.Read(root).ToList();
        var missing = Directory.GetFiles(Path.Combine(root, "docs", "diagnostics"), "WRN*.md")
            .Select(p => Path.GetFileNameWithoutExtension(p))
            .Where(id => !NeedsAnOlderBuild.Contains(id))
            .Where(id => !snippets.Any(s => s.Kind == SnippetKind.Reports && s.ExpectedIds.Contains(id) && s.File.EndsWith($"/{id}.md", StringComparison.Ordinal)))
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.True(missing.Count == 0, $"diagnostic pages without a block marked '<!-- snippet: reports WRN0nn -->' for their own id: {string.Join(", ", missing)}");
    }

    [Fact]
    public async Task A_block_that_misbehaves_is_caught_alone_and_shared()
    {
        // The test of the test: a block with an error, a block that does not report what its marker says and a clean
        // block, together and alone.
        var broken = new DocsSnippet("t.md", 1, "int x = \"text\";", SnippetKind.Clean, [], null);
        var silent = new DocsSnippet("t.md", 10, "[Exchange(\"t.events\", ExchangeKind.Topic)]\n[Topic(\"t.{Region}.x\")]\npublic sealed record T1(string Region);\n[JsonSerializable(typeof(T1))]\npublic partial class TJson : JsonSerializerContext;", SnippetKind.Reports, ["WRN001"], null);
        var clean = new DocsSnippet("t.md", 20, "builder.AddWarren();", SnippetKind.Clean, [], null);
        var reported = new DocsSnippet("t.md", 30, "[Exchange(\"t2.events\", ExchangeKind.Topic)]\n[Topic(\"t2..x\")]\npublic sealed record T2(string Region);\n[JsonSerializable(typeof(T2))]\npublic partial class T2Json : JsonSerializerContext;", SnippetKind.Reports, ["WRN001"], null);
        var outcomes = await CheckAsync([broken, silent, clean, reported]);
        Assert.Equal(["t.md:1", "t.md:10"], outcomes.Failures.Select(f => f.Snippet.Where).Order(StringComparer.Ordinal));
        Assert.Contains("CS0029", outcomes.Failures.Single(f => f.Snippet.Line == 1).Problem, StringComparison.Ordinal);
        Assert.Contains("WRN001", outcomes.Failures.Single(f => f.Snippet.Line == 10).Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void The_whole_program_of_getting_started_compiles_as_written_in_a_console_project()
    {
        // Compiled as the file itself, not as a snippet: a console project's implicit usings only (no
        // Microsoft.Extensions.Hosting, which the worker SDK adds), top-level statements, Warren's generator.
        const string consoleUsings = """
            global using System;
            global using System.Collections.Generic;
            global using System.IO;
            global using System.Linq;
            global using System.Net.Http;
            global using System.Threading;
            global using System.Threading.Tasks;
            """;
        var page = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "getting-started.md"));
        var open = page.IndexOf("```csharp\n", StringComparison.Ordinal) + "```csharp\n".Length;
        var program = page[open..page.IndexOf("```", open, StringComparison.Ordinal)];
        Assert.Contains("Host.CreateApplicationBuilder(args)", program, StringComparison.Ordinal);
        var parse = GeneratorHarness.ParseOptions;
        var compilation = CSharpCompilation.Create(
            "ConsoleApp",
            [CSharpSyntaxTree.ParseText(consoleUsings, parse, path: "Usings.cs"), CSharpSyntaxTree.ParseText(program, parse, path: "Program.cs")],
            References.Value,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
        GeneratorHarness.CreateDriver(parseOptions: parse).RunGeneratorsAndUpdateCompilation(compilation, out var generated, out var generatorDiagnostics);

        var errors = generated.GetDiagnostics().Concat(generatorDiagnostics).Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, "Program.cs of getting-started.md does not compile in a console project: " + string.Join(Environment.NewLine, errors));
    }

    private static Task<Outcomes> CheckAllAsync() => CheckAsync([.. DocsSnippets.Read(RepositoryRoot()).Where(s => s.Kind != SnippetKind.Fragment)]);

    private static async Task<Outcomes> CheckAsync(IReadOnlyList<DocsSnippet> snippets)
    {
        var watch = Stopwatch.StartNew();
        var failures = new ConcurrentBag<(DocsSnippet Snippet, string Problem)>();
        var compilations = 0;
        var alone = new List<DocsSnippet>();
        var reasons = new List<string>();
        foreach (var group in Share(snippets))
        {
            // Round 1 shares one compilation among all; blocks with problems of their own leave it. An error no block
            // owns (in generated code) may come from one of those, so round 2 shares one among the rest; if it still
            // has one, every remaining block is compiled alone.
            var members = group;
            for (var round = 1; members.Count > 0; round++)
            {
                var trees = members.Select((s, i) => ToTree(s, i)).ToList();
                var diagnostics = await CompileAsync(trees, withApp: !group[0].DeclaresApplication);
                compilations++;
                var owned = trees.ToHashSet();
                var unowned = diagnostics.Where(d => (d.Severity == DiagnosticSeverity.Error || d.Id == "CS8785") && !Locations(d).Any(owned.Contains)).ToList();
                var rest = new List<DocsSnippet>();
                for (var i = 0; i < members.Count; i++)
                {
                    var why = Judge(members[i], [.. diagnostics.Where(d => Locations(d).Contains(trees[i]))]);
                    if (why is null && unowned.Count > 0 && round > 1)
                    {
                        why = "an error in generated code: " + unowned[0];
                    }

                    if (why is not null)
                    {
                        alone.Add(members[i]);
                        reasons.Add($"{members[i].Where} (round {round}): {why.Split(Environment.NewLine)[0]}");
                    }
                    else
                    {
                        rest.Add(members[i]);
                    }
                }

                members = unowned.Count > 0 && round == 1 ? rest : [];
            }
        }

        foreach (var snippet in alone)
        {
            var tree = ToTree(snippet, 0);
            var diagnostics = await CompileAsync([tree], withApp: !snippet.DeclaresApplication);
            compilations++;
            if (Judge(snippet, [.. diagnostics.Where(IsReportable)]) is { } problem)
            {
                failures.Add((snippet, problem));
            }
        }

        return new Outcomes(
            [.. failures],
            $"{snippets.Count} C# blocks in {compilations} compilations ({alone.Count} compiled again alone) in {watch.Elapsed.TotalSeconds:0.0} s:{Environment.NewLine}{string.Join(Environment.NewLine, reasons)}");
    }

    /// <summary>
    /// The blocks in groups that can share a compilation: with App.cs or without it, and no two declaring a JSON context
    /// of one name (the System.Text.Json generator names its files after the context without its namespace, so two would
    /// make it fail for the whole compilation) or naming one queue, exchange or RPC service (pages show one queue with
    /// different settings, which would be WRN008/WRN009 between them).
    /// </summary>
    private static IEnumerable<List<DocsSnippet>> Share(IEnumerable<DocsSnippet> snippets)
    {
        foreach (var group in snippets.GroupBy(s => s.DeclaresApplication))
        {
            var buckets = new List<(List<DocsSnippet> Members, HashSet<string> Contexts)>();
            foreach (var snippet in group)
            {
                var contexts = snippet.Chain()
                    .SelectMany(s => Regex.Matches(s.Code, @"class\s+(\w+)\s*:\s*JsonSerializerContext|\[(?:Queue|Exchange|RpcService)\(""([^""]+)""").Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value))
                    .ToHashSet(StringComparer.Ordinal);
                var bucket = buckets.FirstOrDefault(b => !b.Contexts.Overlaps(contexts));
                if (bucket.Members is null)
                {
                    bucket = ([], new HashSet<string>(StringComparer.Ordinal));
                    buckets.Add(bucket);
                }

                bucket.Members.Add(snippet);
                bucket.Contexts.UnionWith(contexts);
            }

            foreach (var bucket in buckets)
            {
                yield return bucket.Members;
            }
        }
    }

    /// <summary>What is wrong with the block's outcome, or null when it is the expected one.</summary>
    private static string? Judge(DocsSnippet snippet, IReadOnlyList<Diagnostic> diagnostics)
    {
        var warren = diagnostics.Where(d => d.Id.StartsWith("WRN", StringComparison.Ordinal)).ToList();
        var errors = diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error && !snippet.ExpectedIds.Contains(d.Id)).ToList();
        var unexpected = warren.Where(d => !snippet.ExpectedIds.Contains(d.Id)).Concat(errors).Distinct().ToList();
        var missing = snippet.ExpectedIds.Where(id => !warren.Any(d => d.Id == id)).ToList();
        if (unexpected.Count == 0 && missing.Count == 0)
        {
            return null;
        }

        var lines = unexpected.Select(d => d.ToString()).Distinct(StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
        {
            lines.Insert(0, $"expected {string.Join(", ", missing)}, not reported");
        }

        return string.Join(Environment.NewLine + "  ", lines);
    }

    /// <summary>Errors anywhere, and warnings in the example (not those of generated code, which the generator tests cover).</summary>
    private static bool IsReportable(Diagnostic d) =>
        d.Severity == DiagnosticSeverity.Error || d.Id == "CS8785" || (d.Severity == DiagnosticSeverity.Warning && d.Id.StartsWith("WRN", StringComparison.Ordinal));

    private static IEnumerable<SyntaxTree> Locations(Diagnostic d) =>
        d.AdditionalLocations.Prepend(d.Location).Where(l => l.IsInSource).Select(l => l.SourceTree!);

    private static SyntaxTree ToTree(DocsSnippet snippet, int index) =>
        CSharpSyntaxTree.ParseText(DocsSnippets.ToSource(snippet, index, GeneratorHarness.ParseOptions), GeneratorHarness.ParseOptions, path: $"Snippet{index}.cs");

    private static async Task<ImmutableArray<Diagnostic>> CompileAsync(IEnumerable<SyntaxTree> snippets, bool withApp)
    {
        var parse = GeneratorHarness.ParseOptions;
        var examples = Path.Combine(RepositoryRoot(), "docs", "examples");
        var trees = new List<SyntaxTree>
        {
            CSharpSyntaxTree.ParseText(GlobalUsings, parse, path: "GlobalUsings.cs"),
            CSharpSyntaxTree.ParseText(File.ReadAllText(Path.Combine(examples, "Shared.cs")), parse, path: "docs/examples/Shared.cs"),
        };
        if (withApp)
        {
            trees.Add(CSharpSyntaxTree.ParseText(File.ReadAllText(Path.Combine(examples, "App.cs")), parse, path: "docs/examples/App.cs"));
        }

        var compilation = CSharpCompilation.Create(
            "DocsSnippets",
            trees.Concat(snippets),
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        GeneratorHarness.CreateDriver(parseOptions: parse).RunGeneratorsAndUpdateCompilation(compilation, out var generated, out var generatorDiagnostics);
        var analyzers = ImmutableArray.Create<DiagnosticAnalyzer>(new SymbolRulesAnalyzer(), new CompilationRulesAnalyzer(), new PublishTargetAnalyzer(), new ReferencedInterfaceAnalyzer());
        var diagnostics = await generated.WithAnalyzers(analyzers).GetAllDiagnosticsAsync();
        return [.. diagnostics.Concat(generatorDiagnostics).Where(IsReportable)];
    }

    private static string RepositoryRoot([CallerFilePath] string file = "")
    {
        var directory = Path.GetDirectoryName(file);
        while (directory is not null && !File.Exists(Path.Combine(directory, "Framework.sln")))
        {
            directory = Path.GetDirectoryName(directory);
        }

        return directory ?? throw new InvalidOperationException("Framework.sln not found above " + file);
    }

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        var exclude = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "Warren.Generators.dll", "Warren.Analyzers.dll", "Warren.Generators.Tests.dll" };
        var platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var local = Directory.GetFiles(AppContext.BaseDirectory, "*.dll")
            .Where(p => !exclude.Contains(Path.GetFileName(p)) && !Path.GetFileName(p).StartsWith("Microsoft.CodeAnalysis", StringComparison.OrdinalIgnoreCase));
        return platform.Concat(local)
            .Where(p => p.Length > 0)
            .GroupBy(Path.GetFileName, StringComparer.OrdinalIgnoreCase)
            .Select(g => (MetadataReference)MetadataReference.CreateFromFile(g.First()))
            .ToImmutableArray();
    }

    private sealed record Outcomes(ImmutableArray<(DocsSnippet Snippet, string Problem)> Failures, string Summary);
}

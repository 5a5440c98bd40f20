using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Warren.Analyzers;
using Warren.Generators.Tests.Infrastructure;
using Xunit;

namespace Warren.Generators.Tests.UserFacing;

/// <summary>
/// Every <c>```csharp</c> block in README.md and docs/ compiles against Warren, Warren.Testing, RabbitMQ.Client and
/// Microsoft.Extensions.Hosting and xunit, with Warren's generator and analyzers, as a file of a user's project with
/// the SDK's implicit usings, beside <c>docs/examples/Shared.cs</c> (the application types examples use without
/// declaring them). A block of statements that uses <c>builder</c> without declaring it runs after
/// <c>var builder = Host.CreateApplicationBuilder(args);</c>, as in a Program.cs. A block that is deliberately partial
/// (an excerpt that cannot stand alone) is preceded by the line <c>&lt;!-- snippet: fragment --&gt;</c> and is not
/// compiled; keep those few. docs/diagnostics is not compiled yet: its pages show code that is meant to be reported.
/// </summary>
public sealed class DocsSnippetTests
{
    /// <summary>The marker, on the line before the opening fence, of a block that is deliberately not compiled.</summary>
    public const string FragmentMarker = "<!-- snippet: fragment -->";

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

    public static TheoryData<string> Files() => [.. Snippets().Select(s => s.File).Distinct(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Every_csharp_block_compiles(string file)
    {
        var failures = new List<string>();
        foreach (var snippet in Snippets().Where(s => s.File == file))
        {
            var errors = await CompileAsync(snippet.Code);
            if (errors.Count > 0)
            {
                failures.Add($"{snippet.File}:{snippet.Line}:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", errors)}");
            }
        }

        Assert.True(failures.Count == 0, $"C# blocks that do not compile (fix them, or mark a deliberate excerpt with {FragmentMarker}):{Environment.NewLine}{string.Join(Environment.NewLine, failures)}");
    }

    [Fact]
    public void The_docs_have_csharp_blocks_and_few_fragments()
    {
        var all = Snippets(includeFragments: true).ToList();
        var fragments = all.Count(s => s.Fragment);
        Assert.True(all.Count >= 15, $"only {all.Count} C# blocks found: is the docs folder where this test looks?");
        Assert.True(fragments * 5 <= all.Count, $"{fragments} of {all.Count} C# blocks are marked as fragments; most must compile.");
    }

    private static async Task<List<string>> CompileAsync(string code)
    {
        if (System.Text.RegularExpressions.Regex.IsMatch(code, @"^builder\.", System.Text.RegularExpressions.RegexOptions.Multiline)
            && !code.Contains("var builder =", StringComparison.Ordinal))
        {
            var lines = code.Split('\n').ToList();
            var afterUsings = lines.FindLastIndex(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^using (static )?[A-Za-z0-9_.]+;")) + 1;
            lines.Insert(afterUsings, "var builder = Host.CreateApplicationBuilder(args);");
            code = string.Join('\n', lines);
        }

        var parse = GeneratorHarness.ParseOptions;
        var examples = Path.Combine(RepositoryRoot(), "docs", "examples");
        var trees = new List<SyntaxTree>
        {
            CSharpSyntaxTree.ParseText(GlobalUsings, parse, path: "GlobalUsings.cs"),
            CSharpSyntaxTree.ParseText(File.ReadAllText(Path.Combine(examples, "Shared.cs")), parse, path: "Shared.cs"),
            CSharpSyntaxTree.ParseText(code, parse, path: "Snippet.cs"),
        };
        if (!DeclaresApplication(code))
        {
            trees.Add(CSharpSyntaxTree.ParseText(File.ReadAllText(Path.Combine(examples, "App.cs")), parse, path: "App.cs"));
        }

        var compilation = CSharpCompilation.Create(
            "DocsSnippet",
            trees,
            References.Value,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
        GeneratorHarness.CreateDriver(parseOptions: parse).RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        var analyzers = ImmutableArray.Create<DiagnosticAnalyzer>(new SymbolRulesAnalyzer(), new CompilationRulesAnalyzer());
        var diagnostics = await output.WithAnalyzers(analyzers).GetAllDiagnosticsAsync();
        return diagnostics.Concat(generatorDiagnostics)
            .Where(d => d.Severity == DiagnosticSeverity.Error && d.Id != "CS5001") // CS5001: a block of declarations only has no entry point
            .Select(d => d.ToString())
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Whether the example declares its own messages, handlers or JSON context (then docs/examples/App.cs stays out).</summary>
    private static bool DeclaresApplication(string code) =>
        System.Text.RegularExpressions.Regex.IsMatch(code, @"\[(Exchange|Queue|RpcService|Publisher|JsonSerializable)\b|\b(class|record|interface) (UserCreated|EmailNotifications|AppJson)\b");

    private static IEnumerable<Snippet> Snippets(bool includeFragments = false)
    {
        var root = RepositoryRoot();
        var files = new[] { Path.Combine(root, "README.md") }
            .Concat(Directory.GetFiles(Path.Combine(root, "docs"), "*.md", SearchOption.TopDirectoryOnly).Order(StringComparer.Ordinal));
        foreach (var path in files)
        {
            var relative = Path.GetRelativePath(root, path).Replace('\\', '/');
            var lines = File.ReadAllLines(path);
            for (var i = 0; i < lines.Length; i++)
            {
                if (lines[i].Trim() != "```csharp")
                {
                    continue;
                }

                var fragment = i > 0 && lines[i - 1].Trim() == FragmentMarker;
                var start = i + 1;
                var end = start;
                while (end < lines.Length && lines[end].Trim() != "```")
                {
                    end++;
                }

                if (!fragment || includeFragments)
                {
                    yield return new Snippet(relative, start + 1, string.Join('\n', lines[start..end]), fragment);
                }

                i = end;
            }
        }
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

    private sealed record Snippet(string File, int Line, string Code, bool Fragment);
}

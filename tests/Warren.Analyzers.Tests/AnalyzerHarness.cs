using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace Warren.Analyzers.Tests;

/// <summary>
/// Runs Warren's analyzers on sources written with <c>{|WRN001:span|}</c> markup and checks that exactly the marked
/// diagnostics are reported, at exactly the marked spans (in any of the files).
/// </summary>
internal static class AnalyzerHarness
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Append(typeof(IPublisher).Assembly.Location)
            .Concat(Directory.GetFiles(AppContext.BaseDirectory, "Microsoft.Extensions.*.dll"))
            .Distinct(StringComparer.Ordinal)
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToImmutableArray());

    private static readonly Lazy<ISourceGenerator> JsonGenerator = new(Warren.Generators.Tests.Infrastructure.SdkJsonGenerator.Load);

    private static readonly ImmutableArray<DiagnosticAnalyzer> Analyzers = [new SymbolRulesAnalyzer(), new CompilationRulesAnalyzer(), new PublishTargetAnalyzer(), new ReferencedInterfaceAnalyzer()];

    public const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.Text.Json.Serialization;
        using System.Threading;
        using System.Threading.Tasks;
        using Warren;

        """;

    /// <summary>Asserts that the marked diagnostics, and no other Warren diagnostics, are reported.</summary>
    public static Task VerifyAsync(params string[] markedSources) => VerifyWithLibraryAsync(null, markedSources);

    /// <summary>
    /// As <see cref="VerifyAsync"/>, the compilation referencing a library (a contracts assembly) compiled from
    /// <paramref name="library"/> (usings added), when given.
    /// </summary>
    public static Task VerifyWithLibraryAsync(string? library, params string[] markedSources) => VerifyWithLibraryAsync(library, image: false, markedSources);

    /// <summary>
    /// As <see cref="VerifyWithLibraryAsync(string?, string[])"/>, the library given as an emitted assembly when
    /// <paramref name="image"/> (a command-line build), else as its compilation (a project reference in the IDE, whose
    /// types keep their syntax). Analyzer failures (AD0001, such as a diagnostic reported in a file of the library)
    /// fail the test too.
    /// </summary>
    public static async Task VerifyWithLibraryAsync(string? library, bool image, params string[] markedSources)
    {
        var references = WithLibrary(library, image);

        var expected = new List<(string Id, string File, TextSpan Span)>();
        var trees = new List<SyntaxTree>();
        for (var i = 0; i < markedSources.Length; i++)
        {
            var file = $"File{i}.cs";
            var (text, marks) = Unmark(Usings + markedSources[i]);
            expected.AddRange(marks.Select(m => (m.Id, file, m.Span)));
            trees.Add(CSharpSyntaxTree.ParseText(text, new CSharpParseOptions(LanguageVersion.Latest), file));
        }

        var compilation = CSharpCompilation.Create("Analyzed", trees, references, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        // The System.Text.Json generator does not run here, so contexts lack their generated members (CS0534, CS7036).
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error && d.Id is not ("CS0534" or "CS7036")).ToList();
        Assert.True(errors.Count == 0, "the test source does not compile: " + string.Join(Environment.NewLine, errors));

        // WRN013 (a published message nobody in this compilation receives) fires on almost every one-file test; it is
        // only checked by the tests that mark it.
        var checkUnreceived = markedSources.Any(s => s.Contains("WRN013", StringComparison.Ordinal));
        var diagnostics = await compilation.WithAnalyzers(Analyzers).GetAnalyzerDiagnosticsAsync();
        Assert.Empty(diagnostics.Where(d => d.Id == "AD0001").Select(d => d.ToString()));
        var actual = diagnostics
            .Where(d => d.Id.StartsWith("WRN", StringComparison.Ordinal) && (checkUnreceived || d.Id != "WRN013"))
            .Select(d => (d.Id, File: d.Location.SourceTree?.FilePath ?? string.Empty, Span: d.Location.SourceSpan))
            .OrderBy(d => d.File, StringComparer.Ordinal).ThenBy(d => d.Span.Start).ThenBy(d => d.Id, StringComparer.Ordinal)
            .ToList();
        var wanted = expected.OrderBy(d => d.File, StringComparer.Ordinal).ThenBy(d => d.Span.Start).ThenBy(d => d.Id, StringComparer.Ordinal).ToList();
        Assert.True(
            wanted.SequenceEqual(actual),
            $"expected:{Environment.NewLine}{Describe(wanted, trees)}{Environment.NewLine}actual:{Environment.NewLine}{Describe(actual, trees)}{Environment.NewLine}messages:{Environment.NewLine}{string.Join(Environment.NewLine, diagnostics.Select(d => d.ToString()))}");
    }

    /// <summary>The references of a test compilation, with the library (as an image or as its compilation) when given.</summary>
    private static ImmutableArray<MetadataReference> WithLibrary(string? library, bool image)
    {
        var references = References.Value;
        if (library is not null)
        {
            var contracts = CSharpCompilation.Create("Contracts", [CSharpSyntaxTree.ParseText(Usings + library, new CSharpParseOptions(LanguageVersion.Latest), "Contracts.cs")], references, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
            var libraryErrors = contracts.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            Assert.True(libraryErrors.Count == 0, "the library does not compile: " + string.Join(Environment.NewLine, libraryErrors));
            references = references.Add(image ? Image(contracts) : contracts.ToMetadataReference());
        }

        return references;
    }

    /// <summary>The diagnostics of a source (usings added) referencing a library, for tests that check messages; no analyzer may fail.</summary>
    public static async Task<ImmutableArray<Diagnostic>> DiagnosticsWithLibraryAsync(string library, bool image, string source)
    {
        var compilation = CSharpCompilation.Create("Analyzed", [CSharpSyntaxTree.ParseText(Usings + source, new CSharpParseOptions(LanguageVersion.Latest), "File0.cs")], WithLibrary(library, image), new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error && d.Id is not ("CS0534" or "CS7036")).ToList();
        Assert.True(errors.Count == 0, "the test source does not compile: " + string.Join(Environment.NewLine, errors));
        var diagnostics = await compilation.WithAnalyzers(Analyzers).GetAnalyzerDiagnosticsAsync();
        Assert.Empty(diagnostics.Where(d => d.Id == "AD0001").Select(d => d.ToString()));
        return diagnostics;
    }

    private static MetadataReference Image(Compilation library)
    {
        using var stream = new MemoryStream();
        var result = library.Emit(stream);
        Assert.True(result.Success, "the library does not build: " + string.Join(Environment.NewLine, result.Diagnostics));
        return MetadataReference.CreateFromImage(stream.ToArray());
    }

    /// <summary>All Warren diagnostics of a set of complete source files (no usings added); the files must compile.</summary>
    public static async Task<ImmutableArray<Diagnostic>> SolutionDiagnosticsAsync(string[] sources)
    {
        var trees = sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, new CSharpParseOptions(LanguageVersion.Latest), $"File{i}.cs"));
        var source = CSharpCompilation.Create("Sample", trees, References.Value, new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));

        // As in a real build, the generators' output (Warren's and System.Text.Json's, whose contexts' members generated
        // code reads) is part of the compilation the analyzers see.
        CSharpGeneratorDriver.Create(new Warren.Generators.WarrenGenerator().AsSourceGenerator(), JsonGenerator.Value)
            .RunGeneratorsAndUpdateCompilation(source, out var compilation, out _);
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, "the sample does not compile: " + string.Join(Environment.NewLine, errors));
        return await compilation.WithAnalyzers(Analyzers).GetAnalyzerDiagnosticsAsync();
    }

    /// <summary>The diagnostics of a source, for tests that check messages.</summary>
    public static async Task<ImmutableArray<Diagnostic>> DiagnosticsAsync(string source)
    {
        var (text, _) = Unmark(Usings + source);
        var compilation = CSharpCompilation.Create("Analyzed", [CSharpSyntaxTree.ParseText(text, new CSharpParseOptions(LanguageVersion.Latest), "File0.cs")], References.Value, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        return await compilation.WithAnalyzers(Analyzers).GetAnalyzerDiagnosticsAsync();
    }

    private static (string Text, List<(string Id, TextSpan Span)> Marks) Unmark(string source)
    {
        var marks = new List<(string, TextSpan)>();
        var builder = new System.Text.StringBuilder();
        var open = new Stack<(string Id, int Start)>();
        for (var i = 0; i < source.Length; i++)
        {
            if (source[i] == '{' && i + 1 < source.Length && source[i + 1] == '|')
            {
                var colon = source.IndexOf(':', i);
                open.Push((source.Substring(i + 2, colon - i - 2), builder.Length));
                i = colon;
            }
            else if (source[i] == '|' && i + 1 < source.Length && source[i + 1] == '}' && open.Count > 0)
            {
                var (id, start) = open.Pop();
                marks.Add((id, TextSpan.FromBounds(start, builder.Length)));
                i++;
            }
            else
            {
                builder.Append(source[i]);
            }
        }

        return (builder.ToString(), marks);
    }

    private static string Describe(IEnumerable<(string Id, string File, TextSpan Span)> diagnostics, List<SyntaxTree> trees) =>
        string.Join(Environment.NewLine, diagnostics.Select(d =>
        {
            var tree = trees.FirstOrDefault(t => t.FilePath == d.File);
            var text = tree is null ? string.Empty : tree.GetText().ToString(d.Span);
            return $"  {d.Id} {d.File} {d.Span}: {text}";
        }));
}

using System;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Warren.Analyzers;

namespace Warren.Generators.Tests.Infrastructure;

/// <summary>
/// The build-time invariant, checked the way <c>dotnet build</c> runs: generators, then the compiler and the analyzers
/// on the result. Either everything compiles with no diagnostic at all, or Warren reports an error on the user's code;
/// never a diagnostic located in a generated file.
/// </summary>
internal static class Invariant
{
    private static readonly ImmutableArray<DiagnosticAnalyzer> Analyzers = [new SymbolRulesAnalyzer(), new CompilationRulesAnalyzer(), new PublishTargetAnalyzer(), new ReferencedInterfaceAnalyzer()];

    public static InvariantResult Check(string source, bool documentation = false, string? noWarn = null, MetadataReference[]? references = null)
    {
        GeneratorHarness.NoWarn.Value = noWarn is null ? null : [noWarn];
        try
        {
            return CheckAs(source, documentation, references ?? []);
        }
        finally
        {
            GeneratorHarness.NoWarn.Value = null;
        }
    }

    private static InvariantResult CheckAs(string source, bool documentation, MetadataReference[] references)
    {
        var run = GeneratorHarness.Run(documentation, references, source);
        var compiler = run.CompileDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        var warren = run.Output.WithAnalyzers(Analyzers).GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult()
            .Where(d => d.Id.StartsWith("WRN", StringComparison.Ordinal))
            .ToList();
        var inGenerated = compiler.Concat(warren).Where(d => d.Location.SourceTree is { } tree && !tree.FilePath.StartsWith("Source", StringComparison.Ordinal)).ToList();

        // A program the compiler rejects by itself (every error is also there without Warren's generator, in the
        // user's own file) is not Warren's to report: the compiler already points at the user's code.
        var invalidOnItsOwn = false;
        if (inGenerated.Count == 0 && compiler.Count > 0 && !warren.Any(d => d.Severity == DiagnosticSeverity.Error)
            && compiler.All(d => d.Severity == DiagnosticSeverity.Error))
        {
            var own = GeneratorHarness.ErrorsWithoutWarren(documentation, references, source).Select(Key).ToHashSet(StringComparer.Ordinal);
            invalidOnItsOwn = compiler.All(d => own.Contains(Key(d)));
        }

        return new InvariantResult(run, compiler, warren, inGenerated, invalidOnItsOwn);
    }

    private static string Key(Diagnostic d) => d.Id + "@" + d.Location.GetLineSpan();
}

internal sealed record InvariantResult(GeneratorRun Run, System.Collections.Generic.List<Diagnostic> Compiler, System.Collections.Generic.List<Diagnostic> Warren, System.Collections.Generic.List<Diagnostic> InGenerated, bool InvalidOnItsOwn = false)
{
    public bool WarrenErrors => Warren.Any(d => d.Severity == DiagnosticSeverity.Error);

    /// <summary>Why the invariant does not hold, or null.</summary>
    public string? Violation =>
        InGenerated.Count > 0 ? "diagnostics in generated files:\n" + Describe(InGenerated)
        : !WarrenErrors && Compiler.Count > 0 && !InvalidOnItsOwn ? "compiler diagnostics and no Warren error:\n" + Describe(Compiler)
        : null;

    public string Describe() => $"compiler:\n{Describe(Compiler)}\nwarren:\n{Describe(Warren)}";

    private static string Describe(System.Collections.Generic.IEnumerable<Diagnostic> diagnostics) =>
        string.Join("\n", diagnostics.Select(d => "  " + d));
}

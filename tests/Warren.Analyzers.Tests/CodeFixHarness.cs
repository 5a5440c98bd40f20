using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace Warren.Analyzers.Tests;

/// <summary>Applies a code fix to the first diagnostic with an id and compares the document with the expected text.</summary>
internal static class CodeFixHarness
{
    private static readonly ImmutableArray<DiagnosticAnalyzer> Analyzers = [new SymbolRulesAnalyzer(), new CompilationRulesAnalyzer()];

    public static async Task VerifyAsync(CodeFixProvider fix, string diagnosticId, string before, string after)
    {
        using var workspace = new AdhocWorkspace();
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Append(typeof(IPublisher).Assembly.Location)
            .Distinct(StringComparer.Ordinal)
            .Select(p => MetadataReference.CreateFromFile(p));
        var project = workspace.AddProject("Fixed", LanguageNames.CSharp)
            .WithMetadataReferences(references)
            .WithParseOptions(new CSharpParseOptions(LanguageVersion.Latest))
            .WithCompilationOptions(new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        var document = project.AddDocument("File0.cs", SourceText.From(Normalize(AnalyzerHarness.Usings + before)));

        var compilation = await document.Project.GetCompilationAsync();
        var diagnostics = await compilation!.WithAnalyzers(Analyzers).GetAnalyzerDiagnosticsAsync();
        var diagnostic = diagnostics.FirstOrDefault(d => d.Id == diagnosticId);
        Assert.True(diagnostic is not null, $"{diagnosticId} was not reported: {string.Join("; ", diagnostics)}");

        CodeAction? action = null;
        var context = new CodeFixContext(document, diagnostic!, (a, _) => action ??= a, CancellationToken.None);
        await fix.RegisterCodeFixesAsync(context);
        Assert.True(action is not null, $"no code fix offered for {diagnosticId}");

        var operations = await action!.GetOperationsAsync(CancellationToken.None);
        var solution = operations.OfType<ApplyChangesOperation>().Single().ChangedSolution;
        var fixedText = (await solution.GetDocument(document.Id)!.GetTextAsync()).ToString();
        Assert.Equal(Normalize(AnalyzerHarness.Usings + after), Normalize(fixedText));
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal);
}

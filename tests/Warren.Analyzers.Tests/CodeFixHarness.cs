using System;
using System.Collections.Generic;
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

/// <summary>
/// Applies a code fix to the first diagnostic with an id, or Fix All over the solution the way
/// <c>dotnet format analyzers</c> does, and compares every document with the expected text.
/// </summary>
internal static class CodeFixHarness
{
    private static readonly ImmutableArray<DiagnosticAnalyzer> Analyzers = [new SymbolRulesAnalyzer(), new CompilationRulesAnalyzer(), new PublishTargetAnalyzer()];

    /// <summary>One fix, for the first <paramref name="diagnosticId"/> in a one-file project.</summary>
    public static Task VerifyAsync(CodeFixProvider fix, string diagnosticId, string before, string after) =>
        VerifyAsync(fix, diagnosticId, [before], [after], fixAll: false);

    /// <summary>Fix All in the solution, for every <paramref name="diagnosticId"/> in the files.</summary>
    public static Task VerifyFixAllAsync(CodeFixProvider fix, string diagnosticId, string[] before, string[] after) =>
        VerifyAsync(fix, diagnosticId, before, after, fixAll: true);

    private static async Task VerifyAsync(CodeFixProvider fix, string diagnosticId, string[] before, string[] after, bool fixAll)
    {
        using var workspace = new AdhocWorkspace();
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Append(typeof(IPublisher).Assembly.Location)
            .Distinct(StringComparer.Ordinal)
            .Select(p => MetadataReference.CreateFromFile(p));
        var project = workspace.AddProject("Fixed", LanguageNames.CSharp)
            .WithMetadataReferences(references)
            .WithParseOptions(new CSharpParseOptions(LanguageVersion.Latest))
            .WithCompilationOptions(new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        var ids = new List<DocumentId>();
        for (var i = 0; i < before.Length; i++)
        {
            var document = project.AddDocument($"File{i}.cs", SourceText.From(Normalize(AnalyzerHarness.Usings + before[i])), filePath: $"/src/File{i}.cs");
            project = document.Project;
            ids.Add(document.Id);
        }

        Assert.True(workspace.TryApplyChanges(project.Solution));
        var solution = workspace.CurrentSolution;
        var compilation = await solution.Projects.Single().GetCompilationAsync();
        var diagnostics = (await compilation!.WithAnalyzers(Analyzers).GetAnalyzerDiagnosticsAsync()).Where(d => d.Id == diagnosticId).ToImmutableArray();
        Assert.True(diagnostics.Length > 0, $"{diagnosticId} was not reported");
        var first = diagnostics.OrderBy(d => d.Location.SourceTree!.FilePath, StringComparer.Ordinal).ThenBy(d => d.Location.SourceSpan.Start).First();
        var firstDocument = solution.GetDocument(first.Location.SourceTree)!;

        CodeAction? action = null;
        await fix.RegisterCodeFixesAsync(new CodeFixContext(firstDocument, first, (a, _) => action ??= a, CancellationToken.None));
        Assert.True(action is not null, $"no code fix offered for {diagnosticId}");
        if (fixAll)
        {
            var provider = fix.GetFixAllProvider();
            Assert.True(provider is not null, "the fix has no Fix All provider");
            var context = new FixAllContext(firstDocument, fix, FixAllScope.Solution, action!.EquivalenceKey, [diagnosticId], new Diagnostics(diagnostics), CancellationToken.None);
            action = await provider!.GetFixAsync(context);
            Assert.True(action is not null, "Fix All offered nothing");
        }

        var operations = await action!.GetOperationsAsync(CancellationToken.None);
        var fixedSolution = operations.OfType<ApplyChangesOperation>().Single().ChangedSolution;
        for (var i = 0; i < after.Length; i++)
        {
            var text = (await fixedSolution.GetDocument(ids[i])!.GetTextAsync()).ToString();
            Assert.Equal(Normalize(AnalyzerHarness.Usings + after[i]), Normalize(text));
        }
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal);

    private sealed class Diagnostics(ImmutableArray<Diagnostic> all) : FixAllContext.DiagnosticProvider
    {
        public override Task<IEnumerable<Diagnostic>> GetAllDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
            Task.FromResult<IEnumerable<Diagnostic>>(all);

        public override Task<IEnumerable<Diagnostic>> GetDocumentDiagnosticsAsync(Document document, CancellationToken cancellationToken) =>
            Task.FromResult(all.Where(d => d.Location.SourceTree?.FilePath == document.FilePath));

        public override Task<IEnumerable<Diagnostic>> GetProjectDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
            Task.FromResult(Enumerable.Empty<Diagnostic>());
    }
}

using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Simplification;

namespace Warren.CodeFixes;

/// <summary>
/// A fix that adds an attribute to a type that may be declared in another file: the diagnostic's first additional
/// location (a consumer class, a JsonSerializerContext). Fix All groups the diagnostics by that type and adds each
/// distinct attribute once, so many diagnostics pointing at one class make one edit of it.
/// </summary>
public abstract class AddTypeAttributeCodeFix : CodeFixProvider
{
    /// <summary>The attribute a diagnostic asks for (fully qualified; simplified on insertion), or null.</summary>
    protected abstract AttributeSyntax? Attribute(Diagnostic diagnostic);

    /// <summary>The title of the code action adding <paramref name="attribute"/> to type <paramref name="typeName"/>.</summary>
    protected abstract string Title(Diagnostic diagnostic, string typeName);

    /// <inheritdoc />
    public sealed override FixAllProvider GetFixAllProvider() => new FixAll(this);

    /// <inheritdoc />
    public sealed override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        foreach (var diagnostic in context.Diagnostics)
        {
            if (Target(diagnostic) is not { } location || Attribute(diagnostic) is null)
            {
                continue;
            }

            var root = await location.SourceTree!.GetRootAsync(context.CancellationToken).ConfigureAwait(false);
            if (Declaration(root, location) is not { } declaration)
            {
                continue;
            }

            var solution = context.Document.Project.Solution;
            context.RegisterCodeFix(
                CodeAction.Create(Title(diagnostic, declaration.Identifier.ValueText), ct => FixAsync(solution, [diagnostic], ct), GetType().Name),
                diagnostic);
        }
    }

    private async Task<Solution> FixAsync(Solution solution, IEnumerable<Diagnostic> diagnostics, CancellationToken cancellationToken)
    {
        // In source order of the diagnostics, whatever order they were reported in: the same edit every time.
        var edits = diagnostics
            .OrderBy(d => d.Location.SourceTree?.FilePath, System.StringComparer.Ordinal)
            .ThenBy(d => d.Location.SourceSpan.Start)
            .Select(d => (Location: Target(d), Attribute: Attribute(d)))
            .Where(e => e.Location is not null && e.Attribute is not null)
            .Select(e => (Location: e.Location!, Attribute: e.Attribute!.WithAdditionalAnnotations(Simplifier.Annotation)))
            .ToList();
        foreach (var file in edits.GroupBy(e => e.Location.SourceTree!.FilePath))
        {
            var tree = file.First().Location.SourceTree!;
            if (FindDocument(solution, tree) is not { } document || await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false) is not { } root)
            {
                continue;
            }

            var byDeclaration = file
                .Select(e => (Declaration: Declaration(root, e.Location), e.Attribute))
                .Where(e => e.Declaration is not null)
                .GroupBy(e => e.Declaration!)
                .ToDictionary(g => g.Key, g => g.Select(e => e.Attribute).GroupBy(Key).Select(a => a.First()).Where(a => !g.Key.AttributeLists.SelectMany(l => l.Attributes).Any(existing => Key(existing) == Key(a))).ToList());
            var fixedRoot = root.ReplaceNodes(byDeclaration.Keys, (original, current) => AttributeEdits.Add(current, byDeclaration[original]));
            var fixedDocument = await DocumentCodeFix.CleanUpAsync(document.WithSyntaxRoot(fixedRoot), cancellationToken).ConfigureAwait(false);
            solution = fixedDocument.Project.Solution;
        }

        return solution;
    }

    private static Location? Target(Diagnostic diagnostic) =>
        diagnostic.AdditionalLocations.FirstOrDefault() is { IsInSource: true } location ? location : null;

    private static TypeDeclarationSyntax? Declaration(SyntaxNode root, Location location) =>
        root.FindNode(location.SourceSpan).FirstAncestorOrSelf<TypeDeclarationSyntax>();

    private static Document? FindDocument(Solution solution, SyntaxTree tree) =>
        solution.GetDocument(tree)
        ?? solution.GetDocumentIdsWithFilePath(tree.FilePath).Select(solution.GetDocument).FirstOrDefault(d => d is not null);

    private static string Key(AttributeSyntax attribute) => attribute.NormalizeWhitespace().ToFullString();

    private sealed class FixAll(AddTypeAttributeCodeFix fix) : FixAllProvider
    {
        public override IEnumerable<FixAllScope> GetSupportedFixAllScopes() => [FixAllScope.Document, FixAllScope.Project, FixAllScope.Solution];

        public override Task<CodeAction?> GetFixAsync(FixAllContext fixAllContext) =>
            Task.FromResult<CodeAction?>(CodeAction.Create(
                $"Fix all: {fixAllContext.CodeActionEquivalenceKey}",
                async ct => await fix.FixAsync(fixAllContext.Solution, await DiagnosticsAsync(fixAllContext).ConfigureAwait(false), ct).ConfigureAwait(false),
                fixAllContext.CodeActionEquivalenceKey));

        private static async Task<IReadOnlyList<Diagnostic>> DiagnosticsAsync(FixAllContext context)
        {
            var projects = context.Scope switch
            {
                FixAllScope.Solution => context.Solution.Projects,
                _ => [context.Project],
            };
            var diagnostics = new List<Diagnostic>();
            foreach (var project in projects)
            {
                if (context.Scope is FixAllScope.Document && context.Document is { } document)
                {
                    diagnostics.AddRange(await context.GetDocumentDiagnosticsAsync(document).ConfigureAwait(false));
                }
                else
                {
                    diagnostics.AddRange(await context.GetAllDiagnosticsAsync(project).ConfigureAwait(false));
                }
            }

            return diagnostics;
        }
    }
}

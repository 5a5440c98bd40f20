using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;

namespace Warren.CodeFixes;

/// <summary>
/// A fix that edits only the document its diagnostic is in. One fix and Fix All (the IDE's, and
/// <c>dotnet format analyzers</c>) share one path: every diagnostic of a document is applied to one tree, each to its
/// node as it stands after the edits before it, so edits in one attribute or member never conflict.
/// </summary>
public abstract class DocumentCodeFix : CodeFixProvider
{
    /// <summary>The title of the code action.</summary>
    protected abstract string Title { get; }

    /// <summary>The node the fix of a diagnostic edits, or null when there is nothing mechanical to do.</summary>
    protected abstract SyntaxNode? Target(SyntaxNode root, Diagnostic diagnostic);

    /// <summary>The root with the fix applied to <paramref name="target"/>, which is in <paramref name="root"/>.</summary>
    protected abstract SyntaxNode Apply(SyntaxNode root, SyntaxNode target, Diagnostic diagnostic);

    /// <inheritdoc />
    public sealed override FixAllProvider GetFixAllProvider() => new FixAll(this);

    /// <inheritdoc />
    public sealed override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return;
        }

        foreach (var diagnostic in context.Diagnostics.Where(d => Target(root, d) is not null))
        {
            var document = context.Document;
            context.RegisterCodeFix(CodeAction.Create(Title, ct => FixAsync(document, [diagnostic], ct), GetType().Name), diagnostic);
        }
    }

    private async Task<Document> FixAsync(Document document, IReadOnlyList<Diagnostic> diagnostics, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return document;
        }

        var targets = diagnostics
            .Select(d => (Node: Target(root, d), Diagnostic: d))
            .Where(t => t.Node is not null)
            .GroupBy(t => t.Node!)
            .Select(g => (Node: g.Key, g.First().Diagnostic))
            .ToList();
        var tracked = root.TrackNodes(targets.Select(t => t.Node));
        foreach (var (node, diagnostic) in targets)
        {
            if (tracked.GetCurrentNode(node) is { } current)
            {
                tracked = Apply(tracked, current, diagnostic);
            }
        }

        return await CleanUpAsync(document.WithSyntaxRoot(tracked), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Shortens the fully qualified names a fix inserts where the file's usings allow, and formats what it marked.</summary>
    internal static async Task<Document> CleanUpAsync(Document document, CancellationToken cancellationToken)
    {
        var simplified = await Simplifier.ReduceAsync(document, Simplifier.Annotation, cancellationToken: cancellationToken).ConfigureAwait(false);
        return await Formatter.FormatAsync(simplified, Formatter.Annotation, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private sealed class FixAll(DocumentCodeFix fix) : DocumentBasedFixAllProvider
    {
        protected override async Task<Document?> FixAllAsync(FixAllContext fixAllContext, Document document, ImmutableArray<Diagnostic> diagnostics) =>
            diagnostics.IsEmpty ? null : await fix.FixAsync(document, diagnostics, fixAllContext.CancellationToken).ConfigureAwait(false);
    }
}

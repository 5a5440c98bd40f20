using System.Collections.Immutable;
using System.Composition;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Warren.Analyzers;

namespace Warren.CodeFixes;

/// <summary>WRN016: removes the option a quorum queue refuses (the named argument, or the <c>[Priority]</c> attribute).</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RemoveQuorumOptionCodeFix))]
[Shared]
public sealed class RemoveQuorumOptionCodeFix : CodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.QuorumIncompatible.Id);

    /// <inheritdoc />
    public override FixAllProvider? GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var node = root?.FindNode(context.Span);
        SyntaxNode? remove = node switch
        {
            AttributeArgumentSyntax argument => argument,
            AttributeSyntax { Parent: AttributeListSyntax { Attributes.Count: 1 } list } => list,
            AttributeSyntax attribute => attribute,
            _ => null,
        };
        if (root is null || remove is null)
        {
            return;
        }

        context.RegisterCodeFix(
            CodeAction.Create("Remove the option quorum queues refuse", _ => Task.FromResult(context.Document.WithSyntaxRoot(root.RemoveNode(remove, Microsoft.CodeAnalysis.SyntaxRemoveOptions.KeepNoTrivia)!)), nameof(RemoveQuorumOptionCodeFix)),
            context.Diagnostics[0]);
    }
}

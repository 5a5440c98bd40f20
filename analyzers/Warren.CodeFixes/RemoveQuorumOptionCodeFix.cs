using System.Collections.Immutable;
using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Warren.Analyzers;

namespace Warren.CodeFixes;

/// <summary>WRN016: removes the option a quorum queue refuses (the named argument, or the <c>[Priority]</c> attribute).</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RemoveQuorumOptionCodeFix))]
[Shared]
public sealed class RemoveQuorumOptionCodeFix : DocumentCodeFix
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.QuorumIncompatible.Id);

    /// <inheritdoc />
    protected override string Title => "Remove the option quorum queues refuse";

    /// <inheritdoc />
    protected override SyntaxNode? Target(SyntaxNode root, Diagnostic diagnostic) =>
        root.FindNode(diagnostic.Location.SourceSpan) switch
        {
            AttributeArgumentSyntax argument => argument,
            AttributeSyntax attribute => attribute,
            _ => null,
        };

    /// <inheritdoc />
    protected override SyntaxNode Apply(SyntaxNode root, SyntaxNode target, Diagnostic diagnostic) => AttributeEdits.Remove(root, target);
}

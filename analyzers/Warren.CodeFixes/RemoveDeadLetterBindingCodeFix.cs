using System.Collections.Immutable;
using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Warren.Analyzers;

namespace Warren.CodeFixes;

/// <summary>WRN027: removes the <c>[Topic]</c> or <c>[Headers]</c> binding that brings work messages to a dead-letter queue's consumer.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RemoveDeadLetterBindingCodeFix))]
[Shared]
public sealed class RemoveDeadLetterBindingCodeFix : DocumentCodeFix
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.DeadLetterConsumerBoundToWork.Id);

    /// <inheritdoc />
    protected override string Title => "Remove the binding from the dead-letter queue's consumer";

    /// <inheritdoc />
    protected override SyntaxNode? Target(SyntaxNode root, Diagnostic diagnostic) =>
        root.FindNode(diagnostic.Location.SourceSpan) as AttributeSyntax;

    /// <inheritdoc />
    protected override SyntaxNode Apply(SyntaxNode root, SyntaxNode target, Diagnostic diagnostic) => AttributeEdits.Remove(root, target);
}

using System.Collections.Immutable;
using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Warren.Analyzers;
using Warren.Generators.Parsing;

namespace Warren.CodeFixes;

/// <summary>
/// WRN031: removes the option a stream refuses or ignores (the named argument, or the <c>[Priority]</c> attribute), and
/// the stream-only options of another queue type (<c>MaxAge</c>, <c>MaxSegmentSizeBytes</c>, <c>[ConsumeFrom]</c>).
/// Delayed retries on a stream become <c>MaxRetries = 0</c>, which says what a stream does with a failure. An invalid
/// <c>[ConsumeFrom]</c> timestamp or offset has no mechanical fix: only the user knows where to start.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(FixStreamOptionCodeFix))]
[Shared]
public sealed class FixStreamOptionCodeFix : DocumentCodeFix
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.StreamIncompatible.Id);

    /// <inheritdoc />
    protected override string Title => "Remove the option the queue type does not take";

    /// <inheritdoc />
    protected override SyntaxNode? Target(SyntaxNode root, Diagnostic diagnostic) =>
        root.FindNode(diagnostic.Location.SourceSpan) switch
        {
            AttributeArgumentSyntax { NameEquals.Name.Identifier.ValueText: AttributeNames.ConsumeFrom.Timestamp or AttributeNames.ConsumeFrom.Offset } => null,
            AttributeArgumentSyntax argument => argument,
            AttributeSyntax attribute => attribute,
            _ => null,
        };

    /// <inheritdoc />
    protected override SyntaxNode Apply(SyntaxNode root, SyntaxNode target, Diagnostic diagnostic)
    {
        if (target is AttributeArgumentSyntax { NameEquals.Name.Identifier.ValueText: AttributeNames.DeadLetter.MaxRetries } retries)
        {
            var zero = SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(0)).WithTriviaFrom(retries.Expression);
            return root.ReplaceNode(retries, retries.WithExpression(zero));
        }

        return AttributeEdits.Remove(root, target);
    }
}

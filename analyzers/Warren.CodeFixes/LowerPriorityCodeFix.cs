using System.Collections.Immutable;
using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Warren.Analyzers;
using Warren.Analyzers.Rules;
using Warren.Generators.Parsing;

namespace Warren.CodeFixes;

/// <summary>
/// WRN011: sets a priority above 10 (a message's <c>[Priority(n)]</c> or a queue's <c>[Priority(Max = n)]</c>) to 10,
/// the most levels RabbitMQ advises.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(LowerPriorityCodeFix))]
[Shared]
public sealed class LowerPriorityCodeFix : DocumentCodeFix
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.PriorityAboveTen.Id);

    /// <inheritdoc />
    protected override string Title => "Lower the priority to 10";

    /// <inheritdoc />
    protected override SyntaxNode? Target(SyntaxNode root, Diagnostic diagnostic) =>
        root.FindNode(diagnostic.Location.SourceSpan).FirstAncestorOrSelf<AttributeArgumentSyntax>() is { } argument
        && (argument.NameEquals is null ? argument.NameColon is null : argument.NameEquals.Name.Identifier.ValueText == AttributeNames.Priority.Max)
            ? argument
            : null;

    /// <inheritdoc />
    protected override SyntaxNode Apply(SyntaxNode root, SyntaxNode target, Diagnostic diagnostic)
    {
        var argument = (AttributeArgumentSyntax)target;
        var literal = SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(Priorities.AdvisedMaximum));
        return root.ReplaceNode(argument, argument.WithExpression(literal.WithTriviaFrom(argument.Expression)));
    }
}

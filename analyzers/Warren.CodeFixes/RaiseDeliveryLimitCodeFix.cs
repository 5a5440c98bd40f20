using System.Collections.Immutable;
using System.Composition;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Warren.Analyzers;
using Warren.Generators.Parsing;

namespace Warren.CodeFixes;

/// <summary>WRN015: raises a quorum queue's <c>DeliveryLimit</c> to the attempts its dead-letter policy makes.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RaiseDeliveryLimitCodeFix))]
[Shared]
public sealed class RaiseDeliveryLimitCodeFix : DocumentCodeFix
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.RetriesOverDeliveryLimit.Id);

    /// <inheritdoc />
    protected override string Title => "Raise DeliveryLimit to the policy's attempts";

    /// <inheritdoc />
    protected override SyntaxNode? Target(SyntaxNode root, Diagnostic diagnostic) =>
        diagnostic.Properties.ContainsKey(AttributeNames.Queue.DeliveryLimit)
        && root.FindNode(diagnostic.Location.SourceSpan).FirstAncestorOrSelf<AttributeArgumentSyntax>() is { NameEquals.Name.Identifier.ValueText: AttributeNames.Queue.DeliveryLimit } argument
            ? argument
            : null;

    /// <inheritdoc />
    protected override SyntaxNode Apply(SyntaxNode root, SyntaxNode target, Diagnostic diagnostic)
    {
        var argument = (AttributeArgumentSyntax)target;
        var attempts = int.Parse(diagnostic.Properties[AttributeNames.Queue.DeliveryLimit]!, CultureInfo.InvariantCulture);
        var literal = SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(attempts));
        return root.ReplaceNode(argument, argument.WithExpression(literal.WithTriviaFrom(argument.Expression)));
    }
}

using System.Collections.Immutable;
using System.Composition;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;
using Warren.Analyzers;
using Warren.Generators.Parsing;

namespace Warren.CodeFixes;

/// <summary>WRN042: sets a <c>[DeadLetter]</c>'s <c>MaxRetries</c> to the number of its <c>RetryDelays</c>, so each delay is used.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RaiseMaxRetriesCodeFix))]
[Shared]
public sealed class RaiseMaxRetriesCodeFix : DocumentCodeFix
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.UnusedRetryDelays.Id);

    /// <inheritdoc />
    protected override string Title => "Set MaxRetries to the number of retry delays";

    /// <inheritdoc />
    protected override SyntaxNode? Target(SyntaxNode root, Diagnostic diagnostic) =>
        diagnostic.Properties.ContainsKey(AttributeNames.DeadLetter.MaxRetries)
        && root.FindNode(diagnostic.Location.SourceSpan).FirstAncestorOrSelf<AttributeArgumentSyntax>() is { NameEquals.Name.Identifier.ValueText: AttributeNames.DeadLetter.RetryDelays, Parent: AttributeArgumentListSyntax list }
            ? list
            : null;

    /// <inheritdoc />
    protected override SyntaxNode Apply(SyntaxNode root, SyntaxNode target, Diagnostic diagnostic)
    {
        var list = (AttributeArgumentListSyntax)target;
        var count = int.Parse(diagnostic.Properties[AttributeNames.DeadLetter.MaxRetries]!, CultureInfo.InvariantCulture);
        var literal = SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(count));
        if (list.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == AttributeNames.DeadLetter.MaxRetries) is { } existing)
        {
            return root.ReplaceNode(existing, existing.WithExpression(literal.WithTriviaFrom(existing.Expression)));
        }

        // Before RetryDelays, as the count is read before the delays it applies to.
        var delays = list.Arguments.First(a => a.NameEquals?.Name.Identifier.ValueText == AttributeNames.DeadLetter.RetryDelays);
        var argument = SyntaxFactory.AttributeArgument(
            SyntaxFactory.NameEquals(SyntaxFactory.IdentifierName(AttributeNames.DeadLetter.MaxRetries)), null, literal);
        return root.ReplaceNode(list, list.WithArguments(list.Arguments.Insert(list.Arguments.IndexOf(delays), argument)).WithAdditionalAnnotations(Formatter.Annotation));
    }
}

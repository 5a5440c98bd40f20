using System.Collections.Immutable;
using System.Composition;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Warren.Analyzers;
using Warren.Analyzers.Rules;

namespace Warren.CodeFixes;

/// <summary>WRN024: raises <c>Prefetch</c> to the queue's (or RPC service's) <c>Concurrency</c>; WRN030: to a batch handler's <c>Size</c>.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RaisePrefetchCodeFix))]
[Shared]
public sealed class RaisePrefetchCodeFix : DocumentCodeFix
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.ConcurrencyAbovePrefetch.Id, DiagnosticDescriptors.BatchAbovePrefetch.Id);

    // The same name on [Queue] and [RpcService].
    private const string Name = Warren.Generators.Parsing.AttributeNames.Queue.Prefetch;

    /// <inheritdoc />
    protected override string Title => "Raise Prefetch";

    /// <inheritdoc />
    protected override SyntaxNode? Target(SyntaxNode root, Diagnostic diagnostic) =>
        diagnostic.Properties.ContainsKey(ConsumerSettings.PrefetchProperty)
            ? root.FindNode(diagnostic.Location.SourceSpan).FirstAncestorOrSelf<AttributeSyntax>()
            : null;

    /// <inheritdoc />
    protected override SyntaxNode Apply(SyntaxNode root, SyntaxNode target, Diagnostic diagnostic)
    {
        var attribute = (AttributeSyntax)target;
        var value = int.Parse(diagnostic.Properties[ConsumerSettings.PrefetchProperty]!, CultureInfo.InvariantCulture);
        var literal = SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(value));
        var arguments = attribute.ArgumentList!.Arguments;
        var prefetch = arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == Name);
        SeparatedSyntaxList<AttributeArgumentSyntax> updated;
        if (prefetch is not null)
        {
            updated = arguments.Replace(prefetch, prefetch.WithExpression(literal.WithTriviaFrom(prefetch.Expression)));
        }
        else
        {
            var equals = SyntaxFactory.Token(SyntaxKind.EqualsToken).WithLeadingTrivia(SyntaxFactory.Space).WithTrailingTrivia(SyntaxFactory.Space);
            var argument = SyntaxFactory.AttributeArgument(SyntaxFactory.NameEquals(SyntaxFactory.IdentifierName(Name), equals), null, literal);
            var comma = SyntaxFactory.Token(SyntaxKind.CommaToken).WithTrailingTrivia(SyntaxFactory.Space);
            updated = SyntaxFactory.SeparatedList(arguments.Append(argument), arguments.GetSeparators().Append(comma));
        }

        return root.ReplaceNode(attribute, attribute.WithArgumentList(attribute.ArgumentList.WithArguments(updated)));
    }
}

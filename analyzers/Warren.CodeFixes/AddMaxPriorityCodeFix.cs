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

/// <summary>WRN012: adds <c>[Priority(Max = 10)]</c> to the consumer class whose queue receives the prioritized message.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddMaxPriorityCodeFix))]
[Shared]
public sealed class AddMaxPriorityCodeFix : AddTypeAttributeCodeFix
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.PriorityIgnored.Id);

    /// <inheritdoc />
    protected override AttributeSyntax? Attribute(Diagnostic diagnostic) =>
        SyntaxFactory.Attribute(SyntaxFactory.ParseName("global::Warren.Priority"))
            .AddArgumentListArguments(SyntaxFactory.AttributeArgument(SyntaxFactory.NameEquals(AttributeNames.Priority.Max), null, SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(Priorities.AdvisedMaximum))));

    /// <inheritdoc />
    protected override string Title(Diagnostic diagnostic, string typeName) => $"Add [Priority({AttributeNames.Priority.Max} = {Priorities.AdvisedMaximum})] to {typeName}";
}

using System.Collections.Immutable;
using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Warren.Analyzers;

namespace Warren.CodeFixes;

/// <summary>
/// WRN035: adds <c>[Message("…")]</c> with the contract name in use (the namespace-qualified one) to the message type,
/// so that adding or removing a type of the same short name no longer changes it.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(PinContractNameCodeFix))]
[Shared]
public sealed class PinContractNameCodeFix : AddTypeAttributeCodeFix
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.QualifiedContractName.Id);

    /// <inheritdoc />
    protected override AttributeSyntax? Attribute(Diagnostic diagnostic) =>
        diagnostic.Properties.TryGetValue(CompilationRulesAnalyzer.ContractNameProperty, out var name) && name is not null
            ? SyntaxFactory.Attribute(SyntaxFactory.ParseName("global::Warren.Message"))
                .AddArgumentListArguments(SyntaxFactory.AttributeArgument(SyntaxFactory.LiteralExpression(SyntaxKind.StringLiteralExpression, SyntaxFactory.Literal(name))))
            : null;

    /// <inheritdoc />
    protected override string Title(Diagnostic diagnostic, string typeName) =>
        $"Pin the contract name of {typeName} with [Message(\"{diagnostic.Properties[CompilationRulesAnalyzer.ContractNameProperty]}\")]";
}

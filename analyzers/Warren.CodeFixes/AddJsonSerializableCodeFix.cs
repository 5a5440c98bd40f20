using System.Collections.Immutable;
using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Warren.Analyzers;

namespace Warren.CodeFixes;

/// <summary>WRN019: adds <c>[JsonSerializable(typeof(X))]</c> to the compilation's JsonSerializerContext (the diagnostic's additional location).</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddJsonSerializableCodeFix))]
[Shared]
public sealed class AddJsonSerializableCodeFix : AddTypeAttributeCodeFix
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.NotSerializable.Id);

    /// <inheritdoc />
    protected override AttributeSyntax? Attribute(Diagnostic diagnostic) =>
        diagnostic.Properties.TryGetValue(CompilationRulesAnalyzer.TypeNameProperty, out var typeName) && typeName is not null
            ? SyntaxFactory.Attribute(SyntaxFactory.ParseName("global::System.Text.Json.Serialization.JsonSerializable"))
                .AddArgumentListArguments(SyntaxFactory.AttributeArgument(SyntaxFactory.TypeOfExpression(SyntaxFactory.ParseTypeName(typeName))))
            : null;

    /// <inheritdoc />
    protected override string Title(Diagnostic diagnostic, string typeName) =>
        $"Add [JsonSerializable] for the message type to {typeName}";
}

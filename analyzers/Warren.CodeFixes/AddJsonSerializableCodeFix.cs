using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Warren.Analyzers;

namespace Warren.CodeFixes;

/// <summary>WRN019: adds <c>[JsonSerializable(typeof(X))]</c> to the compilation's JsonSerializerContext.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddJsonSerializableCodeFix))]
[Shared]
public sealed class AddJsonSerializableCodeFix : CodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.NotSerializable.Id);

    /// <inheritdoc />
    public override FixAllProvider? GetFixAllProvider() => null;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var diagnostic = context.Diagnostics[0];
        if (!diagnostic.Properties.TryGetValue(CompilationRulesAnalyzer.TypeNameProperty, out var typeName) || typeName is null)
        {
            return;
        }

        var compilation = await context.Document.Project.GetCompilationAsync(context.CancellationToken).ConfigureAwait(false);
        var contextType = compilation?.GetTypeByMetadataName("System.Text.Json.Serialization.JsonSerializerContext");
        if (compilation is null || contextType is null)
        {
            return;
        }

        foreach (var tree in compilation.SyntaxTrees)
        {
            var model = compilation.GetSemanticModel(tree);
            var root = await tree.GetRootAsync(context.CancellationToken).ConfigureAwait(false);
            foreach (var declaration in root.DescendantNodes().OfType<ClassDeclarationSyntax>())
            {
                if (model.GetDeclaredSymbol(declaration, context.CancellationToken) is INamedTypeSymbol symbol && Derives(symbol, contextType))
                {
                    var document = context.Document.Project.Solution.GetDocument(tree);
                    if (document is null)
                    {
                        continue;
                    }

                    context.RegisterCodeFix(
                        CodeAction.Create($"Add [JsonSerializable(typeof({Short(typeName)}))] to {symbol.Name}", ct => AddAsync(document, declaration, typeName, ct), nameof(AddJsonSerializableCodeFix)),
                        diagnostic);
                    return;
                }
            }
        }
    }

    private static Task<Solution> AddAsync(Document document, ClassDeclarationSyntax declaration, string typeName, CancellationToken cancellationToken) =>
        AttributeInsertion.AddAsync(
            document,
            declaration,
            SyntaxFactory.Attribute(SyntaxFactory.ParseName("global::System.Text.Json.Serialization.JsonSerializable"))
                .AddArgumentListArguments(SyntaxFactory.AttributeArgument(SyntaxFactory.TypeOfExpression(SyntaxFactory.ParseTypeName(typeName)))),
            cancellationToken);

    private static bool Derives(INamedTypeSymbol type, INamedTypeSymbol baseType)
    {
        for (var current = type.BaseType; current is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current, baseType))
            {
                return true;
            }
        }

        return false;
    }

    private static string Short(string typeName) => typeName.Split('.').Last();
}

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

/// <summary>WRN012: adds <c>[Priority(Max = 10)]</c> to the consumer class whose queue receives the prioritized message.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddMaxPriorityCodeFix))]
[Shared]
public sealed class AddMaxPriorityCodeFix : CodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.PriorityIgnored.Id);

    /// <inheritdoc />
    public override FixAllProvider? GetFixAllProvider() => null;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var diagnostic = context.Diagnostics[0];
        if (!diagnostic.Properties.TryGetValue(CompilationRulesAnalyzer.ConsumerProperty, out var consumer) || consumer is null)
        {
            return;
        }

        var compilation = await context.Document.Project.GetCompilationAsync(context.CancellationToken).ConfigureAwait(false);
        var metadataName = consumer.StartsWith("global::", System.StringComparison.Ordinal) ? consumer.Substring(8) : consumer;
        var type = compilation?.GetTypeByMetadataName(metadataName);
        var reference = type?.DeclaringSyntaxReferences.FirstOrDefault();
        if (reference is null || context.Document.Project.Solution.GetDocument(reference.SyntaxTree) is not { } document)
        {
            return;
        }

        context.RegisterCodeFix(
            CodeAction.Create($"Add [Priority(Max = 10)] to {type!.Name}", ct => AddAsync(document, reference, ct), nameof(AddMaxPriorityCodeFix)),
            diagnostic);
    }

    private static async Task<Solution> AddAsync(Document document, SyntaxReference reference, CancellationToken cancellationToken)
    {
        var declaration = (TypeDeclarationSyntax)await reference.GetSyntaxAsync(cancellationToken).ConfigureAwait(false);
        var attribute = SyntaxFactory.Attribute(SyntaxFactory.ParseName("global::Warren.Priority"))
            .AddArgumentListArguments(SyntaxFactory.AttributeArgument(SyntaxFactory.NameEquals("Max"), null, SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(10))));
        return await AttributeInsertion.AddAsync(document, declaration, attribute, cancellationToken).ConfigureAwait(false);
    }
}

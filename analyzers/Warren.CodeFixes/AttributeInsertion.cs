using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Warren.CodeFixes;

/// <summary>Adds an attribute list, on its own line, to a type declaration.</summary>
internal static class AttributeInsertion
{
    public static async Task<Solution> AddAsync(Document document, TypeDeclarationSyntax declaration, AttributeSyntax attribute, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var list = SyntaxFactory.AttributeList(SyntaxFactory.SingletonSeparatedList(attribute)).WithTrailingTrivia(SyntaxFactory.ElasticCarriageReturnLineFeed);
        return document.WithSyntaxRoot(root!.ReplaceNode(declaration, declaration.WithAttributeLists(declaration.AttributeLists.Add(list)))).Project.Solution;
    }
}

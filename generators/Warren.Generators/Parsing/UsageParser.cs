using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Warren.Generators.Model;

namespace Warren.Generators.Parsing;

/// <summary>
/// Finds what an assembly publishes and calls, for its manifest: calls of <c>IPublisher.PublishAsync&lt;T&gt;</c> and
/// <c>PublishBatchAsync&lt;T&gt;</c> (the message type), and calls of a method of an <c>[RpcService]</c> interface.
/// </summary>
internal static class UsageParser
{
    public static bool IsCandidate(SyntaxNode node) =>
        node is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax or MemberBindingExpressionSyntax };

    public static UsageModel? Parse(GeneratorSyntaxContext context, CancellationToken ct)
    {
        if (context.SemanticModel.GetSymbolInfo(context.Node, ct).Symbol is not IMethodSymbol method || method.ContainingType is not { } type)
        {
            return null;
        }

        if (type is { Name: "IPublisher", ContainingNamespace: { Name: "Warren", ContainingNamespace.IsGlobalNamespace: true } }
            && method.Name is "PublishAsync" or "PublishBatchAsync" && method.TypeArguments.Length == 1 && method.TypeArguments[0] is INamedTypeSymbol message)
        {
            return new UsageModel(false, message.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat));
        }

        if (type.TypeKind == TypeKind.Interface && type.GetAttributes().Any(a => a.AttributeClass is { Name: "RpcServiceAttribute", ContainingNamespace: { Name: "Warren", ContainingNamespace.IsGlobalNamespace: true } }))
        {
            return new UsageModel(true, type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat));
        }

        return null;
    }
}

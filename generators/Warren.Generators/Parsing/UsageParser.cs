using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Warren.Generators.Model;

namespace Warren.Generators.Parsing;

/// <summary>
/// Finds what an assembly publishes and calls, for its manifest: calls of <c>IPublisher.PublishAsync&lt;T&gt;</c> and
/// <c>PublishBatchAsync&lt;T&gt;</c> (the message type), calls of a method of an <c>[RpcService]</c> interface, and calls
/// of a method of a <c>[Publisher]</c> interface declared in a referenced assembly.
/// Invocations are filtered by the invoked name first, syntax only; only those whose name can match are bound.
/// </summary>
internal static class UsageParser
{
    public static bool IsCandidate(SyntaxNode node) =>
        node is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax or MemberBindingExpressionSyntax };

    /// <summary>The name an invocation calls, as written (<c>x.Name(...)</c>, <c>x?.Name(...)</c>, generic or not).</summary>
    public static string? InvokedName(InvocationExpressionSyntax invocation) => invocation.Expression switch
    {
        MemberAccessExpressionSyntax access => access.Name.Identifier.ValueText,
        MemberBindingExpressionSyntax binding => binding.Name.Identifier.ValueText,
        _ => null,
    };

    /// <summary>The usages among <paramref name="invocations"/>, binding only those named like a publish call or a method in <paramref name="rpcMethodNames"/> (RPC and referenced publisher methods).</summary>
    public static IEnumerable<UsageModel> Find(ImmutableArray<InvocationExpressionSyntax> invocations, EquatableArray<string> rpcMethodNames, Compilation compilation, CancellationToken ct)
    {
        var rpcNames = new HashSet<string>(rpcMethodNames.AsEnumerable(), System.StringComparer.Ordinal);
        var models = new Dictionary<SyntaxTree, SemanticModel>();
        foreach (var invocation in invocations)
        {
            ct.ThrowIfCancellationRequested();
            var name = InvokedName(invocation);
            if (name is null || (name is not ("PublishAsync" or "PublishBatchAsync") && !rpcNames.Contains(name)))
            {
                continue;
            }

            var tree = invocation.SyntaxTree;
            if (!models.TryGetValue(tree, out var model))
            {
                if (!compilation.ContainsSyntaxTree(tree))
                {
                    continue;
                }

                model = compilation.GetSemanticModel(tree);
                models.Add(tree, model);
            }

            if (Parse(model.GetSymbolInfo(invocation, ct).Symbol, compilation.Assembly) is { } usage)
            {
                yield return usage;
            }
        }
    }

    private static UsageModel? Parse(ISymbol? symbol, IAssemblySymbol own)
    {
        if (symbol is not IMethodSymbol method || method.ContainingType is not { } type)
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

        // Any referenced interface (also one of a project reference given as its compilation, whose types have syntax):
        // the method a call binds to may be inherited from one without [Publisher]. The method is named by its signature,
        // so a call of one overload does not count the messages of the others.
        if (type.TypeKind == TypeKind.Interface && !SymbolEqualityComparer.Default.Equals(type.ContainingAssembly, own))
        {
            return new UsageModel(false, type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), PublisherParser.Signature(method.OriginalDefinition));
        }

        return null;
    }
}

using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Warren.Generators.Model;
using Warren.Generators.Parsing;

namespace Warren.Analyzers.Rules;

/// <summary>An <c>[RpcService]</c> interface: method shapes and timeouts.</summary>
internal static class RpcRules
{
    private static readonly string[] Returns =
    [
        "global::System.Threading.Tasks.Task<TResult>",
        "global::System.Threading.Tasks.ValueTask<TResult>",
        KnownNames.Task,
        KnownNames.ValueTask,
    ];

    public static void Analyze(SymbolAnalysisContext context, INamedTypeSymbol type)
    {
        if (AttributeReader.Find(type, KnownNames.RpcServiceAttribute) is not { } service)
        {
            return;
        }

        DurationRules.Check(context, service, type, "Timeout");
        foreach (var method in type.GetMembers().OfType<IMethodSymbol>().Where(m => m.MethodKind == MethodKind.Ordinary && m.IsAbstract))
        {
            if (AttributeReader.Find(method, KnownNames.RpcAttribute) is { } rpc)
            {
                DurationRules.Check(context, rpc, method, "Timeout");
            }

            if (Problem(method) is { } problem)
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.UnsupportedRpcMethod, Locations.Of(method), method.Name, problem));
            }
        }
    }

    private static string? Problem(IMethodSymbol method)
    {
        if (method.IsGenericMethod)
        {
            return "is generic";
        }

        var requests = method.Parameters.Count(p => ConsumerParser.Kind(p) == ParameterKind.Message);
        if (requests != 1)
        {
            return requests == 0 ? "takes no request message" : "takes more than one request message";
        }

        if (method.Parameters.Any(p => ConsumerParser.Kind(p) == ParameterKind.Context))
        {
            return "takes a MessageContext, which only handlers receive";
        }

        if (method.Parameters.Any(p => p.RefKind != RefKind.None))
        {
            return "has ref or out parameters";
        }

        var returns = method.ReturnType.OriginalDefinition.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        return Returns.Contains(returns) ? null : $"returns {method.ReturnType.ToDisplayString()}";
    }
}

using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Warren.Generators.Model;
using Warren.Generators.Parsing;
using Warren.Generators.Rules;

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

        DurationRules.Check(context, service, type, AttributeNames.RpcService.Timeout);
        if (ShapeRules.InterfaceProblem(type) is { } interfaceProblem)
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.UnreachableType, Locations.Of(type), type.Name, "is an RPC service that " + interfaceProblem));
        }

        var name = RpcParser.ServiceName(type, service);
        if (AttributeReader.Named(service, AttributeNames.RpcService.QueueType, 0) == AttributeEnums.QuorumQueue && !AttributeReader.Named(service, AttributeNames.RpcService.Durable, true))
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.QuorumIncompatible, Locations.OfArgument(service, AttributeNames.RpcService.Durable, type), RpcParser.QueueName(service, name), "non-durable"));
        }

        NameChecks.RpcService(context, type, service, name);
        ConsumerSettings.Check(context, service, type, "RPC service", name, AttributeNames.RpcService.Prefetch, AttributeNames.RpcService.Concurrency);
        var contracts = new Dictionary<string, IMethodSymbol>();
        foreach (var method in ShapeRules.InterfaceMethods(type))
        {
            var location = method.ContainingType.Equals(type, SymbolEqualityComparer.Default) ? Locations.Of(method) : Locations.Of(type);
            if (AttributeReader.Find(method, KnownNames.RpcAttribute) is { } rpc)
            {
                // A method inherited from a referenced interface is reported at this service: in the IDE its syntax is in a
                // file of the library's project, on the command line it has none.
                DurationRules.Check(context, rpc, method, AttributeNames.RpcService.Timeout, MessageParser.DeclaredIn(method, type.ContainingAssembly) ? null : Locations.Of(type));
            }

            if (ShapeRules.RpcMethodProblem(method) is { } problem)
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.UnsupportedRpcMethod, location, method.Name, problem));
                continue;
            }

            var contract = RpcParser.ContractName(method, name);
            if (contracts.TryGetValue(contract, out var first))
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.DuplicateContract, location, $"RPC method '{method.Name}'", $"'{first.Name}'", contract));
            }
            else
            {
                contracts.Add(contract, method);
            }
        }
    }
}

using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Warren.Generators.Parsing;

namespace Warren.Analyzers.Rules;

/// <summary>An <c>[RpcService]</c> has at most one server in a compilation (WRN028).</summary>
internal static class RpcServerRules
{
    public static void Judge(CompilationAnalysisContext context, IReadOnlyList<(INamedTypeSymbol Server, INamedTypeSymbol Service)> servers)
    {
        foreach (var group in servers.GroupBy(s => s.Service, SymbolEqualityComparer.Default))
        {
            var classes = group.Select(s => s.Server).Distinct<INamedTypeSymbol>(SymbolEqualityComparer.Default)
                .OrderBy(s => s.ToDisplayString(), System.StringComparer.Ordinal)
                .ToList();
            if (classes.Count < 2)
            {
                continue;
            }

            var service = (INamedTypeSymbol)group.Key!;
            var attribute = AttributeReader.Find(service, KnownNames.RpcServiceAttribute)!;
            var name = RpcParser.ServiceName(service, attribute);
            var queue = RpcParser.QueueName(attribute, name);
            foreach (var server in classes)
            {
                var other = classes.First(c => !SymbolEqualityComparer.Default.Equals(c, server));
                var location = Locations.Of(server);
                if (location.IsInSource)
                {
                    context.ReportDiagnostic(Diagnostic.Create(
                        DiagnosticDescriptors.RpcServiceServedTwice, location, new[] { Locations.Of(other) }, server.Name, other.Name, name, queue, service.Name));
                }
            }
        }
    }
}

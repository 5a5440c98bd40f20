using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Warren.Generators.Parsing;

namespace Warren.Analyzers.Rules;

/// <summary>
/// One queue, one consumer: two consumer classes, or RPC services, consuming one queue compete for its messages, or on a
/// stream share its stored offset and consumer status (WRN036),
/// whatever their settings (different settings are also WRN009); a consumer class deriving from another consumer
/// class makes two queues receive the same messages (WRN037).
/// </summary>
internal static class QueueOwnerRules
{
    /// <summary>
    /// What consumes a queue: <paramref name="Key"/> tells owners apart (a class, or an RPC service whatever its servers,
    /// by assembly and full name: one name in two assemblies is two owners); <paramref name="Stream"/>: the queue is a stream.
    /// </summary>
    public readonly record struct Owner(string Queue, string Key, string Display, Location Location, bool Stream = false);

    /// <summary>What consequence WRN036 names for a classic or quorum queue: its consumers compete.</summary>
    public const string Compete = "both would be registered and compete for its messages, and each message a consumer has no handler for is dead-lettered. Give each consumer class or RPC service a queue of its own.";

    /// <summary>What consequence WRN036 names for a stream: each consumer reads every message, but the offset and status are shared.</summary>
    public const string ShareStream = "both would be registered and each would read every message, but they share the stream's stored offset (kept per stream) and its consumer status (kept per queue), so one's progress moves where the other resumes and one's failure is reported as the other's. Merge the handlers into one class, or give each consumer a stream of its own.";

    /// <summary>The key of a type that consumes a queue: its assembly and its full name.</summary>
    public static string KeyOf(ITypeSymbol type) => $"{type.ContainingAssembly?.Identity.GetDisplayName()}|{type.ToDisplayString()}";

    public static void Judge(CompilationAnalysisContext context, IEnumerable<Owner> owners)
    {
        foreach (var group in owners.GroupBy(o => o.Queue))
        {
            var distinct = group.GroupBy(o => o.Key)
                .Select(g => g.OrderBy(o => !o.Location.IsInSource).ThenBy(o => o.Location.SourceTree?.FilePath, System.StringComparer.Ordinal).ThenBy(o => o.Location.SourceSpan.Start).First())
                .OrderBy(o => o.Key, System.StringComparer.Ordinal)
                .ToList();
            if (distinct.Count < 2)
            {
                continue;
            }

            foreach (var owner in distinct.Where(o => o.Location.IsInSource))
            {
                var other = distinct.First(o => o.Key != owner.Key);
                var additional = other.Location.IsInSource ? new[] { other.Location } : [];
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.QueueConsumedTwice, owner.Location, additional, group.Key, owner.Display, other.Display, group.Any(o => o.Stream) ? ShareStream : Compete));
            }
        }
    }

    /// <summary>The queues of the RPC services a compilation serves, one owner per service.</summary>
    public static IEnumerable<Owner> Services(IEnumerable<(INamedTypeSymbol Server, INamedTypeSymbol Service)> servers) =>
        servers.Select(s =>
        {
            var attribute = AttributeReader.Find(s.Service, KnownNames.RpcServiceAttribute)!;
            var name = RpcParser.ServiceName(s.Service, attribute);
            return new Owner(RpcParser.QueueName(attribute, name), "rpc:" + KeyOf(s.Service), $"RPC service '{name}' ({s.Server.Name} serving {s.Service.Name})", Locations.Of(s.Server));
        });

    /// <summary>WRN037 for each consumer class with a base class that is a consumer of this compilation.</summary>
    public static void JudgeInheritance(CompilationAnalysisContext context, IReadOnlyList<(string Queue, INamedTypeSymbol Type)> consumers)
    {
        var queues = new Dictionary<INamedTypeSymbol, string>(SymbolEqualityComparer.Default);
        foreach (var (queue, type) in consumers)
        {
            queues[type] = queue;
        }

        foreach (var (_, type) in consumers)
        {
            for (var current = type.BaseType; current is not null; current = current.BaseType)
            {
                if (queues.TryGetValue(current, out var baseQueue) && Locations.Of(type) is { IsInSource: true } location)
                {
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.ConsumerInheritsConsumer, location, new[] { Locations.Of(current) }, type.Name, current.Name, baseQueue));
                    break;
                }
            }
        }
    }
}

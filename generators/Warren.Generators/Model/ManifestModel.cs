using System.Collections.Generic;
using System.Linq;

namespace Warren.Generators.Model;

/// <summary>A contract the assembly publishes: where it goes, with the routing-key template as written.</summary>
internal sealed record PublishedContract(string Contract, string Type, string Exchange, string RoutingKey);

/// <summary>A contract a queue of the assembly receives.</summary>
internal sealed record ConsumedContract(string Queue, string Contract, string Type);

/// <summary>Where Warren's runtime publishes what a queue's handlers fail on for good.</summary>
internal sealed record DeadLetterRoute(string Queue, string Exchange, string RoutingKey);

/// <summary>An RPC service by its <c>[RpcService]</c> name, and its request queue.</summary>
internal sealed record RpcUse(string Service, string Queue);

/// <summary>
/// The assembly's manifest (docs/system-check.md): its topology and what it publishes, consumes, dead-letters, calls and
/// serves. Publishes are the methods of its own <c>[Publisher]</c> interfaces, the methods of referenced ones its code
/// calls, and the <c>IPublisher</c> calls of known message types; calls are the calls of <c>[RpcService]</c> interface
/// methods (<see cref="UsageModel"/>).
/// </summary>
internal sealed record ManifestModel(
    TopologyPlan Topology,
    EquatableArray<PublishedContract> Publishes,
    EquatableArray<ConsumedContract> Consumes,
    EquatableArray<DeadLetterRoute> DeadLetters,
    EquatableArray<RpcUse> Calls,
    EquatableArray<RpcUse> Serves)
{
    public static ManifestModel From(GenerationModel model, EquatableArray<UsageModel> usages)
    {
        var messages = model.Messages.ToDictionary(m => m.TypeName);
        var published = new List<(MessageModel Message, string? Key)>();
        // A referenced publisher interface is implemented in every service referencing it: only the calls say which publish.
        var called = new HashSet<(string, string)>(usages.Where(u => u.PublisherMethod is not null).Select(u => (u.TypeName, u.PublisherMethod!)));
        var publisherMethods = model.Publishers.SelectMany(p => p.Methods.Where(m => !p.Referenced || called.Contains((m.DeclaringInterface, m.Signature)))).ToList();
        published.AddRange(publisherMethods.Select(m => (m.Message, m.RoutingTemplate)));
        foreach (var usage in usages.Where(u => !u.IsRpc && u.PublisherMethod is null))
        {
            if (messages.TryGetValue(usage.TypeName, out var message))
            {
                published.Add((message, null));
            }
        }

        // Text and bytes have no contract: the method says where they go, unless its PublishOptions decide at run time.
        var raw = publisherMethods
            .Where(m => m.Message.Payload != PayloadKind.Json && !m.Parameters.Any(p => p.Kind == Parsing.PublisherParameter.Options))
            .Select(m => new PublishedContract(string.Empty, Type(m.Message.TypeName), m.Exchange?.Name ?? string.Empty, m.RoutingTemplate ?? string.Empty));
        var publishes = published
            .Where(p => p.Message.Payload == PayloadKind.Json)
            .Select(p => new PublishedContract(p.Message.ContractName, Type(p.Message.TypeName), p.Message.Exchange?.Name ?? string.Empty, p.Key ?? p.Message.RoutingTemplate ?? p.Message.ContractName))
            .Concat(raw)
            .Distinct()
            .OrderBy(p => p.Contract, System.StringComparer.Ordinal).ThenBy(p => p.Exchange, System.StringComparer.Ordinal).ThenBy(p => p.RoutingKey, System.StringComparer.Ordinal);
        var consumes = model.Consumers
            .SelectMany(c => c.Handlers.Select(h => new ConsumedContract(c.Queue.Name, h.Message.ContractName, Type(h.Message.TypeName))))
            .Distinct()
            .OrderBy(c => c.Queue, System.StringComparer.Ordinal).ThenBy(c => c.Contract, System.StringComparer.Ordinal);
        var deadLetters = model.Consumers
            .SelectMany(c => new[] { c.Queue.DeadLetter }.Concat(c.Handlers.Select(h => h.RetryOverride)).Where(d => d is not null).Select(d => new DeadLetterRoute(c.Queue.Name, d!.Exchange, d.RoutingKey)))
            .Distinct()
            .OrderBy(d => d.Queue, System.StringComparer.Ordinal).ThenBy(d => d.Exchange, System.StringComparer.Ordinal).ThenBy(d => d.RoutingKey, System.StringComparer.Ordinal);
        var services = model.RpcServices.ToDictionary(s => s.InterfaceName);
        var calls = usages.Where(u => u.IsRpc)
            .Select(u => services.TryGetValue(u.TypeName, out var s) ? new RpcUse(s.Name, s.Queue) : null)
            .Where(c => c is not null).Select(c => c!)
            .Distinct()
            .OrderBy(c => c.Service, System.StringComparer.Ordinal);
        var serves = model.RpcServers.SelectMany(s => s.Services)
            .Select(s => new RpcUse(s.Name, s.Queue))
            .Distinct()
            .OrderBy(s => s.Service, System.StringComparer.Ordinal);
        return new ManifestModel(TopologyPlan.From(model), publishes.ToEquatableArray(), consumes.ToEquatableArray(), deadLetters.ToEquatableArray(), calls.ToEquatableArray(), serves.ToEquatableArray());
    }

    /// <summary>The CLR type as the manifest names it: its full name, without <c>global::</c>.</summary>
    private static string Type(string typeName) => typeName.StartsWith("global::", System.StringComparison.Ordinal) ? typeName.Substring("global::".Length) : typeName;
}

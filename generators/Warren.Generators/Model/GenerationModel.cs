using System.Collections.Generic;
using System.Linq;

namespace Warren.Generators.Model;

/// <summary>Everything one compilation declares, merged and sorted so the output is deterministic.</summary>
internal sealed record GenerationModel(
    EquatableArray<MessageModel> Messages,
    EquatableArray<ConsumerModel> Consumers,
    EquatableArray<PublisherModel> Publishers,
    EquatableArray<JsonContextModel> JsonContexts,
    EquatableArray<RpcServiceModel> RpcServices,
    EquatableArray<RpcServerModel> RpcServers,
    EquatableArray<JsonTypeModel> JsonTypes)
{
    public static GenerationModel Create(
        IEnumerable<MessageModel> attributedMessages,
        IEnumerable<ConsumerModel> consumers,
        IEnumerable<PublisherModel> publishers,
        IEnumerable<JsonContextModel> contexts,
        IEnumerable<RpcServiceModel> rpcServices,
        IEnumerable<RpcServerModel> rpcServers)
    {
        var consumerList = DeadLetterConsumers.Mark(consumers.GroupBy(c => c.TypeName).Select(g => g.First()).OrderBy(c => c.TypeName, System.StringComparer.Ordinal).ToList());
        var publisherList = publishers.GroupBy(p => p.InterfaceName).Select(g => g.First()).OrderBy(p => p.InterfaceName, System.StringComparer.Ordinal).ToList();

        // Every message a handler receives or a publisher sends gets a contract, attributed or not.
        var messages = attributedMessages
            .Concat(consumerList.SelectMany(c => c.Handlers.Select(h => h.Message)))
            .Concat(publisherList.SelectMany(p => p.Methods.Select(m => m.Message)))
            .GroupBy(m => m.TypeName)
            .Select(g => g.First())
            .OrderBy(m => m.TypeName, System.StringComparer.Ordinal)
            .ToList();
        var serverList = rpcServers.GroupBy(s => s.TypeName).Select(g => g.First()).OrderBy(s => s.TypeName, System.StringComparer.Ordinal).ToList();
        var serviceList = rpcServices.Concat(serverList.SelectMany(s => s.Services))
            .GroupBy(s => s.InterfaceName).Select(g => g.First()).OrderBy(s => s.InterfaceName, System.StringComparer.Ordinal).ToList();

        // JSON metadata is needed for every message and every RPC request and response type.
        var jsonTypes = messages.Select(m => new JsonTypeModel(m.TypeName, m.Identifier))
            .Concat(serviceList.SelectMany(s => s.Methods).Select(m => new JsonTypeModel(m.RequestType, m.RequestIdentifier)))
            .Concat(serviceList.SelectMany(s => s.Methods).Where(m => m.ResponseType is not null).Select(m => new JsonTypeModel(m.ResponseType!, m.ResponseIdentifier!)))
            .Distinct()
            .OrderBy(t => t.TypeName, System.StringComparer.Ordinal);
        return new GenerationModel(
            messages.ToEquatableArray(),
            consumerList.ToEquatableArray(),
            publisherList.ToEquatableArray(),
            contexts.GroupBy(c => c.ContextName).Select(g => g.First()).OrderBy(c => c.ContextName, System.StringComparer.Ordinal).ToEquatableArray(),
            serviceList.ToEquatableArray(),
            serverList.ToEquatableArray(),
            jsonTypes.ToEquatableArray());
    }

    public bool IsEmpty => Messages.Count == 0 && Consumers.Count == 0 && Publishers.Count == 0 && RpcServices.Count == 0;

    /// <summary>The context that serializes a type (the first, by name, that lists it), or null.</summary>
    public string? ContextFor(string typeName) =>
        JsonContexts.FirstOrDefault(c => c.TypeNames.Contains(typeName))?.ContextName;
}

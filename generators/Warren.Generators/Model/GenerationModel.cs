using System.Collections.Generic;
using System.Linq;

namespace Warren.Generators.Model;

/// <summary>Everything one compilation declares, merged, named uniquely and sorted so the output is deterministic.</summary>
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
        IEnumerable<RpcServerModel> rpcServers,
        ReferencedModel? referenced = null)
    {
        // Declarations read from referenced assemblies are used as if local: routes, proxies, publisher
        // implementations, JSON type info.
        if (referenced is not null)
        {
            attributedMessages = attributedMessages.Concat(referenced.Messages);
            rpcServices = rpcServices.Concat(referenced.RpcServices);
            publishers = publishers.Concat(referenced.Publishers);
            contexts = contexts.Concat(referenced.JsonContexts);
        }

        var consumerList = Distinct(consumers, c => c.TypeName);
        var publisherList = Distinct(publishers, p => p.InterfaceName);
        var sourceServices = Distinct(rpcServices, s => s.InterfaceName);

        // A server of a service declared here uses that service's model; one whose service was rejected serves nothing.
        var byName = sourceServices.ToDictionary(s => s.InterfaceName, System.StringComparer.Ordinal);
        var serverList = Distinct(rpcServers, s => s.TypeName)
            .Select(s => s with
            {
                Services = s.Services.Concat(s.SourceServices.Where(byName.ContainsKey).Select(n => byName[n])).OrderBy(x => x.InterfaceName, System.StringComparer.Ordinal).ToEquatableArray(),
                SourceServices = EquatableArray<string>.Empty,
            })
            .Where(s => s.Services.Count > 0)
            .ToList();
        var serviceList = Distinct(sourceServices.Concat(serverList.SelectMany(s => s.Services)), s => s.InterfaceName);

        // Every message a handler receives or a publisher sends gets a contract, attributed or not; every message and
        // RPC request and response type gets JSON metadata under an identifier unique in the compilation.
        var allMessages = attributedMessages
            .Concat(consumerList.SelectMany(c => c.Handlers.Select(h => h.Message)))
            .Concat(publisherList.SelectMany(p => p.Methods.Select(m => m.Message)))
            .ToList();
        var rpcMethods = serviceList.SelectMany(s => s.Methods).ToList();
        var jsonIdentifiers = ModelNames.UniqueIdentifiers(
            allMessages.Select(m => (m.TypeName, m.Identifier))
                .Concat(rpcMethods.Where(m => m.RequestPayload == PayloadKind.Json).Select(m => (m.RequestType, m.RequestIdentifier)))
                .Concat(rpcMethods.Where(m => m.ResponseType is not null && m.ResponsePayload == PayloadKind.Json).Select(m => (m.ResponseType!, m.ResponseIdentifier!))),
            ModelNames.JsonTypeHelpers);
        var messages = ModelNames.Messages(allMessages, jsonIdentifiers);

        // A qualified default name the broker cannot take (WRN001 at the message): no contract, no handler of it, and no
        // publisher sending it (an implementation without one of the interface's methods would not compile), as for a
        // short name over 255 bytes, which the parsers reject.
        var unusable = ModelNames.UnusableQualifiedNames(messages.Values);
        if (unusable.Count > 0)
        {
            foreach (var typeName in unusable)
            {
                messages.Remove(typeName);
            }

            consumerList = consumerList
                .Select(c => c with { Handlers = c.Handlers.Where(h => !unusable.Contains(h.Message.TypeName)).ToEquatableArray() })
                .Where(c => c.Handlers.Count > 0)
                .ToList();
            publisherList = publisherList.Where(p => !p.Methods.Any(m => unusable.Contains(m.Message.TypeName))).ToList();
        }

        // Consumers, publishers, services and servers name generated classes and files: unique identifiers too.
        var consumerIds = ModelNames.UniqueIdentifiers(consumerList.Select(c => (c.TypeName, c.Identifier)), ModelNames.DispatcherGroupMembers);
        consumerList = DeadLetterConsumers.Mark(consumerList.Select(c => c with
        {
            Identifier = consumerIds[c.TypeName],
            Handlers = c.Handlers.Select(h => ModelNames.WithFinalMessage(h, messages[h.Message.TypeName])).ToEquatableArray(),
        }).ToList(), referenced?.DeadLetterQueues);
        var contextList = Distinct(contexts, c => c.ContextName);
        var contextsByType = JsonContextsByType(contextList);
        consumerList = consumerList.Select(c => c with { JsonContext = HandlerDispatcherContext(c, contextsByType) }).ToList();
        var publisherIds = ModelNames.UniqueIdentifiers(publisherList.Select(p => (p.InterfaceName, p.Identifier)));
        publisherList = publisherList.Select(p => p with
        {
            Identifier = publisherIds[p.InterfaceName],
            Methods = p.Methods.Select(m => m with { Message = messages[m.Message.TypeName] }).ToEquatableArray(),
        }).ToList();
        var serviceIds = ModelNames.UniqueIdentifiers(serviceList.Select(s => (s.InterfaceName, s.Identifier)));
        RpcServiceModel Service(RpcServiceModel s) => s with
        {
            Identifier = serviceIds[s.InterfaceName],
            Methods = s.Methods.Select(m => m with
            {
                // Text and bytes have no JSON metadata: their identifier stays empty.
                RequestIdentifier = m.RequestPayload == PayloadKind.Json ? jsonIdentifiers[m.RequestType] : string.Empty,
                ResponseIdentifier = m.ResponseType is null ? null : m.ResponsePayload == PayloadKind.Json ? jsonIdentifiers[m.ResponseType] : string.Empty,
            }).ToEquatableArray(),
        };
        serviceList = serviceList.Select(Service).ToList();
        var serverIds = ModelNames.UniqueIdentifiers(serverList.Select(s => (s.TypeName, s.Identifier)));
        serverList = serverList.Select(s => s with { Identifier = serverIds[s.TypeName], Services = s.Services.Select(Service).ToEquatableArray() }).ToList();

        var jsonTypes = messages.Values.Where(m => m.Payload == PayloadKind.Json).Select(m => new JsonTypeModel(m.TypeName, m.Identifier))
            .Concat(rpcMethods.Where(m => m.RequestPayload == PayloadKind.Json).Select(m => new JsonTypeModel(m.RequestType, jsonIdentifiers[m.RequestType])))
            .Concat(rpcMethods.Where(m => m.ResponseType is not null && m.ResponsePayload == PayloadKind.Json).Select(m => new JsonTypeModel(m.ResponseType!, jsonIdentifiers[m.ResponseType!])))
            .Distinct()
            .OrderBy(t => t.TypeName, System.StringComparer.Ordinal);
        return new GenerationModel(
            messages.Values.Where(m => m.Payload == PayloadKind.Json).OrderBy(m => m.TypeName, System.StringComparer.Ordinal).ToEquatableArray(),
            consumerList.ToEquatableArray(),
            publisherList.ToEquatableArray(),
            contextList.ToEquatableArray(),
            serviceList.ToEquatableArray(),
            serverList.ToEquatableArray(),
            jsonTypes.ToEquatableArray());
    }

    /// <summary>The context that serializes each listed type: the first, by name, that lists it.</summary>
    public static Dictionary<string, string> JsonContextsByType(IEnumerable<JsonContextModel> contexts)
    {
        var byType = new Dictionary<string, string>(System.StringComparer.Ordinal);
        foreach (var context in contexts)
        {
            foreach (var type in context.TypeNames)
            {
                if (!byType.ContainsKey(type))
                {
                    byType.Add(type, context.ContextName);
                }
            }
        }

        return byType;
    }

    /// <summary>
    /// The context of a consumer of the common shape (see <see cref="ConsumerModel.JsonContext"/>), whose dispatcher is
    /// the runtime's <c>HandlerDispatcher</c>; null for every other consumer, which gets a generated dispatcher class.
    /// </summary>
    private static string? HandlerDispatcherContext(ConsumerModel consumer, Dictionary<string, string> contextsByType) =>
        consumer.Handlers.Count == 1
        && consumer.Handlers[0] is { Batch: null, RetryOverride: null, Message.Payload: PayloadKind.Json } handler
        && handler.Bindings.All(b => b.HeadersMatch is null)
        && contextsByType.TryGetValue(handler.Message.TypeName, out var context)
            ? context
            : null;

    /// <summary>The context that serializes each listed type of this model.</summary>
    public Dictionary<string, string> ContextsByTypeName() => JsonContextsByType(JsonContexts);

    public bool IsEmpty => Messages.Count == 0 && Consumers.Count == 0 && Publishers.Count == 0 && RpcServices.Count == 0;

    private static List<T> Distinct<T>(IEnumerable<T> items, System.Func<T, string> key) =>
        items.GroupBy(key).Select(g => g.First()).OrderBy(key, System.StringComparer.Ordinal).ToList();
}

using System.Collections.Generic;
using System.Linq;

namespace Warren.Generators.Model;

// What each cross-cutting output reads of the whole model, and nothing more: an edit that does not change an output's
// projection leaves that output cached.

/// <summary>
/// The JSON type lookups and the message route table. <paramref name="JsonTypes"/> are the types generated code looks up
/// by name (<c>WarrenJsonTypes</c>): those of generated dispatchers and RPC methods; contracts and the runtime's
/// dispatchers take the others from their context (a contract of a message no context lists has no metadata, and says so
/// when the message is serialized).
/// </summary>
internal sealed record ContractsModel(EquatableArray<MessageModel> Messages, EquatableArray<JsonTypeModel> JsonTypes, EquatableArray<JsonContextModel> JsonContexts)
{
    public static ContractsModel From(GenerationModel model)
    {
        var used = new HashSet<string>(
            model.Consumers.Where(c => c.JsonContext is null).SelectMany(c => c.Handlers).Select(h => h.Message.TypeName)
                .Concat(model.RpcServices.SelectMany(s => s.Methods).SelectMany(m => new[] { m.RequestType, m.ResponseType ?? string.Empty })),
            System.StringComparer.Ordinal);
        return new(model.Messages, model.JsonTypes.Where(t => used.Contains(t.TypeName)).ToEquatableArray(), model.JsonContexts);
    }

    /// <summary>The context that serializes each listed type: the first, by name, that lists it.</summary>
    public Dictionary<string, string> ContextsByType() => GenerationModel.JsonContextsByType(JsonContexts);
}

/// <summary>
/// <c>AddGeneratedHandlers()</c> and the module registration: whether the assembly declares anything (contracts and
/// topology then exist), consumers with their queue settings (not their handlers, which only dispatchers read), the
/// names of publishers, RPC services and servers, and the modules of the referenced assemblies.
/// </summary>
internal sealed record RegistrationModel(
    bool DeclaresAnything,
    EquatableArray<ConsumerModel> Consumers,
    EquatableArray<PublisherModel> Publishers,
    EquatableArray<RpcServiceModel> RpcServices,
    EquatableArray<RpcServerModel> RpcServers,
    ModuleModel Module)
{
    public static RegistrationModel From(GenerationModel model, ModuleModel module) => new(
        !model.IsEmpty,
        model.Consumers.Select(Registered).ToEquatableArray(),
        model.Publishers.Select(p => p with { Methods = EquatableArray<PublisherMethodModel>.Empty }).ToEquatableArray(),
        model.RpcServices.Select(WithoutMethods).ToEquatableArray(),
        model.RpcServers.Select(s => s with { Services = s.Services.Select(WithoutMethods).ToEquatableArray() }).ToEquatableArray(),
        module);

    /// <summary>
    /// A consumer without its handlers; one whose dispatcher its group file lists (<see cref="DefaultRetryConsumer"/>)
    /// also without the settings listed there, so that editing them re-emits that file only.
    /// </summary>
    private static ConsumerModel Registered(ConsumerModel consumer) => DefaultRetryConsumer.Is(consumer)
        ? consumer with { Handlers = EquatableArray<HandlerModel>.Empty, Queue = consumer.Queue with { Arguments = EquatableArray<QueueArgument>.Empty, Prefetch = 0, Concurrency = 0 } }
        : consumer with { Handlers = EquatableArray<HandlerModel>.Empty };

    private static RpcServiceModel WithoutMethods(RpcServiceModel service) => service with { Methods = EquatableArray<RpcMethodModel>.Empty };
}

/// <summary>One server dispatcher: a class serving one of its RPC services.</summary>
internal sealed record RpcServerOutput(string ServerType, string ServerIdentifier, RpcServiceModel Service);

/// <summary>
/// What a dispatcher reads of its consumer: everything but the queue's settings, which only registration and topology
/// read; a consumer of the runtime's dispatcher with the default failure policy keeps its prefetch, concurrency and
/// policy, which its group file lists with its dispatcher.
/// </summary>
internal static class DispatcherInput
{
    public static ConsumerModel From(ConsumerModel consumer) => DefaultRetryConsumer.Is(consumer)
        ? consumer with { Queue = new QueueModel(consumer.Queue.Name, true, false, false, EquatableArray<QueueArgument>.Empty, consumer.Queue.Prefetch, consumer.Queue.Concurrency, 0, consumer.Queue.DeadLetter) }
        : consumer with { Queue = new QueueModel(consumer.Queue.Name, true, false, false, EquatableArray<QueueArgument>.Empty, 0, 0, 0, null) };
}

/// <summary>
/// A consumer of the runtime's dispatcher (<see cref="ConsumerModel.JsonContext"/>) with the default failure policy on
/// dead-letter exchange <c>{queue}.dlx</c> and nothing set but prefetch and concurrency: its group file lists its
/// dispatcher with those settings, and the registration adds every such consumer of a group in one loop.
/// </summary>
internal static class DefaultRetryConsumer
{
    public static bool Is(ConsumerModel consumer) => consumer.JsonContext is not null && HasDefaultRetry(consumer);

    /// <summary>The default failure policy and no handler timeout or stream start (any dispatcher).</summary>
    public static bool HasDefaultRetry(ConsumerModel consumer) =>
        consumer.Queue.DeadLetter is { IsDefault: true, MaxRetries: Parsing.FailurePolicyDefaults.MaxRetries } standard
        && standard.RetryQueuePrefix == standard.RoutingKey
        && standard.RoutingKey == consumer.Queue.Name
        && standard.Exchange == consumer.Queue.Name + Parsing.FailurePolicyDefaults.ExchangeSuffix
        && consumer.Queue.HandlerTimeoutMilliseconds <= 0
        && consumer.Queue.StreamStart is null;
}

/// <summary>
/// The dispatchers emitted into one file: consumers are spread over a fixed number of groups by a hash of their
/// identifier, so a consumer stays in its group whatever else is added or removed, and an edit re-emits its group's file
/// only. Many dispatchers per file compile markedly faster than a file each.
/// </summary>
internal sealed record DispatcherGroup(int Number, EquatableArray<ConsumerModel> Consumers)
{
    /// <summary>How many groups there are: with a few consumers, about one each; with thousands, some dozens a file.</summary>
    public const int Count = 32;

    /// <summary>Every group, empty ones included (they emit nothing): the same position for a group on every run keeps it cached.</summary>
    public static IEnumerable<DispatcherGroup> From(EquatableArray<ConsumerModel> consumers)
    {
        if (consumers.Count == 0)
        {
            return [];
        }

        var groups = consumers.Select(DispatcherInput.From).ToLookup(c => Of(c.Identifier));
        return Enumerable.Range(0, Count).Select(n => new DispatcherGroup(n, groups[n].ToEquatableArray()));
    }

    /// <summary>The group of a consumer: FNV-1a of its identifier (stable across processes, unlike string hash codes).</summary>
    public static int Of(string identifier)
    {
        var hash = 2166136261u;
        foreach (var c in identifier)
        {
            hash = unchecked((hash ^ c) * 16777619u);
        }

        return (int)(hash % Count);
    }
}

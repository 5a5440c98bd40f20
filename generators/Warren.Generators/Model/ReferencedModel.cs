namespace Warren.Generators.Model;

/// <summary>
/// What a compilation takes from the assemblies it references that were built against Warren: attributed message
/// types (routes), <c>[RpcService]</c> interfaces (proxies), public <c>[Publisher]</c> interfaces (implemented and
/// registered here as if declared here), public JsonSerializerContexts (type info) and the module
/// registrations of libraries with consumers or RPC servers, and the dead-letter queues their consumers' topology
/// declares (<see cref="DeadLetterQueues"/>). Read from metadata once per compilation; equatable, so an edit that
/// changes no reference leaves everything downstream cached.
/// </summary>
internal sealed record ReferencedModel(
    EquatableArray<MessageModel> Messages,
    EquatableArray<RpcServiceModel> RpcServices,
    EquatableArray<JsonContextModel> JsonContexts,
    ModuleModel Module,
    EquatableArray<DeadLetterQueueModel> DeadLetterQueues = default,
    EquatableArray<PublisherModel> Publishers = default)
{
    public static readonly ReferencedModel None = new(
        EquatableArray<MessageModel>.Empty, EquatableArray<RpcServiceModel>.Empty, EquatableArray<JsonContextModel>.Empty, ModuleModel.None, EquatableArray<DeadLetterQueueModel>.Empty, EquatableArray<PublisherModel>.Empty);
}

/// <summary>
/// A dead-letter queue as the topology of the consumers that dead-letter to it declares it: a quorum queue when
/// <paramref name="Quorum"/> (the dead-letter queue of a quorum queue or a stream), else a classic queue. A class of
/// another assembly consuming it is declared the same way (<see cref="DeadLetterConsumers"/>).
/// </summary>
internal sealed record DeadLetterQueueModel(string Queue, bool Quorum);

/// <summary>
/// How <c>AddGeneratedHandlers()</c> is emitted: whether Warren is referenced at all (it then always exists), the public
/// module class this assembly exposes when it has consumers or servers, and the referenced modules it calls.
/// </summary>
internal sealed record ModuleModel(bool HasWarren, string ModuleClassName, EquatableArray<string> ReferencedModules)
{
    public static readonly ModuleModel None = new(false, "WarrenModule", EquatableArray<string>.Empty);
}

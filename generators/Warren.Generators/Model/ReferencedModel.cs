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
/// module class this assembly exposes when it has consumers or servers, the referenced modules it calls, and how its
/// declaration ranks against those of the assemblies it gives its internals to (<see cref="RegistrationRank"/>).
/// </summary>
internal sealed record ModuleModel(bool HasWarren, string ModuleClassName, EquatableArray<string> ReferencedModules, RegistrationRank Rank = RegistrationRank.Plain)
{
    public static readonly ModuleModel None = new(false, "WarrenModule", EquatableArray<string>.Empty);
}

/// <summary>
/// The generated <c>AddGeneratedHandlers()</c> of every assembly is an internal extension method of
/// <c>Warren.WarrenGeneratedRegistration</c>; in a project an assembly gives its internals to, both that assembly's and
/// the project's own are candidates of a call. Of candidates with the same parameters for the arguments given, C#
/// prefers one applicable in its normal form to one applicable only with its <c>params</c> array expanded, then one
/// whose parameters all have arguments to one needing a default value: an assembly giving its internals declares its
/// method so that it loses to the project's own.
/// </summary>
internal enum RegistrationRank
{
    /// <summary>No <c>InternalsVisibleTo</c>: <c>AddGeneratedHandlers(this WarrenBuilder)</c>, the best match.</summary>
    Plain,

    /// <summary>
    /// Internals given, none received from a referenced assembly using Warren: a <c>params</c> array no call passes,
    /// which any other form beats.
    /// </summary>
    Params,

    /// <summary>
    /// Internals given and received: an optional parameter, so that it beats the <see cref="Params"/> one of the assembly
    /// giving it its internals, and the plain one of the project it gives its internals to beats it.
    /// </summary>
    Optional,
}

namespace Warren.Generators.Model;

/// <summary>
/// What a compilation takes from the assemblies it references that were built against Warren: attributed message
/// types (routes), <c>[RpcService]</c> interfaces (proxies), public <c>[Publisher]</c> interfaces (implemented and
/// registered here as if declared here), public JsonSerializerContexts (type info) and the module
/// registrations of libraries with consumers or RPC servers, and the dead-letter queues their consumers' topology
/// declares (<see cref="DeadLetterQueues"/>), and the assemblies giving it their internals whose generated
/// registration an older Warren built (<see cref="OlderRegistrations"/>). Read from metadata once per compilation;
/// equatable, so an edit that changes no reference leaves everything downstream cached.
/// </summary>
internal sealed record ReferencedModel(
    EquatableArray<MessageModel> Messages,
    EquatableArray<RpcServiceModel> RpcServices,
    EquatableArray<JsonContextModel> JsonContexts,
    ModuleModel Module,
    EquatableArray<DeadLetterQueueModel> DeadLetterQueues = default,
    EquatableArray<PublisherModel> Publishers = default,
    EquatableArray<OlderRegistrationModel> OlderRegistrations = default)
{
    public static readonly ReferencedModel None = new(
        EquatableArray<MessageModel>.Empty, EquatableArray<RpcServiceModel>.Empty, EquatableArray<JsonContextModel>.Empty, ModuleModel.None, EquatableArray<DeadLetterQueueModel>.Empty, EquatableArray<PublisherModel>.Empty, EquatableArray<OlderRegistrationModel>.Empty);
}

/// <summary>
/// An assembly giving this one its internals whose <c>AddGeneratedHandlers()</c> an older Warren generated: an internal
/// extension of <c>WarrenBuilder</c> itself in class <c>Warren.WarrenGeneratedRegistration</c>, a candidate of every call
/// here that this Warren's receivers cannot outrank (<see cref="Rules.RegistrationRules"/>).
/// </summary>
/// <param name="Assembly">The assembly's name.</param>
/// <param name="Plain">
/// Whether it takes the builder only (as every assembly's did before friends were ranked), rather than also a
/// <c>params</c> array or an optional parameter, which a project's own plain one beats.
/// </param>
internal sealed record OlderRegistrationModel(string Assembly, bool Plain);

/// <summary>
/// A dead-letter queue as the topology of the consumers that dead-letter to it declares it: a quorum queue when
/// <paramref name="Quorum"/> (the dead-letter queue of a quorum queue or a stream), else a classic queue. A class of
/// another assembly consuming it is declared the same way (<see cref="DeadLetterConsumers"/>).
/// </summary>
internal sealed record DeadLetterQueueModel(string Queue, bool Quorum);

/// <summary>
/// How <c>AddGeneratedHandlers()</c> is emitted: whether Warren is referenced at all (it then always exists), the names
/// of this assembly's generated types (<see cref="GeneratedScope"/>, the public module class it exposes when it has
/// consumers or servers among them), the referenced modules it calls, and how its declaration ranks against those of
/// the assemblies it gives its internals to (<see cref="Depth"/>).
/// </summary>
/// <param name="Depth">
/// <see cref="Plain"/> when the assembly gives no internals: <c>AddGeneratedHandlers(this WarrenBuilder)</c>, the best
/// match of a call. Else the depth of its receiver, <c>IRegistrationRank&lt;IRegistrationDepth&lt;…WarrenBuilder…&gt;&gt;</c>
/// with <see cref="Depth"/> levels of <c>IRegistrationDepth</c>: one more than the deepest of the assemblies giving it
/// their internals that run Warren (0 when there is none). C# prefers the deeper (see
/// <c>Warren.Infrastructure.IRegistrationRank</c>), so in every assembly a call binds to its own, in a chain or graph
/// of friends of any length.
/// </param>
internal sealed record ModuleModel(bool HasWarren, GeneratedScope Scope, EquatableArray<string> ReferencedModules, int Depth = ModuleModel.Plain)
{
    /// <summary>The <see cref="Depth"/> of an assembly giving no internals.</summary>
    public const int Plain = -1;

    public static readonly ModuleModel None = new(false, GeneratedScope.Of(null), EquatableArray<string>.Empty);

    /// <summary>The public module class an assembly with consumers or servers exposes (namespace <c>Warren.Generated</c>).</summary>
    public string ModuleClassName => "WarrenModule_" + Scope.AssemblyId;
}

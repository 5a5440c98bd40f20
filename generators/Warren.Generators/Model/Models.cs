namespace Warren.Generators.Model;

// Every model is an immutable record of strings, numbers, bools, enums and EquatableArrays: no ISymbol, SyntaxNode,
// Location or Compilation, so the incremental pipeline can compare them by value and cache (a test enforces it).

/// <summary>An exchange as declared on a message or consumer class.</summary>
internal sealed record ExchangeModel(string Name, string Type, bool Durable, bool AutoDelete);

/// <summary>One part of a routing-key template: literal text, or a property read from the message.</summary>
internal sealed record RoutingPart(string Text, bool IsProperty, PropertyFormat Format);

/// <summary>How a placeholder property becomes text.</summary>
internal enum PropertyFormat
{
    /// <summary>No such property.</summary>
    None,

    /// <summary>A string, used as it is (checked for emptiness and dots).</summary>
    String,

    /// <summary>An integer, Guid or enum: formatted with the invariant culture, without boxing.</summary>
    Formattable,

    /// <summary>A bool, char, or nullable integer, Guid or enum: its invariant text.</summary>
    Text,

    /// <summary>A type whose text is no valid routing-key word (decimal, double, dates…): rejected at build time.</summary>
    Unsupported,
}

/// <summary>
/// A message type: its contract, where it is published and its JSON type. <paramref name="QualifiedContractName"/> is
/// the namespace-qualified default name used instead when two types would share a default contract name; null when
/// <c>[Message]</c> names the contract. <paramref name="Referenced"/>: read from a referenced assembly's metadata.
/// <paramref name="IsReferenceType"/>: a class (or record class), which generated code may pass as <c>object</c> and
/// cast back without boxing. <paramref name="Exported"/>: declared in the assembly being built (a closed generic type:
/// its definition) and visible to another assembly (public, or internal where the assembly gives its internals with
/// <c>InternalsVisibleTo</c>), so that its contract name is listed for them (<see cref="Parsing.DeclaredContractNames"/>).
/// </summary>
internal sealed record MessageModel(
    string TypeName,
    string Identifier,
    string ContractName,
    ExchangeModel? Exchange,
    string? RoutingTemplate,
    EquatableArray<RoutingPart> RoutingParts,
    int? Priority,
    string? QualifiedContractName = null,
    bool Referenced = false,
    PayloadKind Payload = PayloadKind.Json,
    bool IsReferenceType = false,
    bool Exported = false);

/// <summary>
/// How a body is read and written: JSON for a message type; the body itself for <c>string</c> (text),
/// <c>byte[]</c> and <c>ReadOnlyMemory&lt;byte&gt;</c>, which have no contract, no JSON metadata and no route of their own.
/// </summary>
internal enum PayloadKind
{
    Json,
    Text,
    Bytes,
    Memory,
}

/// <summary>How a handler method is called.</summary>
internal enum ParameterKind
{
    Message,
    Context,
    CancellationToken,
}

/// <summary>What a handler method returns.</summary>
internal enum ReturnKind
{
    Void,
    Task,
    ValueTask,
}

/// <summary>
/// A queue binding: exchange, key and, for headers exchanges, the header arguments. <paramref name="FromMessage"/>: the
/// binding was derived from the message's own <c>[Topic]</c> (the default-binding rule), not written on the handler.
/// </summary>
internal sealed record BindingModel(string Exchange, string RoutingKey, EquatableArray<HeaderArgument> Headers, string? HeadersMatch, bool FromMessage = false);

/// <summary>One <c>name=value</c> of a headers binding.</summary>
internal sealed record HeaderArgument(string Name, string Value);

/// <summary>A handler method of a consumer class; <paramref name="Batch"/> for a <c>[Batch]</c> handler of <c>IReadOnlyList&lt;T&gt;</c> (<paramref name="Message"/> is <c>T</c>).</summary>
internal sealed record HandlerModel(
    string MethodName,
    MessageModel Message,
    EquatableArray<ParameterKind> Parameters,
    ReturnKind Returns,
    EquatableArray<BindingModel> Bindings,
    DeadLetterModel? RetryOverride,
    BatchModel? Batch = null);

/// <summary>How a batch handler gathers messages: up to <paramref name="Size"/>, or what arrived within <paramref name="TimeoutMilliseconds"/> of the first.</summary>
internal sealed record BatchModel(int Size, long TimeoutMilliseconds);

/// <summary>A queue argument (<c>x-…</c>) with its value as C# and JSON literal text.</summary>
internal sealed record QueueArgument(string Name, string CSharpValue, string JsonValue);

/// <summary>
/// A queue's declaration and its consumer settings. <paramref name="DeadLetter"/> is null only when the class opted out
/// (<c>[DeadLetter(Enabled = false)]</c>); without <c>[DeadLetter]</c> it holds the default policy.
/// <paramref name="IsDeadLetterQueue"/>: the queue is another queue's dead-letter queue (a DLQ consumer).
/// </summary>
internal sealed record QueueModel(
    string Name,
    bool Durable,
    bool Exclusive,
    bool AutoDelete,
    EquatableArray<QueueArgument> Arguments,
    int Prefetch,
    int Concurrency,
    long HandlerTimeoutMilliseconds,
    DeadLetterModel? DeadLetter,
    bool IsDeadLetterQueue = false,
    StreamStartModel? StreamStart = null);

/// <summary>Where a stream consumer starts: <paramref name="Kind"/> is First, Last, Next, At (<paramref name="Value"/> an offset) or After (<paramref name="Value"/> Unix seconds).</summary>
internal sealed record StreamStartModel(string Kind, long Value, bool Stored);

/// <summary>A dead-letter exchange and queue of a queue, and the retries before it; <paramref name="IsDefault"/> when no attribute asked for it.</summary>
internal sealed record DeadLetterModel(
    string Exchange,
    string Queue,
    string RoutingKey,
    int ImmediateRetries,
    int MaxRetries,
    EquatableArray<long> RetryDelays,
    EquatableArray<string> DoNotRetry,
    string RetryQueuePrefix,
    bool IsDefault = false);

/// <summary>
/// A consumer class: its queue and its handlers. <paramref name="JsonContext"/> is set (by <see cref="GenerationModel"/>)
/// for the common shape, one handler of one JSON message type that a context lists, with topic, direct or fanout
/// bindings and nothing else of its own (no batch, no retry policy of the method): it names that context, and the
/// consumer's dispatcher is the runtime's <c>HandlerDispatcher</c>, created in the registration, not a generated class.
/// </summary>
internal sealed record ConsumerModel(
    string TypeName,
    string Identifier,
    QueueModel Queue,
    ExchangeModel? DefaultExchange,
    EquatableArray<HandlerModel> Handlers,
    string? JsonContext = null);

/// <summary>A parameter of a publisher method: its name, its type as declared, and what it is.</summary>
internal sealed record PublisherParameterModel(string Name, string Type, Parsing.PublisherParameter Kind);

/// <summary>
/// A method of a <c>[Publisher]</c> interface (or of an interface it inherits, <paramref name="DeclaringInterface"/>).
/// <paramref name="Exchange"/>: for a text or byte method, the <c>[Exchange]</c> of its declaring interface (null: the
/// default exchange); a message type's method publishes by its contract instead.
/// </summary>
internal sealed record PublisherMethodModel(
    string Name,
    string DeclaringInterface,
    EquatableArray<PublisherParameterModel> Parameters,
    MessageModel Message,
    bool ReturnsTask,
    string? RoutingTemplate,
    EquatableArray<RoutingPart> RoutingParts,
    ExchangeModel? Exchange = null)
{
    /// <summary>The method's name and parameter types, which tell overloads apart (<see cref="UsageModel.PublisherMethod"/>).</summary>
    public string Signature => SignatureOf(Name, System.Linq.Enumerable.Select(Parameters, p => p.Type));

    public static string SignatureOf(string name, System.Collections.Generic.IEnumerable<string> parameterTypes) => name + "(" + string.Join(", ", parameterTypes) + ")";
}

/// <summary>A <c>[Publisher]</c> interface.</summary>
/// <remarks>
/// <paramref name="Referenced"/>: declared in a referenced assembly. It is implemented and registered as a local one, and
/// the manifest names what it publishes only where this assembly's code calls its methods (as RPC calls).
/// </remarks>
internal sealed record PublisherModel(string InterfaceName, string Identifier, EquatableArray<PublisherMethodModel> Methods, bool Referenced = false);

/// <summary>A JsonSerializerContext and the types it lists.</summary>
internal sealed record JsonContextModel(string ContextName, EquatableArray<string> TypeNames);

/// <summary>How an RPC method returns.</summary>
internal enum RpcReturnKind
{
    TaskOfT,
    ValueTaskOfT,
    Task,
    ValueTask,
}

/// <summary>
/// A method of an <c>[RpcService]</c> interface. <paramref name="RequestType"/> and <paramref name="ResponseType"/> are
/// the JSON types; <paramref name="RequestDeclared"/> and <paramref name="ResponseDeclared"/> the types as declared,
/// nullable annotations included, for signatures that match the interface exactly. <paramref name="RequestPayload"/> and
/// <paramref name="ResponsePayload"/>: JSON, or the body itself as text or bytes (no JSON metadata, empty identifier).
/// </summary>
internal sealed record RpcMethodModel(
    string Name,
    string DeclaringInterface,
    string ContractName,
    string RequestType,
    string RequestDeclared,
    string RequestIdentifier,
    string? ResponseType,
    string? ResponseDeclared,
    string? ResponseIdentifier,
    RpcReturnKind Returns,
    string ParameterName,
    string? CancellationTokenName,
    long TimeoutMilliseconds,
    PayloadKind RequestPayload = PayloadKind.Json,
    PayloadKind ResponsePayload = PayloadKind.Json);

/// <summary>An <c>[RpcService]</c> interface.</summary>
internal sealed record RpcServiceModel(
    string InterfaceName,
    string Identifier,
    string Name,
    string Queue,
    bool Quorum,
    int Prefetch,
    int Concurrency,
    EquatableArray<RpcMethodModel> Methods,
    bool Durable = true);

/// <summary>
/// A class serving one or more RPC services. As parsed, <paramref name="Services"/> holds the services declared in
/// referenced assemblies and <paramref name="SourceServices"/> the names of those declared in this compilation, whose
/// models come from their own pipeline step (each interface is parsed once); <see cref="GenerationModel"/> resolves them.
/// </summary>
internal sealed record RpcServerModel(string TypeName, string Identifier, EquatableArray<RpcServiceModel> Services, EquatableArray<string> SourceServices = default);

/// <summary>A type Warren needs JSON metadata for.</summary>
internal sealed record JsonTypeModel(string TypeName, string Identifier);

/// <summary>
/// A use found in the assembly's code, for its manifest: a message type it publishes through <c>IPublisher</c>
/// (<paramref name="IsRpc"/> false) or an <c>[RpcService]</c> interface whose methods it calls (true).
/// </summary>
/// <remarks>
/// A call of a method of a referenced <c>[Publisher]</c> interface has <paramref name="TypeName"/> the interface declaring
/// the method and <paramref name="PublisherMethod"/> its signature (<see cref="PublisherMethodModel.Signature"/>): a call of
/// one overload counts the messages of that overload only.
/// </remarks>
internal sealed record UsageModel(bool IsRpc, string TypeName, string? PublisherMethod = null);

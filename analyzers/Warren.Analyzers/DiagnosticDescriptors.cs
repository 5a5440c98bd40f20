using Microsoft.CodeAnalysis;

namespace Warren.Analyzers;

/// <summary>
/// Every diagnostic Warren reports. Ids are never reused; each has a docs page at <c>docs/diagnostics/{id}.md</c>
/// and an entry in <c>AnalyzerReleases.Unshipped.md</c> (a test checks both). Rules judged once the whole compilation
/// is seen carry <see cref="WellKnownDiagnosticTags.CompilationEnd"/>, so IDEs know they need a full analysis.
/// </summary>
internal static class DiagnosticDescriptors
{
    /// <summary>
    /// Where the docs pages are published: the help link of WRNxxx is <c>{HelpLinkBase}WRNxxx.md</c>. The one place
    /// to change when the repository moves (CONTRIBUTING.md says so).
    /// </summary>
    public const string HelpLinkBase = "https://github.com/warren-messaging/warren/blob/main/docs/diagnostics/";

    private const string Routing = "Warren.Routing";
    private const string Handlers = "Warren.Handlers";
    private const string Topology = "Warren.Topology";
    private const string Serialization = "Warren.Serialization";
    private const string Rpc = "Warren.Rpc";

    public static readonly DiagnosticDescriptor InvalidTopic = Create(
        "WRN001", "Invalid routing key or binding pattern", "{0}", Routing, DiagnosticSeverity.Error);

    /// <summary>
    /// WRN001 for a default contract name qualified by its namespace (WRN035), which only the whole compilation shows:
    /// over 255 bytes, it can be neither the <c>type</c> property nor the routing key.
    /// </summary>
    public static readonly DiagnosticDescriptor InvalidQualifiedContractName = Create(
        "WRN001", "Invalid routing key or binding pattern", "{0}", Routing, DiagnosticSeverity.Error, compilationEnd: true);

    public static readonly DiagnosticDescriptor WildcardInRoutingKey = Create(
        "WRN002", "Wildcard in a publish routing key", "The routing key '{0}' contains '{1}': wildcards only mean something in bindings; a publish key is matched literally. Use a concrete word or a {{Property}} placeholder.", Routing, DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor UnknownPlaceholder = Create(
        "WRN003", "Routing-key placeholder names no property", "'{0}' has no public property '{1}' with a public getter for the placeholder {{{1}}}: add the property (or make its getter public) or fix the placeholder", Routing, DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor UnsupportedPlaceholderType = Create(
        "WRN004", "Routing-key placeholder of an unsupported type", "The property '{0}.{1}' is a {2}: a routing-key word needs a string, an integer (sbyte to ulong), a bool, a char, an enum or a Guid, or a nullable one of these: for another type, add a property that formats it as one word", Routing, DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor UnsupportedHandler = Create(
        "WRN005", "Unsupported handler signature", "Handler '{0}' {1}: a handler is a public instance method taking the message (IReadOnlyList<T> with [Batch]) and optionally a MessageContext (not with [Batch]) and a CancellationToken, returning Task, ValueTask or void", Handlers, DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor DuplicateHandler = Create(
        "WRN006", "Two handlers for one message type", "'{0}' already handles {1} (in '{2}'): a queue selects one handler per message type, so merge them or move one to another consumer class", Handlers, DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor QueueWithoutHandlers = Create(
        "WRN007", "Queue without handlers", "Consumer '{0}' declares queue '{1}' but has no handler: add a public Handle method (or a method with [Topic]) taking a message", Handlers, DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor ConflictingExchange = Create(
        "WRN008", "Exchange declared twice with different settings", "Exchange '{0}' is declared as {1} here and as {2} in {3}: the broker refuses the second declaration with PRECONDITION_FAILED. Declare it the same way everywhere.", Topology, DiagnosticSeverity.Error, compilationEnd: true);

    public static readonly DiagnosticDescriptor ConflictingQueue = Create(
        "WRN009", "Queue declared twice with different settings", "Queue '{0}' is declared with {1} here and with {2} in '{3}': the broker refuses the second declaration with PRECONDITION_FAILED. Use one consumer class per queue, or identical settings.", Topology, DiagnosticSeverity.Error, compilationEnd: true);

    public static readonly DiagnosticDescriptor PriorityOutOfRange = Create(
        "WRN010", "Priority out of range", "{0} is {1}: AMQP priorities are 1 to 255 (0 means none)", Topology, DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor PriorityAboveTen = Create(
        "WRN011", "Priority above 10", "{0} is {1}: RabbitMQ advises at most 10 priority levels; each level costs memory and CPU on the broker", Topology, DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor PriorityIgnored = Create(
        "WRN012", "Prioritized message routed to queues without priorities", "{0} has a priority, but queue '{1}' that receives it has no x-max-priority, so the broker ignores the priority: add [Priority(Max = 10)] to '{2}'", Topology, DiagnosticSeverity.Warning, compilationEnd: true);

    public static readonly DiagnosticDescriptor Unreceived = Create(
        "WRN013", "Published message no binding receives", "{0} is published to exchange '{1}' with key '{2}', but no queue in this compilation binds it: the publish fails as unroutable unless another service binds it (suppress this warning if one does)", Topology, DiagnosticSeverity.Warning, compilationEnd: true);

    public static readonly DiagnosticDescriptor DeadLetterLoop = Create(
        "WRN014", "Dead-letter queue loops back to itself", "Queue '{0}' dead-letters into itself (dead-letter queue '{1}'): a failed message would return to the queue it failed in, forever. Give [DeadLetter] another Queue.", Topology, DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor RetriesOverDeliveryLimit = Create(
        "WRN015", "Retries above the quorum queue's delivery limit", "Queue '{0}' allows {1} deliveries (x-delivery-limit) but its policy makes up to {2} attempts: raise DeliveryLimit or lower the retries", Topology, DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor QuorumIncompatible = Create(
        "WRN016", "Option a quorum queue refuses", "Quorum queue '{0}' cannot be {1}: the broker refuses the declaration (406 PRECONDITION_FAILED). Remove the option or use a classic queue.", Topology, DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor QuorumRejectPublishDlx = Create(
        "WRN017", "reject-publish-dlx on a quorum queue", "Quorum queue '{0}' uses Overflow = RejectPublishDlx, which RabbitMQ 3.10 accepts but applies as drop-head: messages are dropped, not dead-lettered. Use RejectPublish, or a classic queue.", Topology, DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor UnsupportedRpcMethod = Create(
        "WRN018", "Unsupported RPC method", "RPC method '{0}' {1}: an RPC method takes one request message and optionally a CancellationToken, and returns Task<T>, ValueTask<T>, Task or ValueTask", Rpc, DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor NotSerializable = Create(
        "WRN019", "Message type in no JsonSerializerContext", "'{0}' is in no JsonSerializerContext of this compilation: Warren serializes with source-generated metadata only. Add [JsonSerializable(typeof({0}))] to your context.{1}", Serialization, DiagnosticSeverity.Error, compilationEnd: true);

    public static readonly DiagnosticDescriptor InvalidDuration = Create(
        "WRN020", "Invalid duration", "'{0}' is not a duration: write a whole number with ms, s, m, h or d, such as \"500ms\", \"30s\" or \"5m\"", Topology, DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor UnsupportedPublisherMethod = Create(
        "WRN021", "Unsupported publisher method", "Publisher method '{0}' {1}: a publisher method takes one message, optionally a PublishOptions or else a TimeSpan (delay) or a DateTimeOffset (deliver at), optionally a CancellationToken, and returns Task or ValueTask", Routing, DiagnosticSeverity.Error);

    private const string DuplicateContractTitle = "Two messages or methods with one contract name";
    private const string DuplicateContractMessage = "{0} and {1} both have the contract name '{2}': a consumer could not tell them apart and would run the wrong handler. Give one a distinct name ([Message(\"...\")] or [Rpc(Name = \"...\")]).";

    public static readonly DiagnosticDescriptor DuplicateContract = Create(
        "WRN022", DuplicateContractTitle, DuplicateContractMessage, Routing, DiagnosticSeverity.Error);

    /// <summary>WRN022 for message contracts, which only the whole compilation shows (RPC methods are judged per service).</summary>
    public static readonly DiagnosticDescriptor DuplicateMessageContract = Create(
        "WRN022", DuplicateContractTitle, DuplicateContractMessage, Routing, DiagnosticSeverity.Error, compilationEnd: true);

    public static readonly DiagnosticDescriptor UnreachableType = Create(
        "WRN023", "Type generated code cannot use", "'{0}' {1}", Handlers, DiagnosticSeverity.Error);

    /// <summary>WRN023 for a message whose JSON context's generated code names a type it cannot use, which only the whole compilation shows.</summary>
    public static readonly DiagnosticDescriptor UnreachableTypeInJson = Create(
        "WRN023", "Type generated code cannot use", "'{0}' {1}", Handlers, DiagnosticSeverity.Error, compilationEnd: true);

    public static readonly DiagnosticDescriptor ConcurrencyAbovePrefetch = Create(
        "WRN024", "Concurrency above prefetch", "{0} '{1}' runs up to {2} handlers at once but prefetches {3} messages: the broker never delivers enough to keep more than {3} busy. Raise Prefetch to at least {2}, or lower Concurrency.", Topology, DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor WildcardOnDirectExchange = Create(
        "WRN025", "Wildcard binding on a direct exchange", "Handler '{0}' binds queue '{1}' to direct exchange '{2}' with '{3}'{4}: a direct exchange compares keys literally, so '*' and '#' match no published key and the queue receives nothing. Bind concrete keys with [Topic(\"...\")], or use a topic exchange.", Routing, DiagnosticSeverity.Error, compilationEnd: true);

    public static readonly DiagnosticDescriptor HeadersMessageThroughPublisher = Create(
        "WRN026", "Headers-exchange message published without headers", "Publisher method '{0}' sends {1} to headers exchange '{2}', which routes by headers, but the method cannot set any: every publish would be unroutable. Add a PublishOptions parameter and set its Headers.", Routing, DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor DeadLetterConsumerBoundToWork = Create(
        "WRN027", "Dead-letter queue consumer bound to work messages", "Queue '{0}' is a dead-letter queue, but handler '{1}' also binds it to exchange '{2}'{3}: it would receive every matching message, not only failed ones. Remove the binding attribute, or consume those messages from a queue of their own.", Topology, DiagnosticSeverity.Warning, compilationEnd: true);

    public static readonly DiagnosticDescriptor RpcServiceServedTwice = Create(
        "WRN028", "RPC service served by two classes", "'{0}' and '{1}' both implement RPC service '{2}': both would consume queue '{3}' and each request would reach one of them at random. Keep one implementation of {4} in this assembly.", Rpc, DiagnosticSeverity.Error, compilationEnd: true);

    public static readonly DiagnosticDescriptor SettingOutOfRange = Create(
        "WRN029", "Prefetch or concurrency out of range", "{0} '{1}': {2}", Topology, DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor BatchAbovePrefetch = Create(
        "WRN030", "Batch larger than the prefetch", "Batch handler '{0}' gathers up to {1} messages, but queue '{2}' prefetches {3}: the broker never has more than {3} unacknowledged deliveries out, so no batch fills and each waits for its timeout. Raise Prefetch to at least {1} (twice lets the next batch fill while one is handled).", Topology, DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor StreamIncompatible = Create(
        "WRN031", "Option a stream refuses", "Queue '{0}' {1}", Topology, DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor UnreachablePayloadHandler = Create(
        "WRN032", "Text or byte handler no message can reach", "Handler '{0}' takes {1}, which has no contract name, and has no binding, while queue '{2}' has other handlers: the dispatcher selects a text or byte handler only by the binding a message came through, so this one is never called and the messages meant for it are dead-lettered. Bind it with [Topic] on an [Exchange], or give it a consumer class (a queue) of its own.", Handlers, DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor AmbiguousPayloadHandler = Create(
        "WRN033", "Text or byte handler sharing bindings", "Handler '{0}' takes {1} and handler '{2}' of queue '{3}' is bound to the same messages through {4}: a message without a type the queue knows goes to '{5}', tried first (handlers are tried by method name), and never to '{6}'. Bind them to keys that do not overlap, or give the text or bytes a queue of their own.", Handlers, DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor UnusableName = Create(
        "WRN034", "Queue or exchange name RabbitMQ cannot use", "{0}: {1}", Topology, DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor QualifiedContractName = Create(
        "WRN035", "Default contract name qualified by a namespace", "The default contract name of '{0}' is '{1}', not '{2}', because {3} also has the short name '{2}': adding or removing such a type changes this message's contract name and default routing key, and services deployed with the other name stop matching. Pin the name with [Message(\"{1}\")] (or [Message(\"{2}\")] to keep the short one).", Routing, DiagnosticSeverity.Warning, compilationEnd: true);

    public static readonly DiagnosticDescriptor QueueConsumedTwice = Create(
        "WRN036", "Queue consumed by more than one class", "Queue '{0}' is consumed by {1} and by {2}: {3}", Topology, DiagnosticSeverity.Error, compilationEnd: true);

    public static readonly DiagnosticDescriptor ConsumerInheritsConsumer = Create(
        "WRN037", "Consumer class derived from a consumer class", "'{0}' inherits the handlers of '{1}', which is itself a consumer (queue '{2}'): both queues receive the messages, so each is handled twice. Make '{1}' abstract (its handlers are then inherited, not consumed), or do not derive from it.", Handlers, DiagnosticSeverity.Warning, compilationEnd: true);

    public static readonly DiagnosticDescriptor PublishRefused = Create(
        "WRN038", "Publish to an exchange RabbitMQ refuses publishes to", "{0} publishes to exchange '{1}', which {2}. Consume from it only, and publish to an exchange of your own.", Routing, DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor HiddenHandler = Create(
        "WRN039", "Handler method that is not public", "'{0}' is named like a handler and takes {1}, but {2}: generated code calls public instance methods only, so it never runs and its queue gets no binding for {1}. Make it a public method, or rename it if it is no handler.", Handlers, DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor BindingNeverMatchesItsMessage = Create(
        "WRN040", "Handler binding no publish of its message matches", "Handler '{0}' binds queue '{1}' to exchange '{2}' with '{3}', but {4} is published there with {5} only, which '{3}' never matches: the binding receives none of its messages. Bind a pattern that matches the message's key, or publish it with a key the binding matches (suppress this warning if another service publishes it with such a key).", Routing, DiagnosticSeverity.Warning, compilationEnd: true);

    public static readonly DiagnosticDescriptor MalformedHeadersEntry = Create(
        "WRN041", "[Headers] entry that is no name=value pair the broker matches", "The [Headers] entry '{0}' of handler '{1}' {2}", Routing, DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor UnusedRetryDelays = Create(
        "WRN042", "More retry delays than retries", "{0} lists {1} retry delays but MaxRetries is {2}: {3}. Set MaxRetries = {1} to use them all, or remove the delays it does not use.", Topology, DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor[] All =
    [
        InvalidTopic, WildcardInRoutingKey, UnknownPlaceholder, UnsupportedPlaceholderType, UnsupportedHandler,
        DuplicateHandler, QueueWithoutHandlers, ConflictingExchange, ConflictingQueue, PriorityOutOfRange,
        PriorityAboveTen, PriorityIgnored, Unreceived, DeadLetterLoop, RetriesOverDeliveryLimit, QuorumIncompatible,
        QuorumRejectPublishDlx, UnsupportedRpcMethod, NotSerializable, InvalidDuration, UnsupportedPublisherMethod,
        DuplicateContract, UnreachableType, ConcurrencyAbovePrefetch, WildcardOnDirectExchange,
        HeadersMessageThroughPublisher, DeadLetterConsumerBoundToWork, RpcServiceServedTwice, SettingOutOfRange,
        BatchAbovePrefetch, StreamIncompatible, UnreachablePayloadHandler, AmbiguousPayloadHandler, UnusableName,
        QualifiedContractName, QueueConsumedTwice, ConsumerInheritsConsumer,
        PublishRefused, HiddenHandler, BindingNeverMatchesItsMessage, MalformedHeadersEntry, UnusedRetryDelays,
    ];

    private static DiagnosticDescriptor Create(string id, string title, string message, string category, DiagnosticSeverity severity, bool compilationEnd = false) =>
        new(id, title, message, category, severity, isEnabledByDefault: true, helpLinkUri: HelpLinkBase + id + ".md", customTags: compilationEnd ? [WellKnownDiagnosticTags.CompilationEnd] : []);
}

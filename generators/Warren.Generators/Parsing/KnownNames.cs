namespace Warren.Generators.Parsing;

/// <summary>Metadata and display names the generator looks for; one place, shared with the analyzers.</summary>
internal static class KnownNames
{
    public const string ExchangeAttribute = "Warren.ExchangeAttribute";
    public const string TopicAttribute = "Warren.TopicAttribute";
    public const string HeadersAttribute = "Warren.HeadersAttribute";
    public const string QueueAttribute = "Warren.QueueAttribute";
    public const string PriorityAttribute = "Warren.PriorityAttribute";
    public const string DeadLetterAttribute = "Warren.DeadLetterAttribute";
    public const string PublisherAttribute = "Warren.PublisherAttribute";
    public const string MessageAttribute = "Warren.MessageAttribute";
    public const string RpcServiceAttribute = "Warren.RpcServiceAttribute";
    public const string RpcAttribute = "Warren.RpcAttribute";
    public const string WarrenModuleAttribute = "Warren.WarrenModuleAttribute";
    public const string WarrenBuilder = "Warren.WarrenBuilder";
    public const string JsonSerializableAttribute = "System.Text.Json.Serialization.JsonSerializableAttribute";
    public const string JsonSerializerContext = "System.Text.Json.Serialization.JsonSerializerContext";

    public const string MessageContext = "global::Warren.MessageContext";
    public const string CancellationToken = "global::System.Threading.CancellationToken";
    public const string Task = "global::System.Threading.Tasks.Task";
    public const string ValueTask = "global::System.Threading.Tasks.ValueTask";
    public const string TaskOfT = "global::System.Threading.Tasks.Task<TResult>";
    public const string ValueTaskOfT = "global::System.Threading.Tasks.ValueTask<TResult>";
    public const string PublishOptions = "global::Warren.PublishOptions";

    /// <summary>Methods with these names are handlers even without a <c>[Topic]</c>.</summary>
    public static readonly string[] HandlerMethodNames = ["Handle", "HandleAsync", "Consume", "ConsumeAsync"];
}

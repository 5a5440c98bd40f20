using Microsoft.CodeAnalysis;

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
    public const string WarrenModuleAttribute = "Warren.Infrastructure.WarrenModuleAttribute";
    public const string WarrenBuilder = "Warren.WarrenBuilder";
    public const string JsonSerializableAttribute = "System.Text.Json.Serialization.JsonSerializableAttribute";
    public const string JsonSerializerContext = "System.Text.Json.Serialization.JsonSerializerContext";

    public const string Task = "global::System.Threading.Tasks.Task";
    public const string ValueTask = "global::System.Threading.Tasks.ValueTask";
    public const string TaskOfT = "global::System.Threading.Tasks.Task<TResult>";
    public const string ValueTaskOfT = "global::System.Threading.Tasks.ValueTask<TResult>";

    public const string MessageContextType = "Warren.MessageContext";
    public const string CancellationTokenType = "System.Threading.CancellationToken";
    public const string PublishOptionsType = "Warren.PublishOptions";
    public const string TimeSpanType = "System.TimeSpan";
    public const string DateTimeOffsetType = "System.DateTimeOffset";

    /// <summary>
    /// True when <paramref name="type"/> is the top-level type <paramref name="metadataName"/> (<c>Warren.QueueAttribute</c>),
    /// compared name by name without building display strings: this runs for every attribute and parameter the
    /// generator and analyzers look at.
    /// </summary>
    public static bool Is(ITypeSymbol type, string metadataName)
    {
        var end = metadataName.Length;
        var dot = metadataName.LastIndexOf('.');
        if (type.ContainingType is not null || !Segment(type.MetadataName, metadataName, dot + 1, end))
        {
            return false;
        }

        var ns = type.ContainingNamespace;
        end = dot;
        while (end > 0)
        {
            dot = metadataName.LastIndexOf('.', end - 1);
            if (ns is null || ns.IsGlobalNamespace || !Segment(ns.Name, metadataName, dot + 1, end))
            {
                return false;
            }

            ns = ns.ContainingNamespace;
            end = dot;
        }

        return ns is { IsGlobalNamespace: true };
    }

    private static bool Segment(string name, string metadataName, int start, int end) =>
        name.Length == end - start && string.CompareOrdinal(name, 0, metadataName, start, end - start) == 0;

    /// <summary>Methods with these names are handlers even without a <c>[Topic]</c>.</summary>
    public static readonly string[] HandlerMethodNames = ["Handle", "HandleAsync", "Consume", "ConsumeAsync"];
}

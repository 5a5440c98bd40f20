using System.Collections.Generic;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Warren.Manifest;

/// <summary>
/// What one service declares, publishes, consumes, calls and serves: <c>warren/manifest.json</c> in its build output.
/// Each entry is read from the <c>[assembly: AssemblyMetadata("Warren.&lt;Kinds&gt;", json)]</c> the generator emits (a
/// JSON array per kind), with the same JSON shape as the entry here, so the generator's model stays the one source.
/// </summary>
internal sealed record ServiceManifest
{
    /// <summary>The manifest format this tool writes and reads.</summary>
    public const int CurrentFormat = 1;

    public int Format { get; init; } = CurrentFormat;

    /// <summary>The service (its assembly name).</summary>
    public required string Service { get; init; }

    /// <summary><c>service</c> for an executable, <c>library</c> otherwise.</summary>
    public required string Kind { get; init; }

    /// <summary>Libraries of consumers whose generated modules this service registers (their entries are merged in).</summary>
    public List<string> Modules { get; init; } = [];

    public List<ExchangeEntry> Exchanges { get; init; } = [];

    public List<QueueEntry> Queues { get; init; } = [];

    public List<BindingEntry> Bindings { get; init; } = [];

    public List<PublishEntry> Publishes { get; init; } = [];

    public List<ConsumeEntry> Consumes { get; init; } = [];

    /// <summary>Where Warren's runtime sends what a queue's handlers fail on for good (it publishes to these itself).</summary>
    public List<DeadLetterEntry> DeadLetters { get; init; } = [];

    public List<RpcEntry> Calls { get; init; } = [];

    public List<RpcEntry> Serves { get; init; } = [];

    /// <summary>The declarations as the runtime's topology model (for the documents and the comparisons).</summary>
    public Topology ToTopology()
    {
        var topology = new Topology();
        foreach (var e in Exchanges)
        {
            topology.Add(e.ToDeclaration());
        }

        foreach (var q in Queues)
        {
            topology.Add(q.ToDeclaration());
        }

        foreach (var b in Bindings)
        {
            topology.Add(b.ToDeclaration());
        }

        return topology;
    }
}

internal sealed record ExchangeEntry(string Name, string Type, bool Durable = true, bool AutoDelete = false, Dictionary<string, JsonElement>? Arguments = null)
{
    public ExchangeDeclaration ToDeclaration() => new(Name, Type, Durable, AutoDelete, Args.From(Arguments));
}

internal sealed record QueueEntry(string Name, bool Durable = true, bool Exclusive = false, bool AutoDelete = false, Dictionary<string, JsonElement>? Arguments = null)
{
    public QueueDeclaration ToDeclaration() => new(Name, Durable, Exclusive, AutoDelete, Args.From(Arguments));
}

internal sealed record BindingEntry(string Exchange, string Queue, string RoutingKey = "", Dictionary<string, JsonElement>? Arguments = null)
{
    public BindingDeclaration ToDeclaration() => new(Exchange, Queue, RoutingKey, Args.From(Arguments));
}

/// <summary>A contract the service publishes: where it goes and the routing key, <c>{Property}</c> placeholders kept.</summary>
internal sealed record PublishEntry(string Contract, string Type, string Exchange, string RoutingKey);

/// <summary>A contract a queue of the service receives.</summary>
internal sealed record ConsumeEntry(string Queue, string Contract, string Type);

/// <summary>A queue's dead-letter route: the exchange and routing key failed messages are published to.</summary>
internal sealed record DeadLetterEntry(string Queue, string Exchange, string RoutingKey);

/// <summary>An RPC service (by its <c>[RpcService]</c> name) and its request queue.</summary>
internal sealed record RpcEntry(string Service, string Queue);

/// <summary>Declaration arguments: JSON values as the runtime's model holds them (string, long, double, bool).</summary>
internal static class Args
{
    public static IReadOnlyDictionary<string, object?>? From(Dictionary<string, JsonElement>? arguments)
    {
        if (arguments is null || arguments.Count == 0)
        {
            return null;
        }

        var result = new SortedDictionary<string, object?>(System.StringComparer.Ordinal);
        foreach (var (name, value) in arguments)
        {
            result[name] = Value(value);
        }

        return result;
    }

    public static object? Value(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Number when value.TryGetInt64(out var integer) => integer,
        JsonValueKind.Number => value.GetDouble(),
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        _ => value.GetRawText(),
    };

    /// <summary>Arguments as short text for messages: <c>{x-max-priority=10, x-queue-type=quorum}</c>.</summary>
    public static string Text(IReadOnlyDictionary<string, object?>? arguments) =>
        arguments is null || arguments.Count == 0
            ? "{}"
            : "{" + string.Join(", ", System.Linq.Enumerable.Select(System.Linq.Enumerable.OrderBy(arguments, a => a.Key, System.StringComparer.Ordinal), a => $"{a.Key}={Format(a.Value)}")) + "}";

    private static string Format(object? value) => value switch
    {
        null => "null",
        bool b => b ? "true" : "false",
        System.IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ServiceManifest))]
[JsonSerializable(typeof(ExchangeEntry))]
[JsonSerializable(typeof(QueueEntry))]
[JsonSerializable(typeof(BindingEntry))]
[JsonSerializable(typeof(PublishEntry))]
[JsonSerializable(typeof(ConsumeEntry))]
[JsonSerializable(typeof(RpcEntry))]
[JsonSerializable(typeof(DeadLetterEntry))]
[JsonSerializable(typeof(List<ExchangeEntry>))]
[JsonSerializable(typeof(List<QueueEntry>))]
[JsonSerializable(typeof(List<BindingEntry>))]
[JsonSerializable(typeof(List<PublishEntry>))]
[JsonSerializable(typeof(List<ConsumeEntry>))]
[JsonSerializable(typeof(List<RpcEntry>))]
[JsonSerializable(typeof(List<DeadLetterEntry>))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(BrokerDefinitions))]
internal sealed partial class ManifestJson : JsonSerializerContext;

using System;
using System.ComponentModel;
using System.Collections.Concurrent;
using System.Threading;
using System.Text.Json.Serialization.Metadata;

namespace Warren;

/// <summary>
/// Everything Warren needs to publish a <typeparamref name="T"/>: its stable contract name (the AMQP <c>type</c>
/// property), its JSON type information from the application's <c>JsonSerializerContext</c>, the exchange, how its
/// routing key is built and its default priority. Generated code builds one per message type.
/// </summary>
/// <typeparam name="T">The message type.</typeparam>
public sealed class MessageContract<T>
{
    private readonly Func<T, string> _routingKey;

    /// <summary>Creates a contract.</summary>
    /// <param name="name">The contract name carried in the <c>type</c> property.</param>
    /// <param name="typeInfo">Serialization metadata for <typeparamref name="T"/>.</param>
    /// <param name="exchange">The exchange messages are published to (<c>""</c> is the default exchange).</param>
    /// <param name="routingKey">Builds the routing key of one message.</param>
    /// <param name="priority">The default priority (0–255), or null for none.</param>
    public MessageContract(string name, JsonTypeInfo<T> typeInfo, string exchange, Func<T, string> routingKey, byte? priority = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(typeInfo);
        ArgumentNullException.ThrowIfNull(exchange);
        ArgumentNullException.ThrowIfNull(routingKey);
        Name = name;
        TypeInfo = typeInfo;
        Exchange = exchange;
        _routingKey = routingKey;
        Priority = priority;
    }

    /// <summary>A contract with a fixed routing key.</summary>
    public MessageContract(string name, JsonTypeInfo<T> typeInfo, string exchange, string routingKey, byte? priority = null)
        : this(name, typeInfo, exchange, _ => routingKey, priority)
    {
        RoutingKeyTemplate = routingKey;
    }

    /// <summary>The contract name carried in the AMQP <c>type</c> property.</summary>
    public string Name { get; }

    /// <summary>Serialization metadata for the message type.</summary>
    public JsonTypeInfo<T> TypeInfo { get; }

    /// <summary>The exchange messages are published to.</summary>
    public string Exchange { get; }

    /// <summary>The default priority, or null.</summary>
    public byte? Priority { get; }

    /// <summary>
    /// The routing key's template with its placeholders, as written in <c>[Topic]</c> (<c>user.{Region}.created</c>), or
    /// the fixed key; null when unknown. Metrics and span names use it instead of the concrete key, whose values are
    /// unbounded; without it they name the exchange (or, on the default exchange, the contract).
    /// </summary>
    public string? RoutingKeyTemplate
    {
        get => _routingKeyTemplate;
        init
        {
            _routingKeyTemplate = value;
            _telemetryTemplate = null;
        }
    }

    /// <summary>The low-cardinality destination metrics and spans name: the exchange, or on the default exchange the fixed key (a queue) or the contract name.</summary>
    internal string TelemetryDestination => Exchange.Length > 0 ? Exchange : _routingKeyTemplate ?? Name;

    /// <summary><c>messaging.destination.template</c>: <c>{exchange}:{routing-key template}</c>, or null when the template is unknown.</summary>
    internal string? TelemetryTemplate => _routingKeyTemplate is null ? null : _telemetryTemplate ??= Exchange.Length > 0 ? Exchange + ":" + _routingKeyTemplate : _routingKeyTemplate;

    /// <summary>The name of this contract's publish spans, made once.</summary>
    internal string PublishSpanName => _publishSpanName ??= WarrenTracing.PublishSpanName(TelemetryDestination, TelemetryTemplate);

    private readonly string? _routingKeyTemplate;
    private string? _telemetryTemplate;
    private string? _publishSpanName;

    /// <summary>The routing key for one message.</summary>
    public string RoutingKeyFor(T message) => _routingKey(message);
}

/// <summary>
/// The route table behind <see cref="IPublisher.PublishAsync{T}(T, CancellationToken)"/>: the contract of every message
/// type this application publishes. One table belongs to each service provider (registered by <c>AddWarren</c> and
/// filled by the generated <c>AddGeneratedHandlers()</c> or <see cref="WarrenBuilder.AddContract{T}"/>), so two hosts in
/// one process keep their own routes. Looking a contract up is one dictionary read keyed by <c>typeof(T)</c>; no
/// reflection.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class MessageContracts
{
    private readonly ConcurrentDictionary<Type, object> _contracts = new();

    /// <summary>Registers (or replaces) the contract of <typeparamref name="T"/> in this table.</summary>
    public void Register<T>(MessageContract<T> contract)
    {
        ArgumentNullException.ThrowIfNull(contract);
        _contracts[typeof(T)] = contract;
    }

    /// <summary>The registered contract of <typeparamref name="T"/>, or null.</summary>
    public MessageContract<T>? Find<T>() => _contracts.TryGetValue(typeof(T), out var contract) ? (MessageContract<T>)contract : null;

    /// <summary>The registered contract of <typeparamref name="T"/>; throws a clear error when there is none.</summary>
    public MessageContract<T> Get<T>() =>
        Find<T>() ?? throw new InvalidOperationException(
            $"Warren has no route for message type '{typeof(T).FullName}': give it [Exchange] and [Topic] attributes (and call AddGeneratedHandlers()), or register a MessageContract<{typeof(T).Name}> with AddWarren().AddContract(...).");
}

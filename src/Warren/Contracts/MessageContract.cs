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
        : this(name, typeInfo, null, exchange, routingKey, priority)
    {
    }

    /// <summary>A contract with a fixed routing key.</summary>
    public MessageContract(string name, JsonTypeInfo<T> typeInfo, string exchange, string routingKey, byte? priority = null)
        : this(name, typeInfo, exchange, _ => routingKey, priority)
    {
        RoutingKeyTemplate = routingKey;
    }

    /// <summary>
    /// A contract of a type without serialization metadata in this application (see
    /// <see cref="Infrastructure.WithoutJsonMetadata"/>): registered, so that a publish finds its route, but reading
    /// <see cref="TypeInfo"/> throws <paramref name="missingTypeInfo"/>, which says what is missing.
    /// </summary>
    internal MessageContract(string name, string missingTypeInfo, string exchange, Func<T, string> routingKey, byte? priority)
        : this(name, null, missingTypeInfo, exchange, routingKey, priority)
    {
    }

    /// <summary>Either <paramref name="typeInfo"/> or, for a type without metadata, <paramref name="missingTypeInfo"/>.</summary>
    private MessageContract(string name, JsonTypeInfo<T>? typeInfo, string? missingTypeInfo, string exchange, Func<T, string> routingKey, byte? priority)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (missingTypeInfo is null)
        {
            ArgumentNullException.ThrowIfNull(typeInfo);
        }
        else
        {
            ArgumentException.ThrowIfNullOrEmpty(missingTypeInfo);
        }

        ArgumentNullException.ThrowIfNull(exchange);
        ArgumentNullException.ThrowIfNull(routingKey);
        Name = name;
        _typeInfo = typeInfo;
        _missingTypeInfo = missingTypeInfo;
        Exchange = exchange;
        _routingKey = routingKey;
        Priority = priority;
    }

    /// <summary>The contract name carried in the AMQP <c>type</c> property.</summary>
    public string Name { get; }

    /// <summary>Serialization metadata for the message type.</summary>
    /// <exception cref="InvalidOperationException">The application has no metadata for the type (a contract generated
    /// for a message no usable <c>JsonSerializerContext</c> lists); the message says what is missing.</exception>
    public JsonTypeInfo<T> TypeInfo => _typeInfo ?? throw new InvalidOperationException(_missingTypeInfo);

    private readonly JsonTypeInfo<T>? _typeInfo;
    private readonly string? _missingTypeInfo;

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

    /// <summary>The <c>messaging.destination.name</c> of publishes to the template's key itself (a fixed key), made once; null without a template.</summary>
    internal PublishDestination? FixedPublishDestination => _routingKeyTemplate is null ? null : _fixedPublishDestination ??= new PublishDestination(Exchange, _routingKeyTemplate);

    private readonly string? _routingKeyTemplate;
    private string? _telemetryTemplate;
    private string? _publishSpanName;
    private PublishDestination? _fixedPublishDestination;

    /// <summary>The routing key for one message.</summary>
    public string RoutingKeyFor(T message) => _routingKey(message);
}

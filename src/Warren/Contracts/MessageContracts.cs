using System;
using System.ComponentModel;
using System.Collections.Concurrent;
using System.Threading;
using System.Text.Json.Serialization.Metadata;

namespace Warren.Infrastructure;

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
    public MessageContract<T> Get<T>() => Find<T>() ?? throw new InvalidOperationException(NoRoute<T>());

    /// <summary>
    /// Why there is no contract and what gives one. A generic type cannot take <c>[Exchange]</c>/<c>[Topic]</c> (WRN023):
    /// its closed types get contracts where a handler or <c>[Publisher]</c> method takes them, or by registration.
    /// </summary>
    internal static string NoRoute<T>() => typeof(T).IsGenericType
        ? $"Warren has no route for message type '{typeof(T).FullName}': a generic message type cannot take [Exchange] and [Topic] (WRN023); a closed type gets a contract where a handler or [Publisher] method of this application takes it (and AddGeneratedHandlers() is called), or register a MessageContract<{typeof(T).Name}> with AddWarren().AddContract(...) after AddGeneratedHandlers() to choose its exchange and routing key."
        : $"Warren has no route for message type '{typeof(T).FullName}': give it [Exchange] and [Topic] attributes (and call AddGeneratedHandlers()), or register a MessageContract<{typeof(T).Name}> with AddWarren().AddContract(...).";
}

using System;
using System.Collections.Concurrent;
using System.Threading;

namespace Warren;

/// <summary>
/// Span names and attribute values made of low-cardinality parts, made once instead of per message: the publish span
/// names of publishes without a contract (<c>publish {destination}</c>) and the RPC client span names
/// (<c>{service}/{method}</c>). Each cache is bounded: past <see cref="MaxEntries"/> names a name is made per use, as
/// before, so an application that passes unbounded destinations costs a concatenation, not memory.
/// </summary>
internal static class TelemetryNames
{
    /// <summary>The most names one cache keeps.</summary>
    internal const int MaxEntries = 1024;

    private static readonly NameCache<string> s_publishSpanNames = new(MaxEntries, static destination => WarrenTracing.PublishSpanName(destination, null));
    private static readonly NameCache<(string Service, string Method)> s_rpcSpanNames = new(MaxEntries, static key => key.Service + "/" + key.Method);

    /// <summary><c>publish {destination}</c>, the name of a publish span without a template.</summary>
    public static string PublishSpanName(string destination) => s_publishSpanNames.Get(destination);

    /// <summary><c>{service}/{method}</c>, the name of an RPC client span.</summary>
    public static string RpcClientSpanName(string service, string method) => s_rpcSpanNames.Get((service, method));
}

/// <summary>Names made by <paramref name="make"/>, kept for the first <paramref name="capacity"/> keys, made per use after that.</summary>
internal sealed class NameCache<TKey>(int capacity, Func<TKey, string> make)
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, string> _names = new();

    // Set once the cache is full: ConcurrentDictionary.Count takes every lock, so it is not asked per miss after that.
    private volatile bool _full;

    public int Count => _names.Count;

    public string Get(TKey key)
    {
        if (_names.TryGetValue(key, out var name))
        {
            return name;
        }

        name = make(key);
        if (_full)
        {
            return name;
        }

        if (_names.Count >= capacity)
        {
            _full = true;
            return name;
        }

        return _names.GetOrAdd(key, name);
    }
}

/// <summary>
/// The <c>messaging.destination.name</c> of one queue's process spans (<see cref="WarrenTracing.ProcessDestination"/>):
/// the queue itself without a string when the message came through the default exchange with the queue as key, else
/// the last name made, kept while deliveries come from the same exchange and routing key (a fixed-key binding, the
/// common case), so a recorded span does not concatenate its destination per delivery.
/// </summary>
internal sealed class ProcessDestinations(string queue)
{
    private Entry? _last;

    public string For(string exchange, string routingKey)
    {
        if (exchange.Length == 0 && (routingKey.Length == 0 || routingKey == queue))
        {
            return queue;
        }

        var last = Volatile.Read(ref _last);
        if (last is not null && last.Exchange == exchange && last.RoutingKey == routingKey)
        {
            return last.Name;
        }

        var name = WarrenTracing.ProcessDestination(exchange, routingKey, queue);
        Volatile.Write(ref _last, new Entry(exchange, routingKey, name));
        return name;
    }

    private sealed record Entry(string Exchange, string RoutingKey, string Name);
}

/// <summary>
/// The <c>messaging.destination.name</c> of a contract's publishes to its fixed routing key,
/// <c>{exchange}:{routing key}</c>, made once; null (see <see cref="For"/>) for any other key.
/// </summary>
internal sealed class PublishDestination(string exchange, string routingKey)
{
    /// <summary>The name, made when a recorded span first needs it.</summary>
    private string? _name;

    /// <summary>The name when the publish goes to <paramref name="sendExchange"/> with <paramref name="sendRoutingKey"/>, the contract's own; else null.</summary>
    public string? For(string sendExchange, string sendRoutingKey) =>
        sendExchange == exchange && sendRoutingKey == routingKey ? _name ??= WarrenTracing.PublishDestinationName(exchange, routingKey) : null;
}

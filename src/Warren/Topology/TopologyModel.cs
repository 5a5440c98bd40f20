using System;
using System.Collections.Generic;

namespace Warren;

/// <summary>AMQP exchange types.</summary>
public static class ExchangeTypes
{
    /// <summary>Routes on an exact routing-key match.</summary>
    public const string Direct = "direct";

    /// <summary>Routes on routing-key patterns (<c>*</c> one word, <c>#</c> zero or more).</summary>
    public const string Topic = "topic";

    /// <summary>Routes to every bound queue.</summary>
    public const string Fanout = "fanout";

    /// <summary>Routes on header values (<c>x-match</c> all/any).</summary>
    public const string Headers = "headers";
}

/// <summary>An exchange to declare.</summary>
/// <param name="Name">The exchange name.</param>
/// <param name="Type">One of <see cref="ExchangeTypes"/>.</param>
/// <param name="Durable">Survives a broker restart (default).</param>
/// <param name="AutoDelete">Deleted when its last binding goes.</param>
/// <param name="Arguments">Declaration arguments (e.g. <c>alternate-exchange</c>).</param>
public sealed record ExchangeDeclaration(string Name, string Type, bool Durable = true, bool AutoDelete = false, IReadOnlyDictionary<string, object?>? Arguments = null);

/// <summary>A queue to declare. Arguments carry the broker options: <c>x-queue-type</c>, <c>x-message-ttl</c>,
/// <c>x-max-length</c>, <c>x-overflow</c>, <c>x-single-active-consumer</c>, <c>x-max-priority</c>,
/// <c>x-dead-letter-exchange</c>, <c>x-dead-letter-routing-key</c>, <c>x-delivery-limit</c>.</summary>
/// <param name="Name">The queue name.</param>
/// <param name="Durable">Survives a broker restart (default).</param>
/// <param name="Exclusive">Used by one connection only and deleted with it.</param>
/// <param name="AutoDelete">Deleted when its last consumer goes.</param>
/// <param name="Arguments">Declaration arguments.</param>
public sealed record QueueDeclaration(string Name, bool Durable = true, bool Exclusive = false, bool AutoDelete = false, IReadOnlyDictionary<string, object?>? Arguments = null);

/// <summary>A binding of a queue to an exchange.</summary>
/// <param name="Exchange">The source exchange.</param>
/// <param name="Queue">The destination queue.</param>
/// <param name="RoutingKey">The binding key (a pattern on topic exchanges; ignored by fanout and headers exchanges).</param>
/// <param name="Arguments">Binding arguments (headers exchanges: the header values and <c>x-match</c>).</param>
public sealed record BindingDeclaration(string Exchange, string Queue, string RoutingKey = "", IReadOnlyDictionary<string, object?>? Arguments = null);

/// <summary>
/// A set of exchanges, queues and bindings, declared in dependency order by <see cref="TopologyDeclarer"/>. Generated
/// code builds one per assembly; tests and applications may build their own.
/// </summary>
public sealed class Topology
{
    private readonly List<ExchangeDeclaration> _exchanges = [];
    private readonly List<QueueDeclaration> _queues = [];
    private readonly List<BindingDeclaration> _bindings = [];
    private readonly Dictionary<string, int> _exchangeIndex = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _queueIndex = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Exchange, string Queue, string RoutingKey), List<BindingDeclaration>> _bindingIndex = [];

    /// <summary>The exchanges, in declaration order.</summary>
    public IReadOnlyList<ExchangeDeclaration> Exchanges => _exchanges;

    /// <summary>The queues, in declaration order.</summary>
    public IReadOnlyList<QueueDeclaration> Queues => _queues;

    /// <summary>The bindings, in declaration order.</summary>
    public IReadOnlyList<BindingDeclaration> Bindings => _bindings;

    /// <summary>Adds an exchange; adding an identical one again is a no-op, a different one with the same name an error.</summary>
    public Topology Add(ExchangeDeclaration exchange)
    {
        ArgumentNullException.ThrowIfNull(exchange);
        AddUnique(_exchanges, _exchangeIndex, exchange, exchange.Name, "exchange");
        return this;
    }

    /// <summary>Adds a queue; adding an identical one again is a no-op, a different one with the same name an error.</summary>
    public Topology Add(QueueDeclaration queue)
    {
        ArgumentNullException.ThrowIfNull(queue);
        AddUnique(_queues, _queueIndex, queue, queue.Name, "queue");
        return this;
    }

    /// <summary>Adds a binding (duplicates are ignored).</summary>
    public Topology Add(BindingDeclaration binding)
    {
        ArgumentNullException.ThrowIfNull(binding);
        var key = (binding.Exchange, binding.Queue, binding.RoutingKey);
        if (_bindingIndex.TryGetValue(key, out var sameKey))
        {
            foreach (var existing in sameKey)
            {
                if (ArgumentsEqual(existing.Arguments, binding.Arguments))
                {
                    return this;
                }
            }

            sameKey.Add(binding);
        }
        else
        {
            _bindingIndex.Add(key, [binding]);
        }

        _bindings.Add(binding);
        return this;
    }

    /// <summary>Adds everything in <paramref name="other"/>.</summary>
    public Topology Add(Topology other)
    {
        ArgumentNullException.ThrowIfNull(other);
        foreach (var e in other._exchanges)
        {
            Add(e);
        }

        foreach (var q in other._queues)
        {
            Add(q);
        }

        foreach (var b in other._bindings)
        {
            Add(b);
        }

        return this;
    }

    // Indexed by name so that registering a large topology (thousands of consumers) stays linear.
    private static void AddUnique<T>(List<T> items, Dictionary<string, int> index, T item, string name, string kind)
    {
        if (index.TryGetValue(name, out var position))
        {
            var existing = items[position];
            if (!SameDeclaration(existing, item))
            {
                throw new TopologyConflictException($"The {kind} '{name}' is declared twice with different settings: {existing} and {item}. The broker would refuse the second with PRECONDITION_FAILED.");
            }

            return;
        }

        index.Add(name, items.Count);
        items.Add(item);
    }

    private static bool SameDeclaration<T>(T a, T b) => (a, b) switch
    {
        (ExchangeDeclaration x, ExchangeDeclaration y) => x.Type == y.Type && x.Durable == y.Durable && x.AutoDelete == y.AutoDelete && ArgumentsEqual(x.Arguments, y.Arguments),
        (QueueDeclaration x, QueueDeclaration y) => x.Durable == y.Durable && x.Exclusive == y.Exclusive && x.AutoDelete == y.AutoDelete && ArgumentsEqual(x.Arguments, y.Arguments),
        _ => Equals(a, b),
    };

    internal static bool ArgumentsEqual(IReadOnlyDictionary<string, object?>? a, IReadOnlyDictionary<string, object?>? b)
    {
        var left = a ?? EmptyArguments;
        var right = b ?? EmptyArguments;
        if (left.Count != right.Count)
        {
            return false;
        }

        foreach (var (key, value) in left)
        {
            if (!right.TryGetValue(key, out var other) || !Equals(Normalize(value), Normalize(other)))
            {
                return false;
            }
        }

        return true;
    }

    private static object? Normalize(object? value) => value switch
    {
        int i => (long)i,
        short s => (long)s,
        byte b => (long)b,
        _ => value,
    };

    private static readonly IReadOnlyDictionary<string, object?> EmptyArguments = new Dictionary<string, object?>();
}

/// <summary>Two declarations of the same exchange or queue disagree (the broker's PRECONDITION_FAILED).</summary>
public sealed class TopologyConflictException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TopologyConflictException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public TopologyConflictException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public TopologyConflictException(string message, Exception innerException) : base(message, innerException)
    {
    }
}

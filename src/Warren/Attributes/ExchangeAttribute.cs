using System;

namespace Warren;

/// <summary>The AMQP exchange types.</summary>
public enum ExchangeKind
{
    /// <summary><c>direct</c>: a queue receives a message when its binding key equals the routing key.</summary>
    Direct,

    /// <summary><c>topic</c>: binding keys are patterns over dot-separated words (<c>*</c> one word, <c>#</c> zero or more).</summary>
    Topic,

    /// <summary><c>fanout</c>: every bound queue receives every message; keys are ignored.</summary>
    Fanout,

    /// <summary><c>headers</c>: queues are selected by header values (<c>x-match</c> all or any).</summary>
    Headers,
}

/// <summary>
/// On a message type: the exchange it is published to. On a consumer class: the exchange its queue binds to for
/// handlers whose message types do not name one. Declared with <c>exchange.declare</c>: the name, the type
/// (<see cref="ExchangeKind"/>), <c>durable</c> (<see cref="Durable"/>) and <c>auto-delete</c> (<see cref="AutoDelete"/>).
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct | AttributeTargets.Interface, AllowMultiple = false, Inherited = false)]
public sealed class ExchangeAttribute : Attribute
{
    /// <summary>Names the exchange and its type.</summary>
    public ExchangeAttribute(string name, ExchangeKind type = ExchangeKind.Topic)
    {
        Name = name;
        Type = type;
    }

    /// <summary>The exchange name.</summary>
    public string Name { get; }

    /// <summary>The exchange type.</summary>
    public ExchangeKind Type { get; }

    /// <summary><c>durable</c>: the exchange survives a broker restart. Default true.</summary>
    public bool Durable { get; set; } = true;

    /// <summary><c>auto-delete</c>: the broker deletes the exchange when its last binding is removed. Default false.</summary>
    public bool AutoDelete { get; set; }
}

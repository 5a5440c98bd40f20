using System;

namespace Warren;

/// <summary>
/// On a message type: the default <c>priority</c> property it is published with (0–255). On a consumer class:
/// <see cref="Max"/> becomes the queue's <c>x-max-priority</c>, without which the broker ignores priorities.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = false, Inherited = false)]
public sealed class PriorityAttribute : Attribute
{
    /// <summary>For a consumer class: set <see cref="Max"/>.</summary>
    public PriorityAttribute()
    {
    }

    /// <summary>For a message type: its default priority.</summary>
    public PriorityAttribute(int value)
    {
        Value = value;
    }

    /// <summary>The default publish priority of a message type.</summary>
    public int Value { get; }

    /// <summary>The queue's <c>x-max-priority</c> (1–255; RabbitMQ advises at most 10).</summary>
    public int Max { get; set; }
}

using System;

namespace Warren;

/// <summary>
/// On a handler method taking <c>IReadOnlyList&lt;T&gt;</c>: it receives up to <see cref="Size"/> messages of type
/// <c>T</c> in one call, or what arrived within <see cref="Timeout"/> of the batch's first message. Success acknowledges
/// the whole batch; when the call throws, the batch is split in halves and handled again, down to single messages, so
/// only a message that fails on its own goes through the queue's retry policy to its dead-letter queue (see
/// docs/batch-consumers.md). A graceful stop hands over the partial batch at once. The queue's <c>Prefetch</c> must be at
/// least <see cref="Size"/> (WRN030).
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class BatchAttribute : Attribute
{
    /// <summary>The most messages in one call. Default 50.</summary>
    public int Size { get; set; } = 50;

    /// <summary>How long a batch waits for more messages after its first, as <c>"500ms"</c>, <c>"2s"</c>…. Default <c>"2s"</c>.</summary>
    public string Timeout { get; set; } = "2s";
}

using System;

namespace Warren;

/// <summary>
/// Gives a consumer's queue a dead-letter exchange and queue: the queue is declared with <c>x-dead-letter-exchange</c>
/// and <c>x-dead-letter-routing-key</c>, and the dead-letter queue is declared and bound. Names default to
/// <c>{queue}.dlx</c> (a direct exchange) and <c>{queue}.dlq</c>. <see cref="MaxRetries"/> and
/// <see cref="RetryDelays"/> describe the retry policy applied before a message is dead-lettered.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class DeadLetterAttribute : Attribute
{
    /// <summary>The dead-letter exchange; default <c>{queue}.dlx</c>.</summary>
    public string? Exchange { get; set; }

    /// <summary>The dead-letter queue; default <c>{queue}.dlq</c>.</summary>
    public string? Queue { get; set; }

    /// <summary>How many times a failing message is retried before it is dead-lettered.</summary>
    public int MaxRetries { get; set; }

    /// <summary>Delays before each retry, as <c>"1s"</c>, <c>"10s"</c>, <c>"1m"</c>…; the last repeats. Empty = immediate retries.</summary>
    public string[]? RetryDelays { get; set; }
}

using System;

namespace Warren;

/// <summary>
/// Gives a consumer's queue a dead-letter exchange and queue: the queue is declared with <c>x-dead-letter-exchange</c>
/// and <c>x-dead-letter-routing-key</c>, and the dead-letter queue is declared and bound. Names default to
/// <c>{queue}.dlx</c> (a direct exchange) and <c>{queue}.dlq</c>. <see cref="MaxRetries"/> and
/// <see cref="RetryDelays"/> describe the retry policy applied before a message is dead-lettered.
/// A consumer class without this attribute is treated as if it had
/// <c>[DeadLetter(MaxRetries = 3, RetryDelays = new[] { "5s", "30s", "2m" })]</c>; <c>[DeadLetter(Enabled = false)]</c>
/// opts out (no dead-letter queue, no retries).
/// On a handler method: that handler's own retry policy (<see cref="ImmediateRetries"/>, <see cref="MaxRetries"/>,
/// <see cref="RetryDelays"/>, <see cref="DoNotRetry"/>), with its own retry queues <c>{queue}.{message contract}.retry.{n}</c>;
/// the dead-letter exchange and queue stay the class's (or their defaults).
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class DeadLetterAttribute : Attribute
{
    /// <summary>
    /// False opts the class out of dead-lettering and retries altogether: no dead-letter exchange, queue or retry
    /// queues are declared. Default true. Ignored on a handler method.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The dead-letter exchange; default <c>{queue}.dlx</c>.</summary>
    public string? Exchange { get; set; }

    /// <summary>The dead-letter queue; default <c>{queue}.dlq</c>.</summary>
    public string? Queue { get; set; }

    /// <summary>In-process attempts after a failure, before any delayed retry. Default 0.</summary>
    public int ImmediateRetries { get; set; }

    /// <summary>
    /// How many delayed retries a failing message gets before it is dead-lettered. Each goes through a retry queue
    /// <c>{queue}.retry.{n}</c> (<c>x-message-ttl</c> = the delay, dead-lettering back to the queue). Default 0 when the
    /// attribute is present (3 for a class without it).
    /// </summary>
    public int MaxRetries { get; set; }

    /// <summary>
    /// Delays before each delayed retry, as <c>"1s"</c>, <c>"10s"</c>, <c>"1m"</c>…; the last repeats. Default <c>"5s"</c>.
    /// Delays past <see cref="MaxRetries"/> are never used (WRN042).
    /// </summary>
    public string[]? RetryDelays { get; set; }

    /// <summary>Exception types retrying cannot fix (and their subclasses): such a failure is dead-lettered at once.</summary>
    public Type[]? DoNotRetry { get; set; }
}

using System;
using System.Collections.Generic;

namespace Warren;

/// <summary>
/// What a queue's consumer does when a handler fails (throws, or exceeds its timeout). First
/// <see cref="ImmediateRetries"/> in-process attempts; then up to <see cref="MaxRetries"/> delayed retries, each a copy
/// of the message published to a retry queue (<c>{queue}.retry.{n}</c>, a TTL queue that dead-letters back to the work
/// queue, so no broker plugin is needed) with the retry count in its <c>x-warren-retries</c> header — the count
/// travels with the message and survives consumer restarts; then the dead-letter exchange, with the reason in headers.
/// Messages that retrying cannot fix (malformed, unknown type, oversize, non-retryable exceptions) are dead-lettered
/// at once. Every copy is confirmed by the broker before the original is acknowledged: nothing is lost.
/// </summary>
/// <remarks>
/// A queue whose <see cref="ConsumerDefinition.Retry"/> is null gets <see cref="CreateDefault"/>; <see cref="Disabled"/>
/// opts out: a failing message is then requeued after <see cref="WarrenOptions.RequeueDelay"/>, and one that cannot be
/// processed is rejected without requeue (the broker discards it unless the queue has its own dead-letter exchange).
/// </remarks>
public sealed class RetryPolicy
{
    /// <summary>Header carrying how many delayed retries a message has had.</summary>
    public const string RetriesHeader = "x-warren-retries";

    /// <summary>Delayed retries of the default policy.</summary>
    public const int DefaultMaxRetries = 3;

    private static readonly TimeSpan[] DefaultDelayValues = [TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2)];

    /// <summary>The delays of the default policy: 5 s, 30 s, 2 min (retry queues <c>{queue}.retry.1</c> to <c>.3</c>).</summary>
    public static IReadOnlyList<TimeSpan> DefaultDelays => DefaultDelayValues;

    /// <summary>
    /// No retries and no dead-letter target: a failing message is requeued after a delay, an unprocessable one is
    /// rejected without requeue. What <c>[DeadLetter(Enabled = false)]</c> produces.
    /// </summary>
    public static RetryPolicy Disabled { get; } = new() { IsDisabled = true };

    /// <summary>True only for <see cref="Disabled"/>.</summary>
    public bool IsDisabled { get; private init; }

    /// <summary>In-process attempts after the first failure, before any delayed retry.</summary>
    public int ImmediateRetries { get; init; }

    /// <summary>Delayed retries through the retry queues before the message is dead-lettered.</summary>
    public int MaxRetries { get; init; }

    /// <summary>The wait before each delayed retry (the last repeats); <c>{queue}.retry.{n}</c> holds the n-th.</summary>
    public IReadOnlyList<TimeSpan> Delays { get; init; } = Array.Empty<TimeSpan>();

    /// <summary>The dead-letter exchange dead-lettered copies are published to.</summary>
    public string? DeadLetterExchange { get; init; }

    /// <summary>The routing key of dead-lettered copies (by default the queue name).</summary>
    public string? DeadLetterRoutingKey { get; init; }

    /// <summary>Exceptions retrying cannot fix: such a failure is dead-lettered at once.</summary>
    public Func<Exception, bool>? IsNonRetryable { get; init; }

    /// <summary>The start of this policy's retry queue names; the work queue's name when null. Per-handler policies use <c>{queue}.{message contract}</c>.</summary>
    public string? RetryQueuePrefix { get; init; }

    /// <summary>How many retry queues the policy uses.</summary>
    public int RetryQueueCount => MaxRetries == 0 ? 0 : Math.Max(1, Math.Min(MaxRetries, Delays.Count));

    /// <summary>
    /// The policy every consumer queue gets unless it says otherwise: no immediate retry, <see cref="DefaultMaxRetries"/>
    /// delayed retries after <see cref="DefaultDelays"/> through <c>{queue}.retry.1..3</c>, then the dead-letter exchange
    /// <c>{queue}.dlx</c> (direct) with routing key <c>{queue}</c>, bound to the queue <c>{queue}.dlq</c>. The same as
    /// <c>[DeadLetter(MaxRetries = 3, RetryDelays = new[] { "5s", "30s", "2m" })]</c>.
    /// </summary>
    public static RetryPolicy CreateDefault(string queue)
    {
        ArgumentException.ThrowIfNullOrEmpty(queue);
        return new RetryPolicy
        {
            MaxRetries = DefaultMaxRetries,
            Delays = DefaultDelayValues,
            DeadLetterExchange = DeadLetterExchangeName(queue),
            DeadLetterRoutingKey = queue,
        };
    }

    /// <summary>
    /// The default of a stream consumer: no delayed retries (a retry copy would be appended to the stream, for every
    /// reader), failed messages copied to the dead-letter exchange <c>{queue}.dlx</c> and its queue <c>{queue}.dlq</c>.
    /// </summary>
    public static RetryPolicy CreateStreamDefault(string stream)
    {
        ArgumentException.ThrowIfNullOrEmpty(stream);
        return new RetryPolicy { DeadLetterExchange = DeadLetterExchangeName(stream), DeadLetterRoutingKey = stream };
    }

    /// <summary>The default dead-letter exchange of a queue: <c>{queue}.dlx</c>.</summary>
    public static string DeadLetterExchangeName(string queue) => queue + ".dlx";

    /// <summary>The default dead-letter queue of a queue: <c>{queue}.dlq</c>.</summary>
    public static string DeadLetterQueueName(string queue) => queue + ".dlq";

    /// <summary>The retry queue for the n-th delayed retry (1-based; beyond the last delay, the last queue).</summary>
    public static string RetryQueueName(string prefix, int level) => $"{prefix}.retry.{level}";
}

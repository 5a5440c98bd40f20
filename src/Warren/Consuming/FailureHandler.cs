using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client.Events;

namespace Warren;

/// <summary>What became of a failed delivery's copy.</summary>
internal enum FailureResult
{
    /// <summary>A retry copy was confirmed by the broker: acknowledge the original.</summary>
    Retried,

    /// <summary>A dead-letter copy was confirmed by the broker: acknowledge the original.</summary>
    DeadLettered,

    /// <summary>The policy has no dead-letter exchange: reject the original without requeue.</summary>
    NoDeadLetterExchange,

    /// <summary>The copy could not be published: return the original to the queue after a delay.</summary>
    CopyFailed,
}

/// <summary>What became of a failed delivery, and why it was dead-lettered (a low-cardinality reason for metrics), when it was or would have been.</summary>
internal readonly record struct FailureHandling(FailureResult Result, string? DeadLetterReason = null);

/// <summary>Low-cardinality reasons for dead-lettering, the values of the <c>warren.dead_letter.reason</c> tag.</summary>
internal static class DeadLetterReasons
{
    /// <summary>The dispatcher said retrying cannot help (malformed body, unknown type, oversize).</summary>
    public const string Unprocessable = "unprocessable";

    /// <summary>The policy classifies the handler's exception as non-retryable.</summary>
    public const string NonRetryable = "non_retryable";

    /// <summary>The delayed retries are used up.</summary>
    public const string MaxRetries = "max_retries";

    /// <summary>The message's retry-count header cannot be trusted.</summary>
    public const string InvalidRetryCount = "invalid_retry_count";

    /// <summary>Rejected without requeue because there is no dead-letter exchange (retries disabled); the broker discards it unless the queue has its own.</summary>
    public const string Rejected = "rejected";
}

/// <summary>
/// Applies a <see cref="RetryPolicy"/> to a failed delivery: publishes a confirmed copy to the next retry queue or to
/// the dead-letter exchange, with the reason in headers. A retry count that cannot be trusted (not a whole number,
/// negative, above the policy's maximum) is not retried: the message is dead-lettered, never looped.
/// </summary>
internal sealed class FailureHandler(string queue, MessagePublisher publisher, ILogger logger, FailureLogLimiter limiter, TimeSpan requeueDelay)
{
    public async Task<FailureHandling> HandleAsync(BasicDeliverEventArgs delivery, DispatchOutcome outcome, RetryPolicy policy)
    {
        var properties = delivery.BasicProperties;
        var read = AmqpHeaders.TryReadInteger(properties.Headers, RetryPolicy.RetriesHeader, out var retries);
        var carried = read == HeaderRead.Valid && retries is >= 0 and <= int.MaxValue ? (int)retries : 0;
        var reason = outcome.Reason ?? "no reason given";
        var retryable = outcome.Action == DispatchAction.Requeue && !(outcome.Exception is { } ex && policy.IsNonRetryable?.Invoke(ex) == true);
        var category = outcome.Action == DispatchAction.DeadLetter ? DeadLetterReasons.Unprocessable : retryable ? DeadLetterReasons.MaxRetries : DeadLetterReasons.NonRetryable;
        if (retryable)
        {
            if (read == HeaderRead.Invalid)
            {
                category = DeadLetterReasons.InvalidRetryCount;
                reason = $"The {RetryPolicy.RetriesHeader} header is not a whole number ({AmqpHeaders.AsText(properties.Headers![RetryPolicy.RetriesHeader])}), so the message is not retried: {reason}";
            }
            else if (retries < 0 || retries > policy.MaxRetries)
            {
                category = DeadLetterReasons.InvalidRetryCount;
                reason = $"The {RetryPolicy.RetriesHeader} header is {retries}, outside 0..{policy.MaxRetries}, so the message is not retried: {reason}";
            }
            else if (retries < policy.MaxRetries)
            {
                var level = Math.Min(carried + 1, policy.RetryQueueCount);
                var retryQueue = RetryPolicy.RetryQueueName(policy.RetryQueuePrefix ?? queue, level);
                var published = await PublishCopyAsync(delivery, string.Empty, retryQueue, outcome, reason, carried + 1).ConfigureAwait(false);
                if (published && limiter.TryLog())
                {
                    Log.Retrying(logger, queue, QueueConsumer.SafeMessageId(delivery), carried + 1, policy.MaxRetries, reason);
                }

                return new FailureHandling(published ? FailureResult.Retried : FailureResult.CopyFailed);
            }
            else if (policy.MaxRetries > 0)
            {
                reason = $"Gave up after {policy.MaxRetries} retries: {reason}";
            }
        }

        if (policy.DeadLetterExchange is not { } exchange)
        {
            return new FailureHandling(FailureResult.NoDeadLetterExchange, category);
        }

        if (!await PublishCopyAsync(delivery, exchange, policy.DeadLetterRoutingKey ?? queue, outcome, reason, carried).ConfigureAwait(false))
        {
            return new FailureHandling(FailureResult.CopyFailed, category);
        }

        if (limiter.TryLog())
        {
            Log.DeadLettered(logger, queue, QueueConsumer.SafeMessageId(delivery), exchange, reason);
        }

        return new FailureHandling(FailureResult.DeadLettered, category);
    }

    private async Task<bool> PublishCopyAsync(BasicDeliverEventArgs delivery, string exchange, string routingKey, DispatchOutcome outcome, string reason, int retries)
    {
        try
        {
            var properties = FailureCopy.Create(delivery.BasicProperties, queue, delivery.Exchange, delivery.RoutingKey, reason, outcome.Exception, retries, DateTimeOffset.UtcNow);

            // The body is only valid during the delivery callback, which is still running.
            await publisher.SendRawAsync(exchange, routingKey, mandatory: true, properties, delivery.Body, CancellationToken.None).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex)
        {
            // Whatever went wrong with this copy concerns this message only: the original goes back to the queue later.
            if (limiter.TryLog())
            {
                Log.CopyFailed(logger, queue, QueueConsumer.SafeMessageId(delivery), exchange, routingKey, ex.Message, requeueDelay);
            }

            return false;
        }
    }
}

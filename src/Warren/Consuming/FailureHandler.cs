using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client.Events;

namespace Warren;

/// <summary>What became of a failed delivery's copy.</summary>
internal enum FailureResult
{
    /// <summary>A retry or dead-letter copy was confirmed by the broker: acknowledge the original.</summary>
    Copied,

    /// <summary>The policy has no dead-letter exchange: reject the original without requeue.</summary>
    NoDeadLetterExchange,

    /// <summary>The copy could not be published: return the original to the queue after a delay.</summary>
    CopyFailed,
}

/// <summary>
/// Applies a <see cref="RetryPolicy"/> to a failed delivery: publishes a confirmed copy to the next retry queue or to
/// the dead-letter exchange, with the reason in headers. A retry count that cannot be trusted (not a whole number,
/// negative, above the policy's maximum) is not retried: the message is dead-lettered, never looped.
/// </summary>
internal sealed class FailureHandler(string queue, MessagePublisher publisher, ILogger logger, FailureLogLimiter limiter, TimeSpan requeueDelay)
{
    public async Task<FailureResult> HandleAsync(BasicDeliverEventArgs delivery, DispatchOutcome outcome, RetryPolicy policy)
    {
        var properties = delivery.BasicProperties;
        var read = AmqpHeaders.TryReadInteger(properties.Headers, RetryPolicy.RetriesHeader, out var retries);
        var carried = read == HeaderRead.Valid && retries is >= 0 and <= int.MaxValue ? (int)retries : 0;
        var reason = outcome.Reason ?? "no reason given";
        var retryable = outcome.Action == DispatchAction.Requeue && !(outcome.Exception is { } ex && policy.IsNonRetryable?.Invoke(ex) == true);
        if (retryable)
        {
            if (read == HeaderRead.Invalid)
            {
                reason = $"The {RetryPolicy.RetriesHeader} header is not a whole number ({AmqpHeaders.AsText(properties.Headers![RetryPolicy.RetriesHeader])}), so the message is not retried: {reason}";
            }
            else if (retries < 0 || retries > policy.MaxRetries)
            {
                reason = $"The {RetryPolicy.RetriesHeader} header is {retries}, outside 0..{policy.MaxRetries}, so the message is not retried: {reason}";
            }
            else if (retries < policy.MaxRetries)
            {
                var level = Math.Min(carried + 1, policy.RetryQueueCount);
                var retryQueue = RetryPolicy.RetryQueueName(policy.RetryQueuePrefix ?? queue, level);
                var published = await PublishCopyAsync(delivery, string.Empty, retryQueue, outcome, reason, carried + 1).ConfigureAwait(false);
                if (published && limiter.TryLog())
                {
                    Log.Retrying(logger, queue, properties.MessageId, carried + 1, policy.MaxRetries, reason);
                }

                return published ? FailureResult.Copied : FailureResult.CopyFailed;
            }
            else if (policy.MaxRetries > 0)
            {
                reason = $"Gave up after {policy.MaxRetries} retries: {reason}";
            }
        }

        if (policy.DeadLetterExchange is not { } exchange)
        {
            return FailureResult.NoDeadLetterExchange;
        }

        if (!await PublishCopyAsync(delivery, exchange, policy.DeadLetterRoutingKey ?? queue, outcome, reason, carried).ConfigureAwait(false))
        {
            return FailureResult.CopyFailed;
        }

        if (limiter.TryLog())
        {
            Log.DeadLettered(logger, queue, properties.MessageId, exchange, reason);
        }

        return FailureResult.Copied;
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
                Log.CopyFailed(logger, queue, delivery.BasicProperties.MessageId, exchange, routingKey, ex.Message, requeueDelay);
            }

            return false;
        }
    }
}

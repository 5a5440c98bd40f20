using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Warren;

/// <summary>
/// Applies a queue's <see cref="RetryPolicy"/> to a failed delivery: publishes a confirmed copy to the next retry queue
/// or to the dead-letter exchange, with the reason in headers. Returns false when it could not (no dead-letter
/// exchange, or the copy was not confirmed): the caller then rejects the original so the broker keeps it.
/// </summary>
internal sealed class FailureHandler(ConsumerDefinition definition, MessagePublisher publisher, ILogger logger)
{
    public async Task<bool> HandleAsync(BasicDeliverEventArgs delivery, DispatchOutcome outcome)
    {
        var policy = outcome.Policy ?? definition.Retry;
        var retries = (int)AmqpHeaders.ReadLong(delivery.BasicProperties.Headers, RetryPolicy.RetriesHeader);
        var reason = outcome.Reason ?? "no reason given";
        if (outcome.Action == DispatchAction.Requeue && policy is not null && !(outcome.Exception is { } ex && policy.IsNonRetryable?.Invoke(ex) == true))
        {
            if (retries < policy.MaxRetries)
            {
                var level = Math.Min(retries + 1, policy.RetryQueueCount);
                var retryQueue = RetryPolicy.RetryQueueName(policy.RetryQueuePrefix ?? definition.Queue, level);
                Log.Retrying(logger, definition.Queue, delivery.BasicProperties.MessageId, retries + 1, policy.MaxRetries, reason);
                return await PublishCopyAsync(delivery, string.Empty, retryQueue, outcome, reason, retries + 1).ConfigureAwait(false);
            }

            if (policy.MaxRetries > 0)
            {
                reason = $"Gave up after {policy.MaxRetries} retries: {reason}";
            }
        }

        Log.DeadLettered(logger, definition.Queue, delivery.BasicProperties.MessageId, reason);
        if (policy?.DeadLetterExchange is not { } exchange)
        {
            // No dead-letter exchange in the policy: the queue's own x-dead-letter-exchange (if any) takes the rejection.
            return false;
        }

        return await PublishCopyAsync(delivery, exchange, policy.DeadLetterRoutingKey ?? definition.Queue, outcome, reason, retries).ConfigureAwait(false);
    }

    private async Task<bool> PublishCopyAsync(BasicDeliverEventArgs delivery, string exchange, string routingKey, DispatchOutcome outcome, string reason, int retries)
    {
        var properties = new BasicProperties(delivery.BasicProperties);
        var headers = properties.Headers is null ? new Dictionary<string, object?>(8) : new Dictionary<string, object?>(properties.Headers);
        headers.Remove(ConfirmChannel.SequenceHeader);
        headers[RetryPolicy.RetriesHeader] = retries;
        headers[DeadLetterHeaders.Reason] = reason;
        headers[DeadLetterHeaders.Queue] = definition.Queue;
        // A retried copy comes back through the default exchange: keep where the message was first published.
        headers.TryAdd(DeadLetterHeaders.OriginalExchange, delivery.Exchange);
        headers.TryAdd(DeadLetterHeaders.OriginalRoutingKey, delivery.RoutingKey);
        headers[DeadLetterHeaders.FailedAt] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
        if (outcome.Exception is { } error)
        {
            headers[DeadLetterHeaders.ExceptionType] = error.GetType().FullName;
            headers[DeadLetterHeaders.ExceptionMessage] = error.Message;
        }
        else
        {
            headers.Remove(DeadLetterHeaders.ExceptionType);
            headers.Remove(DeadLetterHeaders.ExceptionMessage);
        }

        properties.Headers = headers;
        try
        {
            // The body is only valid during the delivery callback, which is still running.
            await publisher.SendRawAsync(exchange, routingKey, mandatory: true, properties, delivery.Body, CancellationToken.None).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is PublishException or OperationCanceledException)
        {
            Log.CopyFailed(logger, definition.Queue, exchange, routingKey, ex.Message);
            return false;
        }
    }
}

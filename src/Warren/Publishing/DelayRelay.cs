using System;
using System.Collections.Generic;
using System.Text;
using System.Threading.Tasks;
using RabbitMQ.Client;

namespace Warren;

/// <summary>
/// Consumes <see cref="DelayTopology.DueQueue"/> and publishes each due message, confirmed, to the exchange and routing
/// key it was published for, with its properties and headers (less the delay bookkeeping and the death history the
/// levels added). Acknowledged only once the broker confirmed the publish; a failed publish (no longer routable, the
/// exchange gone) goes through the due queue's retry policy and ends in <c>warren.delay.due.dlq</c>.
/// </summary>
internal sealed class DelayRelay(MessagePublisher publisher) : IMessageDispatcher
{
    public async ValueTask<DispatchOutcome> DispatchAsync(MessageContext context)
    {
        var headers = context.RawHeaders;
        if (headers is null || !TryText(headers, DelayTopology.ExchangeHeader, out var exchange) || !TryText(headers, DelayTopology.RoutingKeyHeader, out var routingKey))
        {
            return DispatchOutcome.DeadLetter($"A message in {DelayTopology.DueQueue} without the {DelayTopology.ExchangeHeader} and {DelayTopology.RoutingKeyHeader} headers: Warren does not know where to deliver it.");
        }

        var mandatory = !(TryText(headers, DelayTopology.MandatoryHeader, out var flag) && flag == "false");
        var kept = new Dictionary<string, object?>(headers.Count, StringComparer.Ordinal);
        foreach (var (name, value) in headers)
        {
            if (!name.StartsWith("x-warren-delay-", StringComparison.Ordinal) && !IsDeathHeader(name))
            {
                kept[name] = value;
            }
        }

        var properties = new BasicProperties
        {
            ContentType = context.ContentType,
            ContentEncoding = context.ContentEncoding,
            Type = context.MessageType,
            MessageId = context.MessageId,
            CorrelationId = context.CorrelationId,
            ReplyTo = context.ReplyTo,
            DeliveryMode = DeliveryModes.Persistent,
            Headers = kept.Count == 0 ? null : kept,
        };
        if (context.Timestamp is { } timestamp)
        {
            properties.Timestamp = new AmqpTimestamp(timestamp.ToUnixTimeSeconds());
        }

        if (context.Priority is { } priority)
        {
            properties.Priority = priority;
        }

        try
        {
            await publisher.SendRawAsync(exchange, routingKey, mandatory, properties, context.Body, context.CancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return DispatchOutcome.Failed($"The due delayed message could not be published to exchange '{exchange}' with routing key '{routingKey}': {ex.Message}", ex, null);
        }

        return DispatchOutcome.Ack;
    }

    private static bool IsDeathHeader(string name) =>
        name is "x-death" or "x-first-death-exchange" or "x-first-death-queue" or "x-first-death-reason"
            or "x-last-death-exchange" or "x-last-death-queue" or "x-last-death-reason";

    private static bool TryText(IDictionary<string, object?> headers, string name, out string text)
    {
        text = headers.TryGetValue(name, out var value) ? value switch
        {
            byte[] bytes => Encoding.UTF8.GetString(bytes),
            string s => s,
            _ => string.Empty,
        } : string.Empty;
        return headers.ContainsKey(name) && value is byte[] or string;
    }
}

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace Warren.Testing;

/// <summary>
/// The message flow of a tracked run, read from the broker's journal: what the application published, what its
/// handlers consumed, what Warren retried or dead-lettered, what the broker expired, returned or refused, and the RPC
/// calls with their replies. <see cref="Describe"/> prints every step.
/// </summary>
public partial class MessageFlow
{
    private readonly IReadOnlyList<JsonSerializerContext> _contexts;
    private readonly List<TrackedMessage> _published = [];
    private readonly List<TrackedMessage> _consumed = [];
    private readonly List<TrackedMessage> _retried = [];
    private readonly List<TrackedMessage> _deadLettered = [];
    private readonly List<TrackedMessage> _returned = [];
    private readonly List<TrackedMessage> _refused = [];
    private readonly List<TrackedMessage> _lost = [];
    private readonly List<TrackedRpcCall> _rpcCalls = [];

    internal MessageFlow(IReadOnlyList<BrokerEvent> steps, MessageContracts contracts, IReadOnlyList<JsonSerializerContext> contexts, IReadOnlyList<string> logs)
    {
        Steps = steps;
        Logs = logs;
        Contracts = contracts;
        _contexts = contexts;
        Analyse();
    }

    internal IReadOnlyList<JsonSerializerContext> Contexts => _contexts;

    /// <summary>The route table of the application under test: how typed lookups know a message's contract.</summary>
    internal MessageContracts Contracts { get; }

    /// <summary>Every broker step of the run, in order.</summary>
    public IReadOnlyList<BrokerEvent> Steps { get; }

    /// <summary>Warnings and errors Warren (and the application) logged during the run.</summary>
    public IReadOnlyList<string> Logs { get; }

    /// <summary>Messages the application published (RPC traffic and Warren's retry and dead-letter copies excluded).</summary>
    public IReadOnlyList<TrackedMessage> Published => _published;

    /// <summary>Deliveries a handler completed (acknowledged without a retry or dead-letter copy), with the queue they came from.</summary>
    public IReadOnlyList<TrackedMessage> Consumed => _consumed;

    /// <summary>Delayed retries: the copies Warren sent to a retry queue, with the failure in <see cref="TrackedMessage.Reason"/>.</summary>
    public IReadOnlyList<TrackedMessage> Retried => _retried;

    /// <summary>Dead-lettered messages: Warren's dead-letter copies and the broker's own dead-lettering (expiry, rejection, length limit), with the reason.</summary>
    public IReadOnlyList<TrackedMessage> DeadLettered => _deadLettered;

    /// <summary>Mandatory messages the broker returned because no queue was bound to receive them.</summary>
    public IReadOnlyList<TrackedMessage> Returned => _returned;

    /// <summary>Publishes the broker refused with a channel error (a missing exchange …).</summary>
    public IReadOnlyList<TrackedMessage> Refused => _refused;

    /// <summary>Messages the broker discarded without a dead-letter target (expired, rejected, queue full, dead-letter cycle).</summary>
    public IReadOnlyList<TrackedMessage> Lost => _lost;

    /// <summary>RPC calls, with their replies.</summary>
    public IReadOnlyList<TrackedRpcCall> RpcCalls => _rpcCalls;

    /// <summary>Published messages of contract <typeparamref name="T"/>, typed.</summary>
    public IReadOnlyList<T> PublishedOf<T>() => [.. _published.Where(m => m.Is<T>()).Select(m => m.As<T>())];

    /// <summary>Consumed messages of contract <typeparamref name="T"/> (from <paramref name="queue"/> only, when given), typed.</summary>
    public IReadOnlyList<T> ConsumedOf<T>(string? queue = null) => [.. _consumed.Where(m => m.Is<T>() && (queue is null || m.Queue == queue)).Select(m => m.As<T>())];

    /// <summary>Retried messages of contract <typeparamref name="T"/>.</summary>
    public IReadOnlyList<TrackedMessage> RetriedOf<T>() => [.. _retried.Where(m => m.Is<T>())];

    /// <summary>Dead-lettered messages of contract <typeparamref name="T"/>.</summary>
    public IReadOnlyList<TrackedMessage> DeadLetteredOf<T>() => [.. _deadLettered.Where(m => m.Is<T>())];

    /// <summary>Every step of the flow, one per line, with the time on the broker's clock; then the log lines.</summary>
    public string Describe()
    {
        var text = new StringBuilder();
        if (Steps.Count == 0)
        {
            text.AppendLine("Message flow: nothing happened on the broker.");
        }
        else
        {
            var start = Steps[0].At;
            text.Append(CultureInfo.InvariantCulture, $"Message flow ({Steps.Count} steps):").AppendLine();
            foreach (var step in Steps)
            {
                text.Append(CultureInfo.InvariantCulture, $"  {step.Sequence,4} +{Elapsed(step.At - start),-9} {Line(step)}").AppendLine();
            }
        }

        if (Logs.Count > 0)
        {
            text.AppendLine("Logged (warnings and errors):");
            foreach (var line in Logs)
            {
                text.Append("  ").AppendLine(line);
            }
        }

        return text.ToString();
    }

    /// <inheritdoc/>
    public override string ToString() => Describe();

    internal static bool IsRetryQueue(string? queue) => queue is not null && RetryQueuePattern().IsMatch(queue);

    private void Analyse()
    {
        var deliveries = new Dictionary<(string?, int, ulong), BrokerEvent>();
        var requests = new Dictionary<string, TrackedRpcCall>(StringComparer.Ordinal);
        var replies = new Dictionary<string, TrackedMessage>(StringComparer.Ordinal);
        foreach (var step in Steps)
        {
            var message = step.Message;
            switch (step.Kind)
            {
                case BrokerEventKind.Published when message is not null:
                    if (message.Exchange.Length == 0 && message.RoutingKey.StartsWith(InMemoryBroker.ReplyToPrefix, StringComparison.Ordinal))
                    {
                        if (message.Properties.CorrelationId is { } correlation)
                        {
                            replies[correlation] = new TrackedMessage(step, Contracts, _contexts);
                        }
                    }
                    else if (message.Header(DeadLetterHeaders.Queue) is { } failedIn && message.Header(DeadLetterHeaders.Reason) is not null)
                    {
                        var copy = new TrackedMessage(step, Contracts, _contexts, failedIn);
                        (IsRetryQueue(message.RoutingKey) || step.Queues.Any(IsRetryQueue) ? _retried : _deadLettered).Add(copy);
                    }
                    else if (message.Properties.ReplyTo is { } replyTo && replyTo.StartsWith(InMemoryBroker.ReplyToPrefix, StringComparison.Ordinal))
                    {
                        var call = new TrackedRpcCall(new TrackedMessage(step, Contracts, _contexts), null);
                        if (message.Properties.CorrelationId is { } correlation)
                        {
                            requests[correlation] = call;
                        }

                        _rpcCalls.Add(call);
                    }
                    else
                    {
                        _published.Add(new TrackedMessage(step, Contracts, _contexts));
                    }

                    break;
                case BrokerEventKind.Returned when message is not null:
                    if (message.Properties.CorrelationId is { } returnedCall && requests.TryGetValue(returnedCall, out var rpc))
                    {
                        rpc.WasReturned = true;
                    }

                    _returned.Add(new TrackedMessage(step, Contracts, _contexts));
                    break;
                case BrokerEventKind.Refused when message is not null:
                    _refused.Add(new TrackedMessage(step, Contracts, _contexts));
                    break;
                case BrokerEventKind.Delivered when step.Queue != InMemoryBroker.ReplyToQueue:
                    deliveries[(step.Connection, step.Channel, step.DeliveryTag)] = step;
                    break;
                case BrokerEventKind.Acked when message is not null:
                    if (deliveries.Remove((step.Connection, step.Channel, step.DeliveryTag), out var delivered)
                        && message.Properties.ReplyTo is null
                        && !Steps.Any(s => s.Sequence > delivered.Sequence && s.Sequence < step.Sequence && s.Kind == BrokerEventKind.Published
                            && s.Message!.Header(DeadLetterHeaders.Queue) == step.Queue && s.Message.MessageId == message.MessageId))
                    {
                        _consumed.Add(new TrackedMessage(delivered, Contracts, _contexts));
                    }

                    break;
                case BrokerEventKind.DeadLettered when message is not null:
                    // A retry queue's TTL running out is the retry coming back, not a dead letter.
                    if (!(step.Detail == "expired" && IsRetryQueue(step.Queue)))
                    {
                        _deadLettered.Add(new TrackedMessage(step, Contracts, _contexts, step.Queue, step.Detail));
                    }

                    break;
                case BrokerEventKind.Expired or BrokerEventKind.Discarded or BrokerEventKind.Dropped when message is not null:
                    _lost.Add(new TrackedMessage(step, Contracts, _contexts, step.Queue, step.Detail));
                    break;
            }
        }

        for (var i = 0; i < _rpcCalls.Count; i++)
        {
            var call = _rpcCalls[i];
            if (call.RequestMessage.Message.Properties.CorrelationId is { } id && replies.TryGetValue(id, out var reply))
            {
                _rpcCalls[i] = new TrackedRpcCall(call.RequestMessage, reply) { WasReturned = call.WasReturned };
            }
        }
    }

    private static string Line(BrokerEvent step)
    {
        var what = step.Message is { } m ? Name(m) : string.Empty;
        return step.Kind switch
        {
            BrokerEventKind.Published when step.Message!.RoutingKey.StartsWith(InMemoryBroker.ReplyToPrefix, StringComparison.Ordinal) =>
                $"rpc reply     {what}{Status(step.Message)} → {(step.Queues.Count > 0 ? "caller" : "nobody (the caller is gone)")}",
            BrokerEventKind.Published => $"{PublishVerb(step.Message!),-13} {what} → exchange '{step.Message!.Exchange}' key '{step.Message.RoutingKey}' → {Targets(step.Queues)}  {Body(step.Message)}",
            BrokerEventKind.Delivered => $"delivered     {what} ← queue '{step.Queue}'{(step.Redelivered ? " (redelivered)" : string.Empty)} [{step.Connection} ch{step.Channel} tag {step.DeliveryTag}]",
            BrokerEventKind.Acked => $"acked         {what} in queue '{step.Queue}'",
            BrokerEventKind.Requeued => $"requeued      {what} to queue '{step.Queue}': {step.Detail}",
            BrokerEventKind.Discarded => $"discarded     {what} rejected in queue '{step.Queue}', which has no dead-letter exchange",
            BrokerEventKind.DeadLettered when step.Detail == "expired" && IsRetryQueue(step.Queue) => $"retry due     {what} left '{step.Queue}' → {Targets(step.Queues)}",
            BrokerEventKind.DeadLettered => $"dead-lettered {what} from queue '{step.Queue}' ({step.Detail}) → exchange '{step.Message!.Exchange}' → {Targets(step.Queues)}",
            BrokerEventKind.Expired => $"expired       {what} in queue '{step.Queue}' (no dead-letter exchange: gone)",
            BrokerEventKind.Dropped => $"dropped       {what} in queue '{step.Queue}': {step.Detail}",
            BrokerEventKind.Returned => $"returned      {what} to its publisher: {step.Detail} (no queue bound for exchange '{step.Message!.Exchange}' key '{step.Message.RoutingKey}')",
            BrokerEventKind.Refused => $"refused       {what} to exchange '{step.Message!.Exchange}': {step.Detail}",
            BrokerEventKind.Nacked => $"nacked        {what}: {step.Detail}",
            BrokerEventKind.ChannelClosed => $"channel error on {step.Connection} ch{step.Channel}: {step.Detail}",
            BrokerEventKind.ConsumerCancelled => $"cancelled     consumer {step.ConsumerTag} of queue '{step.Queue}': {step.Detail}",
            _ => $"{step.Kind} {what}",
        };
    }

    private static string PublishVerb(BrokerMessage message) =>
        message.Header(DeadLetterHeaders.Queue) is not null && message.Header(DeadLetterHeaders.Reason) is not null
            ? (IsRetryQueue(message.RoutingKey) ? "retry copy" : "dead-letter")
            : message.Properties.ReplyTo?.StartsWith(InMemoryBroker.ReplyToPrefix, StringComparison.Ordinal) == true ? "rpc request" : "published";

    private static string Name(BrokerMessage message) =>
        $"{message.Type ?? "(no type)"} {TrackedMessage.ShortId(message.MessageId ?? message.Properties.CorrelationId)}";

    private static string Status(BrokerMessage message) => message.Header(RpcWire.StatusHeader) is { } status ? $" [{status}]" : string.Empty;

    private static string Targets(IReadOnlyList<string> queues) => queues.Count == 0 ? "no queue" : string.Join(", ", queues.Select(q => $"'{q}'"));

    private static string Body(BrokerMessage message)
    {
        var reason = message.Header(DeadLetterHeaders.Reason);
        return reason is not null ? $"reason: {TrackedMessage.Shorten(reason, 160)}" : TrackedMessage.Shorten(message.BodyText.ReplaceLineEndings(" "), 120);
    }

    private static string Elapsed(TimeSpan span) =>
        span < TimeSpan.FromSeconds(1) ? $"{span.TotalMilliseconds:0}ms"
        : span < TimeSpan.FromMinutes(1) ? $"{span.TotalSeconds:0.###}s"
        : $"{(int)span.TotalMinutes}m{span.Seconds:00}s";

    [GeneratedRegex(@"\.retry\.\d+$", RegexOptions.CultureInvariant)]
    private static partial Regex RetryQueuePattern();
}

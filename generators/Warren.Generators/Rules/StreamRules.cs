using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Warren.Generators.Parsing;

namespace Warren.Generators.Rules;

/// <summary>One option a queue type refuses: the attribute and named argument to point at (null: the whole attribute), and the problem completing "Queue 'q' …".</summary>
internal readonly record struct QueueOptionProblem(AttributeData Attribute, string? Argument, string Problem);

/// <summary>
/// What stream queues (<c>x-queue-type: stream</c>) refuse or ignore, and the stream-only options other queues ignore.
/// The generator declares no <c>x-dead-letter-exchange</c> on a stream and emits the stream consumer settings; the
/// analyzers report each problem (WRN031).
/// </summary>
internal static class StreamRules
{
    /// <summary>The metadata name of <c>ConsumeFromAttribute</c>.</summary>
    public const string ConsumeFromAttribute = "Warren.ConsumeFromAttribute";

    public static IEnumerable<QueueOptionProblem> Problems(AttributeData? queue, AttributeData? priority, AttributeData? deadLetter, AttributeData? consumeFrom)
    {
        var isStream = queue is not null && AttributeReader.Named(queue, AttributeNames.Queue.Type, 0) == AttributeEnums.StreamQueue;
        if (!isStream)
        {
            if (queue is not null)
            {
                foreach (var streamOnly in new[] { AttributeNames.Queue.MaxAge, AttributeNames.Queue.MaxSegmentSizeBytes })
                {
                    if (HasArgument(queue, streamOnly))
                    {
                        yield return new(queue, streamOnly, $"is not a stream, so {streamOnly} (a stream's retention) means nothing: the broker ignores it. Use Type = QueueType.Stream, or remove it.");
                    }
                }
            }

            if (consumeFrom is not null)
            {
                yield return new(consumeFrom, null, "is not a stream: [ConsumeFrom] has no offset to start from on a classic or quorum queue. Use Type = QueueType.Stream, or remove it.");
            }

            yield break;
        }

        if (AttributeReader.Named(queue!, AttributeNames.Queue.Exclusive, false))
        {
            yield return new(queue!, AttributeNames.Queue.Exclusive, "is a stream and cannot be exclusive: the broker refuses the declaration (406 PRECONDITION_FAILED).");
        }

        if (AttributeReader.Named(queue!, AttributeNames.Queue.AutoDelete, false))
        {
            yield return new(queue!, AttributeNames.Queue.AutoDelete, "is a stream and cannot be auto-delete: the broker refuses the declaration (406 PRECONDITION_FAILED).");
        }

        if (!AttributeReader.Named(queue!, AttributeNames.Queue.Durable, true))
        {
            yield return new(queue!, AttributeNames.Queue.Durable, "is a stream and cannot be non-durable: the broker refuses the declaration (406 PRECONDITION_FAILED).");
        }

        if (priority is not null && AttributeReader.Named(priority, AttributeNames.Priority.Max, 0) > 0)
        {
            yield return new(priority, null, "is a stream and cannot have priorities (x-max-priority): the broker refuses the declaration (406 PRECONDITION_FAILED).");
        }

        foreach (var unsupported in new[] { AttributeNames.Queue.MessageTtl, AttributeNames.Queue.MaxLength, AttributeNames.Queue.Overflow, AttributeNames.Queue.DeliveryLimit, AttributeNames.Queue.SingleActiveConsumer })
        {
            if (HasArgument(queue!, unsupported))
            {
                yield return new(queue!, unsupported, $"is a stream, which does not support {unsupported}: the broker ignores it. A stream keeps messages by MaxAge and MaxLengthBytes.");
            }
        }

        if (deadLetter is not null && AttributeReader.Named(deadLetter, AttributeNames.DeadLetter.MaxRetries, 0) > 0)
        {
            yield return new(deadLetter, AttributeNames.DeadLetter.MaxRetries, "is a stream, which takes no delayed retries: a retry copy would be appended to the stream for every reader. Use MaxRetries = 0 (failed messages are copied to the dead-letter queue) and ImmediateRetries.");
        }

        if (consumeFrom is not null)
        {
            if (AttributeReader.Named<string>(consumeFrom, AttributeNames.ConsumeFrom.Timestamp) is { } timestamp && !TryParseTimestamp(timestamp, out _))
            {
                yield return new(consumeFrom, AttributeNames.ConsumeFrom.Timestamp, $"starts at '{timestamp}', which is not an ISO 8601 time with an offset, such as \"2025-01-31T00:00:00Z\".");
            }

            if (AttributeReader.Named(consumeFrom, AttributeNames.ConsumeFrom.Offset, -1L) < -1)
            {
                yield return new(consumeFrom, AttributeNames.ConsumeFrom.Offset, "starts at a negative offset: offsets start at 0 (-1 means none).");
            }
        }
    }

    /// <summary>An ISO 8601 time with its offset (<c>Z</c> or <c>±hh:mm</c>): a start time must not depend on the build machine's zone.</summary>
    public static bool TryParseTimestamp(string text, out System.DateTimeOffset timestamp)
    {
        timestamp = default;
        var time = text.IndexOf('T');
        return time > 0
            && (text.EndsWith("Z", System.StringComparison.Ordinal) || text.IndexOf('+', time) > 0 || text.IndexOf('-', time) > 0)
            && System.DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out timestamp);
    }

    private static bool HasArgument(AttributeData attribute, string name)
    {
        foreach (var argument in attribute.NamedArguments)
        {
            if (argument.Key == name)
            {
                return true;
            }
        }

        return false;
    }
}

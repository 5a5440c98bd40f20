using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using RabbitMQ.Client;

namespace Warren;

/// <summary>
/// The properties of a retry or dead-letter copy: the original's, without <c>expiration</c> (a copy must not expire in
/// a retry or dead-letter queue) and without publish-tracking headers, with the original headers bounded to
/// <see cref="DeadLetterHeaders.MaxCarriedHeaderBytes"/> and Warren's failure headers bounded in length.
/// </summary>
internal static class FailureCopy
{
    /// <summary>RabbitMQ.Client's own confirmation-tracking header.</summary>
    internal const string ClientSequenceHeader = "x-dotnet-pub-seq-no";

    private const int MaxDepth = 16;

    private const string DeathHeader = "x-death";

    public static BasicProperties Create(IReadOnlyBasicProperties original, string queue, string exchange, string routingKey, string reason, Exception? exception, int retries, DateTimeOffset now)
    {
        var properties = new BasicProperties(original) { Expiration = null };
        var headers = original.Headers is null ? new Dictionary<string, object?>(10) : new Dictionary<string, object?>(original.Headers, StringComparer.Ordinal);
        headers.Remove(ConfirmChannel.SequenceHeader);
        headers.Remove(ClientSequenceHeader);
        headers.Remove(DeadLetterHeaders.DroppedHeaders);
        var dropped = DropLargest(headers, DeadLetterHeaders.MaxCarriedHeaderBytes);
        if (headers.TryGetValue(DeathHeader, out var deaths) && !IsDeathHistoryTheBrokerCanExtend(deaths))
        {
            // The broker adds to x-death when a retry copy expires from its retry queue; RabbitMQ 3.10 crashes the queue
            // (function_clause in rabbit_dead_letter) on a history that is not a list of distinct tables with whole counts.
            headers.Remove(DeathHeader);
            dropped.Add((DeathHeader + ", malformed", EstimateSize(DeathHeader, deaths)));
        }


        headers[RetryPolicy.RetriesHeader] = retries;
        headers[DeadLetterHeaders.Reason] = Truncate(reason, DeadLetterHeaders.MaxTextLength);
        headers[DeadLetterHeaders.Queue] = queue;

        // A retried copy comes back through the default exchange: keep where the message was first published.
        headers.TryAdd(DeadLetterHeaders.OriginalExchange, exchange);
        headers.TryAdd(DeadLetterHeaders.OriginalRoutingKey, routingKey);
        headers[DeadLetterHeaders.FailedAt] = now.ToString("O", CultureInfo.InvariantCulture);
        if (exception is not null)
        {
            headers[DeadLetterHeaders.ExceptionType] = Truncate(exception.GetType().FullName ?? exception.GetType().Name, DeadLetterHeaders.MaxTypeNameLength);
            headers[DeadLetterHeaders.ExceptionMessage] = Truncate(exception.Message, DeadLetterHeaders.MaxTextLength);
        }
        else
        {
            headers.Remove(DeadLetterHeaders.ExceptionType);
            headers.Remove(DeadLetterHeaders.ExceptionMessage);
        }

        if (dropped.Count > 0)
        {
            headers[DeadLetterHeaders.DroppedHeaders] = Truncate(
                string.Join(", ", dropped.Select(d => $"{d.Name} ({d.Bytes} bytes)")),
                DeadLetterHeaders.MaxTextLength);
        }

        properties.Headers = headers;
        return properties;
    }

    /// <summary>
    /// True for an <c>x-death</c> value the broker can add to when it dead-letters the copy: a list of tables, no two of
    /// them for the same queue, reason and exchange, each count (when present) a whole number.
    /// </summary>
    public static bool IsDeathHistoryTheBrokerCanExtend(object? value)
    {
        if (value is not IList entries)
        {
            return false;
        }

        var seen = new HashSet<(string?, string?, string?)>();
        foreach (var entry in entries)
        {
            if (entry is not IDictionary<string, object?> table)
            {
                return false;
            }

            if (table.TryGetValue("count", out var count) && count is not (long or int or short or byte or sbyte or ushort or uint))
            {
                return false;
            }

            if (!seen.Add((Text(table, "queue"), Text(table, "reason"), Text(table, "exchange"))))
            {
                return false;
            }
        }

        return true;

        static string? Text(IDictionary<string, object?> table, string key) =>
            table.TryGetValue(key, out var v) ? AmqpHeaders.AsText(v) : null;
    }

    /// <summary>Cuts <paramref name="text"/> to <paramref name="max"/> characters, the last one an ellipsis.</summary>
    public static string Truncate(string text, int max) =>
        text.Length <= max ? text : string.Concat(text.AsSpan(0, max - 1), "…");

    /// <summary>An upper estimate of a header's encoded size in an AMQP field table.</summary>
    public static long EstimateSize(string name, object? value) => 1 + Encoding.UTF8.GetByteCount(name) + EstimateSize(value, 0);

    private static List<(string Name, long Bytes)> DropLargest(Dictionary<string, object?> headers, int budget)
    {
        var sizes = headers.Select(h => (h.Key, Bytes: EstimateSize(h.Key, h.Value))).ToList();
        var total = sizes.Sum(s => s.Bytes);
        var dropped = new List<(string, long)>();
        foreach (var (name, bytes) in sizes.OrderByDescending(s => s.Bytes).ThenBy(s => s.Key, StringComparer.Ordinal))
        {
            if (total <= budget)
            {
                break;
            }

            headers.Remove(name);
            dropped.Add((name, bytes));
            total -= bytes;
        }

        return dropped;
    }

    private static long EstimateSize(object? value, int depth)
    {
        if (depth > MaxDepth)
        {
            return int.MaxValue; // deeper than anything a producer should send: treated as too large to carry
        }

        switch (value)
        {
            case null:
                return 1;
            case byte[] bytes:
                return 5 + bytes.Length;
            case string s:
                return 5 + Encoding.UTF8.GetByteCount(s);
            case IDictionary<string, object?> table:
                long tableSize = 5;
                foreach (var (k, v) in table)
                {
                    tableSize += 1 + Encoding.UTF8.GetByteCount(k) + EstimateSize(v, depth + 1);
                }

                return tableSize;
            case IList list:
                long listSize = 5;
                foreach (var item in list)
                {
                    listSize += EstimateSize(item, depth + 1);
                }

                return listSize;
            default:
                return 9;
        }
    }
}

using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using RabbitMQ.Client;

namespace Warren.Testing;

/// <summary>
/// Dead-lettering as RabbitMQ 3.10 does it (rabbit_dead_letter): the message gets a new <c>x-death</c> entry (or the
/// entry of the same queue and reason has its <c>count</c> raised, and moves to the front), the first death also sets
/// <c>x-first-death-reason</c>, <c>-queue</c> and <c>-exchange</c>, every header is then sorted by name, the
/// <c>expiration</c> property is removed (kept in the entry as <c>original-expiration</c>), and the message is routed
/// through the dead-letter exchange with the queue's dead-letter routing key or its own routing keys.
/// </summary>
internal static class DeadLetters
{
    public static StoredMessage Create(StoredMessage message, string reason, string deadLetterExchange, string? deadLetterRoutingKey, string queue, DateTimeOffset now, long id)
    {
        var original = message.Properties;
        var headers = original.Headers is { } h ? new Dictionary<string, object?>(h, StringComparer.Ordinal) : new Dictionary<string, object?>(StringComparer.Ordinal);
        var routes = new List<object?> { Bytes(message.RoutingKey) };
        routes.AddRange(message.RoutingKeys.Skip(1).Select(k => (object?)Bytes(k)));

        // The fields in the order RabbitMQ writes a new entry: count first, then the event.
        var info = new List<KeyValuePair<string, object?>>
        {
            new("reason", Bytes(reason)),
            new("queue", Bytes(queue)),
            new("time", new AmqpTimestamp(now.ToUnixTimeSeconds())),
            new("exchange", Bytes(message.Exchange)),
            new("routing-keys", routes),
        };
        if (original.Expiration is { } expiration)
        {
            info.Add(new("original-expiration", Bytes(expiration)));
        }

        if (headers.TryGetValue("x-death", out var existing) && existing is IList deaths)
        {
            var tables = deaths.Cast<object?>().ToList();
            var match = tables.FindIndex(t => t is IDictionary<string, object?> d && Matching.Text(Get(d, "queue")) == queue && Matching.Text(Get(d, "reason")) == reason);
            Dictionary<string, object?> entry;
            if (match >= 0)
            {
                entry = new Dictionary<string, object?>((IDictionary<string, object?>)tables[match]!, StringComparer.Ordinal);
                entry["count"] = (Matching.Integer(Get(entry, "count")) ?? 0) + 1;
                tables.RemoveAt(match);
            }
            else
            {
                entry = new Dictionary<string, object?>(StringComparer.Ordinal) { ["count"] = 1L };
                foreach (var (key, value) in info)
                {
                    entry[key] = value;
                }
            }

            tables.Insert(0, Sorted(entry));
            headers["x-death"] = tables;
        }
        else
        {
            if (existing is not null)
            {
                // Not an array (a client rewrote it): RabbitMQ resets it.
                headers.Remove("x-death");
            }
            else
            {
                headers["x-first-death-reason"] = Bytes(reason);
                headers["x-first-death-queue"] = Bytes(queue);
                headers["x-first-death-exchange"] = Bytes(message.Exchange);
            }

            var entry = new Dictionary<string, object?>(StringComparer.Ordinal) { ["count"] = 1L };
            foreach (var (key, value) in info)
            {
                entry[key] = value;
            }

            headers["x-death"] = new List<object?> { entry };
        }

        List<string> keys;
        if (deadLetterRoutingKey is not null)
        {
            keys = [deadLetterRoutingKey];
            headers.Remove("CC");
        }
        else
        {
            keys = [.. message.RoutingKeys];
        }

        var properties = new BasicProperties(original) { Expiration = null, Headers = Sorted(headers) };
        var encoded = AmqpWire.Encode(properties);
        return new StoredMessage
        {
            Id = id,
            OriginId = message.OriginId,
            Exchange = deadLetterExchange,
            RoutingKeys = keys,
            EncodedProperties = encoded,
            Properties = AmqpWire.Decode(encoded),
            Body = message.Body,
        };
    }

    /// <summary>
    /// RabbitMQ drops a message dead-lettered into a queue it already died in, when nothing in between was a rejection
    /// (an automatic cycle: expiry or length limits only).
    /// </summary>
    public static bool IsCycle(string target, IDictionary<string, object?>? headers)
    {
        if (headers is null || !headers.TryGetValue("x-death", out var value) || value is not IList deaths)
        {
            return false;
        }

        var upTo = -1;
        for (var i = 0; i < deaths.Count; i++)
        {
            if (deaths[i] is IDictionary<string, object?> d && Matching.Text(Get(d, "queue")) == target)
            {
                upTo = i;
                break;
            }
        }

        if (upTo < 0)
        {
            return false;
        }

        for (var i = 0; i <= upTo; i++)
        {
            if (deaths[i] is not IDictionary<string, object?> d || Matching.Text(Get(d, "reason")) == "rejected")
            {
                return false;
            }
        }

        return true;
    }

    private static object? Get(IDictionary<string, object?> table, string key) => table.TryGetValue(key, out var value) ? value : null;

    private static byte[] Bytes(string text) => System.Text.Encoding.UTF8.GetBytes(text);

    private static Dictionary<string, object?> Sorted(IDictionary<string, object?> table)
    {
        var sorted = new Dictionary<string, object?>(table.Count, StringComparer.Ordinal);
        foreach (var key in table.Keys.Order(StringComparer.Ordinal))
        {
            sorted[key] = table[key];
        }

        return sorted;
    }
}

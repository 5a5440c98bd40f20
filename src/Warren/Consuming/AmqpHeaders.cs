using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using RabbitMQ.Client;

namespace Warren;

/// <summary>Reads AMQP header values as the client hands them over: strings as UTF-8 bytes, x-death as a list of tables.</summary>
internal static class AmqpHeaders
{
    public static IReadOnlyDictionary<string, string?> ToText(IDictionary<string, object?>? headers)
    {
        if (headers is null || headers.Count == 0)
        {
            return new Dictionary<string, string?>(0);
        }

        var text = new Dictionary<string, string?>(headers.Count, StringComparer.Ordinal);
        foreach (var (key, value) in headers)
        {
            text[key] = AsText(value);
        }

        return text;
    }

    public static string? AsText(object? value) => value switch
    {
        null => null,
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        string s => s,
        AmqpTimestamp ts => DateTimeOffset.FromUnixTimeSeconds(ts.UnixTime).ToString("O", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        IList list => "[" + string.Join(", ", Items(list)) + "]",
        IDictionary<string, object?> table => "{" + string.Join(", ", Entries(table)) + "}",
        _ => value.ToString(),
    };

    public static long ReadLong(IDictionary<string, object?>? headers, string name) =>
        headers is not null && headers.TryGetValue(name, out var value) ? value switch
        {
            long l => l,
            int i => i,
            short s => s,
            byte b => b,
            byte[] bytes when long.TryParse(Encoding.UTF8.GetString(bytes), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) => parsed,
            _ => 0,
        } : 0;

    public static IReadOnlyList<DeathRecord> ReadDeaths(IDictionary<string, object?>? headers)
    {
        if (headers is null || !headers.TryGetValue("x-death", out var value) || value is not IList entries)
        {
            return Array.Empty<DeathRecord>();
        }

        var deaths = new List<DeathRecord>(entries.Count);
        foreach (var entry in entries)
        {
            if (entry is not IDictionary<string, object?> table)
            {
                continue;
            }

            var keys = new List<string>();
            if (table.TryGetValue("routing-keys", out var rk) && rk is IList routingKeys)
            {
                foreach (var key in routingKeys)
                {
                    if (AsText(key) is { } k)
                    {
                        keys.Add(k);
                    }
                }
            }

            DateTimeOffset? time = table.TryGetValue("time", out var t) && t is AmqpTimestamp stamp
                ? DateTimeOffset.FromUnixTimeSeconds(stamp.UnixTime)
                : null;
            deaths.Add(new DeathRecord(
                AsText(Get(table, "queue")) ?? string.Empty,
                AsText(Get(table, "reason")) ?? string.Empty,
                ReadLong(table, "count"),
                AsText(Get(table, "exchange")) ?? string.Empty,
                keys,
                time));
        }

        return deaths;
    }

    private static object? Get(IDictionary<string, object?> table, string key) => table.TryGetValue(key, out var v) ? v : null;

    private static IEnumerable<string?> Items(IList list)
    {
        foreach (var item in list)
        {
            yield return AsText(item);
        }
    }

    private static IEnumerable<string> Entries(IDictionary<string, object?> table)
    {
        foreach (var (k, v) in table)
        {
            yield return k + "=" + AsText(v);
        }
    }
}

using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using RabbitMQ.Client;

namespace Warren;

/// <summary>What reading one header found.</summary>
internal enum HeaderRead
{
    /// <summary>The header is not there.</summary>
    Absent,

    /// <summary>The header holds a value of the expected kind.</summary>
    Valid,

    /// <summary>The header is there but its value cannot be read as the expected kind.</summary>
    Invalid,
}

/// <summary>
/// Reads AMQP header values as the client hands them over (strings as UTF-8 bytes, x-death as a list of tables) and as
/// foreign producers send them (numbers as strings or doubles, timestamps in milliseconds). Nothing here throws: a
/// value that cannot be read is reported as invalid or becomes absent.
/// </summary>
internal static class AmqpHeaders
{
    /// <summary>9999-12-31T23:59:59Z: the largest Unix time in seconds a <see cref="DateTimeOffset"/> holds.</summary>
    private const long MaxUnixSeconds = 253_402_300_799;

    /// <summary>Below this a timestamp is read as seconds (up to the year 5138), from it as milliseconds (from 1973).</summary>
    private const long MillisecondsFrom = 100_000_000_000;

    private const int MaxDepth = 8;

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

    public static string? AsText(object? value) => AsText(value, 0);

    /// <summary>
    /// An AMQP timestamp as a time: seconds as the specification says, or milliseconds as JavaScript's
    /// <c>Date.now()</c> gives (values from 10^11 up). Negative or out-of-range values give null.
    /// </summary>
    public static DateTimeOffset? ReadTimestamp(long unixTime) => unixTime switch
    {
        < 0 => null,
        < MillisecondsFrom => DateTimeOffset.FromUnixTimeSeconds(unixTime),
        <= MaxUnixSeconds * 1000 => DateTimeOffset.FromUnixTimeMilliseconds(unixTime),
        _ => null,
    };

    /// <summary>Reads a whole number from a header of any integer type, an integral floating-point value, or text.</summary>
    public static HeaderRead TryReadInteger(IDictionary<string, object?>? headers, string name, out long value)
    {
        value = 0;
        if (headers is null || !headers.TryGetValue(name, out var raw) || raw is null)
        {
            return HeaderRead.Absent;
        }

        return TryReadInteger(raw, out value) ? HeaderRead.Valid : HeaderRead.Invalid;
    }

    public static bool TryReadInteger(object? raw, out long value)
    {
        switch (raw)
        {
            case long l:
                value = l;
                return true;
            case int i:
                value = i;
                return true;
            case short s:
                value = s;
                return true;
            case byte b:
                value = b;
                return true;
            case sbyte sb:
                value = sb;
                return true;
            case ushort us:
                value = us;
                return true;
            case uint ui:
                value = ui;
                return true;
            case ulong ul when ul <= long.MaxValue:
                value = (long)ul;
                return true;
            case double d when Math.Floor(d) == d && d >= long.MinValue && d < 9.2e18:
                value = (long)d;
                return true;
            case float f when Math.Floor(f) == f && f >= long.MinValue && f < 9.2e18f:
                value = (long)f;
                return true;
            case decimal m when decimal.Truncate(m) == m && m >= long.MinValue && m <= long.MaxValue:
                value = (long)m;
                return true;
            case byte[] bytes:
                return long.TryParse(Encoding.UTF8.GetString(bytes).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out value);
            case string text:
                return long.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out value);
            default:
                value = 0;
                return false;
        }
    }

    /// <summary>A whole-number header, or 0 when absent or unreadable.</summary>
    public static long ReadLong(IDictionary<string, object?>? headers, string name) =>
        TryReadInteger(headers, name, out var value) == HeaderRead.Valid ? value : 0;

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

            DateTimeOffset? time = table.TryGetValue("time", out var t) && t is AmqpTimestamp stamp ? ReadTimestamp(stamp.UnixTime) : null;
            deaths.Add(new DeathRecord(
                AsText(Get(table, "queue")) ?? string.Empty,
                AsText(Get(table, "reason")) ?? string.Empty,
                TryReadInteger(Get(table, "count"), out var count) ? count : 0,
                AsText(Get(table, "exchange")) ?? string.Empty,
                keys,
                time));
        }

        return deaths;
    }

    private static string? AsText(object? value, int depth)
    {
        try
        {
            return value switch
            {
                null => null,
                byte[] bytes => Encoding.UTF8.GetString(bytes),
                string s => s,
                AmqpTimestamp ts => ReadTimestamp(ts.UnixTime)?.ToString("O", CultureInfo.InvariantCulture) ?? ts.UnixTime.ToString(CultureInfo.InvariantCulture),
                IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
                IList list when depth < MaxDepth => "[" + string.Join(", ", Items(list, depth + 1)) + "]",
                IDictionary<string, object?> table when depth < MaxDepth => "{" + string.Join(", ", Entries(table, depth + 1)) + "}",
                IList or IDictionary<string, object?> => "…",
                _ => value.ToString(),
            };
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return $"(unreadable {value!.GetType().Name})";
        }
    }

    private static object? Get(IDictionary<string, object?> table, string key) => table.TryGetValue(key, out var v) ? v : null;

    private static IEnumerable<string?> Items(IList list, int depth)
    {
        foreach (var item in list)
        {
            yield return AsText(item, depth);
        }
    }

    private static IEnumerable<string> Entries(IDictionary<string, object?> table, int depth)
    {
        foreach (var (k, v) in table)
        {
            yield return k + "=" + AsText(v, depth);
        }
    }
}

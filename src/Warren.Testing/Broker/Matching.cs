using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using RabbitMQ.Client;

namespace Warren.Testing;

/// <summary>RabbitMQ's routing rules for topic and headers exchanges (3.10: rabbit_exchange_type_topic, rabbit_exchange_type_headers).</summary>
internal static class Matching
{
    /// <summary>
    /// Topic matching: routing key and binding key are split at every dot (the empty key is no word at all, "a." is
    /// "a" and an empty word); <c>*</c> matches exactly one word, <c>#</c> zero or more.
    /// </summary>
    public static bool Topic(string bindingKey, string routingKey) =>
        Match(Words(bindingKey), Words(routingKey));

    /// <summary>
    /// Headers matching: <c>x-match</c> <c>all</c> (the default) needs every binding argument present with an equal value
    /// (an argument without value only needs the header present), <c>any</c> needs one; arguments starting with <c>x-</c>
    /// are ignored unless <c>x-match</c> is <c>all-with-x</c> or <c>any-with-x</c>. <c>all</c> with no arguments matches
    /// every message, <c>any</c> with none matches nothing.
    /// </summary>
    public static bool Headers(IDictionary<string, object?> arguments, IDictionary<string, object?>? headers)
    {
        var kind = arguments.TryGetValue("x-match", out var m) ? Text(m) : null;
        var withX = kind is "all-with-x" or "any-with-x";
        var any = kind is "any" or "any-with-x";
        var matchedAny = false;
        var matchedAll = true;
        foreach (var (key, expected) in arguments)
        {
            if (key == "x-match" || (!withX && key.StartsWith("x-", StringComparison.Ordinal)))
            {
                continue;
            }

            if (headers is null || !headers.TryGetValue(key, out var actual))
            {
                matchedAll = false;
                continue;
            }

            if (expected is null || FieldEquals(expected, actual))
            {
                matchedAny = true;
            }
            else
            {
                matchedAll = false;
            }
        }

        return any ? matchedAny : matchedAll;
    }

    /// <summary>The x-match value a binding may carry; anything else is refused at bind time.</summary>
    public static bool IsValidXMatch(object? value) => value is null || Text(value) is "all" or "any" or "all-with-x" or "any-with-x";

    /// <summary>Erlang's <c>==</c> on decoded field values: numbers compare by value whatever their width, strings by bytes.</summary>
    public static bool FieldEquals(object? a, object? b)
    {
        switch (a, b)
        {
            case (null, null):
                return true;
            case (byte[] x, byte[] y):
                return x.AsSpan().SequenceEqual(y);
            case (bool x, bool y):
                return x == y;
            case (AmqpTimestamp x, AmqpTimestamp y):
                return x.UnixTime == y.UnixTime;
            case (IDictionary<string, object?> x, IDictionary<string, object?> y):
                return x.Count == y.Count && x.All(kv => y.TryGetValue(kv.Key, out var v) && FieldEquals(kv.Value, v));
            case (IList x, IList y):
                if (x.Count != y.Count)
                {
                    return false;
                }

                for (var i = 0; i < x.Count; i++)
                {
                    if (!FieldEquals(x[i], y[i]))
                    {
                        return false;
                    }
                }

                return true;
        }

        if (Number(a) is { } na && Number(b) is { } nb)
        {
            return na == nb;
        }

        return false;
    }

    /// <summary>A field value as text, when it is a string (received strings are bytes).</summary>
    public static string? Text(object? value) => value switch
    {
        byte[] bytes => System.Text.Encoding.UTF8.GetString(bytes),
        string s => s,
        _ => null,
    };

    /// <summary>A field value as a whole number, when it is one.</summary>
    public static long? Integer(object? value) => value switch
    {
        int i => i,
        long l => l,
        short s => s,
        byte b => b,
        sbyte sb => sb,
        ushort us => us,
        uint ui => ui,
        _ => null,
    };

    private static decimal? Number(object? value) => value switch
    {
        float f when float.IsFinite(f) => (decimal)f,
        double d when double.IsFinite(d) => (decimal)d,
        decimal m => m,
        _ => Integer(value),
    };

    private static string[] Words(string key) => key.Length == 0 ? [] : key.Split('.');

    /// <summary>
    /// Whether the pattern's words match the key's, over the suffixes of both: <c>rest[w]</c> tells whether the pattern
    /// from word <c>p</c> on matches the key from word <c>w</c> on, computed from the last pattern word back. Time is the
    /// pattern's words times the key's, whatever the pattern (trying each split of the key between several <c>#</c> in
    /// turn would take exponential time).
    /// </summary>
    private static bool Match(string[] pattern, string[] words)
    {
        // The empty rest of the pattern matches the empty rest of the key only.
        var rest = new bool[words.Length + 1];
        rest[words.Length] = true;
        for (var p = pattern.Length - 1; p >= 0; p--)
        {
            if (pattern[p] == "#")
            {
                // Zero words (the rest from w), or one more word (this '#' again from w + 1).
                for (var w = words.Length - 1; w >= 0; w--)
                {
                    rest[w] = rest[w] || rest[w + 1];
                }
            }
            else
            {
                for (var w = 0; w < words.Length; w++)
                {
                    rest[w] = (pattern[p] == "*" || pattern[p] == words[w]) && rest[w + 1];
                }

                rest[words.Length] = false;
            }
        }

        return rest[0];
    }
}

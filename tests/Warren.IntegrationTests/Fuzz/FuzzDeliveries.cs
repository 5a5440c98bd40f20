using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.Json;
using CsCheck;
using RabbitMQ.Client;

namespace Warren.IntegrationTests.Fuzz;

/// <summary>What a fuzzed delivery's body is.</summary>
internal enum BodyKind
{
    /// <summary>A <see cref="FuzzItem"/> for its queue: must be handled (or, failing, dead-lettered) exactly once.</summary>
    Valid,
    Empty,
    RandomBytes,
    NotUtf8,
    RandomJson,
    WrongShapeJson,
    TruncatedJson,
    /// <summary>Over the consumer's <c>Warren:MaxMessageSize</c>.</summary>
    Oversize,
}

/// <summary>The AMQP properties of one fuzzed delivery (null = not set).</summary>
internal sealed record FuzzProperties(
    string? Type,
    string? MessageId,
    string? CorrelationId,
    string? ReplyTo,
    string? ContentType,
    string? ContentEncoding,
    string? AppId,
    long? Timestamp,
    byte? Priority,
    string? Expiration,
    bool Persistent);

/// <summary>
/// One raw delivery of the fuzz test: to a queue's binding (through the exchange) or straight to the queue, with its
/// body, properties and headers. Valid deliveries carry their handler's plan: fail the first <see cref="Failures"/>
/// attempts, take <see cref="DelayMs"/> per attempt.
/// </summary>
internal sealed record FuzzDelivery(
    string Queue,
    bool StraightToQueue,
    BodyKind Kind,
    byte[] NoiseBody,
    int Failures,
    int DelayMs,
    FuzzProperties Properties,
    KeyValuePair<string, object?>[] Headers)
{
    /// <summary>The routing key of the queue's binding on the <c>fuzz</c> exchange.</summary>
    public string BindingKey => Queue == SerialFuzzConsumer.Name ? "serial" : "parallel";

    public byte[] Body(string id) => Kind == BodyKind.Valid
        ? JsonSerializer.SerializeToUtf8Bytes(new FuzzItem(id, Failures, DelayMs), FuzzJson.Default.FuzzItem)
        : NoiseBody;

    public BasicProperties ToBasicProperties(string id)
    {
        var headers = new Dictionary<string, object?>(Headers.Length + 1, StringComparer.Ordinal);
        foreach (var (key, value) in Headers)
        {
            headers[key] = value;
        }

        headers[FuzzProbe.IdHeader] = id;
        var p = Properties;
        var properties = new BasicProperties
        {
            Type = p.Type,
            MessageId = p.MessageId,
            CorrelationId = p.CorrelationId,
            ReplyTo = p.ReplyTo,
            ContentType = p.ContentType,
            ContentEncoding = p.ContentEncoding,
            AppId = p.AppId,
            Expiration = p.Expiration,
            DeliveryMode = p.Persistent ? DeliveryModes.Persistent : DeliveryModes.Transient,
            Headers = headers,
        };
        if (p.Timestamp is { } timestamp)
        {
            properties.Timestamp = new AmqpTimestamp(timestamp);
        }

        if (p.Priority is { } priority)
        {
            properties.Priority = priority;
        }

        return properties;
    }

    /// <summary>A readable account of the delivery for a failure message (long values shortened).</summary>
    public string Describe(string id)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{id}: {Kind}");
        if (Kind == BodyKind.Valid)
        {
            text.Append(CultureInfo.InvariantCulture, $" (fails {Failures}x, {DelayMs} ms)");
        }

        text.Append(StraightToQueue ? $" straight to {Queue}" : $" via fuzz/{BindingKey}");
        var p = Properties;
        text.Append(CultureInfo.InvariantCulture, $"; body {Preview(Body(id))}; properties {{type {Show(p.Type, 0)}, message-id {Show(p.MessageId, 0)}, ");
        text.Append(CultureInfo.InvariantCulture, $"correlation-id {Show(p.CorrelationId, 0)}, reply-to {Show(p.ReplyTo, 0)}, content-type {Show(p.ContentType, 0)}, ");
        text.Append(CultureInfo.InvariantCulture, $"content-encoding {Show(p.ContentEncoding, 0)}, app-id {Show(p.AppId, 0)}, timestamp {Show(p.Timestamp, 0)}, ");
        text.Append(CultureInfo.InvariantCulture, $"priority {Show(p.Priority, 0)}, expiration {Show(p.Expiration, 0)}, {(p.Persistent ? "persistent" : "transient")}}}; headers {{");
        text.Append(string.Join(", ", Headers.Select(h => $"{Shorten(h.Key)}: {Show(h.Value, 2)}")));
        return text.Append('}').ToString();
    }

    public static string Show(object? value, int depth) => value switch
    {
        null => "null",
        string s => Shorten(s),
        byte[] b => $"bytes{Shorten(Encoding.UTF8.GetString(b))}",
        AmqpTimestamp t => $"timestamp({t.UnixTime})",
        IDictionary<string, object?> table => depth == 0 ? "{…}" : "{" + string.Join(", ", table.Select(e => $"{Shorten(e.Key)}: {Show(e.Value, depth - 1)}")) + "}",
        IList list => depth == 0 ? "[…]" : "[" + string.Join(", ", list.Cast<object?>().Select(v => Show(v, depth - 1))) + "]",
        IFormattable f => $"{value.GetType().Name}({f.ToString(null, CultureInfo.InvariantCulture)})",
        _ => value.ToString() ?? string.Empty,
    };

    private static string Preview(byte[] body) => body.Length == 0
        ? "empty"
        : $"{body.Length} bytes {Shorten(Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 120)))}";

    /// <summary>A string as a JSON literal (control characters and non-ASCII escaped), cut after 60 characters.</summary>
    private static string Shorten(string s) => s.Length <= 60 ? JsonSerializer.Serialize(s) : $"{JsonSerializer.Serialize(s[..60])}…({s.Length} chars)";
}

/// <summary>CsCheck generators for the fuzz test's deliveries.</summary>
internal static class FuzzGen
{
    /// <summary>A fixed instant (2026-01-01), so generated "current" timestamps do not depend on when the test runs.</summary>
    private const long NowSeconds = 1_767_225_600;

    private static readonly Gen<string> Text = Gen.String[0, 40];

    private static readonly Gen<string> Word = Gen.Char["abcdefghijklmnopqrstuvwxyz-_.0123456789"].Array[1, 16].Select(c => new string(c));

    private static readonly Gen<object?> Scalar = Gen.Frequency(
        (4, Gen.String[0, 50].Select(s => (object?)s)),
        (2, Gen.Byte.Array[0, 50].Select(b => (object?)b)),
        (2, Gen.Int.Select(i => (object?)i)),
        (2, Gen.Long.Select(l => (object?)l)),
        (1, Gen.Short.Select(s => (object?)s)),
        (1, Gen.Byte.Select(b => (object?)b)),
        (1, Gen.Bool.Select(b => (object?)b)),
        (1, Gen.Double.Select(d => (object?)d)),
        (1, Gen.Float.Select(f => (object?)f)),
        (1, Gen.Select(Gen.Int[0, int.MaxValue], Gen.Bool, Gen.Byte[0, 9], (lo, negative, scale) => (object?)new decimal(lo, 0, 0, negative, scale))),
        (1, Gen.Long.Select(t => (object?)new AmqpTimestamp(t))),
        (1, Gen.Const<object?>((object?)null)));

    /// <summary>Header values of every AMQP field type, tables and arrays nested up to three deep.</summary>
    private static readonly Gen<object?> Value = ValueOfDepth(3);

    /// <summary>Retry and delivery counts as producers get them wrong: negative, huge, text, fractions, tables.</summary>
    private static readonly Gen<object?> Count = Gen.Frequency(
        (4, Gen.OneOf<object?>(-1, 0, 1, 2, 3L, -5L, 2_147_483_648L, long.MaxValue, long.MinValue, int.MinValue, int.MaxValue, (short)-1, (byte)200, 0.5d, 1.5m, true)),
        (2, Gen.OneOf<object?>("1", "-1", "abc", "99999999999999999999").Select(s => (object?)Encoding.UTF8.GetBytes((string)s!))),
        (1, Gen.OneOf<object?>("1", "2")),
        (2, Value));

    private static readonly Gen<object?> Death = Gen.Frequency(
        (1, Gen.Const<object?>("rejected")),
        (1, Gen.Const<object?>(3)),
        (1, Gen.Const<object?>(new List<object?>())),
        (1, Word.List[1, 3].Select(l => (object?)l.Cast<object?>().ToList())),
        (2, Gen.Const<object?>(new List<object?>
        {
            new Dictionary<string, object?> { ["count"] = "x", ["queue"] = 5, ["reason"] = Encoding.UTF8.GetBytes("expired"), ["time"] = "yesterday", ["exchange"] = null, ["routing-keys"] = "not a list" },
            "not a table",
        })),
        (1, Gen.Const<object?>(new Dictionary<string, object?> { ["count"] = 1L, ["queue"] = "q" })),
        (2, Gen.Select(Gen.Long[-5, 1_000_000], Word, Gen.Long, (count, queue, time) => (object?)new List<object?>
        {
            new Dictionary<string, object?>
            {
                ["count"] = count,
                ["reason"] = Encoding.UTF8.GetBytes("rejected"),
                ["queue"] = Encoding.UTF8.GetBytes(queue),
                ["time"] = new AmqpTimestamp(time),
                ["exchange"] = Encoding.UTF8.GetBytes(string.Empty),
                ["routing-keys"] = new List<object?> { Encoding.UTF8.GetBytes(queue) },
            },
        })),
        (2, Value));

    private static readonly Gen<object?> TraceParent = Gen.Frequency(
        (1, Gen.Const<object?>("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")),
        (1, Gen.Const<object?>("garbage")),
        (1, Text.Select(s => (object?)s)),
        (1, Value));

    /// <summary>Headers Warren (or the broker) reads, each present now and then with a wrong or odd value.</summary>
    private static readonly (string Name, Gen<object?> Value)[] Known =
    [
        (RetryPolicy.RetriesHeader, Count),
        ("x-delivery-count", Count),
        ("x-death", Death),
        ("traceparent", TraceParent),
        ("x-first-death-reason", Value),
        ("x-first-death-queue", Value),
        (DeadLetterHeaders.Reason, Value),
        (DeadLetterHeaders.OriginalExchange, Value),
        (DeadLetterHeaders.OriginalRoutingKey, Value),
        (DeadLetterHeaders.ExceptionMessage, Value),
    ];

    private static readonly Gen<KeyValuePair<string, object?>[]> Headers =
        from random in Gen.Select(Gen.Frequency((3, Word), (1, Text.Where(t => t.Length > 0))), Value).Array[0, 5]
        from known in Gen.Select(Gen.Int[0, 6].Array[Known.Length], All(Known.Select(k => k.Value)))
        from big in Gen.Frequency((40, Gen.Const(0)), (1, Gen.Int[100_000, 120_000]))
        select Combine(random, known.Item1, known.Item2, big);

    // A valid message is labelled as a JSON handler reads it (docs/interop.md): a JSON or generic content-type or none,
    // no content-encoding or identity; noise carries any label.
    private static readonly Gen<FuzzProperties> ValidProperties = Properties(
        type: Gen.Frequency((4, Gen.Const<string?>((string?)null)), (4, Gen.Const<string?>("fuzz.item")), (2, Text.Select(s => (string?)s))),
        expiration: Gen.OneOf<string?>(null, null, "600000"),
        contentType: Maybe(Gen.OneOf(Gen.Const("application/json"), Gen.Const("text/plain"), Gen.Const("application/octet-stream"), Gen.Const("application/json; charset=utf-8"), Gen.Const("application/vnd.fuzz+json"), Gen.Const("text/json"))),
        contentEncoding: Maybe(Gen.Const("identity")));

    private static readonly Gen<FuzzProperties> NoiseProperties = Properties(
        type: Gen.Frequency((3, Gen.Const<string?>((string?)null)), (3, Gen.Const<string?>("fuzz.item")), (2, Text.Select(s => (string?)s)), (1, Gen.Const<string?>("interop.user-created"))),
        expiration: Gen.OneOf<string?>(null, null, null, "0", "1", "200", "600000"),
        contentType: Maybe(Gen.OneOf(Gen.Const("application/json"), Gen.Const("text/plain"), Gen.Const("application/octet-stream"), Gen.Const("application/json; charset=utf-8"), Text)),
        contentEncoding: Maybe(Gen.OneOf(Gen.Const("utf-8"), Gen.Const("identity"), Text)));

    private static readonly Gen<string> Queue = Gen.OneOf(SerialFuzzConsumer.Name, ParallelFuzzConsumer.Name);

    private static readonly Gen<FuzzDelivery> Valid =
        from queue in Queue
        from failures in Gen.Frequency((14, Gen.Const(0)), (4, Gen.Const(1)), (2, Gen.Const(9)))
        from delay in Gen.Frequency((6, Gen.Const(0)), (3, Gen.Int[1, 20]), (1, Gen.Int[50, 150]))
        from properties in ValidProperties
        from headers in Headers
        select new FuzzDelivery(queue, false, BodyKind.Valid, [], failures, delay, properties, BrokerSafe(headers, properties));

    private static readonly Gen<FuzzDelivery> Noise =
        from queue in Queue
        from straight in Gen.Bool
        from kind in Gen.Frequency((1, BodyKind.Empty), (3, BodyKind.RandomBytes), (1, BodyKind.NotUtf8), (4, BodyKind.RandomJson), (4, BodyKind.WrongShapeJson), (2, BodyKind.TruncatedJson), (1, BodyKind.Oversize))
        from body in BodyOf(kind)
        from properties in NoiseProperties
        from headers in Headers
        select new FuzzDelivery(queue, straight, kind, body, 0, 0, properties, BrokerSafe(headers, properties));

    /// <summary>Valid messages interleaved with everything else, about half and half.</summary>
    public static Gen<FuzzDelivery[]> Batch(int count) => Gen.Frequency((1, Valid), (1, Noise)).Array[count];

    private static Gen<FuzzProperties> Properties(Gen<string?> type, Gen<string?> expiration, Gen<string?> contentType, Gen<string?> contentEncoding) =>
        Gen.Select(
            Gen.Select(type, Maybe(Gen.OneOf(Text, Gen.Const("same-id-for-all"))), Maybe(Text), Maybe(Text)),
            Gen.Select(
                contentType,
                contentEncoding,
                Maybe(Text)),
            Gen.Frequency(
                (2, Gen.Const<long?>((long?)null)),
                (2, Gen.Long.Select(t => (long?)t)),
                (1, Gen.Const<long?>(NowSeconds)),
                (2, Gen.Long[NowSeconds * 1000, (NowSeconds * 1000) + 86_400_000].Select(t => (long?)t)),
                (1, Gen.OneOf<long?>(long.MinValue, long.MaxValue, -1, 0))),
            Gen.Frequency((2, Gen.Const<byte?>((byte?)null)), (1, Gen.Byte.Select(b => (byte?)b))),
            expiration,
            Gen.Bool,
            (ids, content, timestamp, priority, expires, persistent) => new FuzzProperties(
                ids.Item1, ids.Item2, ids.Item3, ids.Item4, content.Item1, content.Item2, content.Item3, timestamp, priority, expires, persistent));

    /// <summary>One value from each generator, in order.</summary>
    private static Gen<object?[]> All(IEnumerable<Gen<object?>> gens) =>
        gens.Aggregate(Gen.Const(Array.Empty<object?>()), (all, gen) => from values in all from value in gen select (object?[])[.. values, value]);

    private static Gen<string?> Maybe(Gen<string> gen) => Gen.Frequency((1, Gen.Const<string?>((string?)null)), (1, gen.Select(s => (string?)s)));

    private static Gen<byte[]> BodyOf(BodyKind kind) => kind switch
    {
        BodyKind.Empty => Gen.Const(Array.Empty<byte>()),
        BodyKind.RandomBytes => Gen.Byte.Array[1, 512],
        BodyKind.NotUtf8 => Gen.Byte.Array[0, 64].Select(b => (byte[])[0xFF, 0xFE, 0xC0, .. b]),
        BodyKind.RandomJson => Json(3).Select(Encoding.UTF8.GetBytes),
        BodyKind.WrongShapeJson => Gen.OneOf(
            "{\"id\":\"camel-1\",\"failures\":0,\"delayMs\":0}", // camelCase against the PascalCase context
            "{\"Id\":\"partial-1\"}",                          // required members missing
            "{\"Failures\":0,\"DelayMs\":0}",
            "{\"Id\":5,\"Failures\":\"none\",\"DelayMs\":0}",  // wrong member types
            "{\"UserId\":\"u-1\",\"Email\":\"a@b.c\",\"Region\":\"eu\",\"Age\":3}", // another contract
            "{\"foo\":1}",
            "{}",
            "[1,2,3]",
            "\"text\"",
            "null",
            "42").Select(Encoding.UTF8.GetBytes),
        BodyKind.TruncatedJson => Gen.Int[1, 30].Select(cut =>
        {
            var json = JsonSerializer.SerializeToUtf8Bytes(new FuzzItem("truncated-1", 0, 0), FuzzJson.Default.FuzzItem);
            return json[..Math.Min(cut, json.Length - 1)];
        }),
        BodyKind.Oversize => Gen.Int[33 * 1024, 40 * 1024].Select(n => Enumerable.Repeat((byte)'x', n).ToArray()),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>Random JSON whose object members never name a <see cref="FuzzItem"/> member.</summary>
    private static Gen<string> Json(int depth)
    {
        var scalar = Gen.Frequency(
            (2, Gen.Int.Select(i => i.ToString(CultureInfo.InvariantCulture))),
            (1, Gen.Double.Where(double.IsFinite).Select(d => d.ToString("R", CultureInfo.InvariantCulture))),
            (2, Gen.String[0, 20].Select(s => JsonSerializer.Serialize(s))),
            (1, Gen.OneOf("true", "false", "null")));
        if (depth == 0)
        {
            return scalar;
        }

        var member = Gen.OneOf("foo", "bar", "n", "userId", "email", "name", "value", "items", "Lane", "Queue", "");
        var inner = Json(depth - 1);
        return Gen.Frequency(
            (3, scalar),
            (2, Gen.Select(member, inner).Array[0, 4].Select(members => "{" + string.Join(",", members.Select(m => $"{JsonSerializer.Serialize(m.Item1)}:{m.Item2}")) + "}")),
            (1, inner.Array[0, 4].Select(items => "[" + string.Join(",", items) + "]")));
    }

    private static Gen<object?> ValueOfDepth(int depth)
    {
        if (depth == 0)
        {
            return Scalar;
        }

        var inner = ValueOfDepth(depth - 1);
        return Gen.Frequency(
            (8, Scalar),
            (1, Gen.Select(Word, inner).Array[0, 4].Select(entries =>
            {
                var table = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var (key, value) in entries)
                {
                    table[key] = value;
                }

                return (object?)table;
            })),
            (1, inner.List[0, 4].Select(items => (object?)items)));
    }

    /// <summary>
    /// RabbitMQ 3.10 crashes a queue (<c>function_clause</c> in <c>rabbit_dead_letter</c>, the queue process restarts
    /// and crashes again) when it dead-letters a message whose <c>x-death</c> array holds something other than tables.
    /// A message that expires in Warren's queue is dead-lettered by the broker before Warren ever sees it, so such a
    /// message is only generated without an expiration. Warren's own copies (retry queues dead-letter back through the
    /// broker) are Warren's responsibility: those combinations stay in.
    /// </summary>
    private static KeyValuePair<string, object?>[] BrokerSafe(KeyValuePair<string, object?>[] headers, FuzzProperties properties) =>
        properties.Expiration is null
            ? headers
            : headers.Where(h => !(h.Key == "x-death" && h.Value is IList entries && entries.Cast<object?>().Any(e => e is not IDictionary<string, object?>))).ToArray();

    private static KeyValuePair<string, object?>[] Combine((string, object?)[] random, int[] presence, object?[] knownValues, int big)
    {
        var headers = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in random)
        {
            headers[key] = value;
        }

        for (var i = 0; i < Known.Length; i++)
        {
            if (presence[i] == 0)
            {
                headers[Known[i].Name] = knownValues[i];
            }
        }

        if (big > 0)
        {
            // Near frame_max (131,072 bytes for all properties): a failure copy adds Warren's own headers to it.
            headers["big"] = new string('b', big);
        }

        headers.Remove(FuzzProbe.IdHeader);
        return [.. headers];
    }
}

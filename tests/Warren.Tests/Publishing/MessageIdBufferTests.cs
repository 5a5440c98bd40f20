using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using CsCheck;
using RabbitMQ.Client;
using Xunit;

namespace Warren.Tests.Publishing;

/// <summary>
/// The message id a publishing channel writes into its one id string while it sends (<see cref="MessageIdBuffer"/>):
/// the content-header bytes RabbitMQ.Client writes must be exactly those of the same properties with the id as a string
/// of its own, whatever else the properties hold and whatever the string held before.
/// </summary>
public sealed class MessageIdBufferTests
{
    private static readonly Gen<object?> HeaderValue = Gen.OneOf<object?>(
        Gen.String.Select(s => (object?)s),
        Gen.Long.Select(v => (object?)v),
        Gen.Int.Select(v => (object?)v),
        Gen.Bool.Select(v => (object?)v),
        Gen.Byte.Array[0, 60].Select(v => (object?)v),
        Gen.Long.List[0, 3].Select(v => (object?)v.Cast<object?>().ToList()),
        Gen.Dictionary(Gen.String[Gen.Char.AlphaNumeric, 1, 10], Gen.String)[0, 3].Select(d => (object?)d.ToDictionary(kv => kv.Key, kv => (object?)kv.Value, StringComparer.Ordinal)),
        Gen.Int.Select(_ => (object?)null));

    private static readonly Gen<Dictionary<string, object?>> Headers =
        Gen.Dictionary(Gen.String[Gen.Char.AlphaNumeric, 1, 20], HeaderValue)[0, 6]
            .Select(d => d.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal));

    /// <summary>
    /// Random properties as Warren and its callers set them: every property present or absent, and headers of the types
    /// Warren writes (strings, longs, ints, booleans, byte arrays, lists and nested tables of them: trace context,
    /// sequence number, delay and failure headers, caller headers).
    /// </summary>
    private static readonly Gen<Func<BasicProperties>> Properties =
        Gen.Select(
            Gen.Select(Gen.String[Gen.Char.AlphaNumeric, 0, 40].Null(), Gen.String[Gen.Char.AlphaNumeric, 0, 10].Null(), Gen.Int[0, 2], Gen.Byte, Gen.String[Gen.Char.AlphaNumeric, 0, 60].Null(), Gen.String[Gen.Char, 0, 40].Null()),
            Gen.Select(Gen.String[Gen.Char.AlphaNumeric, 0, 12].Null(), Gen.Long[0, long.MaxValue], Gen.Bool, Gen.String[Gen.Char.AlphaNumeric, 0, 40].Null(), Gen.String[Gen.Char.AlphaNumeric, 0, 20].Null(), Gen.String[Gen.Char.AlphaNumeric, 0, 20].Null(), Gen.String[Gen.Char.AlphaNumeric, 0, 20].Null()),
            Headers.Null())
        .Select(t =>
        {
            var ((contentType, contentEncoding, deliveryMode, priority, correlationId, replyTo), (expiration, timestamp, withTimestamp, type, userId, appId, clusterId), headers) = t;
            return (Func<BasicProperties>)(() => new BasicProperties
            {
                ContentType = contentType,
                ContentEncoding = contentEncoding,
                DeliveryMode = (DeliveryModes)deliveryMode,
                Priority = priority,
                CorrelationId = correlationId,
                ReplyTo = replyTo,
                Expiration = expiration,
                Timestamp = withTimestamp ? new AmqpTimestamp(timestamp) : default,
                Type = type,
                UserId = userId,
                AppId = appId,
                ClusterId = clusterId,
                Headers = headers is null ? null : new Dictionary<string, object?>(headers, StringComparer.Ordinal),
            });
        });


    [Fact]
    public void The_header_bytes_with_the_written_id_equal_those_with_the_id_as_its_own_string()
    {
        var buffer = new MessageIdBuffer();
        var prefix = MessageIds.Next()[..16];
        Property.ForAll(
            Gen.Select(Properties, Gen.ULong[1, ulong.MaxValue], Gen.ULong[1, ulong.MaxValue], Gen.Bool),
            500,
            c =>
            {
                var (make, before, counter, retire) = c;

                // The string held another id first (the channel's previous send), or is new after a retirement.
                buffer.Write(before);
                if (retire)
                {
                    buffer.Retire();
                }

                var expectedId = prefix + counter.ToString("x16", CultureInfo.InvariantCulture);
                var reference = make();
                reference.MessageId = MessageIds.Of(counter);
                Assert.Equal(expectedId, reference.MessageId);

                var sent = make();
                Assert.Null(sent.MessageId);
                var withoutId = Encode(sent);
                sent.MessageId = buffer.Write(counter);

                Assert.Equal(expectedId, sent.MessageId);
                var expected = Encode(reference);
                Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(Encode(sent)));

                // What PublishFrame counts for an id the channel will write: its shortstr, 1 + 32 bytes.
                Assert.Equal(expected.Length, withoutId.Length + 1 + MessageIds.Length);
                Assert.Equal(PublishFrame.PropertiesSize(reference), PublishFrame.PropertiesSize(make()) + 1 + MessageIds.Length);
            },
            c => $"properties {Describe(c.Item1())}, id before {c.Item2:x16}, counter {c.Item3:x16}, retired {c.Item4}");
        Assert.Equal(500, Property.LastCount);
    }

    [Fact]
    public void A_retired_string_keeps_its_id_while_the_next_writes_go_elsewhere()
    {
        var buffer = new MessageIdBuffer();
        var held = buffer.Write(41);
        var id = held.ToString(CultureInfo.InvariantCulture);
        Assert.Equal(MessageIds.Of(41), id);
        buffer.Retire();
        var next = buffer.Write(42);
        Assert.NotSame(held, next);
        Assert.Equal(MessageIds.Of(41), held);
        Assert.Equal(MessageIds.Of(42), next);

        // Without a retirement the same string is written again: that is the point (no string per message).
        Assert.Same(next, buffer.Write(43));
        Assert.Equal(MessageIds.Of(43), next);
    }

    [Fact]
    public void Counters_are_never_zero_and_ids_from_counters_are_unique()
    {
        var counters = Enumerable.Range(0, 10_000).Select(_ => MessageIds.NextCounter()).ToList();
        Assert.DoesNotContain(0UL, counters);
        Assert.Equal(counters.Count, counters.Select(MessageIds.Of).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void A_listener_on_the_clients_publisher_source_is_seen()
    {
        // Makes RabbitMQ.Client's sources if they do not exist yet.
        _ = RabbitMQActivitySource.TracingOptions;
        var before = ClientPublishTracing.IsListened;
        using (var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == RabbitMQActivitySource.PublisherSourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        })
        {
            ActivitySource.AddActivityListener(listener);
            Assert.True(ClientPublishTracing.IsListened);
        }

        // Other tests in this process may listen too; without them the answer is false again.
        Assert.Equal(before, ClientPublishTracing.IsListened);
    }

    private static byte[] Encode(BasicProperties properties)
    {
        var header = (IAmqpHeader)properties;
        var bytes = new byte[header.GetRequiredBufferSize()];
        var written = header.WriteTo(bytes);
        return bytes[..written];
    }

    private static string Describe(BasicProperties p) =>
        string.Join("|",
            p.ContentType, p.ContentEncoding, p.DeliveryMode, p.Priority, p.CorrelationId, p.ReplyTo, p.Expiration, p.Timestamp.UnixTime,
            p.Type, p.UserId, p.AppId, p.ClusterId,
            p.Headers is null ? "no headers" : "{" + string.Join(",", p.Headers.Select(h => $"{h.Key}={Value(h.Value)}")) + "}");

    private static string Value(object? value) => value switch
    {
        null => "null",
        byte[] bytes => "0x" + Convert.ToHexString(bytes),
        IDictionary<string, object?> table => "{" + string.Join(",", table.Select(t => $"{t.Key}={Value(t.Value)}")) + "}",
        System.Collections.IEnumerable list and not string => "[" + string.Join(",", list.Cast<object?>().Select(Value)) + "]",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using CsCheck;
using RabbitMQ.Client;
using Xunit;

namespace Warren.Tests;

public sealed class PublishFrameTests
{
    private const uint DefaultFrameMax = 131_072;

    private static readonly Gen<object?> Scalar = Gen.OneOf<object?>(
        Gen.String[0, 40].Select(s => (object?)s),
        Gen.Int.Select(i => (object?)i),
        Gen.Long.Select(l => (object?)l),
        Gen.Bool.Select(b => (object?)b),
        Gen.Double.Select(d => (object?)d),
        Gen.Byte.Array[0, 30].Select(b => (object?)b),
        Gen.Const(0).Select(_ => (object?)null));

    private static readonly Gen<object?> Value = Gen.Frequency(
        (6, Scalar),
        (1, Scalar.List[0, 5].Select(l => (object?)l.ToList<object?>())),
        (1, Gen.Dictionary(Gen.String[1, 10], Scalar)[0, 4].Select(d => (object?)new Dictionary<string, object?>(d))));

    private static readonly Gen<Dictionary<string, object?>> Headers = Gen.Dictionary(Gen.String[1, 30], Value)[0, 12];

    [Fact]
    public void The_limit_leaves_room_for_frame_overhead_and_tracing_headers()
    {
        Assert.Equal(131_072 - 8 - 12 - 4096, PublishFrame.MaxPropertiesSize(DefaultFrameMax));
        Assert.Equal(int.MaxValue, PublishFrame.MaxPropertiesSize(0));
        Assert.Equal(0, PublishFrame.MaxPropertiesSize(1000));
    }

    [Fact]
    public void The_size_estimate_is_exactly_what_the_client_encodes()
    {
        Property.ForAll(
            Gen.Select(Headers, Gen.String[0, 80], Gen.Bool),
            500,
            c =>
            {
                var (headers, id, persistent) = c;
                var properties = new BasicProperties
                {
                    Headers = headers,
                    MessageId = id,
                    ContentType = "application/json",
                    Type = "test.message",
                    DeliveryMode = persistent ? DeliveryModes.Persistent : DeliveryModes.Transient,
                    Timestamp = new AmqpTimestamp(1_700_000_000),
                };

                var buffer = new byte[256 * 1024];
                var written = ((IAmqpWriteable)properties).WriteTo(buffer);

                Assert.Equal(written, PublishFrame.PropertiesSize(properties));
            },
            c => $"{c.Item1.Count} headers ({string.Join(", ", c.Item1.Select(kv => $"{kv.Key}: {kv.Value?.GetType().Name ?? "null"}"))}), id '{c.Item2}'");
    }

    [Fact]
    public void Properties_up_to_the_limit_pass_and_one_byte_more_is_refused()
    {
        var limit = PublishFrame.MaxPropertiesSize(DefaultFrameMax);
        var properties = new BasicProperties { Headers = new Dictionary<string, object?> { ["big"] = string.Empty } };
        var filler = limit - PublishFrame.PropertiesSize(properties);
        properties.Headers["big"] = new string('x', filler);
        Assert.Equal(limit, PublishFrame.PropertiesSize(properties));

        PublishFrame.Check("ex", "rk", properties, DefaultFrameMax);

        properties.Headers["big"] = new string('x', filler + 1);
        var error = Assert.Throws<WarrenPublishException>(() => PublishFrame.Check("ex", "rk", properties, DefaultFrameMax));
        Assert.Contains("frame_max of 131072", error.Message, StringComparison.Ordinal);
        Assert.Contains("501 FRAME_ERROR", error.Message, StringComparison.Ordinal);
        Assert.Equal(("ex", "rk"), (error.Exchange, error.RoutingKey));
    }

    [Fact]
    public void Headers_of_130_kilobytes_are_refused_in_many_small_entries_too()
    {
        var headers = Enumerable.Range(0, 1300).ToDictionary(i => $"h{i}", _ => (object?)new string('v', 100));
        var properties = new BasicProperties { Headers = headers };

        var error = Assert.Throws<WarrenPublishException>(() => PublishFrame.Check("ex", "rk", properties, DefaultFrameMax));

        Assert.Contains("headers 1", error.Message, StringComparison.Ordinal);
        PublishFrame.Check("ex", "rk", properties, frameMax: 0);
    }

    [Theory]
    [InlineData("exchange name")]
    [InlineData("routing key")]
    [InlineData("message-id")]
    [InlineData("type")]
    [InlineData("header name")]
    [InlineData("key")]
    public void Short_strings_over_255_bytes_are_refused_by_name(string what)
    {
        var longText = new string('é', 128); // 256 bytes in UTF-8
        var exchange = what == "exchange name" ? longText : "ex";
        var routingKey = what == "routing key" ? longText : "rk";
        var properties = new BasicProperties
        {
            MessageId = what == "message-id" ? longText : "id",
            Type = what == "type" ? longText : "t",
            Headers = what switch
            {
                "header name" => new Dictionary<string, object?> { [longText] = 1 },
                "key" => new Dictionary<string, object?> { ["outer"] = new Dictionary<string, object?> { [longText] = 1 } },
                _ => null,
            },
        };

        var error = Assert.Throws<WarrenPublishException>(() => PublishFrame.Check(exchange, routingKey, properties, DefaultFrameMax));

        Assert.Contains(what, error.Message, StringComparison.Ordinal);
        Assert.Contains("256 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_header_value_amqp_cannot_carry_is_refused_clearly()
    {
        var properties = new BasicProperties { Headers = new Dictionary<string, object?> { ["when"] = DateTime.UtcNow } };

        var error = Assert.Throws<WarrenPublishException>(() => PublishFrame.Check("ex", "rk", properties, DefaultFrameMax));

        Assert.Contains("cannot be encoded", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Properties_without_headers_that_pass_the_short_string_checks_never_exceed_the_bound_the_check_relies_on()
    {
        // Up to 300 characters of any script: some pass the 255-byte check, some are refused by it.
        var text = Gen.OneOf(Gen.String[0, 300], Gen.String[Gen.Char['\u0400', '\u04ff'], 0, 140], Gen.String[Gen.Char['\u3040', '\u30ff'], 0, 100]);
        var absent = Gen.Const(0).Select(_ => (string?)null);
        var field = Gen.Frequency((1, absent), (3, text.Select(t => (string?)t)));
        Property.ForAll(
            field.Array[10],
            500,
            f =>
            {
                var properties = new BasicProperties
                {
                    ContentType = f[0],
                    ContentEncoding = f[1],
                    CorrelationId = f[2],
                    ReplyTo = f[3],
                    Expiration = f[4],
                    MessageId = f[5],
                    Type = f[6],
                    UserId = f[7],
                    AppId = f[8],
                    ClusterId = f[9],
                    DeliveryMode = DeliveryModes.Persistent,
                    Priority = 9,
                    Timestamp = new AmqpTimestamp(1_700_000_000),
                };
                var tooLong = f.Any(v => v is not null && Encoding.UTF8.GetByteCount(v) > 255);
                if (tooLong)
                {
                    Assert.Throws<WarrenPublishException>(() => PublishFrame.Check("ex", "rk", properties, DefaultFrameMax));
                    return;
                }

                PublishFrame.Check("ex", "rk", properties, DefaultFrameMax);

                // With the empty table RabbitMQ.Client writes on a confirming channel.
                properties.Headers = new Dictionary<string, object?>();
                Assert.InRange(PublishFrame.PropertiesSize(properties), 0, PublishFrame.MaxSizeWithoutHeaders);
            },
            f => string.Join(", ", f.Select(v => v is null ? "null" : $"{v.Length} chars / {Encoding.UTF8.GetByteCount(v)} bytes")));
    }

    [Fact]
    public void The_bound_without_headers_is_reached_by_ten_full_short_strings()
    {
        var full = new string('x', 255);
        var properties = new BasicProperties
        {
            ContentType = full,
            ContentEncoding = full,
            CorrelationId = full,
            ReplyTo = full,
            Expiration = full,
            MessageId = full,
            Type = full,
            UserId = full,
            AppId = full,
            ClusterId = full,
            DeliveryMode = DeliveryModes.Persistent,
            Priority = 9,
            Timestamp = new AmqpTimestamp(1_700_000_000),
            Headers = new Dictionary<string, object?>(),
        };

        Assert.Equal(PublishFrame.MaxSizeWithoutHeaders, PublishFrame.PropertiesSize(properties));
    }

    [Fact]
    public void Below_the_bound_a_connection_with_a_small_frame_max_still_measures_properties_without_headers()
    {
        // frame_max 6,000 leaves 1,884 bytes for the properties: less than ten short strings can take.
        const uint SmallFrameMax = 6_000;
        Assert.True(PublishFrame.MaxPropertiesSize(SmallFrameMax) < PublishFrame.MaxSizeWithoutHeaders);
        var full = new string('x', 255);
        var properties = new BasicProperties
        {
            ContentType = full,
            CorrelationId = full,
            ReplyTo = full,
            MessageId = full,
            Type = full,
            UserId = full,
            AppId = full,
            ClusterId = full,
        };

        var error = Assert.Throws<WarrenPublishException>(() => PublishFrame.Check("ex", "rk", properties, SmallFrameMax));
        Assert.Contains("frame_max of 6000", error.Message, StringComparison.Ordinal);

        properties.AppId = null;
        properties.ClusterId = null;
        properties.UserId = null;
        PublishFrame.Check("ex", "rk", properties, SmallFrameMax);
    }

    [Fact]
    public void The_id_the_channel_writes_is_counted_when_the_properties_have_none()
    {
        // Headers sized so that the properties fit the limit exactly without a message id: the 33 bytes of the id the
        // channel writes (a shortstr of 32 digits) must tip them over.
        var limit = PublishFrame.MaxPropertiesSize(DefaultFrameMax);
        var properties = new BasicProperties { ContentType = "application/json", Type = "t", Headers = new Dictionary<string, object?> { ["pad"] = Array.Empty<byte>() } };
        var padding = limit - PublishFrame.PropertiesSize(properties);
        properties.Headers["pad"] = new byte[padding];
        Assert.Equal(limit, PublishFrame.PropertiesSize(properties));

        PublishFrame.Check("ex", "rk", properties, DefaultFrameMax);
        var error = Assert.Throws<WarrenPublishException>(() => PublishFrame.Check("ex", "rk", properties, DefaultFrameMax, messageIdByChannel: true));
        Assert.Contains($"encode to {limit + 1 + MessageIds.Length} bytes", error.Message, StringComparison.Ordinal);

        // With an id of the caller's in the properties, the channel writes none: nothing more is counted.
        properties.MessageId = "x";
        properties.Headers["pad"] = new byte[padding - 2];
        PublishFrame.Check("ex", "rk", properties, DefaultFrameMax, messageIdByChannel: true);
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
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
}

using System;
using System.Collections.Generic;
using System.Text;
using RabbitMQ.Client;
using Xunit;

namespace Warren.Tests.Consuming;

public sealed class TolerantReadingTests
{
    [Theory]
    [InlineData(1_700_000_000L, "2023-11-14T22:13:20.0000000+00:00")] // seconds, as the AMQP specification says
    [InlineData(1_700_000_000_123L, "2023-11-14T22:13:20.1230000+00:00")] // milliseconds, as JavaScript's Date.now() gives
    [InlineData(0L, "1970-01-01T00:00:00.0000000+00:00")]
    public void Timestamps_in_seconds_or_milliseconds_are_read(long unixTime, string expected)
    {
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), AmqpHeaders.ReadTimestamp(unixTime));
    }

    [Theory]
    [InlineData(-1L)]
    [InlineData(long.MinValue)]
    [InlineData(long.MaxValue)]
    [InlineData(253_402_300_800_000L)]
    public void Out_of_range_timestamps_become_absent(long unixTime)
    {
        Assert.Null(AmqpHeaders.ReadTimestamp(unixTime));
    }

    public static TheoryData<object?, int, long> Integers => new()
    {
        { 3L, (int)HeaderRead.Valid, 3 },
        { 3, (int)HeaderRead.Valid, 3 },
        { (byte)3, (int)HeaderRead.Valid, 3 },
        { -7, (int)HeaderRead.Valid, -7 },
        { 2.0, (int)HeaderRead.Valid, 2 },
        { Encoding.UTF8.GetBytes(" 12 "), (int)HeaderRead.Valid, 12 },
        { "5", (int)HeaderRead.Valid, 5 },
        { 2.5, (int)HeaderRead.Invalid, 0 },
        { double.NaN, (int)HeaderRead.Invalid, 0 },
        { 1e300, (int)HeaderRead.Invalid, 0 },
        { ulong.MaxValue, (int)HeaderRead.Invalid, 0 },
        { Encoding.UTF8.GetBytes("three"), (int)HeaderRead.Invalid, 0 },
        { Encoding.UTF8.GetBytes("99999999999999999999999"), (int)HeaderRead.Invalid, 0 },
        { true, (int)HeaderRead.Invalid, 0 },
        { new List<object?> { 1 }, (int)HeaderRead.Invalid, 0 },
        { new Dictionary<string, object?>(), (int)HeaderRead.Invalid, 0 },
        { new AmqpTimestamp(5), (int)HeaderRead.Invalid, 0 },
        { null, (int)HeaderRead.Absent, 0 },
    };

    [Theory]
    [MemberData(nameof(Integers))]
    public void Whole_numbers_are_read_from_any_amqp_type_and_anything_else_is_invalid(object? value, int expected, long expectedValue)
    {
        var read = AmqpHeaders.TryReadInteger(new Dictionary<string, object?> { ["x-warren-retries"] = value }, "x-warren-retries", out var number);

        Assert.Equal((HeaderRead)expected, read);
        Assert.Equal(expectedValue, number);
        Assert.Equal(HeaderRead.Absent, AmqpHeaders.TryReadInteger(null, "x-warren-retries", out _));
    }

    [Fact]
    public void Headers_of_any_shape_become_text_without_throwing()
    {
        object deep = "bottom";
        for (var i = 0; i < 50; i++)
        {
            deep = new List<object?> { deep };
        }

        var headers = new Dictionary<string, object?>
        {
            ["ts"] = new AmqpTimestamp(long.MaxValue),
            ["ms"] = new AmqpTimestamp(1_700_000_000_000),
            ["deep"] = deep,
            ["bad-utf8"] = new byte[] { 0xff, 0xfe, 0x41 },
            ["decimal"] = 1.5m,
            ["table"] = new Dictionary<string, object?> { ["a"] = new AmqpTimestamp(-5) },
        };

        var text = AmqpHeaders.ToText(headers);

        Assert.Equal(long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture), text["ts"]);
        Assert.StartsWith("2023-11-14T22:13:20", text["ms"]);
        Assert.EndsWith("A", text["bad-utf8"]);
        Assert.Contains("…", text["deep"]);
        Assert.Equal("{a=-5}", text["table"]);
    }

    [Fact]
    public void X_death_of_foreign_shapes_is_read_as_far_as_it_goes()
    {
        var headers = new Dictionary<string, object?>
        {
            ["x-death"] = new List<object?>
            {
                Encoding.UTF8.GetBytes("not a table"),
                null,
                new Dictionary<string, object?>
                {
                    ["count"] = Encoding.UTF8.GetBytes("many"),
                    ["reason"] = 42,
                    ["time"] = new AmqpTimestamp(-1),
                    ["routing-keys"] = "not a list",
                },
                new Dictionary<string, object?> { ["count"] = 2.0, ["queue"] = Encoding.UTF8.GetBytes("q"), ["time"] = new AmqpTimestamp(1_700_000_000_000) },
            },
        };

        var deaths = AmqpHeaders.ReadDeaths(headers);

        Assert.Equal(2, deaths.Count);
        Assert.Equal(new DeathRecord(string.Empty, "42", 0, string.Empty, deaths[0].RoutingKeys, null), deaths[0]);
        Assert.Empty(deaths[0].RoutingKeys);
        Assert.Equal(2, deaths[1].Count);
        Assert.Equal("q", deaths[1].Queue);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), deaths[1].Time);
        Assert.Empty(AmqpHeaders.ReadDeaths(new Dictionary<string, object?> { ["x-death"] = 5 }));
    }
}

using System;
using System.Collections.Generic;
using System.Text;
using RabbitMQ.Client;
using Xunit;

namespace Warren.Tests;

public sealed class AmqpHeadersTests
{
    [Fact]
    public void Header_values_become_text()
    {
        var headers = new Dictionary<string, object?>
        {
            ["s"] = Encoding.UTF8.GetBytes("héllo"),
            ["n"] = 42L,
            ["b"] = true,
            ["none"] = null,
            ["list"] = new List<object?> { Encoding.UTF8.GetBytes("a"), 1 },
        };

        var text = AmqpHeaders.ToText(headers);

        Assert.Equal("héllo", text["s"]);
        Assert.Equal("42", text["n"]);
        Assert.Equal("True", text["b"]);
        Assert.Null(text["none"]);
        Assert.Equal("[a, 1]", text["list"]);
    }

    [Fact]
    public void X_death_is_parsed_as_the_broker_sends_it()
    {
        var headers = new Dictionary<string, object?>
        {
            ["x-death"] = new List<object>
            {
                new Dictionary<string, object?>
                {
                    ["count"] = 3L,
                    ["reason"] = Encoding.UTF8.GetBytes("rejected"),
                    ["queue"] = Encoding.UTF8.GetBytes("work"),
                    ["time"] = new AmqpTimestamp(1_700_000_000),
                    ["exchange"] = Encoding.UTF8.GetBytes("tasks"),
                    ["routing-keys"] = new List<object> { Encoding.UTF8.GetBytes("video.process") },
                },
            },
        };

        var death = Assert.Single(AmqpHeaders.ReadDeaths(headers));

        Assert.Equal(new DeathRecord("work", "rejected", 3, "tasks", death.RoutingKeys, DateTimeOffset.FromUnixTimeSeconds(1_700_000_000)), death);
        Assert.Equal(["video.process"], death.RoutingKeys);
    }

    [Fact]
    public void Missing_or_malformed_x_death_gives_an_empty_list()
    {
        Assert.Empty(AmqpHeaders.ReadDeaths(null));
        Assert.Empty(AmqpHeaders.ReadDeaths(new Dictionary<string, object?> { ["x-death"] = "nonsense" }));
    }

    [Fact]
    public void Delivery_count_reads_integer_widths()
    {
        Assert.Equal(2, AmqpHeaders.ReadLong(new Dictionary<string, object?> { ["x-delivery-count"] = 2L }, "x-delivery-count"));
        Assert.Equal(5, AmqpHeaders.ReadLong(new Dictionary<string, object?> { ["x-delivery-count"] = 5 }, "x-delivery-count"));
        Assert.Equal(0, AmqpHeaders.ReadLong(null, "x-delivery-count"));
    }
}

using System;
using System.Linq;
using CsCheck;
using Xunit;

namespace Warren.Tests.Diagnostics;

/// <summary>The names spans reuse instead of making per message give what a name made per message would.</summary>
public sealed class TelemetryNamesTests
{
    private static readonly Gen<string> Part = Gen.OneOf(Gen.Const(""), Gen.OneOf(Gen.Const("orders"), Gen.Const("user.events"), Gen.Const("user.eu.created"), Gen.Const("a:b")), Gen.String[Gen.Char.AlphaNumeric, 0, 6]);

    [Fact]
    public void A_queue_s_process_destination_is_the_one_made_per_delivery_whatever_the_order_of_deliveries()
    {
        Property.ForAll(
            Gen.Select(Part, Gen.Select(Part, Part).Array[1, 12]),
            500,
            c =>
            {
                var (queue, deliveries) = c;
                var destinations = new ProcessDestinations(queue);
                foreach (var (exchange, routingKey) in deliveries)
                {
                    // New strings each time, as RabbitMQ.Client decodes them per delivery.
                    var name = destinations.For(new string(exchange.AsSpan()), new string(routingKey.AsSpan()));
                    Assert.Equal(WarrenTracing.ProcessDestination(exchange, routingKey, queue), name);
                }
            },
            c => $"queue '{c.Item1}', deliveries {string.Join(", ", c.Item2.Select(d => $"('{d.Item1}', '{d.Item2}')"))}");
        Assert.Equal(500, Property.LastCount);
    }

    [Fact]
    public void A_repeated_delivery_reuses_its_destination_and_the_default_exchange_names_the_queue_without_a_string()
    {
        var destinations = new ProcessDestinations("users");
        var first = destinations.For("user.events", new string("user.eu.created".AsSpan()));
        Assert.Equal("user.events:user.eu.created:users", first);
        Assert.Same(first, destinations.For("user.events", new string("user.eu.created".AsSpan())));
        Assert.Equal("user.events:user.us.created:users", destinations.For("user.events", "user.us.created"));
        Assert.Same("users", destinations.For("", "users"));
        Assert.Same("users", destinations.For("", ""));
    }

    [Fact]
    public void A_contract_s_fixed_destination_names_only_its_own_exchange_and_key()
    {
        Property.ForAll(
            Gen.Select(Part, Part, Part, Part),
            500,
            c =>
            {
                var (exchange, key, sendExchange, sendKey) = c;
                var destination = new PublishDestination(exchange, key);
                var expected = sendExchange == exchange && sendKey == key ? WarrenTracing.PublishDestinationName(exchange, key) : null;
                Assert.Equal(expected, destination.For(sendExchange, sendKey));
                Assert.Equal(exchange.Length == 0 ? key : key.Length == 0 ? exchange : exchange + ":" + key, WarrenTracing.PublishDestinationName(exchange, key));
            },
            c => $"contract ('{c.Item1}', '{c.Item2}'), publish ('{c.Item3}', '{c.Item4}')");

        var user = new PublishDestination("user.events", "user.created");
        Assert.Same(user.For("user.events", "user.created"), user.For("user.events", new string("user.created".AsSpan())));
    }

    [Fact]
    public void Span_names_are_made_once_per_destination_and_per_rpc_method()
    {
        var destination = "orders.retry." + Guid.NewGuid().ToString("N");
        var name = TelemetryNames.PublishSpanName(destination);
        Assert.Equal("publish " + destination, name);
        Assert.Same(name, TelemetryNames.PublishSpanName(new string(destination.AsSpan())));

        var method = "Get" + Guid.NewGuid().ToString("N");
        var rpc = TelemetryNames.RpcClientSpanName("orders", method);
        Assert.Equal("orders/" + method, rpc);
        Assert.Same(rpc, TelemetryNames.RpcClientSpanName("orders", new string(method.AsSpan())));
    }

    [Fact]
    public void Past_its_bound_a_cache_still_gives_the_right_name_but_keeps_no_more()
    {
        var made = 0;
        var cache = new NameCache<string>(3, key => { made++; return "publish " + key; });
        for (var round = 0; round < 2; round++)
        {
            foreach (var key in new[] { "a", "b", "c", "d", "e" })
            {
                Assert.Equal("publish " + key, cache.Get(new string(key.AsSpan())));
            }
        }

        Assert.Equal(3, cache.Count);
        Assert.Equal(5 + 2, made); // a, b, c kept; d and e made on each use
    }
}

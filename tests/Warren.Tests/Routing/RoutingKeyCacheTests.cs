using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CsCheck;
using Warren.Infrastructure;
using Xunit;

namespace Warren.Tests.Routing;

/// <summary>
/// The routing keys generated code keeps per message type: whatever sequence of values is published, from one thread
/// or many, each gets exactly the key built for it, and values the key cannot take fail every time (never kept).
/// </summary>
public sealed class RoutingKeyCacheTests
{
    private static string Build((string? Region, int Version) values) =>
        "order." + RoutingKeys.Segment(values.Region, "Region", "Order") + ".v" + RoutingKeys.Segment(values.Version, "Version", "Order");

    /// <summary>Few distinct values (so they repeat and share table entries) and some the key cannot take.</summary>
    private static readonly string?[] Regions = ["eu", "us", "ap", "e", "", null, "a.b", "eu-west", "u", "sa"];

    private static readonly Gen<(string? Region, int Version)> Values =
        Gen.Select(Gen.Int[0, Regions.Length - 1].Select(i => Regions[i]), Gen.Int[-3, 40]);

    private static string? Expected((string? Region, int Version) values)
    {
        try
        {
            return Build(values);
        }
        catch (InvalidRoutingKeyException)
        {
            return null;
        }
    }

    [Fact]
    public void Every_publish_gets_the_key_built_for_its_values()
    {
        Property.ForAll(
            Values.Array[1, 200],
            100,
            sequence =>
            {
                object? slot = null;
                foreach (var values in sequence)
                {
                    var expected = Expected(values);
                    if (expected is null)
                    {
                        Assert.Throws<InvalidRoutingKeyException>(() => RoutingKeyCache.Get(ref slot, values, Build));
                    }
                    else
                    {
                        Assert.Equal(expected, RoutingKeyCache.Get(ref slot, values, Build));
                    }
                }
            },
            sequence => string.Join(", ", sequence.Select(v => $"({v.Region ?? "null"}, {v.Version})")));
    }

    [Fact]
    public void A_repeated_value_builds_nothing_and_a_single_string_value_works_as_its_own_key()
    {
        object? slot = null;
        var builds = 0;
        string BuildCounting(string? region)
        {
            builds++;
            return "order." + RoutingKeys.Segment(region, "Region", "Order") + ".placed";
        }

        var first = RoutingKeyCache.Get(ref slot, "eu", BuildCounting);
        var second = RoutingKeyCache.Get(ref slot, new string("eu".AsSpan()), BuildCounting);
        Assert.Equal("order.eu.placed", first);
        Assert.Same(first, second);
        Assert.Equal(1, builds);
        Assert.Throws<InvalidRoutingKeyException>(() => RoutingKeyCache.Get(ref slot, (string?)null, BuildCounting));
        Assert.Throws<InvalidRoutingKeyException>(() => RoutingKeyCache.Get(ref slot, (string?)null, BuildCounting));
        Assert.Equal(3, builds);
    }

    [Fact]
    public async Task Concurrent_publishes_each_get_their_own_key()
    {
        object? slot = null;
        var failures = 0;
        var tasks = Enumerable.Range(0, 4).Select(t => Task.Run(() =>
        {
            var random = new Random(t);
            string[] regions = ["eu", "us", "ap", "sa", "af", "me", "cn", "in"];
            for (var i = 0; i < 50_000; i++)
            {
                var values = (regions[random.Next(regions.Length)], random.Next(64));
                if (RoutingKeyCache.Get(ref slot, values, static v => Build(v)) != Build(values))
                {
                    Interlocked.Increment(ref failures);
                }
            }
        }));
        await Task.WhenAll(tasks);
        Assert.Equal(0, failures);
    }
    private sealed record Order(string? Region);

    private static Gen<string> OneOf(params string[] values) => Gen.Int[0, values.Length - 1].Select(i => values[i]);

    /// <summary>
    /// The runtime key of a one-placeholder template (what generated contracts use for a string placeholder) against the
    /// key built by hand from the template's parts, for random templates, values (some the key cannot take) and orders.
    /// </summary>
    [Fact]
    public void A_placeholder_key_is_the_template_with_the_word_in_its_place()
    {
        var words = OneOf("order", "eu", "", "a.b", "x-1", "#", "*", "{", "}");
        var templates = Gen.Select(words, OneOf(".", "", "-"), words, OneOf(".", "", "}"), words)
            .Select(t => (Prefix: t.Item1 + t.Item2, Suffix: t.Item4 + t.Item5))
            .Where(t => !t.Prefix.Contains('{', StringComparison.Ordinal) && !t.Prefix.Contains('}', StringComparison.Ordinal));
        Property.ForAll(
            Gen.Select(templates, Gen.Int[0, Regions.Length - 1].Select(i => Regions[i]).Array[1, 40]),
            100,
            c =>
            {
                var key = new PlaceholderRoutingKey<Order>(c.Item1.Prefix + "{Region}" + c.Item1.Suffix, static order => order.Region);
                foreach (var region in c.Item2)
                {
                    string? expected;
                    try
                    {
                        expected = c.Item1.Prefix + RoutingKeys.Segment(region, "Region", nameof(Order)) + c.Item1.Suffix;
                    }
                    catch (InvalidRoutingKeyException)
                    {
                        expected = null;
                    }

                    if (expected is null)
                    {
                        var error = Assert.Throws<InvalidRoutingKeyException>(() => key.For(new Order(region)));
                        Assert.StartsWith("Order.Region is", error.Message, StringComparison.Ordinal);
                    }
                    else
                    {
                        Assert.Equal(expected, key.For(new Order(region)));
                    }
                }
            },
            c => $"template '{c.Item1.Prefix}{{Region}}{c.Item1.Suffix}', values {string.Join(", ", c.Item2.Select(v => v ?? "null"))}");
    }

    [Fact]
    public void A_placeholder_key_builds_a_repeated_value_once_and_rejects_a_template_without_placeholder()
    {
        var key = new PlaceholderRoutingKey<Order>("order.{Region}.placed", static order => order.Region);
        var first = key.For(new Order("eu"));
        Assert.Equal("order.eu.placed", first);
        Assert.Same(first, key.For(new Order(new string("eu".AsSpan()))));
        Assert.Throws<ArgumentException>(() => new PlaceholderRoutingKey<Order>("order.placed", static order => order.Region));
        Assert.Throws<ArgumentException>(() => new PlaceholderRoutingKey<Order>("order.{Region", static order => order.Region));
    }

    [Fact]
    public void A_placeholder_key_names_a_generic_message_type_as_csharp_writes_it()
    {
        var key = new PlaceholderRoutingKey<Envelope<Order>>("order.{Region}", static envelope => envelope.Body.Region);
        var error = Assert.Throws<InvalidRoutingKeyException>(() => key.For(new Envelope<Order>(new Order("e.u"))));
        Assert.StartsWith("Envelope<Order>.Region is 'e.u'", error.Message, StringComparison.Ordinal);

        var nested = new PlaceholderRoutingKey<Pair<int?, Envelope<string[]>>.Tagged<long>>("x.{Tag}", static _ => null);
        error = Assert.Throws<InvalidRoutingKeyException>(() => nested.For(new Pair<int?, Envelope<string[]>>.Tagged<long>()));
        Assert.StartsWith("Tagged<long>.Tag is empty", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(typeof(Order), "Order")]
    [InlineData(typeof(Envelope<Order>), "Envelope<Order>")]
    [InlineData(typeof(Pair<int?, Envelope<string[]>>), "Pair<int?, Envelope<string[]>>")]
    [InlineData(typeof(Pair<int, int>.Tagged<decimal[,]>), "Tagged<decimal[,]>")]
    [InlineData(typeof(Pair<int, int>.Plain), "Plain")]
    [InlineData(typeof(System.Collections.Generic.Dictionary<string, object>), "Dictionary<string, object>")]
    public void Type_display_names_are_written_as_in_csharp(Type type, string expected) =>
        Assert.Equal(expected, TypeDisplayName.Of(type));

    private sealed record Envelope<T>(T Body);

    private sealed class Pair<TLeft, TRight>
    {
        public sealed class Tagged<TTag>
        {
            public TTag? Tag { get; init; }
        }

        public sealed class Plain;
    }
}

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
}

using System;
using System.Collections.Generic;
using System.Linq;
using CsCheck;
using Xunit;

namespace Warren.Tests;

/// <summary>
/// The delay levels walked as the broker would route them: from the entry exchange, each exchange's bindings are matched
/// (topic semantics, written here independently of the runtime), a queue adds its TTL and dead-letters to its
/// dead-letter exchange, until the message reaches the due queue. The time spent must be exactly the delay asked for.
/// </summary>
public sealed class DelayTopologyTests
{
    [Fact]
    public void Every_delay_in_range_waits_exactly_its_seconds_through_one_route()
    {
        var max = (1L << DelayTopology.Levels) - 1;
        var edges = new[] { 1L, 2, 3, 4, 7, 8, 60, 3600, 86_400, 7 * 86_400, max - 1, max };
        foreach (var seconds in edges)
        {
            Assert.Equal(seconds * 1000, Walk(seconds));
        }

        Property.ForAll(Gen.Long[1, max], 2000, seconds => Assert.Equal(seconds * 1000, Walk(seconds)), s => s.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(2000, Property.LastCount);
    }

    [Fact]
    public void Delays_round_up_to_whole_seconds_and_refuse_what_the_levels_cannot_hold()
    {
        Assert.Equal(0, DelayTopology.SecondsFor(TimeSpan.Zero));
        Assert.Equal(0, DelayTopology.SecondsFor(TimeSpan.FromSeconds(-5)));
        Assert.Equal(1, DelayTopology.SecondsFor(TimeSpan.FromMilliseconds(1)));
        Assert.Equal(1, DelayTopology.SecondsFor(TimeSpan.FromSeconds(1)));
        Assert.Equal(2, DelayTopology.SecondsFor(TimeSpan.FromMilliseconds(1001)));
        Assert.Equal(14 * 86_400, DelayTopology.SecondsFor(TimeSpan.FromDays(14)));
        Assert.Equal((1L << DelayTopology.Levels) - 1, DelayTopology.SecondsFor(DelayTopology.MaxDelay));
        Assert.Throws<ArgumentOutOfRangeException>(() => DelayTopology.SecondsFor(DelayTopology.MaxDelay + TimeSpan.FromSeconds(1)));
        Assert.True(DelayTopology.MaxDelay > TimeSpan.FromDays(90));
    }

    [Fact]
    public void Every_level_ttl_is_one_the_broker_accepts()
    {
        // RabbitMQ refuses an x-message-ttl above 2^32 - 1 ms.
        var ttls = DelayTopology.Build().Queues.Where(q => q.Arguments is not null).Select(q => (long)q.Arguments!["x-message-ttl"]!).ToList();
        Assert.Equal(DelayTopology.Levels, ttls.Count);
        Assert.All(ttls, ttl => Assert.InRange(ttl, 1000, uint.MaxValue));
        Assert.All(DelayTopology.Build().Queues, q => Assert.True(q.Durable));
        Assert.All(DelayTopology.Build().Exchanges, e => Assert.True(e.Durable));
    }

    [Fact]
    public void Options_give_one_delay_and_refuse_a_ttl_with_it()
    {
        Assert.Null(MessagePublisher.DelaySeconds(null));
        Assert.Null(MessagePublisher.DelaySeconds(new PublishOptions()));
        Assert.Null(MessagePublisher.DelaySeconds(new PublishOptions { DeliverAt = DateTimeOffset.UtcNow.AddMinutes(-1) }));
        Assert.Equal(90, MessagePublisher.DelaySeconds(new PublishOptions { Delay = TimeSpan.FromSeconds(90) }));
        Assert.InRange(MessagePublisher.DelaySeconds(new PublishOptions { DeliverAt = DateTimeOffset.UtcNow.AddHours(1) })!.Value, 3599, 3600);
        Assert.Throws<ArgumentException>(() => MessagePublisher.DelaySeconds(new PublishOptions { Delay = TimeSpan.FromSeconds(1), DeliverAt = DateTimeOffset.UtcNow }));
        Assert.Throws<ArgumentException>(() => MessagePublisher.DelaySeconds(new PublishOptions { Delay = TimeSpan.FromSeconds(1), Expiration = TimeSpan.FromSeconds(5) }));
    }

    /// <summary>Routes a message delayed <paramref name="seconds"/> through the declared topology; returns the TTL total in ms.</summary>
    private static long Walk(long seconds)
    {
        var topology = DelayTopology.Build();
        var key = DelayTopology.RoutingKeyFor(seconds);
        var bindings = topology.Bindings.Select(b => (Source: b.Exchange, Destination: b.Queue, b.RoutingKey, ToQueue: true))
            .Concat(DelayTopology.ExchangeBindings().Select(b => (b.Source, b.Destination, RoutingKey: b.Key, ToQueue: false)))
            .ToList();
        var exchange = DelayTopology.EntryExchangeFor(seconds);
        long total = 0;
        for (var hops = 0; hops < 4 * DelayTopology.Levels; hops++)
        {
            var type = topology.Exchanges.Single(e => e.Name == exchange).Type;
            var matches = bindings.Where(b => b.Source == exchange && (type == ExchangeTypes.Fanout || TopicMatches(b.RoutingKey, key))).ToList();
            Assert.True(matches.Count == 1, $"{matches.Count} bindings of exchange '{exchange}' match '{key}'");
            var (_, destination, _, toQueue) = matches[0];
            if (!toQueue)
            {
                exchange = destination;
                continue;
            }

            if (destination == DelayTopology.DueQueue)
            {
                return total;
            }

            var queue = topology.Queues.Single(q => q.Name == destination);
            total += (long)queue.Arguments!["x-message-ttl"]!;
            exchange = (string)queue.Arguments["x-dead-letter-exchange"]!;
        }

        throw new InvalidOperationException($"'{key}' never reached the due queue.");
    }

    private static bool TopicMatches(string pattern, string key)
    {
        var p = pattern.Split('.');
        var k = key.Split('.');
        return p.Length == k.Length && p.Zip(k).All(w => w.First == "*" || w.First == w.Second);
    }
}

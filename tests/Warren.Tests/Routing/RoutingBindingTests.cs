using System;
using System.Linq;
using CsCheck;
using Warren.Infrastructure;
using Xunit;

namespace Warren.Tests.Routing;

/// <summary>
/// The bindings the runtime's <see cref="HandlerDispatcher{THandler, TMessage}"/> matches a delivery of a foreign type
/// against: topic patterns as RabbitMQ matches them (<c>*</c> one word, <c>#</c> zero or more), checked against a
/// reference written another way (recursion over word lists), and direct and fanout bindings.
/// </summary>
public sealed class RoutingBindingTests
{
    private static readonly string[] PatternWords = ["a", "b", "*", "#", ""];
    private static readonly string[] KeyWords = ["a", "b", "c", ""];

    [Theory]
    [InlineData("a.*.c", "a.b.c", true)]
    [InlineData("a.*.c", "a.c", false)]
    [InlineData("a.#", "a", true)]
    [InlineData("a.#", "a.b.c", true)]
    [InlineData("#.c", "c", true)]
    [InlineData("#.c", "a.b.c", true)]
    [InlineData("#.c", "a.b", false)]
    [InlineData("a.#.c", "a.c", true)]
    [InlineData("a.#.c", "a.x.y.c", true)]
    [InlineData("#", "", true)]
    [InlineData("#", "anything.at.all", true)]
    [InlineData("", "", true)]
    [InlineData("", "a", false)]
    [InlineData("*", "", false)]
    [InlineData("a", "a.b", false)]
    [InlineData("#.#", "", true)]
    [InlineData("#.*", "", false)]
    [InlineData("#.*.#", "a", true)]
    [InlineData("a.*", "a.", true)]
    [InlineData("*.*", ".", true)]
    [InlineData("#", ".", true)]
    [InlineData("a..b", "a..b", true)]
    [InlineData("a.#.b", "a..b", true)]
    [InlineData("#.a.#.b.#", "b.a.b", true)]
    [InlineData("#.a.#.b.#", "b.b.a", false)]
    [InlineData(".", "", false)]
    public void A_topic_pattern_matches_as_the_broker_does(string pattern, string key, bool expected)
    {
        Assert.Equal(expected, RoutingBinding.Topic("x", pattern).Matches("x", key));
        Assert.Equal(expected, TopicCases.Reference(pattern, key));
    }

    [Fact]
    public void Random_topic_patterns_and_keys_match_as_the_reference_does()
    {
        var words = (string[] pool) => Gen.Int[0, pool.Length - 1].Select(i => pool[i]).Array[0, 7].Select(w => string.Join('.', w));
        Property.ForAll(
            Gen.Select(words(PatternWords), words(KeyWords)),
            20000,
            c => Assert.Equal(TopicCases.Reference(c.Item1, c.Item2), RoutingBinding.Topic("x", c.Item1).Matches("x", c.Item2)),
            c => $"pattern '{c.Item1}', key '{c.Item2}'");
        Assert.Equal(20000, Property.LastCount);
    }

    [Theory]
    [MemberData(nameof(TopicCases.SeveralHashesData), MemberType = typeof(TopicCases))]
    public void Several_hashes_against_a_long_key_are_decided_in_polynomial_time(string pattern, string key, bool expected)
    {
        // Patterns with several '#' against a key of 120 words: trying every split of the key between the '#'s takes
        // exponential time, so one delivery could hold a consumer for ever.
        var binding = RoutingBinding.Topic("x", pattern);
        Assert.Equal(expected, TopicCases.Within(() => binding.Matches("x", key), $"'{pattern}' against a key of {key.Split('.').Length} words"));
    }

    [Fact]
    public void Another_exchange_never_matches()
    {
        Assert.False(RoutingBinding.Topic("orders", "#").Matches("users", "a"));
        Assert.False(RoutingBinding.Direct("orders", "a").Matches("users", "a"));
        Assert.False(RoutingBinding.Fanout("orders").Matches("users", "a"));
        Assert.False(RoutingBinding.Fanout("orders").Matches("", "orders"));
    }

    [Fact]
    public void A_direct_binding_matches_its_key_exactly_and_a_fanout_binding_every_key()
    {
        Assert.True(RoutingBinding.Direct("tasks", "video.process").Matches("tasks", "video.process"));
        Assert.False(RoutingBinding.Direct("tasks", "video.process").Matches("tasks", "video.*"));
        Assert.False(RoutingBinding.Direct("tasks", "video.*").Matches("tasks", "video.process"));
        Assert.True(RoutingBinding.Fanout("audit").Matches("audit", "anything"));
        Assert.True(RoutingBinding.Fanout("audit").Matches("audit", string.Empty));
    }
}

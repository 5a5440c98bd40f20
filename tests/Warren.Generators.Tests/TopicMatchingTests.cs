using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using CsCheck;
using Warren.Generators.Rules;
using Warren.Generators.Tests.Infrastructure;
using Warren.Infrastructure;
using Warren.Tests.Routing;
using Xunit;

namespace Warren.Generators.Tests;

/// <summary>
/// Topic matching at compile time (<see cref="RouteMatching"/>) and in the dispatchers the generator writes, against the
/// runtime's <see cref="RoutingBinding"/> and a reference written from the definition: they agree on random patterns and
/// keys (empty words, dots in odd places, several <c>#</c>), and decide patterns with many <c>#</c> against long keys
/// in polynomial time.
/// </summary>
public sealed class TopicMatchingTests
{
    private const string Seed = "c2XC4oCRFMO1";

    private static readonly string[] PatternWords = ["a", "b", "*", "#", ""];

    private static readonly string[] KeyWords = ["a", "b", ""];

    /// <summary>Texts of up to <paramref name="max"/> words of <paramref name="pool"/>, joined by dots.</summary>
    internal static Gen<string> Text(string[] pool, int max) =>
        Gen.Int[0, pool.Length - 1].Select(i => pool[i]).Array[0, max].Select(w => string.Join('.', w));

    [Theory]
    [MemberData(nameof(TopicCases.SeveralHashesData), MemberType = typeof(TopicCases))]
    public void The_compile_time_matcher_decides_several_hashes_against_a_long_key_in_polynomial_time(string pattern, string key, bool expected)
    {
        Assert.Equal(expected, TopicCases.Within(() => RouteMatching.CanReach("topic", TopicCases.Words(key), pattern), $"'{pattern}' against a key of 120 words"));

        // A template of as many placeholders (any non-empty word each) reaches the pattern when its key has a word for every '*' and literal word.
        var placeholders = new string?[key.Split('.').Length];
        var literal = pattern.Split('.').Count(w => w != "#");
        Assert.Equal(literal <= placeholders.Length, TopicCases.Within(() => RouteMatching.CanReach("topic", placeholders, pattern), $"'{pattern}' against 120 placeholders"));
    }

    [Fact]
    public void The_runtime_and_compile_time_matchers_agree_with_the_reference_on_random_patterns_and_keys()
    {
        var checkedCases = 0;

        // One sample of 20,000 cases from the fixed seed (CsCheck uses a given seed for its first iteration only).
        Gen.Select(Text(PatternWords, 8), Text(KeyWords, 8)).Array[20000].Sample(
            cases =>
            {
                foreach (var (pattern, key) in cases)
                {
                    var expected = TopicCases.Reference(pattern, key);
                    Assert.True(expected == RoutingBinding.Topic("x", pattern).Matches("x", key), $"runtime: pattern '{pattern}', key '{key}': expected {expected}");
                    Assert.True(expected == RouteMatching.CanReach("topic", TopicCases.Words(key), pattern), $"compile time: pattern '{pattern}', key '{key}': expected {expected}");

                    // On a direct exchange the pattern is a literal key.
                    Assert.True((pattern == key) == RouteMatching.CanReach("direct", TopicCases.Words(key), pattern), $"direct: '{pattern}', key '{key}'");
                    checkedCases++;
                }
            },
            seed: Seed,
            iter: 1,
            threads: 1);
        Assert.Equal(20000, checkedCases);
    }

    [Fact]
    public void A_template_with_placeholders_reaches_a_pattern_when_some_value_of_each_placeholder_does()
    {
        // A placeholder is any non-empty word without a dot: 'a', 'b' and a word no pattern has stand for all of them here.
        string[] values = ["a", "b", "z"];
        var word = Gen.Frequency((1, Gen.Const((string?)null)), (3, Gen.Int[0, KeyWords.Length - 1].Select(i => (string?)KeyWords[i])));
        var checkedCases = 0;
        // A lone empty word is no template's words: the empty key has none.
        var template = word.Array[0, 5].Where(t => t is not [""]);
        Gen.Select(Text(PatternWords, 6), template).Array[3000].Sample(
            cases =>
            {
                foreach (var (pattern, template) in cases)
                {
                    var expected = Expand(template, values).Any(key => TopicCases.Reference(pattern, key));
                    Assert.True(expected == RouteMatching.CanReach("topic", template, pattern), $"pattern '{pattern}', template '{Show(template)}': expected {expected}");
                    checkedCases++;
                }
            },
            seed: Seed,
            iter: 1,
            threads: 1);
        Assert.Equal(3000, checkedCases);
    }

    [Fact]
    public void Generated_dispatchers_match_random_patterns_as_the_reference_does_and_several_hashes_in_polynomial_time()
    {
        var checkedCases = 0;
        Gen.Select(Text(PatternWords, 7).Where(p => p.Length > 0).Array[40], Text(KeyWords, 8).Array[150]).Sample(
            c =>
            {
                var patterns = c.Item1.Concat(TopicCases.SeveralHashes.Select(h => h.Pattern)).Distinct().ToArray();
                var run = GeneratorHarness.Run(Program(patterns), GeneratedApp.ProbeSource);

                // Patterns with '#' between words get the helpers that look for a group of words and go on after it.
                Assert.Contains(run.Sources.Values, source => source.Contains("(string key, ref int p)", StringComparison.Ordinal));
                LineWidth.AssertFits(run.Sources, context: "several-hash patterns");
                var app = GeneratedApp.Load(run);
                string[] edges = ["", ".", "..", "a", "a.", ".a", "a..b", TopicCases.LongKey, TopicCases.LongKey + ".z"];
                var keys = c.Item2.Concat(edges).Distinct().ToArray();
                for (var i = 0; i < patterns.Length; i++)
                {
                    foreach (var key in keys)
                    {
                        var expected = key.Length > 100 ? TopicCases.Memoized(patterns[i], key) : TopicCases.Reference(patterns[i], key);
                        var queue = $"q{i}";
                        var dispatch = () => app.DispatchAsync(queue, """{"Id":"1"}""", type: null, exchange: "events", routingKey: key).GetAwaiter().GetResult();
                        var (outcome, calls) = key.Length > 100 ? TopicCases.Within(dispatch, $"'{patterns[i]}' against a key of {key.Split('.').Length} words") : dispatch();
                        var matched = outcome.Action == DispatchAction.Ack && calls.SequenceEqual([queue + ":1"]);
                        var refused = outcome.Action == DispatchAction.DeadLetter && calls.Length == 0;
                        Assert.True(expected ? matched : refused, $"pattern '{patterns[i]}', key '{key}': expected {(expected ? "a match" : "none")}, got {outcome.Action} with [{string.Join(", ", calls)}]");
                        checkedCases++;
                    }
                }
            },
            seed: Seed,
            iter: 1,
            threads: 1);
        Assert.True(checkedCases > 40 * 100, $"{checkedCases} cases");
    }

    private static string Show(string?[] template) => string.Join('.', template.Select(w => w ?? "{P}"));

    private static IEnumerable<string> Expand(string?[] template, string[] values)
    {
        IEnumerable<string[]> keys = [[]];
        foreach (var word in template)
        {
            keys = keys.SelectMany(k => word is null ? values.Select(v => (string[])[.. k, v]) : [[.. k, word]]);
        }

        return keys.Select(k => string.Join('.', k));
    }

    /// <summary>
    /// A consumer class per pattern, each with two handlers so that the generator writes its own dispatcher with the
    /// pattern's matcher in line: <c>Hit</c> through the pattern on topic exchange <c>events</c>, <c>Other</c> through
    /// exchange <c>other</c> (never used here).
    /// </summary>
    internal static string Program(string[] patterns)
    {
        var source = new StringBuilder("""
            using System.Text.Json.Serialization;
            using System.Threading.Tasks;
            using Probing;
            using Warren;

            namespace Matching;

            [Exchange("events", ExchangeKind.Topic)]
            [Topic("hit")]
            public sealed record Hit(string Id);

            [Exchange("other", ExchangeKind.Topic)]
            [Topic("other")]
            public sealed record Other(string Id);

            [JsonSerializable(typeof(Hit))]
            [JsonSerializable(typeof(Other))]
            internal sealed partial class MatchingJson : JsonSerializerContext;

            """);
        for (var i = 0; i < patterns.Length; i++)
        {
            source.Append($$"""

                [Queue("q{{i}}")]
                public sealed class Consumer{{i}}
                {
                    [Topic("{{patterns[i]}}")]
                    public Task Handle(Hit hit) { Probe.Record("q{{i}}", hit.Id); return Task.CompletedTask; }

                    public Task Handle(Other other) => Task.CompletedTask;
                }

                """);
        }

        return source.ToString();
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using CsCheck;
using RabbitMQ.Client;
using Warren.Generators.Rules;
using Warren.Generators.Tests.Infrastructure;
using Warren.Infrastructure;
using Warren.Tests.Routing;
using Xunit;
using Xunit.Abstractions;

namespace Warren.Generators.Tests.Broker;

/// <summary>
/// The broker is the oracle of topic matching: a topic exchange with a queue bound per random pattern (a small alphabet
/// with <c>*</c>, <c>#</c>, empty words, dots in odd places) gets a message per random key, and which queues received
/// which keys must be exactly what Warren's matchers decide: the runtime's <see cref="RoutingBinding"/>, the
/// compile-time <see cref="RouteMatching"/>, and the dispatchers the generator writes for those patterns.
/// </summary>
[Collection(BrokerNode.Collection)]
public sealed class TopicMatchingBrokerTests(BrokerNodeFixture broker, ITestOutputHelper output)
{
    private static readonly string[] EdgePatterns = ["", "#", "#.#", "*", "*.*", "a.#", "#.a", ".", "a.", ".#", "#.", "*.#.*", "#.*.#", "a..b", "#..#"];

    private static readonly string[] EdgeKeys = ["", ".", "..", "a", "a.", ".a", "a..b", "#", "*", "a.#", "*.a"];

    [Fact]
    public async Task Warrens_matchers_route_random_patterns_and_keys_as_the_broker_does()
    {
        string[] patterns = [];
        string[] keys = [];

        // One sample from the fixed seed (CsCheck uses a given seed for its first iteration only). Keys may hold '*'
        // and '#' as plain words: the broker takes them literally.
        Gen.Select(TopicMatchingTests.Text(["a", "b", "*", "#", ""], 6).Array[40], TopicMatchingTests.Text(["a", "b", "", "*", "#"], 7).Array[120]).Sample(
            c =>
            {
                patterns = [.. EdgePatterns.Concat(c.Item1).Distinct()];
                keys = [.. EdgeKeys.Concat(c.Item2).Distinct()];
            },
            seed: "c2XC4oCRFMO1",
            iter: 1,
            threads: 1);

        var routed = await RouteOnTheBrokerAsync(patterns, keys);

        // The generated dispatchers, for every pattern but the empty one (a handler's [Topic("")] is no pattern).
        var generated = patterns.Where(p => p.Length > 0).ToArray();
        var app = GeneratedApp.Load(GeneratorHarness.Run(TopicMatchingTests.Program(generated), GeneratedApp.ProbeSource));

        var disagreements = new List<string>();
        var matches = 0;
        for (var i = 0; i < patterns.Length; i++)
        {
            var pattern = patterns[i];
            var binding = RoutingBinding.Topic("x", pattern);
            var queue = Array.IndexOf(generated, pattern) is var g and >= 0 ? $"q{g}" : null;
            for (var k = 0; k < keys.Length; k++)
            {
                var key = keys[k];
                var expected = routed[i].Contains(k);
                matches += expected ? 1 : 0;
                Check("runtime", binding.Matches("x", key));
                Check("compile time", RouteMatching.CanReach("topic", TopicCases.Words(key), pattern));
                Check("reference", TopicCases.Reference(pattern, key));
                if (queue is not null)
                {
                    var (outcome, calls) = await app.DispatchAsync(queue, """{"Id":"1"}""", type: null, exchange: "events", routingKey: key);
                    Check("generated", outcome.Action == DispatchAction.Ack && calls.SequenceEqual([queue + ":1"]));
                }

                void Check(string matcher, bool decided)
                {
                    if (decided != expected)
                    {
                        disagreements.Add($"{matcher}: pattern '{pattern}', key '{key}': the broker {(expected ? "routes" : "does not route")} it, Warren says {decided}");
                    }
                }
            }
        }

        output.WriteLine($"{patterns.Length} patterns × {keys.Length} keys, {matches} routed by the broker");
        Assert.True(disagreements.Count == 0, string.Join(Environment.NewLine, disagreements.Take(40)));

        // Both outcomes are well represented, so agreement is not agreement on 'never'.
        Assert.InRange(matches, patterns.Length, patterns.Length * keys.Length - patterns.Length);
    }

    /// <summary>Which keys (by index) each pattern's queue (by index) received from a topic exchange of the broker.</summary>
    private async Task<HashSet<int>[]> RouteOnTheBrokerAsync(string[] patterns, string[] keys)
    {
        var exchange = $"match.{Guid.NewGuid():N}";
        var queues = new string[patterns.Length];
        await using var channel = await broker.Connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        await channel.ExchangeDeclareAsync(exchange, ExchangeType.Topic, durable: false, autoDelete: false);
        try
        {
            for (var i = 0; i < patterns.Length; i++)
            {
                queues[i] = (await channel.QueueDeclareAsync(string.Empty, durable: false, exclusive: true, autoDelete: false)).QueueName;
                await channel.QueueBindAsync(queues[i], exchange, patterns[i]);
            }

            // Confirmed: each message is in every queue it was routed to before its publish completes.
            for (var k = 0; k < keys.Length; k++)
            {
                await channel.BasicPublishAsync(exchange, keys[k], mandatory: false, new BasicProperties(), Encoding.UTF8.GetBytes(k.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }

            var routed = new HashSet<int>[patterns.Length];
            for (var i = 0; i < patterns.Length; i++)
            {
                routed[i] = [];
                while (await channel.BasicGetAsync(queues[i], autoAck: true) is { } message)
                {
                    Assert.True(routed[i].Add(int.Parse(Encoding.UTF8.GetString(message.Body.Span), System.Globalization.CultureInfo.InvariantCulture)));
                }
            }

            return routed;
        }
        finally
        {
            foreach (var queue in queues.Where(q => q is not null))
            {
                await channel.QueueDeleteAsync(queue);
            }

            await channel.ExchangeDeleteAsync(exchange);
        }
    }
}

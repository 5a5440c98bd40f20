using System.Linq;
using Warren.Generators.Tests.Infrastructure;
using Xunit;

namespace Warren.Generators.Tests;

/// <summary>
/// Queues with the default failure policy are declared by one call each; the topology must stay the one the manifest
/// lists, also when a dead-letter queue has a consumer of its own or a policy differs from the default in one detail.
/// </summary>
public sealed class GeneratedTopologyTests
{
    private const string Mixed = """
        using System.Text.Json.Serialization;
        using System.Threading.Tasks;
        using Warren;

        namespace Mixed;

        [Exchange("orders", ExchangeKind.Topic)]
        [Topic("order.placed")]
        public sealed record OrderPlaced(string Id);

        [Queue("standard", Prefetch = 3, Concurrency = 2)]
        public sealed class Standard { public Task Handle(OrderPlaced e) => Task.CompletedTask; }

        [Queue("watched")]
        public sealed class Watched { public Task Handle(OrderPlaced e) => Task.CompletedTask; }

        [Queue("watched.dlq")]
        public sealed class WatchedFailures { public Task Handle(OrderPlaced e) => Task.CompletedTask; }

        [Queue("fewer")]
        [DeadLetter(MaxRetries = 2)]
        public sealed class Fewer { public Task Handle(OrderPlaced e) => Task.CompletedTask; }

        [Queue("slower")]
        [DeadLetter(RetryDelays = new[] { "5s", "30s", "3m" })]
        public sealed class Slower { public Task Handle(OrderPlaced e) => Task.CompletedTask; }

        [Queue("none")]
        [DeadLetter(Enabled = false)]
        public sealed class None { public Task Handle(OrderPlaced e) => Task.CompletedTask; }

        [Queue("capped", MaxLength = 10)]
        public sealed class Capped { public Task Handle(OrderPlaced e) => Task.CompletedTask; }

        // A queue named like the dead-letter exchange of "standard": queues and exchanges are separate on the broker,
        // so the call that declares that exchange does not declare this queue.
        [Queue("standard.dlx")]
        [DeadLetter(Enabled = false)]
        public sealed class NamedLikeAnExchange { public Task Handle(OrderPlaced e) => Task.CompletedTask; }

        [Queue("timed", HandlerTimeout = "10s")]
        public sealed class Timed { public Task Handle(OrderPlaced e) => Task.CompletedTask; }

        [JsonSerializable(typeof(OrderPlaced))]
        internal sealed partial class MixedJson : JsonSerializerContext;
        """;

    public static TheoryData<string> Sources => new(Scenarios.EventBus, Scenarios.TaskQueue, Scenarios.BatchAndDelay, Scenarios.FanoutHeadersQuorum, Scenarios.Rpc, Scenarios.TextAndBytes, Mixed);

    [Theory]
    [MemberData(nameof(Sources))]
    public void The_generated_topology_is_the_one_the_manifest_lists(string source) =>
        GeneratedTopology.AssertMatchesManifest(GeneratorHarness.Run(source, GeneratedApp.ProbeSource));

    [Fact]
    public void Default_policy_queues_are_one_call_each_and_the_others_are_written_out()
    {
        var run = GeneratorHarness.Run(Mixed, GeneratedApp.ProbeSource);
        var topology = run.Sources["Warren.Topology.g.cs"];
        var registration = run.Sources["Warren.Registration.g.cs"];

        // The queue and its one binding are a line of the table the topology declares in one loop.
        Assert.Contains("\"standard\", \"orders\", \"order.placed\",", topology, System.StringComparison.Ordinal);
        Assert.DoesNotContain("new BindingDeclaration(\"orders\", \"standard\"", topology, System.StringComparison.Ordinal);
        // One handler of one message type: the runtime's dispatcher, listed with its settings in its group's file, and
        // the registration loops over the group's list.
        var group = run.Sources.Single(s => s.Key.StartsWith("Warren.Dispatchers", System.StringComparison.Ordinal) && s.Value.Contains("\"standard\"", System.StringComparison.Ordinal));
        Assert.Contains("{ Prefetch = 3, Concurrency = 2 },", group.Value, System.StringComparison.Ordinal);
        var list = System.Text.RegularExpressions.Regex.Match(group.Key, @"Dispatchers(\d\d)").Groups[1].Value;
        Assert.Matches($@"ConsumersWithDefaultRetry\(builder, global::Warren\.Generated\.For_\w+\.WarrenDispatchers{list}\.WithDefaultRetry\);", registration);
        // Its dead-letter queue has a consumer (with no failure policy of its own): the table declares that queue as before.
        Assert.Contains("\"watched\", \"orders\", \"order.placed\",", topology, System.StringComparison.Ordinal);
        foreach (var queue in new[] { "fewer", "slower", "none", "capped" })
        {
            Assert.DoesNotContain($"\"{queue}\", \"orders\", \"order.placed\",", topology, System.StringComparison.Ordinal);
            Assert.DoesNotContain($"QueueWithDefaultRetry(topology, \"{queue}\"", topology, System.StringComparison.Ordinal);
            Assert.Contains($"new BindingDeclaration(\"orders\", \"{queue}\", \"order.placed\")", topology, System.StringComparison.Ordinal);
        }

        Assert.Contains("new QueueDeclaration(\"standard.dlx\"", topology, System.StringComparison.Ordinal);
        Assert.DoesNotContain("ConsumerWithDefaultRetry<global::Mixed.Timed>", registration, System.StringComparison.Ordinal);
        Assert.DoesNotMatch(@"ConsumerWithDefaultRetry\(builder, [\w.:]+\.Mixed_Timed", registration);
        var app = GeneratedApp.Load(run);
        var standard = app.Consumer("standard");
        Assert.Equal((ushort?)3, standard.Prefetch);
        Assert.Equal(2, standard.Concurrency);
        Assert.Equal(3, standard.Retry!.MaxRetries);
        Assert.Equal("standard.dlx", standard.Retry.DeadLetterExchange);
        Assert.Equal("standard", standard.Retry.DeadLetterRoutingKey);
        Assert.Equal([System.TimeSpan.FromSeconds(5), System.TimeSpan.FromSeconds(30), System.TimeSpan.FromMinutes(2)], standard.Retry.Delays);
        Assert.Null(app.Consumer("watched").Prefetch);
    }
}

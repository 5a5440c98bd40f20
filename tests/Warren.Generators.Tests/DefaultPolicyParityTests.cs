using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Warren.Generators.Tests.Infrastructure;
using Xunit;

namespace Warren.Generators.Tests;

/// <summary>
/// The default failure policy's dead-letter exchange, dead-letter queue and retry queues are declared the same by the
/// generated topology and by the runtime (a hand-written <c>ConsumerDefinition</c>): one application can switch from
/// one to the other, or two services mix them, without a 406 on <c>durable</c>, <c>exclusive</c> or an argument.
/// </summary>
public sealed class DefaultPolicyParityTests
{
    private const string Queues = """
        using System.Text.Json.Serialization;
        using System.Threading.Tasks;
        using Warren;

        namespace Parity;

        public sealed record Job(string Id);

        [Queue("p.durable")]
        public sealed class DurableClassic { public Task Handle(Job j) => Task.CompletedTask; }

        [Queue("p.transient", Durable = false)]
        public sealed class TransientClassic { public Task Handle(Job j) => Task.CompletedTask; }

        [Queue("p.hello", Durable = false, DeadLetterArguments = false)]
        public sealed class TransientWithoutArguments { public Task Handle(Job j) => Task.CompletedTask; }

        [Queue("p.quorum", Type = QueueType.Quorum)]
        public sealed class DurableQuorum { public Task Handle(Job j) => Task.CompletedTask; }

        [JsonSerializable(typeof(Job))]
        internal sealed partial class Json : JsonSerializerContext;
        """;

    private static readonly Lazy<Topology> Generated = new(() => GeneratedApp.Load(GeneratorHarness.Run(Queues, GeneratedApp.ProbeSource)).Topology);

    [Theory]
    [InlineData("p.durable")]
    [InlineData("p.transient")]
    [InlineData("p.hello")]
    [InlineData("p.quorum")]
    public void The_runtime_declares_the_policy_topology_the_generator_declares(string queue)
    {
        var generated = Generated.Value;
        var runtime = new Topology().Add(generated.Queues.Single(q => q.Name == queue));
        ConsumerHost.AddDefaultPolicyTopology(runtime, queue, RetryPolicy.CreateDefault(queue));

        var expected = PolicyPart(generated, queue);
        Assert.Equal(6, expected.Count);
        Assert.Equal(expected, PolicyPart(runtime, queue));
    }

    [Fact]
    public void A_non_durable_queues_dead_letter_exchange_and_queues_are_durable()
    {
        var runtime = new Topology().Add(new QueueDeclaration("p.transient", Durable: false));
        ConsumerHost.AddDefaultPolicyTopology(runtime, "p.transient", RetryPolicy.CreateDefault("p.transient"));

        Assert.True(runtime.Exchanges.Single(e => e.Name == "p.transient.dlx").Durable);
        Assert.All(runtime.Queues.Where(q => q.Name != "p.transient"), q => Assert.True(q.Durable && !q.Exclusive && !q.AutoDelete, q.Name));
        Assert.All(Generated.Value.Queues.Where(q => q.Name.StartsWith("p.transient.", StringComparison.Ordinal)), q => Assert.True(q.Durable, q.Name));
    }

    /// <summary>The declarations of a queue's policy (not the work queue itself), one sorted line each.</summary>
    private static List<string> PolicyPart(Topology topology, string queue) =>
        topology.Exchanges.Where(e => e.Name == queue + ".dlx").Select(e => $"exchange {e.Name} {e.Type} durable={e.Durable} autoDelete={e.AutoDelete} {Args(e.Arguments)}")
            .Concat(topology.Queues.Where(q => q.Name.StartsWith(queue + ".", StringComparison.Ordinal)).Select(q => $"queue {q.Name} durable={q.Durable} exclusive={q.Exclusive} autoDelete={q.AutoDelete} {Args(q.Arguments)}"))
            .Concat(topology.Bindings.Where(b => b.Exchange == queue + ".dlx").Select(b => $"binding {b.Exchange} {b.Queue} {b.RoutingKey} {Args(b.Arguments)}"))
            .Order(StringComparer.Ordinal)
            .ToList();

    private static string Args(IReadOnlyDictionary<string, object?>? arguments) =>
        string.Join(", ", (arguments ?? new Dictionary<string, object?>()).OrderBy(a => a.Key, StringComparer.Ordinal)
            .Select(a => a.Key + "=" + Convert.ToString(a.Value, CultureInfo.InvariantCulture)));
}

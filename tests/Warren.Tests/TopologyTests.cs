using System.Collections.Generic;
using System.Linq;
using CsCheck;
using Xunit;

namespace Warren.Tests;

public sealed class TopologyTests
{
    [Fact]
    public void Identical_declarations_merge()
    {
        var topology = new Topology()
            .Add(new ExchangeDeclaration("events", ExchangeTypes.Topic))
            .Add(new ExchangeDeclaration("events", ExchangeTypes.Topic))
            .Add(new QueueDeclaration("q", Arguments: new Dictionary<string, object?> { ["x-max-priority"] = 10 }))
            .Add(new QueueDeclaration("q", Arguments: new Dictionary<string, object?> { ["x-max-priority"] = 10L }))
            .Add(new BindingDeclaration("events", "q", "a.*"))
            .Add(new BindingDeclaration("events", "q", "a.*"));

        Assert.Single(topology.Exchanges);
        Assert.Single(topology.Queues);
        Assert.Single(topology.Bindings);
    }

    [Fact]
    public void Conflicting_exchange_types_are_refused_before_the_broker_sees_them()
    {
        var topology = new Topology().Add(new ExchangeDeclaration("events", ExchangeTypes.Topic));

        var error = Assert.Throws<TopologyConflictException>(() => topology.Add(new ExchangeDeclaration("events", ExchangeTypes.Direct)));

        Assert.Contains("'events'", error.Message, System.StringComparison.Ordinal);
        Assert.Contains("PRECONDITION_FAILED", error.Message, System.StringComparison.Ordinal);
    }

    [Fact]
    public void Conflicting_queue_arguments_are_refused()
    {
        var topology = new Topology().Add(new QueueDeclaration("q", Arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" }));

        Assert.Throws<TopologyConflictException>(() => topology.Add(new QueueDeclaration("q")));
    }

    [Fact]
    public void Merging_keeps_order_and_deduplicates()
    {
        var a = new Topology().Add(new ExchangeDeclaration("x", ExchangeTypes.Fanout)).Add(new QueueDeclaration("q1"));
        var b = new Topology().Add(new ExchangeDeclaration("x", ExchangeTypes.Fanout)).Add(new QueueDeclaration("q2"));

        var merged = new Topology().Add(a).Add(b);

        Assert.Equal(["q1", "q2"], [merged.Queues[0].Name, merged.Queues[1].Name]);
        Assert.Single(merged.Exchanges);
    }

    private static readonly string[] Names = ["a", "b", "c"];

    private static readonly Gen<object> Declaration = Gen.OneOf<object>(
        Gen.Select(Gen.Int[0, 2], Gen.Int[0, 1], Gen.Bool, (n, t, d) => (object)new ExchangeDeclaration(Names[n], t == 0 ? ExchangeTypes.Topic : ExchangeTypes.Direct, d)),
        Gen.Select(Gen.Int[0, 2], Gen.Bool, Gen.Int[0, 2], (n, d, p) => (object)new QueueDeclaration(Names[n], d, Arguments: p == 0 ? null : new Dictionary<string, object?> { ["x-max-priority"] = p })),
        Gen.Select(Gen.Int[0, 2], Gen.Int[0, 2], Gen.Int[0, 1], Gen.Int[0, 2], (e, q, k, h) => (object)new BindingDeclaration(Names[e], Names[q], k == 0 ? "k" : "k.*", h == 0 ? null : new Dictionary<string, object?> { ["h"] = h == 1 ? 1 : 1L })));

    [Fact]
    public void Any_sequence_of_declarations_keeps_first_wins_order_and_refuses_every_conflict()
    {
        Property.ForAll(
            Declaration.Array[0, 30],
            500,
            sequence =>
            {
                var topology = new Topology();
                var exchanges = new List<ExchangeDeclaration>();
                var queues = new List<QueueDeclaration>();
                var bindings = new List<BindingDeclaration>();
                foreach (var item in sequence)
                {
                    var conflict = item switch
                    {
                        ExchangeDeclaration e => exchanges.Find(x => x.Name == e.Name) is { } x && !(x.Type == e.Type && x.Durable == e.Durable && x.AutoDelete == e.AutoDelete && Topology.ArgumentsEqual(x.Arguments, e.Arguments)),
                        QueueDeclaration q => queues.Find(x => x.Name == q.Name) is { } x && !(x.Durable == q.Durable && x.Exclusive == q.Exclusive && x.AutoDelete == q.AutoDelete && Topology.ArgumentsEqual(x.Arguments, q.Arguments)),
                        _ => false,
                    };
                    var add = () => item switch
                    {
                        ExchangeDeclaration e => topology.Add(e),
                        QueueDeclaration q => topology.Add(q),
                        _ => topology.Add((BindingDeclaration)item),
                    };
                    if (conflict)
                    {
                        Assert.Throws<TopologyConflictException>(add);
                        continue;
                    }

                    add();
                    switch (item)
                    {
                        case ExchangeDeclaration e when !exchanges.Exists(x => x.Name == e.Name):
                            exchanges.Add(e);
                            break;
                        case QueueDeclaration q when !queues.Exists(x => x.Name == q.Name):
                            queues.Add(q);
                            break;
                        case BindingDeclaration b when !bindings.Exists(x => x.Exchange == b.Exchange && x.Queue == b.Queue && x.RoutingKey == b.RoutingKey && Topology.ArgumentsEqual(x.Arguments, b.Arguments)):
                            bindings.Add(b);
                            break;
                    }
                }

                Assert.Equal(exchanges, topology.Exchanges);
                Assert.Equal(queues, topology.Queues);
                Assert.Equal(bindings, topology.Bindings);
            },
            sequence => string.Join("; ", sequence.Select(d => d.ToString())));
        Assert.True(Property.LastCount > 0);
    }
}

using System.Collections.Generic;
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
}

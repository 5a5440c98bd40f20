using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Xunit;

namespace Warren.Tests.Consuming;

public sealed class DefaultPolicyTopologyTests
{
    [Fact]
    public void The_default_policy_declares_what_the_equivalent_dead_letter_attribute_declares()
    {
        var topology = new Topology().Add(new QueueDeclaration("orders"));

        ConsumerHost.AddDefaultPolicyTopology(topology, "orders", RetryPolicy.CreateDefault("orders"));

        Assert.Equal(new ExchangeDeclaration("orders.dlx", ExchangeTypes.Direct), Assert.Single(topology.Exchanges));
        Assert.Equal(["orders", "orders.dlq", "orders.retry.1", "orders.retry.2", "orders.retry.3"], topology.Queues.Select(q => q.Name));
        Assert.Equal(new BindingDeclaration("orders.dlx", "orders.dlq", "orders"), Assert.Single(topology.Bindings));
        var ttls = topology.Queues.Skip(2).Select(q => q.Arguments!["x-message-ttl"]);
        Assert.Equal([5_000L, 30_000L, 120_000L], ttls);
        Assert.All(topology.Queues.Skip(2), q =>
        {
            Assert.Equal(string.Empty, q.Arguments!["x-dead-letter-exchange"]);
            Assert.Equal("orders", q.Arguments["x-dead-letter-routing-key"]);
        });
    }

    [Fact]
    public void Quorum_work_queues_get_quorum_dead_letter_and_retry_queues_and_existing_declarations_are_kept()
    {
        var own = new QueueDeclaration("orders.dlq", Arguments: new Dictionary<string, object?> { ["x-max-length"] = 10L });
        var topology = new Topology()
            .Add(new QueueDeclaration("orders", Arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" }))
            .Add(own);

        ConsumerHost.AddDefaultPolicyTopology(topology, "orders", RetryPolicy.CreateDefault("orders"));

        Assert.Same(own, topology.Queues.Single(q => q.Name == "orders.dlq"));
        Assert.All(topology.Queues.Where(q => q.Name.Contains(".retry.", StringComparison.Ordinal)), q => Assert.Equal("quorum", q.Arguments!["x-queue-type"]));
    }

    [Fact]
    public void A_stream_gets_a_quorum_dead_letter_queue_and_no_retry_queues()
    {
        var topology = new Topology().Add(new QueueDeclaration("audit", Arguments: new Dictionary<string, object?> { ["x-queue-type"] = "stream" }));

        ConsumerHost.AddDefaultPolicyTopology(topology, "audit", RetryPolicy.CreateStreamDefault("audit"));

        Assert.Equal(["audit", "audit.dlq"], topology.Queues.Select(q => q.Name));
        Assert.Equal("quorum", topology.Queues[1].Arguments!["x-queue-type"]);
        Assert.Equal(new BindingDeclaration("audit.dlx", "audit.dlq", "audit"), Assert.Single(topology.Bindings));
    }

    [Fact]
    public void A_consumer_re_declares_only_its_own_part_of_the_topology()
    {
        var all = new Topology()
            .Add(new ExchangeDeclaration("shop", ExchangeTypes.Topic))
            .Add(new ExchangeDeclaration("other", ExchangeTypes.Topic))
            .Add(new QueueDeclaration("orders"))
            .Add(new QueueDeclaration("billing"))
            .Add(new BindingDeclaration("shop", "orders", "orders.*"))
            .Add(new BindingDeclaration("other", "billing", "#"));
        var policy = RetryPolicy.CreateDefault("orders");
        ConsumerHost.AddDefaultPolicyTopology(all, "orders", policy);

        var own = ConsumerHost.TopologyOf(all, "orders", policy);

        Assert.Equal(["orders.dlx", "shop"], own.Exchanges.Select(e => e.Name).Order());
        Assert.Equal(["orders", "orders.dlq", "orders.retry.1", "orders.retry.2", "orders.retry.3"], own.Queues.Select(q => q.Name).Order());
        Assert.Equal(2, own.Bindings.Count);
    }

    [Fact]
    public void Disabled_is_one_instance_and_the_default_has_the_documented_shape()
    {
        Assert.True(RetryPolicy.Disabled.IsDisabled);
        Assert.False(RetryPolicy.CreateDefault("q").IsDisabled);
        var policy = RetryPolicy.CreateDefault("q");
        Assert.Equal(0, policy.ImmediateRetries);
        Assert.Equal(RetryPolicy.DefaultMaxRetries, policy.MaxRetries);
        Assert.Equal([TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2)], RetryPolicy.DefaultDelays);
        Assert.Equal("q.dlx", policy.DeadLetterExchange);
        Assert.Equal("q", policy.DeadLetterRoutingKey);
    }
}

public sealed class StreamDetectionTests
{
    [Fact]
    public void A_consumer_of_a_queue_declared_as_a_stream_reads_it_as_a_stream_from_next()
    {
        var dispatcher = MessageDispatcher.Create(System.Text.Json.Serialization.Metadata.JsonMetadataServices.CreateValueInfo<int>(new System.Text.Json.JsonSerializerOptions(), System.Text.Json.Serialization.Metadata.JsonMetadataServices.Int32Converter), (_, _) => ValueTask.CompletedTask);
        var topology = new Topology()
            .Add(new QueueDeclaration("audit", Arguments: new Dictionary<string, object?> { ["x-queue-type"] = "stream" }))
            .Add(new QueueDeclaration("orders"));

        var stream = ConsumerHost.AsStreamConsumer(new ConsumerDefinition("audit", dispatcher) { Prefetch = 7 }, topology);
        var classic = new ConsumerDefinition("orders", dispatcher);
        var own = new ConsumerDefinition("audit", dispatcher) { Stream = new StreamConsumer(StreamOffset.First) };

        Assert.Equal(new StreamConsumer(StreamOffset.Next), stream.Stream);
        Assert.Equal((ushort)7, stream.Prefetch);
        Assert.Same(classic, ConsumerHost.AsStreamConsumer(classic, topology));
        Assert.Same(own, ConsumerHost.AsStreamConsumer(own, topology));
    }
}

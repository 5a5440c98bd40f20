using System;
using System.Linq;
using System.Threading.Tasks;
using Warren.Generators.Parsing;
using Warren.Generators.Tests.Infrastructure;
using Xunit;

namespace Warren.Generators.Tests;

/// <summary>
/// The generated dispatchers and registration, loaded and driven with hand-made deliveries: the default failure
/// policy, foreign <c>type</c> values, and RPC requests that name their method by routing key or not at all.
/// </summary>
public sealed class DispatchTests
{
    private const string Orders = """
        using System.Text.Json.Serialization;
        using System.Threading.Tasks;
        using Probing;
        using Warren;

        namespace Shop;

        [Exchange("orders", ExchangeKind.Topic)]
        [Topic("order.placed")]
        public sealed record OrderPlaced(string Id);

        [Exchange("orders", ExchangeKind.Topic)]
        [Topic("order.cancelled")]
        public sealed record OrderCancelled(string Id);

        [Exchange("audit", ExchangeKind.Fanout)]
        public sealed record Audited(string Text);

        [Queue("fulfilment")]
        public sealed class Fulfilment
        {
            public Task Handle(OrderPlaced evt) { Probe.Record("placed", evt.Id); return Task.CompletedTask; }

            public Task Handle(OrderCancelled evt) { Probe.Record("cancelled", evt.Id); return Task.CompletedTask; }

            public Task Handle(Audited evt) { Probe.Record("audited", evt.Text); return Task.CompletedTask; }
        }

        [Queue("billing")]
        public sealed class Billing
        {
            public Task Handle(OrderPlaced evt) { Probe.Record("billing", evt.Id); return Task.CompletedTask; }
        }

        [Queue("fulfilment.dlq")]
        public sealed class FulfilmentFailures
        {
            public Task Handle(OrderPlaced evt) { Probe.Record("failed", evt.Id); return Task.CompletedTask; }
        }

        [Queue("ledger")]
        [DeadLetter(Enabled = false)]
        public sealed class Ledger
        {
            public Task Handle(OrderCancelled evt) => Task.CompletedTask;
        }

        [JsonSerializable(typeof(OrderPlaced))]
        [JsonSerializable(typeof(OrderCancelled))]
        [JsonSerializable(typeof(Audited))]
        internal sealed partial class ShopJson : JsonSerializerContext;
        """;

    private static readonly Lazy<GeneratedApp> OrdersApp = new(() => GeneratedApp.Load(GeneratorHarness.Run(Orders, GeneratedApp.ProbeSource)));

    [Fact]
    public void The_generator_defaults_equal_the_runtime_defaults()
    {
        Assert.Equal(RetryPolicy.DefaultMaxRetries, FailurePolicyDefaults.MaxRetries);
        Assert.Equal(RetryPolicy.DefaultDelays, FailurePolicyDefaults.RetryDelays.Select(ms => TimeSpan.FromMilliseconds(ms)));
    }

    [Fact]
    public void A_class_without_dead_letter_gets_the_default_policy_queues_and_arguments()
    {
        var app = OrdersApp.Value;
        var retry = app.Consumer("billing").Retry!;
        Assert.Equal(3, retry.MaxRetries);
        Assert.Equal([TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2)], retry.Delays);
        Assert.Equal("billing.dlx", retry.DeadLetterExchange);
        Assert.Equal("billing", retry.DeadLetterRoutingKey);

        var queue = app.Topology.Queues.Single(q => q.Name == "billing");
        Assert.Equal("billing.dlx", queue.Arguments!["x-dead-letter-exchange"]);
        Assert.Equal("billing", queue.Arguments["x-dead-letter-routing-key"]);
        Assert.Contains(app.Topology.Exchanges, e => e.Name == "billing.dlx" && e.Type == "direct");
        Assert.Contains(app.Topology.Bindings, b => b.Exchange == "billing.dlx" && b.Queue == "billing.dlq" && b.RoutingKey == "billing");
        Assert.Equal(["billing.retry.1", "billing.retry.2", "billing.retry.3"], app.Topology.Queues.Select(q => q.Name).Where(n => n.StartsWith("billing.retry.", StringComparison.Ordinal)));
    }

    [Fact]
    public void Enabled_false_opts_out_of_dead_letter_queues_and_retries()
    {
        var app = OrdersApp.Value;
        Assert.Same(RetryPolicy.Disabled, app.Consumer("ledger").Retry);
        Assert.DoesNotContain(app.Topology.Queues, q => q.Name.StartsWith("ledger.", StringComparison.Ordinal));
        Assert.Null(app.Topology.Queues.Single(q => q.Name == "ledger").Arguments);
        Assert.DoesNotContain(app.Topology.Exchanges, e => e.Name.StartsWith("ledger.", StringComparison.Ordinal));
    }

    [Fact]
    public void A_dead_letter_queue_consumer_is_not_bound_to_the_work_exchange_and_does_not_loop()
    {
        var app = OrdersApp.Value;
        Assert.DoesNotContain(app.Topology.Bindings, b => b.Queue == "fulfilment.dlq" && b.Exchange == "orders");
        Assert.Contains(app.Topology.Bindings, b => b.Exchange == "fulfilment.dlx" && b.Queue == "fulfilment.dlq");

        // Declared exactly as the dead-letter queue is (no arguments), so both declarations agree.
        Assert.Null(app.Topology.Queues.Single(q => q.Name == "fulfilment.dlq").Arguments);
        var retry = app.Consumer("fulfilment.dlq").Retry!;
        Assert.Equal("fulfilment.dlq.dlx", retry.DeadLetterExchange);
        Assert.Contains(app.Topology.Bindings, b => b.Exchange == "fulfilment.dlq.dlx" && b.Queue == "fulfilment.dlq.dlq");
    }

    [Fact]
    public async Task A_known_type_selects_its_handler()
    {
        var (outcome, calls) = await OrdersApp.Value.DispatchAsync("fulfilment", """{"Id":"7"}""", type: "order-cancelled", exchange: "orders", routingKey: "order.cancelled");

        Assert.Equal(DispatchAction.Ack, outcome.Action);
        Assert.Equal(["cancelled:7"], calls);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("com.example.OrderPlacedEvent")]
    public async Task A_foreign_or_missing_type_goes_by_routing_key(string? type)
    {
        var (outcome, calls) = await OrdersApp.Value.DispatchAsync("fulfilment", """{"Id":"8"}""", type, exchange: "orders", routingKey: "order.placed");

        Assert.Equal(DispatchAction.Ack, outcome.Action);
        Assert.Equal(["placed:8"], calls);
    }

    [Fact]
    public async Task A_fanout_binding_selects_by_exchange()
    {
        var (outcome, calls) = await OrdersApp.Value.DispatchAsync("fulfilment", """{"Text":"x"}""", "their-audit", exchange: "audit", routingKey: "whatever");

        Assert.Equal(DispatchAction.Ack, outcome.Action);
        Assert.Equal(["audited:x"], calls);
    }

    [Fact]
    public async Task A_foreign_type_matching_no_binding_is_dead_lettered_with_type_and_key()
    {
        var (outcome, calls) = await OrdersApp.Value.DispatchAsync("fulfilment", """{"Id":"9"}""", "their.type", exchange: "orders", routingKey: "order.shipped");

        Assert.Equal(DispatchAction.DeadLetter, outcome.Action);
        Assert.Empty(calls);
        Assert.Contains("their.type", outcome.Reason, StringComparison.Ordinal);
        Assert.Contains("order.shipped", outcome.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_retried_untyped_copy_goes_by_its_original_routing_key()
    {
        var headers = new System.Collections.Generic.Dictionary<string, object?>
        {
            [DeadLetterHeaders.OriginalExchange] = "orders"u8.ToArray(),
            [DeadLetterHeaders.OriginalRoutingKey] = "order.cancelled"u8.ToArray(),
            [RetryPolicy.RetriesHeader] = 1,
        };
        var (outcome, calls) = await OrdersApp.Value.DispatchAsync("fulfilment", """{"Id":"10"}""", null, exchange: "", routingKey: "fulfilment", headers);

        Assert.Equal(DispatchAction.Ack, outcome.Action);
        Assert.Equal(["cancelled:10"], calls);
    }

    [Theory]
    [InlineData(null, "", "billing")]
    [InlineData(null, "orders", "order.placed")]
    [InlineData("their-type", "orders", "order.placed")]
    public async Task A_single_handler_queue_takes_untyped_messages_and_foreign_types_from_its_bindings(string? type, string exchange, string key)
    {
        var (outcome, calls) = await OrdersApp.Value.DispatchAsync("billing", """{"Id":"11"}""", type, exchange, key);

        Assert.Equal(DispatchAction.Ack, outcome.Action);
        Assert.Equal(["billing:11"], calls);
    }

    [Theory]
    [InlineData("orders", "order.refunded")]
    [InlineData("", "billing")]
    public async Task A_single_handler_queue_dead_letters_a_foreign_type_from_elsewhere(string exchange, string key)
    {
        var (outcome, calls) = await OrdersApp.Value.DispatchAsync("billing", """{"Id":"12"}""", "their-type", exchange, key);

        Assert.Equal(DispatchAction.DeadLetter, outcome.Action);
        Assert.Empty(calls);
    }
}

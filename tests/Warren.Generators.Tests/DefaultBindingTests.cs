using System;
using System.Linq;
using System.Threading.Tasks;
using Warren.Generators.Tests.Infrastructure;
using Xunit;

namespace Warren.Generators.Tests;

/// <summary>
/// A message without <c>[Topic]</c> is published to its exchange with its contract name as the routing key: a handler
/// of it binds that key (the <c>[Message]</c> name, or the qualified name WRN035 warns about), so the publish is routed.
/// The binding does not change which handler of a class receives what.
/// </summary>
public sealed class DefaultBindingTests
{
    private const string Alerts = """
        using System.Text.Json.Serialization;
        using System.Threading.Tasks;
        using Probing;
        using Warren;

        namespace Alerts;

        [Exchange("s.local", ExchangeKind.Direct)]
        public sealed record LocalAlert(string Text);

        [Exchange("s.events", ExchangeKind.Topic)]
        [Message("alert.raised")]
        public sealed record AlertRaised(string Text);

        [Exchange("s.local", ExchangeKind.Direct)]
        public sealed record OtherAlert(string Text);

        [Exchange("s.fan", ExchangeKind.Fanout)]
        public sealed record Broadcast(string Text);

        [Queue("s.alerts2")]
        public sealed class A2 { public Task Handle(LocalAlert a) { Probe.Record("a2", a.Text); return Task.CompletedTask; } }

        [Queue("s.raised")]
        public sealed class Raised { public Task Handle(AlertRaised a) { Probe.Record("raised", a.Text); return Task.CompletedTask; } }

        [Queue("s.several")]
        [Exchange("s.local", ExchangeKind.Direct)]
        public sealed class Several
        {
            public Task Handle(LocalAlert a) { Probe.Record("local", a.Text); return Task.CompletedTask; }

            public Task Handle(OtherAlert a) { Probe.Record("other", a.Text); return Task.CompletedTask; }

            public Task Handle(Broadcast a) { Probe.Record("broadcast", a.Text); return Task.CompletedTask; }

            [Topic("raw-text")]
            public Task Handle(string text) { Probe.Record("text", text); return Task.CompletedTask; }
        }

        [Queue("s.dm")]
        public sealed class DefaultExchangeOnly { public Task Handle(Unrouted a) => Task.CompletedTask; }

        public sealed record Unrouted(string Text);

        [Publisher]
        public partial interface IAlerts
        {
            ValueTask Local(LocalAlert alert);
        }

        [JsonSerializable(typeof(LocalAlert))]
        [JsonSerializable(typeof(AlertRaised))]
        [JsonSerializable(typeof(OtherAlert))]
        [JsonSerializable(typeof(Broadcast))]
        [JsonSerializable(typeof(Unrouted))]
        internal sealed partial class AlertJson : JsonSerializerContext;
        """;

    private const string Qualified = """
        using System.Text.Json.Serialization;
        using System.Threading.Tasks;
        using Warren;

        namespace Users
        {
            [Exchange("q.users", ExchangeKind.Direct)]
            public sealed record Created(string Id);
        }

        namespace Billing
        {
            [Exchange("q.billing", ExchangeKind.Topic)]
            public sealed record Created(string Id);
        }

        namespace App
        {
            [Queue("q.users-created")]
            public sealed class UsersCreated { public Task Handle(Users.Created c) => Task.CompletedTask; }

            [Queue("q.billing-created")]
            public sealed class BillingCreated { public Task Handle(Billing.Created c) => Task.CompletedTask; }

            [JsonSerializable(typeof(Users.Created), TypeInfoPropertyName = "UsersCreated")]
            [JsonSerializable(typeof(Billing.Created), TypeInfoPropertyName = "BillingCreated")]
            internal sealed partial class Json : JsonSerializerContext;
        }
        """;

    private static readonly Lazy<GeneratedApp> AlertsApp = new(() => GeneratedApp.Load(GeneratorHarness.Run(Alerts, GeneratedApp.ProbeSource)));

    [Fact]
    public void A_handler_of_a_message_without_topic_binds_its_contract_name_on_a_direct_and_a_topic_exchange()
    {
        var bindings = AlertsApp.Value.Topology.Bindings;

        Assert.Contains(bindings, b => b is { Exchange: "s.local", Queue: "s.alerts2", RoutingKey: "local-alert" });
        Assert.Contains(bindings, b => b is { Exchange: "s.events", Queue: "s.raised", RoutingKey: "alert.raised" });
        Assert.Equal(
            ["broadcast|", "local-alert", "other-alert", "raw-text"],
            bindings.Where(b => b.Queue == "s.several").Select(b => b.Exchange == "s.fan" ? "broadcast|" + b.RoutingKey : b.RoutingKey).Order(StringComparer.Ordinal));

        // A message without [Exchange] goes to the default exchange, which routes by queue name: nothing to bind.
        Assert.DoesNotContain(bindings, b => b.Queue == "s.dm");
    }

    [Fact]
    public void The_manifest_lists_the_default_binding_as_the_topology_declares_it() =>
        GeneratedTopology.AssertMatchesManifest(GeneratorHarness.Run(Alerts, GeneratedApp.ProbeSource));

    [Fact]
    public void A_qualified_contract_name_is_the_key_bound()
    {
        var app = GeneratedApp.Load(GeneratorHarness.Run(Qualified, GeneratedApp.ProbeSource));

        Assert.Contains(app.Topology.Bindings, b => b is { Exchange: "q.users", Queue: "q.users-created", RoutingKey: "users.created" });
        Assert.Contains(app.Topology.Bindings, b => b is { Exchange: "q.billing", Queue: "q.billing-created", RoutingKey: "billing.created" });
        Assert.DoesNotContain(app.Topology.Bindings, b => b.RoutingKey == "created");
    }

    [Theory]
    [InlineData("local-alert", "local-alert", "local:1")]
    [InlineData("other-alert", "local-alert", "other:1")]
    [InlineData("local-alert", "other-alert", "local:1")]
    [InlineData(null, "local-alert", "local:1")]
    [InlineData(null, "other-alert", "other:1")]
    public async Task Several_handlers_still_choose_by_type_first_then_by_the_key_published_with(string? type, string key, string expected)
    {
        var (outcome, calls) = await AlertsApp.Value.DispatchAsync("s.several", """{"Text":"1"}""", type, exchange: "s.local", routingKey: key);

        Assert.Equal(DispatchAction.Ack, outcome.Action);
        Assert.Equal([expected], calls);
    }

    [Fact]
    public async Task The_text_handler_keeps_its_own_key()
    {
        var (outcome, calls) = await AlertsApp.Value.DispatchAsync("s.several", "hello", type: null, exchange: "s.local", routingKey: "raw-text");

        Assert.Equal(DispatchAction.Ack, outcome.Action);
        Assert.Equal(["text:hello"], calls);
    }
}

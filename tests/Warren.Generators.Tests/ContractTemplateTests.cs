using System;
using Microsoft.Extensions.DependencyInjection;
using Warren.Generators.Tests.Infrastructure;
using Xunit;

namespace Warren.Generators.Tests;

/// <summary>
/// The generated contracts carry the routing key's template, as written in <c>[Topic]</c>, so metrics and spans name
/// the route by it instead of by the concrete, unbounded key.
/// </summary>
public sealed class ContractTemplateTests
{
    private const string Source = """
        using System.Text.Json.Serialization;
        using Warren;

        namespace Shop;

        [Exchange("users", ExchangeKind.Topic)]
        [Topic("user.{Region}.created.v{Version}")]
        public sealed record UserCreated(string Region, int Version);

        [Exchange("users", ExchangeKind.Topic)]
        [Topic("user.deleted")]
        public sealed record UserDeleted(string Id);

        [Exchange("audit", ExchangeKind.Fanout)]
        public sealed record Audited(string Text);

        [JsonSerializable(typeof(UserCreated))]
        [JsonSerializable(typeof(UserDeleted))]
        [JsonSerializable(typeof(Audited))]
        internal sealed partial class ShopJson : JsonSerializerContext;
        """;

    private static readonly Lazy<GeneratedApp> App = new(() => GeneratedApp.Load(GeneratorHarness.Run(Source)));

    [Theory]
    [InlineData("Shop.UserCreated", "user.{Region}.created.v{Version}")]
    [InlineData("Shop.UserDeleted", "user.deleted")]
    // No [Topic]: the fixed key is the contract name, and it is its own template.
    [InlineData("Shop.Audited", "audited")]
    public void The_contract_carries_the_routing_key_template(string type, string template)
    {
        var contracts = App.Value.Services.GetRequiredService<MessageContracts>();
        var contract = typeof(MessageContracts).GetMethod(nameof(MessageContracts.Find))!.MakeGenericMethod(App.Value.Type(type)).Invoke(contracts, null)
            ?? throw new InvalidOperationException($"no contract for {type}");

        Assert.Equal(template, contract.GetType().GetProperty("RoutingKeyTemplate")!.GetValue(contract));
    }
}

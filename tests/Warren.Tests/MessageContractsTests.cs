using System;
using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Warren.Tests;

public sealed record ContractProbe(string Region);

public sealed record UnregisteredProbe(int Value);

public sealed record GenericProbe<T>(T Body);

[JsonSerializable(typeof(ContractProbe))]
[JsonSerializable(typeof(UnregisteredProbe))]
internal sealed partial class ContractTestJson : JsonSerializerContext;

public sealed class MessageContractsTests
{
    [Fact]
    public void Registered_contract_is_found_and_builds_routing_keys()
    {
        var contracts = new MessageContracts();
        contracts.Register(new MessageContract<ContractProbe>("probe.v1", ContractTestJson.Default.ContractProbe, "events", m => $"probe.{m.Region}", priority: 4));

        var contract = contracts.Get<ContractProbe>();

        Assert.Equal("probe.v1", contract.Name);
        Assert.Equal("events", contract.Exchange);
        Assert.Equal((byte)4, contract.Priority);
        Assert.Equal("probe.eu", contract.RoutingKeyFor(new ContractProbe("eu")));
    }

    [Fact]
    public void Missing_contract_says_how_to_add_one()
    {
        var contracts = new MessageContracts();
        Assert.Null(contracts.Find<UnregisteredProbe>());

        var error = Assert.Throws<InvalidOperationException>(() => contracts.Get<UnregisteredProbe>());

        Assert.Contains(typeof(UnregisteredProbe).FullName!, error.Message, StringComparison.Ordinal);
        Assert.Contains("[Exchange]", error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// A generic message type cannot take [Exchange] and [Topic] (WRN023): the error for a closed type without a contract
    /// does not advise them, and says what gives one.
    /// </summary>
    [Fact]
    public void Missing_contract_of_a_closed_generic_type_does_not_advise_attributes()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new MessageContracts().Get<GenericProbe<ContractProbe>>());

        Assert.DoesNotContain("give it [Exchange] and [Topic]", error.Message, StringComparison.Ordinal);
        Assert.Contains("WRN023", error.Message, StringComparison.Ordinal);
        Assert.Contains("AddContract", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_service_collection_keeps_its_own_routes()
    {
        var first = new ServiceCollection();
        first.AddWarren().AddContract(new MessageContract<ContractProbe>("probe.v1", ContractTestJson.Default.ContractProbe, "first", "a"));
        first.AddWarren(); // a second call shares the table of the first
        var second = new ServiceCollection();
        second.AddWarren().AddContract(new MessageContract<ContractProbe>("probe.v1", ContractTestJson.Default.ContractProbe, "second", "b"));

        using var one = first.BuildServiceProvider();
        using var two = second.BuildServiceProvider();

        Assert.Equal("first", one.GetRequiredService<MessageContracts>().Get<ContractProbe>().Exchange);
        Assert.Equal("second", two.GetRequiredService<MessageContracts>().Get<ContractProbe>().Exchange);
        Assert.Single(first, d => d.ServiceType == typeof(MessageContracts));
    }
}

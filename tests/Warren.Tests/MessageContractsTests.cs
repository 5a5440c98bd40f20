using System;
using System.Text.Json.Serialization;
using Xunit;

namespace Warren.Tests;

public sealed record ContractProbe(string Region);

public sealed record UnregisteredProbe(int Value);

[JsonSerializable(typeof(ContractProbe))]
[JsonSerializable(typeof(UnregisteredProbe))]
internal sealed partial class ContractTestJson : JsonSerializerContext;

public sealed class MessageContractsTests
{
    [Fact]
    public void Registered_contract_is_found_and_builds_routing_keys()
    {
        MessageContracts.Register(new MessageContract<ContractProbe>("probe.v1", ContractTestJson.Default.ContractProbe, "events", m => $"probe.{m.Region}", priority: 4));

        var contract = MessageContracts.Get<ContractProbe>();

        Assert.Equal("probe.v1", contract.Name);
        Assert.Equal("events", contract.Exchange);
        Assert.Equal((byte)4, contract.Priority);
        Assert.Equal("probe.eu", contract.RoutingKeyFor(new ContractProbe("eu")));
    }

    [Fact]
    public void Missing_contract_says_how_to_add_one()
    {
        Assert.Null(MessageContracts.Find<UnregisteredProbe>());

        var error = Assert.Throws<InvalidOperationException>(() => MessageContracts.Get<UnregisteredProbe>());

        Assert.Contains(typeof(UnregisteredProbe).FullName!, error.Message, StringComparison.Ordinal);
        Assert.Contains("[Exchange]", error.Message, StringComparison.Ordinal);
    }
}

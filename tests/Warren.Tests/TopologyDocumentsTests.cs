using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using Xunit;

namespace Warren.Tests;

public sealed class TopologyDocumentsTests
{
    private static readonly Topology Sample = new Topology()
        .Add(new ExchangeDeclaration("orders \"eu\"", ExchangeTypes.Topic))
        .Add(new ExchangeDeclaration("docs", ExchangeTypes.Headers, Durable: false, AutoDelete: true))
        .Add(new QueueDeclaration("billing", Arguments: new Dictionary<string, object?>
        {
            ["x-dead-letter-exchange"] = "billing.dlx",
            ["x-message-ttl"] = 60000L,
            ["x-single-active-consumer"] = true,
            ["x-max-priority"] = 10,
        }))
        .Add(new QueueDeclaration("billing.retry.1", Arguments: new Dictionary<string, object?>
        {
            ["x-dead-letter-exchange"] = "",
            ["x-dead-letter-routing-key"] = "billing",
        }))
        .Add(new BindingDeclaration("orders \"eu\"", "billing", "order.*.placed"))
        .Add(new BindingDeclaration("docs", "billing", Arguments: new Dictionary<string, object?> { ["x-match"] = "any", ["kind"] = "pdf" }));

    [Fact]
    public void Definitions_are_json_rabbitmq_imports_with_typed_arguments()
    {
        using var document = JsonDocument.Parse(TopologyDocuments.DefinitionsJson(Sample, "shop"));
        var root = document.RootElement;

        var exchange = root.GetProperty("exchanges")[1];
        Assert.Equal("docs", exchange.GetProperty("name").GetString());
        Assert.Equal("shop", exchange.GetProperty("vhost").GetString());
        Assert.False(exchange.GetProperty("durable").GetBoolean());
        Assert.True(exchange.GetProperty("auto_delete").GetBoolean());
        var arguments = root.GetProperty("queues")[0].GetProperty("arguments");
        Assert.Equal(60000, arguments.GetProperty("x-message-ttl").GetInt64());
        Assert.Equal(JsonValueKind.True, arguments.GetProperty("x-single-active-consumer").ValueKind);
        Assert.Equal(10, arguments.GetProperty("x-max-priority").GetInt32());
        var bindings = root.GetProperty("bindings").EnumerateArray().ToList();
        Assert.Equal("orders \"eu\"", bindings[0].GetProperty("source").GetString());
        Assert.Equal("any", bindings[1].GetProperty("arguments").GetProperty("x-match").GetString());
    }

    [Fact]
    public void Mermaid_shows_bindings_retries_and_dead_letters_with_safe_labels()
    {
        var lines = TopologyDocuments.Mermaid(Sample).Split('\n');

        Assert.Equal("flowchart LR", lines[0]);
        Assert.Contains("    x_orders__eu_{{\"orders #quot;eu#quot; (topic)\"}}", lines);
        Assert.Contains("    x_orders__eu_ -- \"order.*.placed\" --> q_billing", lines);
        Assert.Contains("    x_docs -- \"any: kind=pdf\" --> q_billing", lines);
        Assert.Contains("    q_billing -. dead letters .-> x_billing_dlx", lines);
        Assert.Contains("    q_billing_retry_1 -. retry .-> q_billing", lines);
    }
}

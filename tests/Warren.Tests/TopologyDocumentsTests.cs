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
        Assert.Contains("    x_orders_20__22_eu_22_{{\"orders #quot;eu#quot; (topic)\"}}", lines);
        Assert.Contains("    x_orders_20__22_eu_22_ -- \"order.*.placed\" --> q_billing", lines);
        Assert.Contains("    x_docs -- \"any: kind=pdf\" --> q_billing", lines);
        Assert.Contains("    q_billing -. dead letters .-> x_billing__dlx", lines);
        Assert.Contains("    q_billing__retry__1 -. retry .-> q_billing", lines);
    }

    [Fact]
    public void Mermaid_gives_exchanges_used_but_not_declared_a_node_of_their_own()
    {
        var topology = new Topology()
            .Add(new QueueDeclaration("rpc.stock", Arguments: new Dictionary<string, object?> { ["x-dead-letter-exchange"] = "shared.dlx" }))
            .Add(new BindingDeclaration("amq.direct", "rpc.stock", "stock.check"))
            .Add(new BindingDeclaration("amq.direct", "rpc.stock", "stock.reserve"));

        var lines = TopologyDocuments.Mermaid(topology).Split('\n');

        Assert.Single(lines, l => l == "    x_amq__direct{{\"amq.direct\"}}");
        Assert.Single(lines, l => l == "    x_shared__dlx{{\"shared.dlx\"}}");
        Assert.Contains("    x_amq__direct -- \"stock.check\" --> q_rpc__stock", lines);
        Assert.Contains("    q_rpc__stock -. dead letters .-> x_shared__dlx", lines);
        var nodes = lines.Where(l => l.Contains("{{", System.StringComparison.Ordinal)).ToList();
        Assert.True(nodes.Count == 2, string.Join('\n', lines));
        Assert.True(
            System.Array.FindIndex(lines, l => l.StartsWith("    x_amq__direct{{", System.StringComparison.Ordinal)) < System.Array.FindIndex(lines, l => l.StartsWith("    x_amq__direct --", System.StringComparison.Ordinal)),
            "the node comes before the edges that use it");
    }

    [Fact]
    public void Mermaid_declares_each_exchange_once_when_it_is_declared_and_used()
    {
        var lines = TopologyDocuments.Mermaid(Sample).Split('\n');

        Assert.Single(lines, l => l.StartsWith("    x_docs{{", System.StringComparison.Ordinal));
        Assert.Single(lines, l => l == "    x_billing__dlx{{\"billing.dlx\"}}");
    }

    [Fact]
    public void Mermaid_gives_names_that_differ_only_in_punctuation_nodes_of_their_own()
    {
        // Before, every character but letters and digits became '_': a.b and a_b were one box.
        var topology = new Topology()
            .Add(new ExchangeDeclaration("a.b", ExchangeTypes.Topic))
            .Add(new ExchangeDeclaration("a_b", ExchangeTypes.Direct))
            .Add(new ExchangeDeclaration("a-b", ExchangeTypes.Fanout))
            .Add(new QueueDeclaration("a.b"))
            .Add(new QueueDeclaration("a_b"))
            .Add(new QueueDeclaration("a b"))
            .Add(new BindingDeclaration("a.b", "a_b", "k1"))
            .Add(new BindingDeclaration("a_b", "a.b", "k2"));

        var lines = TopologyDocuments.Mermaid(topology).Split('\n');

        var exchanges = lines.Where(l => l.Contains("{{", System.StringComparison.Ordinal)).Select(NodeId).ToList();
        var queues = lines.Where(l => l.Contains("[(", System.StringComparison.Ordinal)).Select(NodeId).ToList();
        Assert.Equal(3, exchanges.Distinct().Count());
        Assert.Equal(3, queues.Distinct().Count());
        var ab = NodeOf(lines, "{{\"a.b (topic)\"}}");
        var a_b = NodeOf(lines, "{{\"a_b (direct)\"}}");
        var qab = NodeOf(lines, "[(\"a.b\")]");
        var qa_b = NodeOf(lines, "[(\"a_b\")]");
        Assert.Contains($"    {ab} -- \"k1\" --> {qa_b}", lines);
        Assert.Contains($"    {a_b} -- \"k2\" --> {qab}", lines);

        // Stable: the same name gets the same id in another diagram, whatever else it holds.
        var alone = TopologyDocuments.Mermaid(new Topology().Add(new ExchangeDeclaration("a.b", ExchangeTypes.Topic))).Split('\n');
        Assert.Equal(ab, NodeOf(alone, "{{\"a.b (topic)\"}}"));
    }

    [Fact]
    public void Mermaid_ids_hold_only_letters_digits_and_underscores_and_stay_distinct_for_any_name()
    {
        string[] names = ["orders", "orders.eu", "orders_eu", "orders__eu", "orders..eu", "orders-eu", "orders eu", "orders\"eu\"", "ordres.é", "ordres.e", "end", "a{b}", "a[b]", "a(b)", "x-->y", "a;b", "a|b", "a:b", "a/b", "_", ".", "", "🐇", "a.5f.b", "a_5f_b", "a._2e_"];
        var topology = new Topology();
        foreach (var name in names)
        {
            topology.Add(new QueueDeclaration(name));
        }

        var ids = TopologyDocuments.Mermaid(topology).Split('\n').Where(l => l.Contains("[(", System.StringComparison.Ordinal)).Select(NodeId).ToList();

        Assert.Equal(names.Length, ids.Count);
        Assert.Equal(names.Length, ids.Distinct().Count());
        Assert.All(ids, id => Assert.Matches("^q_[A-Za-z0-9_]*$", id));
    }

    private static string NodeId(string line) => line.Trim().Split('{', '[')[0];

    private static string NodeOf(string[] lines, string shape) => NodeId(Assert.Single(lines, l => l.EndsWith(shape, System.StringComparison.Ordinal)));
}

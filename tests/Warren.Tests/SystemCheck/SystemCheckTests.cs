extern alias tool;

using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using CsCheck;
using tool::Warren.Manifest;
using Xunit;

namespace Warren.Tests.SystemCheck;

/// <summary>
/// The system check's rules on manifests written by hand (the integration tests get them from real builds): each
/// finding on the smallest system that has it, nothing on a clean one, and routing-key reachability against a
/// brute-force oracle.
/// </summary>
public sealed class SystemCheckTests
{
    private static ServiceManifest Service(string name, Action<ServiceManifest>? configure = null)
    {
        var manifest = new ServiceManifest { Service = name, Kind = "service" };
        configure?.Invoke(manifest);
        return manifest;
    }

    private static Dictionary<string, JsonElement> Arguments(string json) =>
        JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json)!;

    /// <summary>A shop publishing orders to a topic exchange and calling stock; a warehouse binding and serving them.</summary>
    private static List<ServiceManifest> Clean() =>
    [
        Service("Shop", s =>
        {
            s.Exchanges.Add(new ExchangeEntry("orders", "topic"));
            s.Publishes.Add(new PublishEntry("order.placed", "Shop.OrderPlaced", "orders", "order.{Region}.placed"));
            s.Calls.Add(new RpcEntry("stock", "rpc.stock"));
        }),
        Service("Warehouse", s =>
        {
            s.Exchanges.Add(new ExchangeEntry("orders", "topic"));
            s.Exchanges.Add(new ExchangeEntry("warehouse.dlx", "direct"));
            s.Queues.Add(new QueueEntry("warehouse", Arguments: Arguments("""{"x-dead-letter-exchange":"warehouse.dlx","x-queue-type":"quorum"}""")));
            s.Queues.Add(new QueueEntry("warehouse.dlq"));
            s.Queues.Add(new QueueEntry("rpc.stock"));
            s.Bindings.Add(new BindingEntry("orders", "warehouse", "order.*.placed"));
            s.Bindings.Add(new BindingEntry("warehouse.dlx", "warehouse.dlq", "warehouse"));
            s.Bindings.Add(new BindingEntry("amq.direct", "rpc.stock", "stock.check"));
            s.Consumes.Add(new ConsumeEntry("warehouse", "order.placed", "Shop.OrderPlaced"));
            s.Serves.Add(new RpcEntry("stock", "rpc.stock"));
        }),
    ];

    private static List<Finding> Check(List<ServiceManifest> services) => tool::Warren.Manifest.SystemCheck.Run(tool::Warren.Manifest.SystemCheck.Services(services));

    [Fact]
    public void A_clean_system_has_no_findings()
    {
        Assert.Empty(Check(Clean()));
    }

    [Fact]
    public void An_exchange_or_queue_declared_differently_by_two_services_is_an_error()
    {
        var system = Clean();
        system.Add(Service("Audit", s =>
        {
            s.Exchanges.Add(new ExchangeEntry("orders", "direct"));
            s.Queues.Add(new QueueEntry("warehouse", Arguments: Arguments("""{"x-dead-letter-exchange":"warehouse.dlx","x-queue-type":"classic"}""")));
        }));

        var findings = Check(system);

        var exchange = Assert.Single(findings, f => f.Id == "WRS001");
        Assert.Equal(Severity.Error, exchange.Severity);
        Assert.Contains("Audit declares direct", exchange.Message, StringComparison.Ordinal);
        Assert.Contains("Shop and Warehouse declare topic", exchange.Message, StringComparison.Ordinal);
        var queue = Assert.Single(findings, f => f.Id == "WRS002");
        Assert.Contains("x-queue-type=classic", queue.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Two services consuming one queue with different retry delays declare its retry queues with different TTLs: each
    /// retry queue that differs is its own WRS002, naming it, and a service alone on one side "declares".
    /// </summary>
    [Fact]
    public void Each_retry_queue_declared_differently_is_reported()
    {
        static QueueEntry Retry(int level, long ttl) => new($"orders.billing-results.retry.{level}", Arguments: Arguments($$"""{"x-dead-letter-exchange":"","x-dead-letter-routing-key":"orders.billing-results","x-message-ttl":{{ttl}}}"""));
        var system = Clean();
        system.Add(Service("Shop.Billing", s =>
        {
            s.Queues.Add(Retry(1, 5000));
            s.Queues.Add(Retry(2, 30000));
            s.Queues.Add(Retry(3, 120000));
        }));
        system.Add(Service("Shop.Orders", s =>
        {
            s.Queues.Add(Retry(1, 1000));
            s.Queues.Add(Retry(2, 2000));
        }));

        var findings = Check(system).Where(f => f.Id == "WRS002").ToList();

        Assert.Equal(2, findings.Count);
        Assert.Contains(findings, f => f.Message.Contains("'orders.billing-results.retry.1'", StringComparison.Ordinal));
        Assert.Contains(findings, f => f.Message.Contains("'orders.billing-results.retry.2'", StringComparison.Ordinal));
        Assert.All(findings, f => Assert.Contains("Shop.Billing declares ", f.Message, StringComparison.Ordinal));
        Assert.All(findings, f => Assert.Contains("Shop.Orders declares ", f.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void Arguments_that_differ_only_in_number_representation_are_the_same_declaration()
    {
        var system = Clean();
        system.Add(Service("Mirror", s => s.Queues.Add(new QueueEntry("warehouse", Arguments: Arguments("""{"x-queue-type":"quorum","x-dead-letter-exchange":"warehouse.dlx"}""")))));

        Assert.Empty(Check(system));
    }

    [Fact]
    public void A_published_contract_nobody_binds_is_an_error_and_a_binding_nobody_publishes_to_a_warning()
    {
        var system = Clean();
        system[0].Publishes.Add(new PublishEntry("order.cancelled", "Shop.OrderCancelled", "orders", "order.{Region}.cancelled"));
        system[1].Bindings.Add(new BindingEntry("orders", "warehouse", "order.*.shipped"));

        var findings = Check(system);

        var unbound = Assert.Single(findings, f => f.Id == "WRS003");
        Assert.Equal(Severity.Error, unbound.Severity);
        Assert.Contains("Shop publishes 'order.cancelled' to 'orders' with routing key 'order.{Region}.cancelled'", unbound.Message, StringComparison.Ordinal);
        var unpublished = Assert.Single(findings, f => f.Id == "WRS004");
        Assert.Equal(Severity.Warning, unpublished.Severity);
        Assert.Contains("'order.*.shipped'", unpublished.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Publishing_to_an_exchange_nobody_declares_or_a_missing_queue_is_an_error()
    {
        var system = Clean();
        system[0].Publishes.Add(new PublishEntry("audit", "Shop.Audit", "audit", "audit"));
        system[0].Publishes.Add(new PublishEntry("job", "Shop.Job", string.Empty, "jobs"));

        var findings = Check(system).Where(f => f.Id == "WRS003").Select(f => f.Message).ToList();

        Assert.Contains(findings, m => m.Contains("exchange 'audit', which no service declares", StringComparison.Ordinal));
        Assert.Contains(findings, m => m.Contains("queue 'jobs' (default exchange), which no service declares", StringComparison.Ordinal));
    }

    [Fact]
    public void An_rpc_service_called_but_not_served_is_an_error()
    {
        var system = Clean();
        system[0].Calls.Add(new RpcEntry("payment", "rpc.payment"));

        var finding = Assert.Single(Check(system));

        Assert.Equal("WRS005", finding.Id);
        Assert.Contains("Shop calls the RPC service 'payment'", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_services_consuming_one_queue_with_different_contracts_is_an_error_but_instances_of_one_contract_set_are_not()
    {
        var system = Clean();
        system.Add(Service("Warehouse2", s => s.Consumes.Add(new ConsumeEntry("warehouse", "order.placed", "Shop.OrderPlaced"))));
        Assert.Empty(Check(system));

        system.Add(Service("Returns", s => s.Consumes.Add(new ConsumeEntry("warehouse", "order.returned", "Shop.OrderReturned"))));
        var finding = Assert.Single(Check(system), f => f.Id == "WRS006");
        Assert.Contains("Returns handles order.returned", finding.Message, StringComparison.Ordinal);
        Assert.Contains("Warehouse and Warehouse2 handle order.placed", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_and_bytes_have_no_contract_to_collide_and_a_text_publish_to_a_missing_queue_names_its_type()
    {
        var system = Clean();
        system[0].Publishes.Add(new PublishEntry(string.Empty, "string", string.Empty, "hello"));
        system[1].Queues.Add(new QueueEntry("images"));
        system[1].Consumes.Add(new ConsumeEntry("images", string.Empty, "byte[]"));

        var finding = Assert.Single(Check(system));
        Assert.Equal("WRS003", finding.Id);
        Assert.Contains("'text or bytes (string)' to the queue 'hello'", finding.Message, StringComparison.Ordinal);

        system[1].Queues.Add(new QueueEntry("hello"));
        Assert.Empty(Check(system));
    }

    [Fact]
    public void A_contract_name_naming_two_types_is_an_error()
    {
        var system = Clean();
        system[1].Consumes[0] = new ConsumeEntry("warehouse", "order.placed", "Warehouse.OrderPlaced");

        var finding = Assert.Single(Check(system), f => f.Id == "WRS007");
        Assert.Contains("Shop.OrderPlaced in Shop", finding.Message, StringComparison.Ordinal);
        Assert.Contains("Warehouse.OrderPlaced in Warehouse", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_library_registered_by_a_host_is_checked_as_part_of_the_host()
    {
        var system = Clean();
        var host = Service("WarehouseHost", s => s.Modules.Add("Warehouse"));
        host.Consumes.AddRange(system[1].Consumes);
        system.Add(host);

        Assert.Equal(["Shop", "WarehouseHost"], tool::Warren.Manifest.SystemCheck.Services(system).Select(s => s.Service));
    }

    [Fact]
    public void Drift_against_exported_definitions_reports_missing_and_differently_declared_entities()
    {
        var definitions = JsonSerializer.Deserialize(
            """
            {"rabbit_version":"3.10.8","exchanges":[{"name":"orders","vhost":"/","type":"direct","durable":true,"auto_delete":false,"internal":false,"arguments":{}}],
             "queues":[{"name":"warehouse","vhost":"/","durable":true,"auto_delete":false,"arguments":{"x-queue-type":"quorum","x-dead-letter-exchange":"warehouse.dlx"}},
                       {"name":"rpc.stock","vhost":"other","durable":true,"auto_delete":false,"arguments":{}}],
             "bindings":[{"source":"orders","vhost":"/","destination":"warehouse","destination_type":"queue","routing_key":"order.*.placed","arguments":{}}]}
            """,
            ManifestJson.Default.BrokerDefinitions)!;

        var findings = BrokerDrift.Compare(tool::Warren.Manifest.SystemCheck.Services(Clean()), definitions, "/");

        var differs = Assert.Single(findings, f => f.Id == "WRS011");
        Assert.Equal("The exchange 'orders' (declared by Shop and Warehouse) is declared topic, durable, arguments {}, the broker has direct, durable, arguments {}.", differs.Message);
        Assert.Contains(findings, f => f.Id == "WRS010" && f.Message.StartsWith("The queue 'rpc.stock'", StringComparison.Ordinal));
        Assert.Contains(findings, f => f.Id == "WRS010" && f.Message.StartsWith("The exchange 'warehouse.dlx'", StringComparison.Ordinal));
        Assert.DoesNotContain(findings, f => f.Message.StartsWith("The queue 'warehouse'", StringComparison.Ordinal));
        Assert.DoesNotContain(findings, f => f.Message.Contains("'order.*.placed'", StringComparison.Ordinal));
    }

    [Fact]
    public void The_system_diagram_draws_services_publishing_consuming_and_calling()
    {
        var diagram = SystemDiagram.Render(tool::Warren.Manifest.SystemCheck.Services(Clean()));

        Assert.StartsWith("flowchart LR\n", diagram, StringComparison.Ordinal);
        Assert.Contains("    s_Shop -- \"order.{Region}.placed\" --> x_orders\n", diagram, StringComparison.Ordinal);
        Assert.Contains("    q_warehouse --> s_Warehouse\n", diagram, StringComparison.Ordinal);
        Assert.Contains("    s_Shop -. \"rpc stock\" .-> q_rpc__stock\n", diagram, StringComparison.Ordinal);
        Assert.Contains("    x_orders -- \"order.*.placed\" --> q_warehouse\n", diagram, StringComparison.Ordinal);
    }

    /// <summary>
    /// Reachability of a template through a binding agrees with trying every key over a small alphabet, empty words and
    /// the empty key included (read as the broker reads them: the empty key has no words).
    /// </summary>
    [Fact]
    public void Routing_reachability_agrees_with_enumerating_keys()
    {
        var templateWord = OneOf("a", "b", "{P}", string.Empty);
        var bindingWord = OneOf("a", "b", "*", "#", string.Empty);
        var gen = Gen.Select(templateWord.Array[0, 4], bindingWord.Array[0, 4], OneOf("topic", "direct"));
        Property.ForAll(
            gen,
            5000,
            c =>
            {
                var (template, binding, type) = c;
                var (templateText, bindingText) = (string.Join('.', template), string.Join('.', binding));
                var pattern = WordsOf(bindingText);
                var expected = Keys(WordsOf(templateText)).Any(key => type == "topic" ? TopicMatches(key, pattern) : key.SequenceEqual(pattern));
                Assert.Equal(expected, RoutingMatch.CanReach(type, templateText, bindingText));
            },
            c => $"{c.Item3}: template '{string.Join('.', c.Item1)}', binding '{string.Join('.', c.Item2)}'");
    }

    [Theory]
    [InlineData("topic", "", "*", false)]
    [InlineData("topic", "", "#", true)]
    [InlineData("topic", "", "", true)]
    [InlineData("topic", "order.{Region}", "order.", false)]
    [InlineData("topic", "order.", "order.*", true)]
    [InlineData("direct", "order.{Region}", "order.", false)]
    public void The_empty_key_and_empty_words_are_read_as_the_broker_reads_them(string type, string template, string binding, bool reaches) =>
        Assert.Equal(reaches, RoutingMatch.CanReach(type, template, binding));

    private static string[] WordsOf(string key) => key.Length == 0 ? [] : key.Split('.');

    private static Gen<string> OneOf(params string[] choices) => Gen.Int[0, choices.Length - 1].Select(i => choices[i]);

    /// <summary>Every key a template produces with placeholders drawn from {a, b, c, *, #} (literal words on the wire).</summary>
    private static IEnumerable<string[]> Keys(string[] template)
    {
        IEnumerable<string[]> keys = [[]];
        foreach (var word in template)
        {
            var choices = word == "{P}" ? ["a", "b", "c", "*", "#"] : new[] { word };
            keys = keys.SelectMany(k => choices.Select(w => k.Append(w).ToArray())).ToList();
        }

        return keys;
    }

    /// <summary>RabbitMQ's topic matching of a concrete key, written plainly.</summary>
    private static bool TopicMatches(string[] key, string[] pattern)
    {
        if (pattern.Length == 0)
        {
            return key.Length == 0;
        }

        if (pattern[0] == "#")
        {
            return Enumerable.Range(0, key.Length + 1).Any(skip => TopicMatches(key[skip..], pattern[1..]));
        }

        return key.Length > 0 && (pattern[0] == "*" || pattern[0] == key[0]) && TopicMatches(key[1..], pattern[1..]);
    }
}

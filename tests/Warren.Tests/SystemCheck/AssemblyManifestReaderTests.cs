extern alias tool;

using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Reflection.Emit;
using tool::Warren.Manifest;
using Xunit;

namespace Warren.Tests.SystemCheck;

/// <summary>
/// The manifest as the tool reads it from a built assembly's <c>AssemblyMetadata</c>: a JSON array per kind with
/// default-policy queues by name and default values left out (format 3, what the generator emits), a JSON array per
/// kind (format 2), an attribute per entry (format 1, libraries built by an earlier Warren), both in one assembly, and
/// the errors for a newer format and an invalid entry. The assemblies are written here with
/// <see cref="PersistedAssemblyBuilder"/>; the packaging tests read ones the generator wrote in real builds.
/// </summary>
public sealed class AssemblyManifestReaderTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("warren-manifest-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Format_3_expands_default_policy_queues_with_the_runtimes_default_retry_delays()
    {
        // The generator lists a queue as default-policy when its delays are the generator's defaults, which a test of
        // the generator ties to RetryPolicy.DefaultDelays: the reader's expansion must name the same TTLs.
        Assert.Equal(global::Warren.RetryPolicy.DefaultDelays.Select(d => (long)d.TotalMilliseconds), AssemblyManifestReader.DefaultRetryDelays);
    }

    [Fact]
    public void Format_2_reads_every_entry_of_each_kinds_array()
    {
        var path = Write("Shop", ("Warren.Manifest", "2"),
            ("Warren.Exchanges", "[\n{\"name\":\"orders\",\"type\":\"topic\",\"durable\":true,\"autoDelete\":false},\n{\"name\":\"orders.dlx\",\"type\":\"direct\",\"durable\":true,\"autoDelete\":false}\n]"),
            ("Warren.Queues", "[\n{\"name\":\"shop \\\"main\\\" \u00e9\",\"durable\":true,\"exclusive\":false,\"autoDelete\":false,\"arguments\":{\"x-message-ttl\":5000}}\n]"),
            ("Warren.Bindings", "[{\"exchange\":\"orders\",\"queue\":\"shop\",\"routingKey\":\"order.#\",\"arguments\":{}},{\"exchange\":\"orders\",\"queue\":\"shop\",\"routingKey\":\"order.*\",\"arguments\":{}}]"),
            ("Warren.Publishes", "[{\"contract\":\"order.placed\",\"type\":\"Shop.OrderPlaced\",\"exchange\":\"orders\",\"routingKey\":\"order.{Region}\"}]"),
            ("Warren.Consumes", "[{\"queue\":\"shop\",\"contract\":\"order.placed\",\"type\":\"Shop.OrderPlaced\"}]"),
            ("Warren.DeadLetters", "[{\"queue\":\"shop\",\"exchange\":\"orders.dlx\",\"routingKey\":\"shop\"}]"),
            ("Warren.Calls", "[{\"service\":\"stock\",\"queue\":\"rpc.stock\"}]"),
            ("Warren.Serves", "[{\"service\":\"prices\",\"queue\":\"rpc.prices\"},{\"service\":\"tax\",\"queue\":\"rpc.tax\"}]"));

        var manifest = AssemblyManifestReader.Read(path);

        Assert.Equal(["orders", "orders.dlx"], manifest.Exchanges.ConvertAll(e => e.Name));
        var queue = Assert.Single(manifest.Queues);
        Assert.Equal("shop \"main\" \u00e9", queue.Name);
        Assert.Equal(5000, queue.Arguments!["x-message-ttl"].GetInt64());
        Assert.Equal(["order.#", "order.*"], manifest.Bindings.ConvertAll(b => b.RoutingKey));
        Assert.Equal(new PublishEntry("order.placed", "Shop.OrderPlaced", "orders", "order.{Region}"), Assert.Single(manifest.Publishes));
        Assert.Equal(new ConsumeEntry("shop", "order.placed", "Shop.OrderPlaced"), Assert.Single(manifest.Consumes));
        Assert.Equal(new DeadLetterEntry("shop", "orders.dlx", "shop"), Assert.Single(manifest.DeadLetters));
        Assert.Equal(new RpcEntry("stock", "rpc.stock"), Assert.Single(manifest.Calls));
        Assert.Equal(["prices", "tax"], manifest.Serves.ConvertAll(s => s.Service));
    }

    [Fact]
    public void Format_3_expands_each_default_policy_queue_and_reads_left_out_values_as_their_defaults()
    {
        var path = Write("Orders", ("Warren.Manifest", "3"),
            ("Warren.Exchanges", "[\n{\"name\":\"orders\",\"type\":\"topic\"},\n{\"name\":\"temp\",\"type\":\"fanout\",\"durable\":false,\"autoDelete\":true}\n]"),
            ("Warren.Queues", "[{\"name\":\"audit\"}]"),
            ("Warren.DefaultRetryQueues", "[\n\"billing\",\n\"shipping \\\"eu\\\"\"\n]"),
            ("Warren.Bindings", "[{\"exchange\":\"orders\",\"queue\":\"billing\",\"routingKey\":\"order.#\"},{\"exchange\":\"temp\",\"queue\":\"audit\"}]"),
            ("Warren.DeadLetters", "[{\"queue\":\"audit\",\"exchange\":\"audit.dlx\",\"routingKey\":\"audit\"}]"),
            // What a default-policy name stands for, also listed in full (as a library built by format 2 would): once.
            ("Warren.Queue", "{\"name\":\"billing.dlq\",\"durable\":true,\"exclusive\":false,\"autoDelete\":false,\"arguments\":{}}"));

        var manifest = AssemblyManifestReader.Read(path);
        var topology = manifest.ToTopology();

        Assert.Equal(["orders", "temp", "billing.dlx", "shipping \"eu\".dlx"], manifest.Exchanges.ConvertAll(e => e.Name));
        var temp = topology.Exchanges.Single(e => e.Name == "temp");
        Assert.False(temp.Durable);
        Assert.True(temp.AutoDelete);
        Assert.All(topology.Exchanges.Where(e => e.Name != "temp"), e => Assert.True(e.Durable && !e.AutoDelete));
        Assert.Equal("direct", topology.Exchanges.Single(e => e.Name == "billing.dlx").Type);
        Assert.Equal(
            ["audit", "billing", "billing.dlq", "billing.retry.1", "billing.retry.2", "billing.retry.3", "shipping \"eu\"", "shipping \"eu\".dlq", "shipping \"eu\".retry.1", "shipping \"eu\".retry.2", "shipping \"eu\".retry.3"],
            manifest.Queues.ConvertAll(q => q.Name));
        var billing = topology.Queues.Single(q => q.Name == "billing");
        Assert.True(billing.Durable && !billing.Exclusive && !billing.AutoDelete);
        Assert.Equal("billing.dlx", billing.Arguments!["x-dead-letter-exchange"]);
        Assert.Equal("billing", billing.Arguments["x-dead-letter-routing-key"]);
        Assert.Equal(2, billing.Arguments.Count);
        Assert.Null(topology.Queues.Single(q => q.Name == "billing.dlq").Arguments);
        Assert.Equal([5000L, 30000L, 120000L], topology.Queues.Where(q => q.Name.StartsWith("billing.retry.", StringComparison.Ordinal)).Select(q => q.Arguments!["x-message-ttl"]).Cast<long>());
        Assert.All(topology.Queues.Where(q => q.Name.StartsWith("billing.retry.", StringComparison.Ordinal)), q =>
        {
            Assert.Equal(string.Empty, q.Arguments!["x-dead-letter-exchange"]);
            Assert.Equal("billing", q.Arguments["x-dead-letter-routing-key"]);
        });
        Assert.Equal(
            ["billing.dlx|billing.dlq|billing", "shipping \"eu\".dlx|shipping \"eu\".dlq|shipping \"eu\"", "orders|billing|order.#", "temp|audit|"],
            manifest.Bindings.ConvertAll(b => $"{b.Exchange}|{b.Queue}|{b.RoutingKey}"));
        Assert.Equal(
            [new DeadLetterEntry("billing", "billing.dlx", "billing"), new DeadLetterEntry("shipping \"eu\"", "shipping \"eu\".dlx", "shipping \"eu\""), new DeadLetterEntry("audit", "audit.dlx", "audit")],
            manifest.DeadLetters);
    }

    [Fact]
    public void Format_1_entries_are_still_read_and_duplicates_across_both_forms_count_once()
    {
        var path = Write("Legacy", ("Warren.Manifest", "1"),
            ("Warren.Exchange", "{\"name\":\"orders\",\"type\":\"topic\",\"durable\":true,\"autoDelete\":false}"),
            ("Warren.Queue", "{\"name\":\"legacy\",\"durable\":true,\"exclusive\":false,\"autoDelete\":false,\"arguments\":{}}"),
            ("Warren.Binding", "{\"exchange\":\"orders\",\"queue\":\"legacy\",\"routingKey\":\"#\",\"arguments\":{}}"),
            ("Warren.Consumes", "{\"queue\":\"legacy\",\"contract\":\"order.placed\",\"type\":\"Shop.OrderPlaced\"}"),
            ("Warren.Exchanges", "[{\"name\":\"orders\",\"type\":\"topic\",\"durable\":true,\"autoDelete\":false},{\"name\":\"more\",\"type\":\"fanout\",\"durable\":true,\"autoDelete\":false}]"));

        var manifest = AssemblyManifestReader.Read(path);

        Assert.Equal(["orders", "more"], manifest.Exchanges.ConvertAll(e => e.Name));
        Assert.Equal("legacy", Assert.Single(manifest.Queues).Name);
        Assert.Equal("#", Assert.Single(manifest.Bindings).RoutingKey);
        Assert.Equal("order.placed", Assert.Single(manifest.Consumes).Contract);
    }

    [Fact]
    public void A_newer_format_and_an_invalid_entry_are_errors_naming_the_assembly()
    {
        var newer = Write("Newer", ("Warren.Manifest", "4"), ("Warren.Queues", "[]"));
        var invalid = Write("Invalid", ("Warren.Manifest", "2"), ("Warren.Queues", "[{\"name\":\"a\"},{\"name\":"));

        var tooNew = Assert.Throws<ManifestException>(() => AssemblyManifestReader.Read(newer));
        Assert.Contains("newer Warren (manifest format 4", tooNew.Message, StringComparison.Ordinal);
        Assert.Contains("Newer.dll", tooNew.Message, StringComparison.Ordinal);
        var bad = Assert.Throws<ManifestException>(() => AssemblyManifestReader.Read(invalid));
        Assert.Contains("Invalid.dll: the entry Warren.Queues is not valid", bad.Message, StringComparison.Ordinal);
    }

    /// <summary>A library assembly carrying the given <c>[assembly: AssemblyMetadata(key, value)]</c>, in order.</summary>
    private string Write(string name, params (string Key, string Value)[] metadata)
    {
        var builder = new PersistedAssemblyBuilder(new AssemblyName(name), typeof(object).Assembly);
        var constructor = typeof(AssemblyMetadataAttribute).GetConstructor([typeof(string), typeof(string)])!;
        foreach (var (key, value) in metadata)
        {
            builder.SetCustomAttribute(new CustomAttributeBuilder(constructor, [key, value]));
        }

        builder.DefineDynamicModule(name).DefineType("Marker", TypeAttributes.Public).CreateType();
        var path = Path.Combine(_directory, name + ".dll");
        builder.Save(path);
        return path;
    }
}

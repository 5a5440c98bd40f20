using System;
using System.Linq;
using System.Runtime.CompilerServices;
using Warren.Generators.Tests.Infrastructure;
using Warren.Generators.Tests.Snapshots;
using Xunit;

namespace Warren.Generators.Tests;

/// <summary>What the generator emits per scenario, compared with reviewed snapshots, and proof that it compiles cleanly.</summary>
public sealed class GeneratorSnapshotTests
{
    [Fact]
    public void Event_bus_topic_exchange_templates_several_consumers_and_a_publisher() => Verify(Scenarios.EventBus);

    [Fact]
    public void Task_queue_direct_exchange_priority_queue_options_and_dead_letter() => Verify(Scenarios.TaskQueue);

    [Fact]
    public void Fanout_headers_and_quorum_queue() => Verify(Scenarios.FanoutHeadersQuorum);

    [Fact]
    public void Rpc_client_proxies_and_servers() => Verify(Scenarios.Rpc);

    [Fact]
    public void Batch_handler_and_delayed_publisher_methods() => Verify(Scenarios.BatchAndDelay);

    [Fact]
    public void Text_and_byte_publisher_and_rpc_methods() => Verify(Scenarios.TextAndBytes);

    [Fact]
    public void Topic_patterns_with_several_hashes() => Verify(Scenarios.SeveralHashes);

    [Fact]
    public void No_attributes_only_an_empty_registration()
    {
        var run = GeneratorHarness.Run("namespace Plain; public sealed class Nothing { public void Handle(int x) { } }");

        // AddGeneratedHandlers() exists in every assembly referencing Warren, even with nothing to register.
        Assert.Equal(["Warren.Registration.g.cs"], run.Sources.Keys);
        Assert.Contains("AddGeneratedHandlers", run.Sources["Warren.Registration.g.cs"], System.StringComparison.Ordinal);
        Assert.Empty(run.CompileDiagnostics.Select(d => d.ToString()));
    }

    [Theory]
    [InlineData(Scenarios.EventBus)]
    [InlineData(Scenarios.TaskQueue)]
    [InlineData(Scenarios.FanoutHeadersQuorum)]
    [InlineData(Scenarios.Rpc)]
    [InlineData(Scenarios.TextAndBytes)]
    public void The_topology_file_fits_a_screen_and_its_documents_describe_it(string source)
    {
        var run = GeneratorHarness.Run(source);
        var topology = run.Sources["Warren.Topology.g.cs"];

        // Names are the user's: a line may exceed the width only by a name's length.
        Assert.All(topology.Split('\n'), line => Assert.True(line.Length <= 130, $"{line.Length} columns: {line}"));
        var generated = GeneratedApp.Load(run).GeneratedType("WarrenTopology");
        var json = (string)generated.GetProperty("DefinitionsJson")!.GetValue(null)!;
        using var document = System.Text.Json.JsonDocument.Parse(json);
        Assert.Equal(["exchanges", "queues", "bindings"], document.RootElement.EnumerateObject().Select(p => p.Name));
        var created = (Topology)generated.GetMethod("Create")!.Invoke(null, null)!;
        Assert.Equal(created.Queues.Select(q => q.Name), document.RootElement.GetProperty("queues").EnumerateArray().Select(q => q.GetProperty("name").GetString()));
        Assert.StartsWith("flowchart LR\n", (string)generated.GetProperty("Mermaid")!.GetValue(null)!, StringComparison.Ordinal);
    }

    /// <summary>
    /// Every file the snapshot tests generate (here and in <see cref="MultiAssemblyTests"/>: their reviewed snapshots,
    /// which those tests keep equal to the output) fits a screen.
    /// </summary>
    [Fact]
    public void Every_generated_file_of_the_snapshot_tests_fits_a_screen()
    {
        var directory = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(ThisFile())!, "_snapshots");
        var files = System.IO.Directory.GetFiles(directory, "*#*.g.verified.cs")
            .OrderBy(path => path, StringComparer.Ordinal)
            .Select(path => System.IO.Path.GetFileName(path))
            .ToDictionary(
                name => name[..^".verified.cs".Length] + ".cs",
                name => System.IO.File.ReadAllText(System.IO.Path.Combine(directory, name)));
        var kinds = files.Keys.Select(name => name[(name.IndexOf('#') + 1)..]).ToHashSet();

        // The check has something to check: every kind of file the generator writes.
        Assert.Superset(
            new[] { "Warren.Manifest.g.cs", "Warren.Registration.g.cs", "Warren.Module.g.cs", "Warren.Topology.g.cs", "Warren.Contracts.g.cs" }.ToHashSet(),
            kinds);
        Assert.Contains(kinds, name => name.StartsWith("Warren.Dispatchers", StringComparison.Ordinal));
        Assert.Contains(kinds, name => name.EndsWith(".Publisher.g.cs", StringComparison.Ordinal));
        Assert.Contains(kinds, name => name.EndsWith(".RpcClient.g.cs", StringComparison.Ordinal));
        Assert.Contains(kinds, name => name.EndsWith(".RpcServer.g.cs", StringComparison.Ordinal));
        LineWidth.AssertFits(files);
    }

    /// <summary>
    /// The event bus again with the long names real services have (namespaces, types, methods, queues and exchanges of
    /// 20 to 40 characters, several on a line): every generated file still fits a screen, and compiles.
    /// </summary>
    [Theory]
    [InlineData(Scenarios.EventBus)]
    [InlineData(Scenarios.BatchAndDelay)]
    [InlineData(Scenarios.FanoutHeadersQuorum)]
    public void Long_names_wrap_in_every_generated_file(string scenario)
    {
        var source = scenario
            .Replace("namespace Shop.Users;", "namespace Contoso.CustomerAccounts.Notifications;", StringComparison.Ordinal)
            .Replace("namespace Metrics;", "namespace Contoso.TelemetryPipeline.Measurements;", StringComparison.Ordinal)
            .Replace("namespace Records;", "namespace Contoso.DocumentArchive.Records;", StringComparison.Ordinal)
            .Replace("UserCreated", "CustomerAccountCreatedNotification", StringComparison.Ordinal)
            .Replace("UserUpdated", "CustomerAccountUpdatedNotification", StringComparison.Ordinal)
            .Replace("Analytics", "CustomerAccountAnalyticsProjection", StringComparison.Ordinal)
            .Replace("EmailNotifications", "CustomerAccountEmailNotifications", StringComparison.Ordinal)
            .Replace("\"user.events\"", "\"contoso.customer-accounts.events\"", StringComparison.Ordinal)
            .Replace("\"email-notifications\"", "\"contoso-customer-accounts-email-notifications\"", StringComparison.Ordinal)
            .Replace("Created(", "RecordCustomerAccountCreatedAsync(", StringComparison.Ordinal)
            .Replace("Reading", "TemperatureSensorReading", StringComparison.Ordinal)
            .Replace("Document", "ArchivedCustomerDocument", StringComparison.Ordinal);
        var run = GeneratorHarness.Run(source);

        Assert.Empty(run.CompileDiagnostics.Select(d => d.ToString()));
        Assert.Contains(run.Sources.Keys, name => name.StartsWith("Warren.Dispatchers", StringComparison.Ordinal));
        Assert.Contains("Warren.Contracts.g.cs", run.Sources.Keys);
        LineWidth.AssertFits(run.Sources, source);
    }

    /// <summary>
    /// A manifest entry too long for a line goes on over indented lines, broken between its members and never inside a
    /// string (the queue name here holds commas, escaped quotes and a colon), and the manifest still lists exactly the
    /// topology the generated code declares.
    /// </summary>
    [Fact]
    public void A_long_manifest_entry_wraps_between_members_and_lists_the_same_topology()
    {
        const string source = """
            using System.Text.Json.Serialization;
            using System.Threading.Tasks;
            using Warren;

            namespace Wide;

            [Exchange("jobs", ExchangeKind.Direct)]
            [Topic("job.run")]
            public sealed record RunJob(string Id);

            [Queue("jobs, \"urgent\", eu: a queue name with commas, quotes and a colon", MessageTtl = "1h", MaxLength = 10000, Overflow = QueueOverflow.RejectPublish)]
            [DeadLetter(MaxRetries = 2, RetryDelays = new[] { "1s", "10s" })]
            public sealed class Worker
            {
                public Task Handle(RunJob job) => Task.CompletedTask;
            }

            [JsonSerializable(typeof(RunJob))]
            internal sealed partial class WideJson : JsonSerializerContext;
            """;
        var run = GeneratorHarness.Run(source);
        var manifest = run.Sources["Warren.Manifest.g.cs"];

        Assert.Empty(run.CompileDiagnostics.Select(d => d.ToString()));
        Assert.Contains("{\"\"name\"\":\"\"jobs, \\\"\"urgent\\\"\", eu: a queue name with commas, quotes and a colon\"\",", manifest, StringComparison.Ordinal);
        Assert.Contains("\n    \"\"x-", manifest, StringComparison.Ordinal);
        LineWidth.AssertFits(run.Sources.Where(file => file.Key == "Warren.Manifest.g.cs"));
        GeneratedTopology.AssertMatchesManifest(run);
    }

    private static void Verify(string source, [CallerMemberName] string name = "")
    {
        // A fixed assembly name: the module registration class is named after it.
        var run = GeneratorHarness.Run("UserAssembly", [], source);

        Assert.Empty(run.CompileDiagnostics.Select(d => d.ToString()));
        SnapshotVerifier.ForTestFile(ThisFile()).VerifyFiles(name, run.Sources);
    }

    private static string ThisFile([CallerFilePath] string path = "") => path;
}

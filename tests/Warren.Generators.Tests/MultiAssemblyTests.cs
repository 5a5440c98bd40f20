using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Warren.Analyzers;
using Warren.Generators.Tests.Infrastructure;
using Warren.Generators.Tests.Snapshots;
using Xunit;

namespace Warren.Generators.Tests;

/// <summary>
/// A Contracts library compiled first and referenced as metadata, as a real build does, by services that publish, call
/// RPC, consume, serve, or only host libraries of consumers.
/// </summary>
public sealed class MultiAssemblyTests
{
    private const string Contracts = """
        using System.Text.Json.Serialization;
        using System.Threading;
        using System.Threading.Tasks;
        using Warren;

        namespace Shop.Contracts;

        [Exchange("orders", ExchangeKind.Topic)]
        [Topic("order.{Region}.placed")]
        public sealed record OrderPlaced(string OrderId, string Region);

        [Exchange("orders", ExchangeKind.Topic)]
        [Topic("order.cancelled")]
        [Message("order.cancelled.v1")]
        public sealed record OrderCancelled(string OrderId);

        public sealed record CheckStock(string Sku);

        public sealed record StockLevel(string Sku, int Count);

        [RpcService("inventory", Timeout = "5s")]
        public interface IInventory
        {
            Task<StockLevel> CheckStock(CheckStock request, CancellationToken ct = default);
        }

        [JsonSerializable(typeof(OrderPlaced))]
        [JsonSerializable(typeof(OrderCancelled))]
        [JsonSerializable(typeof(CheckStock))]
        [JsonSerializable(typeof(StockLevel))]
        public sealed partial class ShopJson : JsonSerializerContext;
        """;

    /// <summary>A publisher-only service: no Warren attribute of its own.</summary>
    private const string Checkout = """
        using System.Threading;
        using System.Threading.Tasks;
        using Shop.Contracts;
        using Warren;

        namespace Shop.Checkout;

        public sealed class CheckoutFlow(IPublisher publisher, IInventory inventory)
        {
            public async Task Place(string sku, CancellationToken ct)
            {
                var stock = await inventory.CheckStock(new CheckStock(sku), ct);
                if (stock.Count > 0)
                {
                    await publisher.PublishAsync(new OrderPlaced("o-1", "eu"), ct);
                }
            }
        }
        """;

    /// <summary>A library of consumers and an RPC server.</summary>
    private const string Billing = """
        using System.Threading;
        using System.Threading.Tasks;
        using Shop.Contracts;
        using Warren;

        namespace Shop.Billing;

        [Queue("billing")]
        public sealed class BillingConsumer
        {
            [Topic("order.*.placed")]
            public Task Handle(OrderPlaced evt, CancellationToken ct) => Task.CompletedTask;

            [Topic("order.cancelled")]
            public Task Handle(OrderCancelled evt, CancellationToken ct) => Task.CompletedTask;
        }

        public sealed class InventoryServer : IInventory
        {
            public Task<StockLevel> CheckStock(CheckStock request, CancellationToken ct = default) => Task.FromResult(new StockLevel(request.Sku, 3));
        }
        """;

    /// <summary>A host with nothing of its own: its consumers come from the Billing library.</summary>
    private const string Host = """
        using Warren;

        namespace Shop.Host;

        public static class Startup
        {
            public static void Configure(Warren.WarrenBuilder builder) => builder.AddGeneratedHandlers();
        }
        """;

    private static readonly Lazy<MetadataReference> ContractsLibrary = new(() => GeneratorHarness.BuildLibrary("Shop.Contracts", Contracts));

    private static readonly Lazy<MetadataReference> BillingLibrary = new(() => GeneratorHarness.BuildLibrary("Shop.Billing", Billing, ContractsLibrary.Value));

    [Fact]
    public void A_contracts_library_gets_internal_code_only_and_no_module()
    {
        var run = GeneratorHarness.Run("Shop.Contracts", [], Contracts);

        Assert.Empty(run.CompileDiagnostics.Select(d => d.ToString()));
        Assert.DoesNotContain("Warren.Module.g.cs", run.Sources.Keys);
        Assert.All(run.Sources.Values, source => Assert.DoesNotContain("public static class", source, StringComparison.Ordinal));
    }

    [Fact]
    public void A_publisher_only_service_gets_routes_proxies_and_type_info_from_the_referenced_contracts() =>
        Verify("Shop.Checkout", [ContractsLibrary.Value], Checkout);

    [Fact]
    public void A_library_with_consumers_and_a_server_exposes_a_module() =>
        Verify("Shop.Billing", [ContractsLibrary.Value], Billing);

    [Fact]
    public void A_host_calls_the_modules_of_its_references() =>
        Verify("Shop.Host", [ContractsLibrary.Value, BillingLibrary.Value], Host);

    [Fact]
    public void A_referenced_message_whose_exchange_this_version_rejects_keeps_its_contract_handler_and_publisher()
    {
        // A contracts assembly built before WRN034 (or without Warren's analyzers): its exchange name is judged where it
        // is declared, so a service referencing it is generated as it was, never silently without the handler.
        var legacy = GeneratorHarness.BuildLibrary("Legacy.Contracts", """
            using System.Text.Json.Serialization;
            using Warren;

            namespace Legacy.Contracts;

            [Exchange("amq.legacy")]
            [Topic("legacy.created")]
            public sealed record LegacyCreated(string Id);

            [JsonSerializable(typeof(LegacyCreated))]
            public sealed partial class LegacyJson : JsonSerializerContext;
            """);
        var run = GeneratorHarness.Run("Legacy.Service", [legacy], """
            using System.Threading;
            using System.Threading.Tasks;
            using Legacy.Contracts;
            using Warren;

            namespace Legacy.Service;

            [Queue("legacy-created")]
            public sealed class LegacyConsumer
            {
                [Topic("legacy.created")]
                public Task Handle(LegacyCreated evt, CancellationToken ct) => Task.CompletedTask;
            }

            [Publisher]
            public partial interface ILegacyEvents
            {
                Task Created(LegacyCreated evt);
            }
            """);

        var generated = string.Join("\n", run.Sources.Values);
        Assert.Contains("Contract<global::Legacy.Contracts.LegacyCreated>", generated, StringComparison.Ordinal);
        Assert.Contains("global::Legacy.Service.LegacyConsumer, global::Legacy.Contracts.LegacyCreated", generated, StringComparison.Ordinal);
        Assert.Contains("ILegacyEvents", generated, StringComparison.Ordinal);
    }

    private const string TrialContracts = """
        using System.Diagnostics.CodeAnalysis;
        using System.Text.Json.Serialization;
        using Warren;

        namespace Trial.Contracts;

        [Experimental("TRIAL1")]
        [Exchange("trials", ExchangeKind.Topic)]
        [Topic("trial.{Region}.started")]
        [Message("trial.started.v1")]
        public sealed record TrialStarted(string Id, string Region);

        #pragma warning disable TRIAL1
        [JsonSerializable(typeof(TrialStarted))]
        public sealed partial class TrialJson : JsonSerializerContext;
        """;

    private const string TrialService = """
        #pragma warning disable TRIAL1
        using System.Threading;
        using System.Threading.Tasks;
        using Trial.Contracts;
        using Warren;

        namespace Trial.Service;

        [Queue("trials-started")]
        public sealed class TrialConsumer
        {
            [Topic("trial.*.started")]
            public Task Handle(TrialStarted evt, CancellationToken ct) => Task.CompletedTask;
        }

        [Publisher]
        public partial interface ITrialEvents
        {
            Task Started(TrialStarted evt);
        }
        """;

    /// <summary>A service that only publishes the referenced message through IPublisher: the referenced contract is its route.</summary>
    private const string TrialPublishing = """
        #pragma warning disable TRIAL1
        using System.Threading.Tasks;
        using Trial.Contracts;
        using Warren;

        namespace Trial.Publishing;

        public sealed class TrialFlow(IPublisher publisher)
        {
            public ValueTask Start(string id) => publisher.PublishAsync(new TrialStarted(id, "eu"));
        }
        """;

    /// <summary>
    /// A referenced <c>[Experimental]</c> message is judged by the compilation that uses it, as one declared in it: with
    /// its diagnostic suppressed for the project it keeps its exchange, template and contract name, also in a service
    /// that only publishes it through IPublisher (no handler or publisher method of its own names it).
    /// </summary>
    [Fact]
    public void A_referenced_experimental_message_suppressed_by_the_project_keeps_its_contract()
    {
        var library = TrialLibrary.Value;
        GeneratorHarness.NoWarn.Value = ["TRIAL1"];
        try
        {
            var run = GeneratorHarness.Run("Trial.Publishing", [library], TrialPublishing);

            Assert.Empty(run.CompileDiagnostics.Select(d => d.ToString()));
            Assert.Empty(run.Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).Select(d => d.ToString()));
            var contracts = Unwrapped(run.Sources["Warren.Contracts.g.cs"]);
            Assert.Contains("<global::Trial.Contracts.TrialStarted>(builder, \"trial.started.v1\"", contracts, StringComparison.Ordinal);
            Assert.Contains("\"trials\"", contracts, StringComparison.Ordinal);
        }
        finally
        {
            GeneratorHarness.NoWarn.Value = null;
        }
    }

    /// <summary>
    /// Without the project suppressing it, the code generated for a referenced <c>[Experimental]</c> message would report
    /// it in generated files (a <c>#pragma</c> in the user's file does not reach them): Warren reports the user's code
    /// using it instead, generates nothing for it, and never routes it with default names.
    /// </summary>
    [Fact]
    public async Task A_referenced_experimental_message_the_project_does_not_suppress_is_reported_where_it_is_used()
    {
        var compilation = GeneratorHarness.Compile("Trial.Service", [TrialLibrary.Value], false, TrialService, TrialPublishing);
        GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        var inGenerated = output.GetDiagnostics().Concat(generatorDiagnostics).Where(d => d.Location.SourceTree is { } tree && !tree.FilePath.StartsWith("Source", StringComparison.Ordinal));
        Assert.Empty(inGenerated.Where(d => d.Severity >= DiagnosticSeverity.Warning).Select(d => d.ToString()));
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).Select(d => d.ToString()));
        var generated = string.Join("\n", output.SyntaxTrees.Where(t => !t.FilePath.StartsWith("Source", StringComparison.Ordinal)).Select(t => t.ToString()));
        Assert.DoesNotContain("TrialStarted", generated, StringComparison.Ordinal);

        var diagnostics = await output.WithAnalyzers([new SymbolRulesAnalyzer(), new CompilationRulesAnalyzer(), new PublishTargetAnalyzer(), new ReferencedInterfaceAnalyzer()]).GetAnalyzerDiagnosticsAsync();
        Assert.Contains(diagnostics, d => d.Id == "WRN005" && d.GetMessage(System.Globalization.CultureInfo.InvariantCulture).Contains("TRIAL1", StringComparison.Ordinal));
        Assert.Contains(diagnostics, d => d.Id == "WRN021" && d.GetMessage(System.Globalization.CultureInfo.InvariantCulture).Contains("TRIAL1", StringComparison.Ordinal));
        var call = Assert.Single(diagnostics, d => d.Id == "WRN023");
        Assert.Equal("Source1.cs", call.Location.SourceTree?.FilePath);
        Assert.Contains("publisher.PublishAsync", call.Location.SourceTree!.GetText().ToString(call.Location.SourceSpan), StringComparison.Ordinal);
        Assert.Contains("<NoWarn>TRIAL1</NoWarn>", call.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    private static readonly Lazy<MetadataReference> TrialLibrary = new(() =>
    {
        GeneratorHarness.NoWarn.Value = ["TRIAL1"];
        try
        {
            return GeneratorHarness.BuildLibrary("Trial.Contracts", TrialContracts);
        }
        finally
        {
            GeneratorHarness.NoWarn.Value = null;
        }
    });

    [Fact]
    public void The_referenced_context_serves_type_info_without_a_local_context()
    {
        var run = GeneratorHarness.Run("Shop.Checkout", [ContractsLibrary.Value], Checkout);

        var contracts = Unwrapped(run.Sources["Warren.Contracts.g.cs"]);
        Assert.Contains("ContractByWordIndex<global::Shop.Contracts.OrderPlaced>(builder, \"order-placed\", global::Shop.Contracts.ShopJson.Default,", contracts, StringComparison.Ordinal);
        Assert.DoesNotContain("is in no JsonSerializerContext", contracts, StringComparison.Ordinal);
        Assert.Contains("\"order.cancelled.v1\"", contracts, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Analyzers_accept_the_referenced_context_and_say_nothing_about_unbound_messages_without_consumers()
    {
        var diagnostics = await Analyze("Shop.Checkout", [ContractsLibrary.Value], Checkout, """

            namespace Shop.Checkout
            {
                [Warren.Publisher]
                public partial interface IOrderEvents
                {
                    System.Threading.Tasks.ValueTask Cancelled(Shop.Contracts.OrderCancelled evt, System.Threading.CancellationToken ct = default);
                }

                [Warren.Exchange("checkout.audit", Warren.ExchangeKind.Fanout)]
                public sealed record Audited(string Id);

                [System.Text.Json.Serialization.JsonSerializable(typeof(Audited))]
                public sealed partial class CheckoutJson : System.Text.Json.Serialization.JsonSerializerContext;
            }
            """);

        Assert.Empty(diagnostics.Where(d => d.Id.StartsWith("WRN", StringComparison.Ordinal)).Select(d => d.ToString()));
    }

    [Fact]
    public async Task A_local_exchange_declared_differently_from_a_referenced_one_is_WRN008_naming_the_assembly()
    {
        var diagnostics = await Analyze("Shop.Shipping", [ContractsLibrary.Value], """
            namespace Shop.Shipping;

            [Warren.Exchange("orders", Warren.ExchangeKind.Direct)]
            [Warren.Topic("shipment.sent")]
            public sealed record ShipmentSent(string OrderId);
            """);

        var conflict = Assert.Single(diagnostics, d => d.Id == "WRN008");
        Assert.True(conflict.Location.IsInSource);
        Assert.Contains("assembly Shop.Contracts", conflict.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Contains("topic", conflict.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_local_queue_declared_differently_from_a_referenced_library_consumer_is_WRN009()
    {
        var diagnostics = await Analyze("Shop.Reports", [ContractsLibrary.Value, BillingLibrary.Value], """
            using System.Threading;
            using System.Threading.Tasks;
            using Shop.Contracts;

            namespace Shop.Reports;

            [Warren.Queue("billing", Type = Warren.QueueType.Quorum)]
            public sealed class Reports
            {
                [Warren.Topic("order.*.placed")]
                public Task Handle(OrderPlaced evt, CancellationToken ct) => Task.CompletedTask;
            }
            """);

        var conflict = Assert.Single(diagnostics, d => d.Id == "WRN009");
        Assert.Contains("assembly Shop.Billing", conflict.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    /// <summary>
    /// A class of the host with the same full name as a referenced library's consumer, on the same queue: two owners
    /// (told apart by assembly), so WRN036, naming the library's class by its assembly.
    /// </summary>
    [Fact]
    public async Task A_host_consumer_with_the_full_name_of_a_library_consumer_of_the_same_queue_is_WRN036()
    {
        var diagnostics = await Analyze("Shop.Host2", [ContractsLibrary.Value, BillingLibrary.Value], """
            using System.Threading;
            using System.Threading.Tasks;
            using Shop.Contracts;

            namespace Shop.Billing;

            [Warren.Queue("billing")]
            public sealed class BillingConsumer
            {
                [Warren.Topic("order.*.placed")]
                public Task Handle(OrderPlaced evt, CancellationToken ct) => Task.CompletedTask;

                [Warren.Topic("order.cancelled")]
                public Task Handle(OrderCancelled evt, CancellationToken ct) => Task.CompletedTask;
            }
            """);

        var twice = Assert.Single(diagnostics, d => d.Id == "WRN036");
        Assert.Contains("assembly Shop.Billing", twice.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    /// <summary>
    /// The other way round: a library's consumer reads the dead-letter queue of a stream (or quorum queue) the service
    /// referencing it declares. The library cannot know the queue's type; the service's build reports the difference
    /// (WRN009 at the stream's class) unless the library's consumer names the quorum type.
    /// </summary>
    [Theory]
    [InlineData("Type = QueueType.Stream", "", true)]
    [InlineData("Type = QueueType.Quorum", "", true)]
    [InlineData("Type = QueueType.Stream", ", Type = QueueType.Quorum", false)]
    [InlineData("Prefetch = 5", "", false)]
    public async Task A_library_consumer_of_this_services_quorum_dead_letter_queue_without_the_quorum_type_is_WRN009(string workSettings, string deadLetterSettings, bool reported)
    {
        var library = GeneratorHarness.BuildLibrary("Shop.Failures" + (reported ? "A" : "B") + workSettings.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), $$"""
            using System.Threading;
            using System.Threading.Tasks;
            using Shop.Contracts;
            using Warren;

            namespace Shop.Failures;

            [Queue("audit-work.dlq"{{deadLetterSettings}})]
            public sealed class AuditFailures
            {
                public Task Handle(OrderPlaced evt, CancellationToken ct) => Task.CompletedTask;
            }
            """, ContractsLibrary.Value);
        var diagnostics = await Analyze("Shop.Audit", [ContractsLibrary.Value, library], $$"""
            using System.Threading;
            using System.Threading.Tasks;
            using Shop.Contracts;
            using Warren;

            namespace Shop.Audit;

            [Queue("audit-work", {{workSettings}})]
            public sealed class AuditWork
            {
                public Task Handle(OrderPlaced evt, CancellationToken ct) => Task.CompletedTask;
            }
            """);

        var conflicts = diagnostics.Where(d => d.Id == "WRN009").ToList();
        Assert.Equal(reported ? 1 : 0, conflicts.Count);
        if (reported)
        {
            var message = conflicts[0].GetMessage(System.Globalization.CultureInfo.InvariantCulture);
            Assert.Contains("'audit-work.dlq'", message, StringComparison.Ordinal);
            Assert.Contains("AuditFailures (assembly Shop.Failures", message, StringComparison.Ordinal);
            Assert.Contains("AuditWork", conflicts[0].Location.SourceTree!.GetText().ToString()[..conflicts[0].Location.SourceSpan.End], StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// WRN013 compares publish keys with the bindings a referenced library of consumers declares too: a key only the
    /// library's consumer binds is received, and a key nothing binds is reported, although a local class handles its type.
    /// </summary>
    [Fact]
    public async Task A_publish_key_a_referenced_library_consumer_binds_is_received_and_an_unbound_one_is_WRN013()
    {
        var library = GeneratorHarness.BuildLibrary("Shop.Auditing", """
            using System.Threading.Tasks;

            namespace Shop.Auditing;

            [Warren.Queue("audit-log")]
            [Warren.Exchange("audit", Warren.ExchangeKind.Topic)]
            public sealed class AuditLog
            {
                [Warren.Topic("audit.*.entry")]
                public Task Handle(string line) => Task.CompletedTask;
            }
            """);
        var diagnostics = await Analyze("Shop.Desk", [library], """
            using System.Threading.Tasks;

            namespace Shop.Desk;

            [Warren.Exchange("audit", Warren.ExchangeKind.Topic)]
            [Warren.Topic("audit.{Desk}.entry")]
            public sealed record DeskEntry(string Desk);

            [Warren.Exchange("audit", Warren.ExchangeKind.Topic)]
            [Warren.Topic("audit.{Desk}.closed")]
            public sealed record DeskClosed(string Desk);

            [Warren.Queue("desk")]
            public sealed class Desk
            {
                [Warren.Topic("audit.*.opened")]
                public Task Handle(DeskEntry entry) => Task.CompletedTask;

                [Warren.Topic("audit.*.opened")]
                public Task Handle(DeskClosed closed) => Task.CompletedTask;
            }

            [System.Text.Json.Serialization.JsonSerializable(typeof(DeskEntry))]
            [System.Text.Json.Serialization.JsonSerializable(typeof(DeskClosed))]
            public sealed partial class DeskJson : System.Text.Json.Serialization.JsonSerializerContext;
            """);

        var unreceived = Assert.Single(diagnostics, d => d.Id == "WRN013");
        Assert.Contains("DeskClosed", unreceived.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    /// <summary>
    /// A message type of a referenced assembly keeps the default contract name that assembly gave it. Qualified there
    /// because of a type this service cannot see (an internal one), it is qualified here too; left short there, a type
    /// of this service sharing its short name does not qualify it: only the service's own type is, with WRN035 there.
    /// Otherwise one type would be published and bound under two names. The same whether the library is an emitted
    /// assembly (a command-line build) or, as in the IDE, a project reference given as its compilation, whose types
    /// have syntax but belong to another assembly.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_referenced_message_keeps_the_contract_name_its_assembly_gave_it(bool projectReference)
    {
        const string Crm = """
            namespace Crm.Contracts
            {
                namespace Users
                {
                    [Warren.Exchange("crm")]
                    public sealed record Created(string Id);
                }

                namespace Audit
                {
                    [Warren.Exchange("crm")]
                    internal sealed record Created(string Id);

                    [System.Text.Json.Serialization.JsonSerializable(typeof(Created))]
                    internal sealed partial class AuditJson : System.Text.Json.Serialization.JsonSerializerContext;
                }

                [Warren.Exchange("crm")]
                public sealed record Renamed(string Id);

                [System.Text.Json.Serialization.JsonSerializable(typeof(Users.Created))]
                [System.Text.Json.Serialization.JsonSerializable(typeof(Renamed))]
                public sealed partial class CrmJson : System.Text.Json.Serialization.JsonSerializerContext;
            }
            """;
        const string Desk = """
            using System.Threading.Tasks;

            namespace Crm.Desk;

            [Warren.Exchange("desk")]
            public sealed record Renamed(string Id);

            [Warren.Queue("desk")]
            public sealed class Desk
            {
                public Task Handle(Crm.Contracts.Users.Created created) => Task.CompletedTask;

                public Task Handle(Crm.Contracts.Renamed renamed) => Task.CompletedTask;

                public Task Handle(Renamed renamed) => Task.CompletedTask;
            }

            [System.Text.Json.Serialization.JsonSerializable(typeof(Renamed), TypeInfoPropertyName = "DeskRenamed")]
            public sealed partial class DeskJson : System.Text.Json.Serialization.JsonSerializerContext;
            """;

        // What the library itself decided.
        var own = string.Concat(GeneratorHarness.Run("Crm.Contracts", [], Crm).Sources.Values);
        Assert.Contains("\"crm.contracts.users.created\"", own, StringComparison.Ordinal);
        Assert.Contains("\"renamed\"", own, StringComparison.Ordinal);

        var library = projectReference ? GeneratorHarness.LibraryCompilation("Crm.Contracts", Crm) : GeneratorHarness.BuildLibrary("Crm.Contracts", Crm);
        var run = GeneratorHarness.Run("Crm.Desk", [library], Desk);
        Assert.Empty(run.CompileDiagnostics.Select(d => d.ToString()));
        // The contracts the queue consumes, as its manifest lists them.
        var manifest = run.Sources["Warren.Manifest.g.cs"];
        Assert.Contains("\"\"contract\"\":\"\"crm.contracts.users.created\"\"", manifest, StringComparison.Ordinal);
        Assert.Contains("\"\"contract\"\":\"\"renamed\"\"", manifest, StringComparison.Ordinal);
        Assert.Contains("\"\"contract\"\":\"\"crm.desk.renamed\"\"", manifest, StringComparison.Ordinal);
        Assert.DoesNotContain("\"\"contract\"\":\"\"crm.contracts.renamed\"\"", manifest, StringComparison.Ordinal);
        Assert.DoesNotContain("\"\"contract\"\":\"\"created\"\"", manifest, StringComparison.Ordinal);

        var diagnostics = await Analyze("Crm.Desk", [library], Desk);
        var qualified = Assert.Single(diagnostics, d => d.Id == "WRN035");
        Assert.Contains("Crm.Desk.Renamed", qualified.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.DoesNotContain(diagnostics, d => d.Id == "WRN022");
    }

    /// <summary>
    /// A service referencing the contracts as a project (the IDE gives the library's compilation, with syntax) generates
    /// exactly what it generates referencing the built assembly (the command line).
    /// </summary>
    [Fact]
    public void A_project_reference_generates_what_the_built_assembly_does()
    {
        var contracts = GeneratorHarness.LibraryCompilation("Shop.Contracts", Contracts);
        foreach (var (name, source) in new[] { ("Shop.Checkout", Checkout), ("Shop.Billing", Billing) })
        {
            var built = GeneratorHarness.Run(name, [ContractsLibrary.Value], source).Sources;
            var project = GeneratorHarness.Run(name, [contracts], source);
            Assert.Empty(project.CompileDiagnostics.Select(d => d.ToString()));
            Assert.Equal(built.OrderBy(s => s.Key, StringComparer.Ordinal), project.Sources.OrderBy(s => s.Key, StringComparer.Ordinal));
        }
    }

    /// <summary>
    /// Two referenced assemblies that each gave a type the short name <c>created</c>: a consumer of both here could not
    /// tell them apart, so WRN022 is reported at it.
    /// </summary>
    [Fact]
    public async Task Two_referenced_types_of_one_name_are_WRN022_at_a_consumer_of_both()
    {
        static MetadataReference Library(string name) => GeneratorHarness.BuildLibrary("Crm." + name, $$"""
            namespace Crm.{{name}};

            [Warren.Exchange("{{name.ToLowerInvariant()}}")]
            public sealed record Created(string Id);

            [System.Text.Json.Serialization.JsonSerializable(typeof(Created))]
            public sealed partial class {{name}}Json : System.Text.Json.Serialization.JsonSerializerContext;
            """);

        var diagnostics = await Analyze("Crm.Board", [Library("Leads"), Library("Deals")], """
            using System.Threading.Tasks;

            namespace Crm.Board;

            [Warren.Queue("board")]
            public sealed class Board
            {
                public Task Handle(Crm.Leads.Created lead) => Task.CompletedTask;

                public Task Handle(Crm.Deals.Created deal) => Task.CompletedTask;
            }
            """);

        var duplicate = Assert.Single(diagnostics.Where(d => d.Id == "WRN022").GroupBy(d => d.Location).Select(g => g.First()));
        Assert.True(duplicate.Location.IsInSource);
        Assert.Contains("'created'", duplicate.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_local_contract_name_taken_by_a_referenced_message_is_WRN022()
    {
        var diagnostics = await Analyze("Shop.Returns", [ContractsLibrary.Value], """
            namespace Shop.Returns;

            [Warren.Exchange("returns", Warren.ExchangeKind.Topic)]
            [Warren.Topic("return.opened")]
            [Warren.Message("order.cancelled.v1")]
            public sealed record ReturnOpened(string OrderId);
            """);

        var duplicate = Assert.Single(diagnostics, d => d.Id == "WRN022");
        Assert.True(duplicate.Location.IsInSource);
        Assert.Contains("assembly Shop.Contracts", duplicate.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Fact]
    public void The_exchange_planned_from_a_conflict_does_not_depend_on_type_names()
    {
        // The referenced (shared) declaration is planned whatever the local type is called.
        foreach (var name in new[] { "AAA", "ZZZ" })
        {
            var run = GeneratorHarness.Run("Shop.Shipping", [ContractsLibrary.Value], $$"""
                namespace Shop.Shipping;

                [Warren.Exchange("orders", Warren.ExchangeKind.Direct)]
                [Warren.Topic("shipment.sent")]
                public sealed record {{name}}(string OrderId);
                """);
            Assert.Contains("new ExchangeDeclaration(\"orders\", \"topic\")", run.Sources["Warren.Topology.g.cs"], StringComparison.Ordinal);
        }
    }

    [Fact]
    public void An_unrelated_edit_leaves_the_references_and_the_model_cached()
    {
        var compilation = GeneratorHarness.Compile("Shop.Checkout", [ContractsLibrary.Value], false, Checkout);
        var driver = GeneratorHarness.CreateDriver(withJson: false).RunGenerators(compilation);
        var result = driver.RunGenerators(compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace Other; public sealed class Unrelated { public int X => 1; }", GeneratorHarness.ParseOptions))).GetRunResult();

        var warren = result.Results.Single(r => r.Generator.GetGeneratorType() == typeof(WarrenGenerator));
        foreach (var step in new[] { WarrenGenerator.Steps.References, WarrenGenerator.Steps.Model })
        {
            Assert.All(warren.TrackedSteps[step].SelectMany(s => s.Outputs), o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{step}: {o.Reason}"));
        }

        Assert.All(warren.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs), o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
    }

    [Fact]
    public void A_rebuilt_reference_modifies_the_references_step_and_the_output()
    {
        var compilation = GeneratorHarness.Compile("Shop.Checkout", [ContractsLibrary.Value], false, Checkout);
        var driver = GeneratorHarness.CreateDriver(withJson: false).RunGenerators(compilation);
        var rebuilt = GeneratorHarness.BuildLibrary("Shop.Contracts", Contracts.Replace("Timeout = \"5s\"", "Timeout = \"9s\"", StringComparison.Ordinal));
        var result = driver.RunGenerators(compilation.ReplaceReference(ContractsLibrary.Value, rebuilt)).GetRunResult();

        var warren = result.Results.Single(r => r.Generator.GetGeneratorType() == typeof(WarrenGenerator));
        Assert.Contains(IncrementalStepRunReason.Modified, warren.TrackedSteps[WarrenGenerator.Steps.References].SelectMany(s => s.Outputs).Select(o => o.Reason));
        var proxy = warren.GeneratedSources.Single(s => s.HintName == "Shop_Contracts_IInventory.RpcClient.g.cs").SourceText.ToString();
        Assert.Contains("FromSeconds(9)", proxy, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Type = QueueType.Quorum", "quorum")]
    [InlineData("Type = QueueType.Stream", "quorum")]
    [InlineData("Prefetch = 5", null)]
    public void A_consumer_of_a_referenced_queues_dead_letter_queue_is_declared_as_the_referenced_topology_declares_it(string queueSettings, string? deadLetterType)
    {
        // The work queue's consumer is internal: its assembly's topology declares the dead-letter queue all the same.
        var library = GeneratorHarness.BuildLibrary("Shop.Orders", $$"""
            using System.Threading;
            using System.Threading.Tasks;
            using Shop.Contracts;
            using Warren;

            namespace Shop.Orders;

            [Queue("orders-work", {{queueSettings}})]
            internal sealed class OrderWork
            {
                public Task Handle(OrderPlaced evt, CancellationToken ct) => Task.CompletedTask;
            }
            """, ContractsLibrary.Value);
        var run = GeneratorHarness.Run("Shop.Failures", [ContractsLibrary.Value, library], """
            using System.Threading;
            using System.Threading.Tasks;
            using Shop.Contracts;
            using Warren;

            namespace Shop.Failures;

            [Queue("orders-work.dlq")]
            public sealed class OrderFailures
            {
                public Task Handle(OrderPlaced evt, CancellationToken ct) => Task.CompletedTask;
            }
            """);

        Assert.Empty(run.CompileDiagnostics.Select(d => d.ToString()));
        var topology = run.Sources["Warren.Topology.g.cs"];
        var start = topology.IndexOf("new QueueDeclaration(\"orders-work.dlq\"", StringComparison.Ordinal);
        Assert.True(start >= 0, topology);
        var declaration = topology[start..topology.IndexOf("));", start, StringComparison.Ordinal)];
        Assert.Equal(deadLetterType is not null, declaration.Contains($"[\"x-queue-type\"] = \"{deadLetterType}\"", StringComparison.Ordinal));
        // As the dead-letter queue is declared: no dead-letter arguments of its own, and no default binding to the work
        // queue's exchange, which would give it every order.
        Assert.DoesNotContain("x-dead-letter-exchange", declaration, StringComparison.Ordinal);
        Assert.DoesNotContain("new BindingDeclaration(\"orders\", \"orders-work.dlq\"", topology, StringComparison.Ordinal);
    }

    private static void Verify(string assemblyName, IEnumerable<MetadataReference> references, string source, [CallerMemberName] string name = "")
    {
        var run = GeneratorHarness.Run(assemblyName, references, source);

        Assert.Empty(run.CompileDiagnostics.Select(d => d.ToString()));
        SnapshotVerifier.ForTestFile(ThisFile()).VerifyFiles(name, run.Sources);
    }

    private static async Task<ImmutableArray<Diagnostic>> Analyze(string assemblyName, IEnumerable<MetadataReference> references, params string[] sources)
    {
        var compilation = GeneratorHarness.Compile(assemblyName, references, false, sources);
        GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        var errors = output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        return await output.WithAnalyzers([new SymbolRulesAnalyzer(), new CompilationRulesAnalyzer(), new PublishTargetAnalyzer(), new ReferencedInterfaceAnalyzer()]).GetAnalyzerDiagnosticsAsync();
    }

    private static string ThisFile([CallerFilePath] string path = "") => path;

    /// <summary>Generated code with its calls' arguments joined onto one line, whichever way the generator wrapped them.</summary>
    private static string Unwrapped(string code) =>
        System.Text.RegularExpressions.Regex.Replace(System.Text.RegularExpressions.Regex.Replace(code, @"\(\s*\n\s*", "("), @",\s*\n\s*", ", ");
}

using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Warren.Analyzers;
using Warren.Generators.Tests.Infrastructure;
using Warren.Testing;
using Xunit;

namespace Warren.Generators.Tests;

/// <summary>
/// <c>[Publisher]</c> interfaces declared in a contracts library, compiled first and referenced as metadata: a service
/// referencing the library implements and registers the public ones as if declared there (the library's own
/// implementation is internal), and is told at its own code why it cannot when the rules reject one.
/// </summary>
public sealed class ReferencedPublisherTests
{
    private const string Contracts = """
        using System.Text.Json.Serialization;
        using System.Threading;
        using System.Threading.Tasks;
        using Warren;

        namespace Nu.Contracts;

        [Exchange("nu.orders", ExchangeKind.Topic)]
        [Topic("order.{Region}.placed")]
        public sealed record OrderPlaced(string OrderId, string Region);

        [Exchange("nu.orders", ExchangeKind.Topic)]
        [Topic("order.refunded")]
        public sealed record OrderRefunded(string OrderId);

        [Publisher]
        public partial interface IShopEvents
        {
            ValueTask Placed(OrderPlaced o, CancellationToken ct = default);
        }

        /// <summary>Inherits Placed: the implementation here and in a referencing service has both methods.</summary>
        [Publisher]
        public partial interface IRefundEvents : IShopEvents
        {
            Task Refunded(OrderRefunded r, CancellationToken ct = default);
        }

        /// <summary>Not reachable from other assemblies: implemented here only.</summary>
        [Publisher]
        internal partial interface IInternalEvents
        {
            ValueTask Placed(OrderPlaced o, CancellationToken ct = default);
        }

        [JsonSerializable(typeof(OrderPlaced))]
        [JsonSerializable(typeof(OrderRefunded))]
        public sealed partial class NuJson : JsonSerializerContext;
        """;

    /// <summary>A host that receives the orders and publishes them through the referenced interfaces.</summary>
    private const string Host = """
        using System;
        using System.Threading;
        using System.Threading.Tasks;
        using Microsoft.Extensions.DependencyInjection;
        using Nu.Contracts;
        using Warren;

        namespace Nu.Host;

        [Queue("nu-orders")]
        public sealed class OrderWatcher
        {
            [Topic("order.*.placed")]
            public Task Handle(OrderPlaced o, CancellationToken ct) => Task.CompletedTask;

            [Topic("order.refunded")]
            public Task Handle(OrderRefunded r, CancellationToken ct) => Task.CompletedTask;
        }

        public static class Drive
        {
            public static async Task Publish(IServiceProvider services)
            {
                await services.GetRequiredService<IShopEvents>().Placed(new OrderPlaced("o-1", "eu"));
                var refunds = services.GetRequiredService<IRefundEvents>();
                await refunds.Placed(new OrderPlaced("o-2", "us"));
                await refunds.Refunded(new OrderRefunded("o-1"));
            }
        }
        """;

    private static readonly Lazy<byte[]> ContractsImage = new(() => GeneratorHarness.BuildLibraryImage("Nu.Contracts", Contracts));

    private static MetadataReference ContractsLibrary => MetadataReference.CreateFromImage(ContractsImage.Value);

    [Fact]
    public void A_service_implements_and_registers_the_public_publisher_interfaces_of_its_references_only()
    {
        var run = GeneratorHarness.Run("Nu.Host", [ContractsLibrary], Host);

        Assert.Empty(run.CompileDiagnostics.Select(d => d.ToString()));
        Assert.Contains("Nu_Contracts_IShopEvents.Publisher.g.cs", run.Sources.Keys);
        Assert.Contains("Nu_Contracts_IRefundEvents.Publisher.g.cs", run.Sources.Keys);
        Assert.DoesNotContain(run.Sources.Keys, k => k.Contains("IInternalEvents", StringComparison.Ordinal));
        var registration = run.Sources["Warren.Registration.g.cs"];
        Assert.Contains("global::Nu.Contracts.IShopEvents", registration, StringComparison.Ordinal);
        Assert.Contains("global::Nu.Contracts.IRefundEvents", registration, StringComparison.Ordinal);

        // The inherited method is implemented for the interface that declares it.
        var refunds = run.Sources["Nu_Contracts_IRefundEvents.Publisher.g.cs"];
        Assert.Contains("global::Nu.Contracts.IShopEvents.Placed(", refunds, StringComparison.Ordinal);
        Assert.Contains("global::Nu.Contracts.IRefundEvents.Refunded(", refunds, StringComparison.Ordinal);
    }

    /// <summary>
    /// Every service referencing the library implements its publishers, so its manifest names what they publish only
    /// where its code calls them (an inherited method by the interface declaring it), as it names RPC calls.
    /// </summary>
    [Fact]
    public void The_manifest_names_the_referenced_publisher_methods_the_code_calls_only()
    {
        var calling = GeneratorHarness.Run("Nu.Calling", [ContractsLibrary], """
            namespace Nu.Calling;

            public sealed class Flow(Nu.Contracts.IRefundEvents events)
            {
                public System.Threading.Tasks.ValueTask Go() => events.Placed(new Nu.Contracts.OrderPlaced("o-1", "eu"));
            }
            """);
        var silent = GeneratorHarness.Run("Nu.Silent", [ContractsLibrary], """
            namespace Nu.Silent;

            public sealed class Flow(Nu.Contracts.IRefundEvents events)
            {
                public object Events { get; } = events;
            }
            """);

        Assert.Empty(calling.CompileDiagnostics.Select(d => d.ToString()));
        var published = Publishes(calling.Sources["Warren.Manifest.g.cs"]);
        Assert.Contains("order-placed", published, StringComparison.Ordinal);
        Assert.DoesNotContain("order-refunded", published, StringComparison.Ordinal);
        Assert.Contains("Nu_Contracts_IRefundEvents.Publisher.g.cs", silent.Sources.Keys);
        Assert.DoesNotContain("order-", Publishes(silent.Sources["Warren.Manifest.g.cs"]), StringComparison.Ordinal);
    }

    /// <summary>
    /// Overloads of a referenced publisher method publish different messages: the manifest names the messages of the
    /// overload the code calls, not every method of that name (which the system check would take for publishes).
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_manifest_names_the_called_overload_of_a_referenced_publisher_method_only(bool projectReference)
    {
        const string Library = """
            using System.Text.Json.Serialization;
            using System.Threading.Tasks;
            using Warren;

            namespace Ov.Contracts;

            [Exchange("ov.parcels", ExchangeKind.Topic)]
            [Topic("parcel.sent")]
            public sealed record ParcelSent(string Id);

            [Exchange("ov.parcels", ExchangeKind.Topic)]
            [Topic("parcel.lost")]
            public sealed record ParcelLost(string Id);

            [Publisher]
            public partial interface IParcelEvents
            {
                ValueTask Publish(ParcelSent parcel);

                ValueTask Publish(ParcelLost parcel);
            }

            [JsonSerializable(typeof(ParcelSent))]
            [JsonSerializable(typeof(ParcelLost))]
            public sealed partial class OvJson : JsonSerializerContext;
            """;
        var library = projectReference ? GeneratorHarness.LibraryCompilation("Ov.Contracts", Library) : GeneratorHarness.BuildLibrary("Ov.Contracts", Library);

        var run = GeneratorHarness.Run("Ov.Calling", [library], """
            namespace Ov.Calling;

            public sealed class Flow(Ov.Contracts.IParcelEvents events)
            {
                public System.Threading.Tasks.ValueTask Go() => events.Publish(new Ov.Contracts.ParcelLost("p-1"));
            }
            """);

        Assert.Empty(run.CompileDiagnostics.Select(d => d.ToString()));
        var published = Publishes(run.Sources["Warren.Manifest.g.cs"]);
        Assert.Contains("parcel-lost", published, StringComparison.Ordinal);
        Assert.DoesNotContain("parcel-sent", published, StringComparison.Ordinal);
    }

    private static string Publishes(string manifest)
    {
        var start = manifest.IndexOf("\"Warren.Publishes\"", StringComparison.Ordinal);
        return start < 0 ? string.Empty : manifest[start..manifest.IndexOf("]\")]", start, StringComparison.Ordinal)];
    }

    /// <summary>
    /// The generated implementations, resolved from the host's container as an application does, publish through the
    /// in-memory broker to the queue the host binds, routed by the referenced contracts.
    /// </summary>
    [Fact]
    public async Task The_referenced_publisher_interfaces_resolve_and_publish_through_the_in_memory_broker()
    {
        var run = GeneratorHarness.Run("Nu.Host", [ContractsLibrary], Host);
        Assert.Empty(run.CompileDiagnostics.Select(d => d.ToString()));
        var context = new LibraryLoadContext("referenced-publisher", ContractsImage.Value);
        var host = context.LoadImage(run.Output);
        var register = GeneratedNames.AddGeneratedHandlers(host);
        var publish = host.GetType("Nu.Host.Drive", throwOnError: true)!.GetMethod("Publish")!;

        await using var harness = await WarrenTestHarness.StartAsync(services => register.Invoke(null, [services.AddWarren()]));
        var shopEvents = context.Libraries[0].GetType("Nu.Contracts.IShopEvents", throwOnError: true)!;
        Assert.Single(harness.Services.GetServices(shopEvents));
        var session = await harness.RunAsync<IServiceProvider>(services => (Task)publish.Invoke(null, [services])!);

        session.AssertNoFailures();
        Assert.Equal(
            ["nu.orders order.eu.placed", "nu.orders order.us.placed", "nu.orders order.refunded"],
            session.Published.Select(m => $"{m.Exchange} {m.RoutingKey}").ToArray());
        Assert.Equal(3, session.Consumed.Count(m => m.Queue == "nu-orders"));
        Assert.Contains("\"o-2\"", session.Published[1].BodyText, StringComparison.Ordinal);
    }

    /// <summary>
    /// A library with consumers registers its own (internal) implementation from its module; the host, registering
    /// its own first, keeps exactly one registration, and it works.
    /// </summary>
    [Fact]
    public async Task A_library_module_registering_its_own_implementation_leaves_the_host_one_registration()
    {
        var billing = GeneratorHarness.BuildLibraryImage("Nu.Billing", """
            using System.Threading;
            using System.Threading.Tasks;
            using Nu.Contracts;
            using Warren;

            namespace Nu.Billing;

            [Queue("nu-billing")]
            public sealed class Billing
            {
                [Topic("order.*.placed")]
                public Task Handle(OrderPlaced o, CancellationToken ct) => Task.CompletedTask;
            }
            """, ContractsLibrary);
        var run = GeneratorHarness.Run("Nu.Host", [ContractsLibrary, MetadataReference.CreateFromImage(billing)], Host);
        Assert.Empty(run.CompileDiagnostics.Select(d => d.ToString()));
        Assert.Contains("WarrenModule_Nu_Billing__41c7e2b9.Register(builder)", run.Sources["Warren.Registration.g.cs"], StringComparison.Ordinal);

        // Billing implements the contracts' publishers too (its own, internal) and its module registers them.
        var context = new LibraryLoadContext("referenced-publisher", ContractsImage.Value, billing);
        var host = context.LoadImage(run.Output);
        var services = new ServiceCollection();
        services.AddLogging();
        var builder = services.AddWarren(o => o.Url = "amqp://guest:guest@127.0.0.1:1/");
        GeneratedNames.AddGeneratedHandlers(host)
            .Invoke(null, [builder]);
        Assert.NotNull(context.Libraries[1].GetType(GeneratedNames.Of(context.Libraries[1], "Nu_Contracts_IShopEventsPublisher")));

        foreach (var name in new[] { "Nu.Contracts.IShopEvents", "Nu.Contracts.IRefundEvents" })
        {
            var service = context.Libraries[0].GetType(name, throwOnError: true)!;
            var registered = Assert.Single(services, d => d.ServiceType == service);
            Assert.Equal("Nu.Host", registered.ImplementationType?.Assembly.GetName().Name);
            await using var provider = services.BuildServiceProvider();
            Assert.IsAssignableFrom(service, provider.GetRequiredService(service));
        }
    }

    /// <summary>
    /// A referenced publisher whose message needs a diagnostic the project does not suppress: generated code would
    /// report it in generated files, so nothing is generated for it, and the user's code naming the interface is told
    /// why (not only at run time, when it fails to resolve). With the id suppressed it is implemented.
    /// </summary>
    [Fact]
    public async Task A_referenced_publisher_this_project_cannot_implement_is_reported_where_the_code_names_it()
    {
        var library = TrialLibrary.Value;
        var compilation = GeneratorHarness.Compile("Trial.Host", [library], false, TrialHost);
        GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).Select(d => d.ToString()));
        Assert.DoesNotContain(output.SyntaxTrees, t => t.FilePath.Contains("ITrialEvents", StringComparison.Ordinal));

        var diagnostics = await Analyze(output);
        var reported = Assert.Single(diagnostics, d => d.Id == "WRN023");
        Assert.Equal("Source0.cs", reported.Location.SourceTree?.FilePath);
        Assert.Equal("ITrialEvents", reported.Location.SourceTree!.GetText().ToString(reported.Location.SourceSpan));
        Assert.Contains("<NoWarn>TRIAL1</NoWarn>", reported.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

        GeneratorHarness.NoWarn.Value = ["TRIAL1"];
        try
        {
            var run = GeneratorHarness.Run("Trial.Host", [library], TrialHost);
            Assert.Empty(run.CompileDiagnostics.Select(d => d.ToString()));
            Assert.Contains("Trial_Contracts_ITrialEvents.Publisher.g.cs", run.Sources.Keys);
            Assert.Empty((await Analyze(run.Output)).Where(d => d.Id.StartsWith("WRN", StringComparison.Ordinal)).Select(d => d.ToString()));
        }
        finally
        {
            GeneratorHarness.NoWarn.Value = null;
        }
    }

    /// <summary>A library whose publisher method breaks a rule (WRN021, suppressed there): the host reports it at its use.</summary>
    [Fact]
    public async Task A_referenced_publisher_method_the_rules_reject_is_WRN021_where_the_code_names_the_interface()
    {
        GeneratorHarness.NoWarn.Value = ["WRN021"];
        MetadataReference library;
        try
        {
            library = GeneratorHarness.BuildLibrary("Bad.Contracts", """
                using System.Threading.Tasks;
                using Warren;

                namespace Bad.Contracts;

                public sealed record Ping(string Id);

                public sealed record Pong(string Id);

                [Publisher]
                public partial interface IBadEvents
                {
                    ValueTask Both(Ping ping, Pong pong);
                }
                """);
        }
        finally
        {
            GeneratorHarness.NoWarn.Value = null;
        }

        var compilation = GeneratorHarness.Compile("Bad.Host", [library], false, """
            namespace Bad.Host;

            public sealed class Flow(Bad.Contracts.IBadEvents events)
            {
                public Bad.Contracts.IBadEvents Events { get; } = events;
            }
            """);
        GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).Select(d => d.ToString()));

        var diagnostics = await Analyze(output);
        Assert.Equal(2, diagnostics.Count(d => d.Id == "WRN021"));
        Assert.All(diagnostics.Where(d => d.Id == "WRN021"), d => Assert.Contains("IBadEvents.Both", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
    }

    /// <summary>
    /// An unattributed message of a referenced publisher is named with the local messages (the implementation is
    /// generated here): a local message with the same short name qualifies both default names, and WRN035 says so.
    /// </summary>
    [Fact]
    public async Task The_message_of_a_referenced_publisher_takes_part_in_this_services_contract_names()
    {
        var library = GeneratorHarness.BuildLibrary("Ping.Contracts", """
            using System.Text.Json.Serialization;
            using System.Threading.Tasks;
            using Warren;

            namespace Ping.Contracts;

            public sealed record Ping(string Id);

            [Publisher]
            public partial interface IPings
            {
                ValueTask Send(Ping p);
            }

            [JsonSerializable(typeof(Ping))]
            public sealed partial class PingJson : JsonSerializerContext;
            """);
        const string PingHost = """
            using System.Text.Json.Serialization;
            using System.Threading.Tasks;
            using Warren;

            namespace Ping.Host;

            public sealed record Ping(string Id);

            [Publisher]
            public partial interface ILocalPings
            {
                ValueTask Send(Ping p);
            }

            [JsonSerializable(typeof(Ping))]
            public sealed partial class HostJson : JsonSerializerContext;
            """;
        var compilation = GeneratorHarness.Compile("Ping.Host", [library], false, PingHost);
        GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).Select(d => d.ToString()));

        var diagnostics = await Analyze(output);
        var qualified = Assert.Single(diagnostics, d => d.Id == "WRN035");
        Assert.Equal("Source0.cs", qualified.Location.SourceTree?.FilePath);

        // Only the service's own type is qualified: the library's keeps the name the library gave it, which its
        // consumers and every other service use.
        var generated = string.Concat(GeneratorHarness.Run("Ping.Host", [library], PingHost).Sources.Values);
        Assert.Contains("\"ping.host.ping\"", generated, StringComparison.Ordinal);
        Assert.Contains("\"ping\"", generated, StringComparison.Ordinal);
        Assert.DoesNotContain("\"ping.contracts.ping\"", generated, StringComparison.Ordinal);
    }

    private const string TrialContracts = """
        using System.Diagnostics.CodeAnalysis;
        using System.Text.Json.Serialization;
        using System.Threading.Tasks;
        using Warren;

        namespace Trial.Contracts;

        [Experimental("TRIAL1")]
        [Exchange("trials", ExchangeKind.Topic)]
        [Topic("trial.{Region}.started")]
        public sealed record TrialStarted(string Id, string Region);

        #pragma warning disable TRIAL1
        [Publisher]
        public partial interface ITrialEvents
        {
            Task Started(TrialStarted evt);
        }

        [JsonSerializable(typeof(TrialStarted))]
        public sealed partial class TrialJson : JsonSerializerContext;
        """;

    private const string TrialHost = """
        namespace Trial.Host;

        public sealed class Flow(Trial.Contracts.ITrialEvents events)
        {
            public object Events { get; } = events;
        }
        """;

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

    /// <summary>
    /// A referenced publisher interface that inherits from an assembly this project does not reference cannot be
    /// implemented here: Warren says so where the code names it, instead of a service missing at run time.
    /// </summary>
    [Fact]
    public async Task A_referenced_publisher_this_project_cannot_implement_is_reported_where_it_is_named()
    {
        var core = GeneratorHarness.BuildLibrary("Tick.Core", """
            using System.Threading.Tasks;

            namespace Tick.Core;

            public sealed record Tick(string Id);

            public interface ITickBase
            {
                ValueTask Send(Tick t);
            }
            """);
        var contracts = GeneratorHarness.BuildLibrary("Tick.Contracts", """
            using Warren;

            namespace Tick.Contracts;

            [Publisher]
            public partial interface ITicks : Tick.Core.ITickBase;
            """, core);
        var compilation = GeneratorHarness.Compile("Tick.Host", [contracts], false, """
            using Microsoft.Extensions.DependencyInjection;

            namespace Tick.Host;

            public static class Use
            {
                public static object Get(System.IServiceProvider services) => services.GetRequiredService<Tick.Contracts.ITicks>();
            }
            """);
        GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generated);
        Assert.DoesNotContain(generated, d => d.Severity == DiagnosticSeverity.Error);
        Assert.DoesNotContain(output.SyntaxTrees, t => t.FilePath.Contains("ITicks", StringComparison.Ordinal));

        var diagnostics = await Analyze(output);
        var reported = Assert.Single(diagnostics, d => d.Id == "WRN023");
        Assert.Contains("cannot implement", reported.GetMessage(), StringComparison.Ordinal);
        Assert.Equal("Source0.cs", reported.Location.SourceTree?.FilePath);
    }

    private static Task<ImmutableArray<Diagnostic>> Analyze(Compilation output) =>
        output.WithAnalyzers([new SymbolRulesAnalyzer(), new CompilationRulesAnalyzer(), new PublishTargetAnalyzer(), new ReferencedInterfaceAnalyzer()]).GetAnalyzerDiagnosticsAsync();
}

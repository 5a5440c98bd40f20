using System;
using System.Linq;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;
using Warren.Generators.Tests.Infrastructure;
using Warren.Testing;
using Xunit;

namespace Warren.Generators.Tests;

/// <summary>
/// A public message of a referenced assembly listed only in that assembly's <c>internal</c> JsonSerializerContext has no
/// serialization metadata in a referencing project. The build reports it (WRN019) only where the project handles or
/// publishes it, so a project that does not use it builds, and its generated registration, run, must not fail for it:
/// the project starts, and only serializing the type at run time fails, saying why.
/// </summary>
public sealed class UnusableJsonContextTests
{
    private const string Contracts = """
        using System.Text.Json.Serialization;
        using Warren;

        namespace Shop.Contracts;

        [Exchange("shop")]
        [Topic("ping.{Region}")]
        [Message("ping")]
        public sealed record Ping(string Region);

        [Exchange("shop")]
        [Topic("order.placed")]
        public sealed record OrderPlaced(string OrderId);

        [JsonSerializable(typeof(Ping))]
        internal sealed partial class InternalJson : JsonSerializerContext;

        [JsonSerializable(typeof(OrderPlaced))]
        public sealed partial class ShopJson : JsonSerializerContext;
        """;

    private const string Orders = """
        using System.Threading.Tasks;
        using Warren;

        namespace Shop.Orders;

        [Queue("orders")]
        public sealed class OrderHandler
        {
            public Task Handle(Shop.Contracts.OrderPlaced placed) => Task.CompletedTask;
        }
        """;

    private static readonly Lazy<byte[]> ContractsImage = new(() => GeneratorHarness.BuildLibraryImage("Shop.Contracts", Contracts));

    /// <summary>
    /// The service handles OrderPlaced and never uses Ping: its <c>AddGeneratedHandlers()</c> runs and the host starts;
    /// publishing Ping (a use the build could not see) fails before anything is sent, naming the cause.
    /// </summary>
    [Fact]
    public async Task A_service_not_using_a_message_of_an_internal_referenced_context_starts()
    {
        var contracts = MetadataReference.CreateFromImage(ContractsImage.Value);
        var run = GeneratorHarness.Run("Shop.Orders", [contracts], Orders);
        Assert.Empty(run.CompileDiagnostics.Select(d => d.ToString()));

        var context = new LibraryLoadContext("unusable-json-context", ContractsImage.Value);
        var service = context.LoadImage(run.Output);
        await using var harness = await WarrenTestHarness.StartAsync(services => Register(service, services.AddWarren()));

        var pingType = context.Libraries[0].GetType("Shop.Contracts.Ping", throwOnError: true)!;
        var publisher = harness.Services.GetRequiredService<IPublisher>();
        var run2 = await harness.TryRunAsync(() => PublishAsync(publisher, pingType, Activator.CreateInstance(pingType, "eu")!));

        var error = Assert.IsType<InvalidOperationException>(run2.Exception);
        Assert.Contains("Ping is in no JsonSerializerContext this application can use (WRN019)", error.Message, StringComparison.Ordinal);
        Assert.Contains("internal context", error.Message, StringComparison.Ordinal);
        Assert.Empty(run2.Session.Published);
    }

    /// <summary>
    /// One level down: a test project referencing a service whose public message is in the service's internal context.
    /// The service's own registration uses its context; the test project's registration, which cannot, still runs, and
    /// the service's handler of that message works through the service's module.
    /// </summary>
    [Fact]
    public async Task A_project_referencing_a_service_with_a_message_in_an_internal_context_starts()
    {
        var billingImage = GeneratorHarness.BuildLibraryImage("Shop.Billing", """
            using System.Text.Json.Serialization;
            using System.Threading.Tasks;
            using Warren;

            namespace Shop.Billing;

            [Exchange("billing")]
            [Topic("invoice.sent")]
            public sealed record InvoiceSent(string InvoiceId);

            [Queue("billing-invoices")]
            public sealed class InvoiceHandler
            {
                public Task Handle(InvoiceSent sent) => Task.CompletedTask;
            }

            public static class Send
            {
                public static Task Invoice(System.IServiceProvider services) =>
                    Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions
                        .GetRequiredService<IPublisher>(services).PublishAsync(new InvoiceSent("i-1")).AsTask();
            }

            [JsonSerializable(typeof(InvoiceSent))]
            internal sealed partial class BillingJson : JsonSerializerContext;
            """);
        var billing = MetadataReference.CreateFromImage(billingImage);
        var run = GeneratorHarness.Run("Shop.Billing.Tests", [billing], """
            namespace Shop.Billing.Tests;

            public static class Nothing;
            """);
        Assert.Empty(run.CompileDiagnostics.Select(d => d.ToString()));

        var context = new LibraryLoadContext("unusable-json-context", billingImage);
        var tests = context.LoadImage(run.Output);
        await using var harness = await WarrenTestHarness.StartAsync(services => Register(tests, services.AddWarren()));
        Assert.Contains("WithoutJsonMetadata.Contract<global::Shop.Billing.InvoiceSent>", run.Sources["Warren.Contracts.g.cs"], StringComparison.Ordinal);

        // Registered first, the service's module keeps its own contract (with its context's metadata): its code publishes
        // and consumes the message.
        var send = context.Libraries[0].GetType("Shop.Billing.Send", throwOnError: true)!.GetMethod("Invoice")!;
        var session = await harness.RunAsync(() => (Task)send.Invoke(null, [harness.Services])!);
        session.AssertNoFailures();
        Assert.Equal("billing invoice.sent", Assert.Single(session.Published).Exchange + " " + session.Published[0].RoutingKey);
        Assert.Single(session.Consumed, m => m.Queue == "billing-invoices");
    }

    /// <summary>
    /// A project the library gives its internals to (<c>InternalsVisibleTo</c>) may use the library's internal context:
    /// Ping, listed only there, gets its metadata in the project, which handles and publishes it.
    /// </summary>
    [Fact]
    public async Task A_friend_uses_the_internal_context_of_the_library_giving_it_its_internals()
    {
        var image = GeneratorHarness.BuildLibraryImage(
            "Shop.Contracts",
            Contracts.Replace("namespace Shop.Contracts;", "[assembly: System.Runtime.CompilerServices.InternalsVisibleTo(\"Shop.Pings\")]\n\nnamespace Shop.Contracts;", StringComparison.Ordinal));
        var run = GeneratorHarness.Run("Shop.Pings", [MetadataReference.CreateFromImage(image)], """
            using System.Threading.Tasks;
            using Warren;

            namespace Shop.Pings;

            [Queue("pings")]
            public sealed class PingHandler
            {
                public Task Handle(Shop.Contracts.Ping ping) => Task.CompletedTask;
            }
            """);
        Assert.Empty(run.CompileDiagnostics.Select(d => d.ToString()));
        Assert.DoesNotContain("WithoutJsonMetadata", run.Sources["Warren.Contracts.g.cs"], StringComparison.Ordinal);
        Assert.Contains("global::Shop.Contracts.InternalJson.Default", run.Sources["Warren.Contracts.g.cs"], StringComparison.Ordinal);

        var context = new LibraryLoadContext("friend-json-context", image);
        var service = context.LoadImage(run.Output);
        await using var harness = await WarrenTestHarness.StartAsync(services => Register(service, services.AddWarren()));
        var pingType = context.Libraries[0].GetType("Shop.Contracts.Ping", throwOnError: true)!;
        var publisher = harness.Services.GetRequiredService<IPublisher>();
        var session = await harness.RunAsync(() => PublishAsync(publisher, pingType, Activator.CreateInstance(pingType, "eu")!));

        session.AssertNoFailures();
        Assert.Equal("shop ping.eu", Assert.Single(session.Published).Exchange + " " + session.Published[0].RoutingKey);
        Assert.Single(session.Consumed, m => m.Queue == "pings");
    }

    private static void Register(Assembly assembly, WarrenBuilder builder) =>
        GeneratedNames.AddGeneratedHandlers(assembly)
            .Invoke(null, [builder]);

    /// <summary><c>IPublisher.PublishAsync&lt;T&gt;(T, CancellationToken)</c> for a type known at run time only.</summary>
    private static Task PublishAsync(IPublisher publisher, Type type, object message)
    {
        var method = typeof(IPublisher).GetMethods()
            .Single(m => m.Name == nameof(IPublisher.PublishAsync) && m.GetParameters().Length == 2 && m.GetParameters()[1].ParameterType == typeof(CancellationToken))
            .MakeGenericMethod(type);
        try
        {
            return ((ValueTask)method.Invoke(publisher, [message, CancellationToken.None])!).AsTask();
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            return Task.FromException(e.InnerException);
        }
    }
}

using System.Linq;
using System.Threading.Tasks;
using Xunit;

namespace Warren.Analyzers.Tests;

/// <summary>
/// Code of a referenced library is judged the same whether the library comes as an emitted assembly (a command-line
/// build) or as its compilation (a project reference in the IDE, whose symbols keep their syntax): "declared in this
/// compilation" is a question of the assembly, not of having source, and nothing is reported in the library's files.
/// </summary>
public sealed class ReferencedProjectTests
{
    private const string Orders = """
        namespace Contracts;
        [Exchange("orders", ExchangeKind.Topic)]
        [Topic("order.placed")]
        public sealed record OrderPlaced(string Id);
        """;

    /// <summary>A hidden handler of a consumer base class in the library is reported at the derived class (WRN039).</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public Task A_hidden_handler_of_a_referenced_consumer_base_class_is_reported_at_the_derived_class(bool image) => AnalyzerHarness.VerifyWithLibraryAsync(Orders + """
        [Message("restock")]
        public sealed record Restock(string Sku);
        [Queue("base-work")]
        public class WorkBase
        {
            public Task Handle(OrderPlaced order) => Task.CompletedTask;
            protected Task Handle(Restock restock) => Task.CompletedTask;
        }
        """, image, """
        [Queue("work")]
        public sealed class {|WRN039:Work|} : Contracts.WorkBase;
        [JsonSerializable(typeof(Contracts.OrderPlaced))] internal sealed partial class Json : JsonSerializerContext;
        """);

    /// <summary>A binding declared on a handler of a referenced base class is reported at the derived class (WRN025).</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public Task A_binding_of_a_referenced_base_class_handler_is_reported_at_the_derived_class(bool image) => AnalyzerHarness.VerifyWithLibraryAsync("""
        namespace Contracts;
        [Exchange("charges", ExchangeKind.Direct)]
        public sealed record Charge(string Id);
        public abstract class ChargeHandlers
        {
            [Topic("charge.*")]
            public Task Handle(Charge charge) => Task.CompletedTask;
        }
        """, image, """
        [Queue("charges")]
        public sealed class {|WRN025:Charges|} : Contracts.ChargeHandlers;
        [JsonSerializable(typeof(Contracts.Charge))] internal sealed partial class Json : JsonSerializerContext;
        """);

    /// <summary>
    /// A [Topic] method inherited from a referenced interface: its key is judged at the local publisher (WRN001); a
    /// message of the library nothing here binds is no WRN013 (other services bind it).
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public Task A_publisher_method_inherited_from_a_referenced_interface_is_reported_at_the_publisher(bool image) => AnalyzerHarness.VerifyWithLibraryAsync(Orders + """
        public interface IOrderEvents
        {
            [Topic("order..replayed")] ValueTask Replayed(OrderPlaced order);
            [Topic("order.resent")] ValueTask Resent(OrderPlaced order);
        }
        """, image, """
        // WRN013 is checked: none expected.
        [Publisher]
        public partial interface {|WRN001:IEvents|} : Contracts.IOrderEvents;
        [Queue("audit")]
        public sealed class Audit { [Topic("order.placed")] public Task Handle(Contracts.OrderPlaced order) => Task.CompletedTask; }
        [JsonSerializable(typeof(Contracts.OrderPlaced))] internal sealed partial class Json : JsonSerializerContext;
        """);

    /// <summary>
    /// A referenced message whose default contract name collides with a local message's: WRN035 at the local one only,
    /// never at the library's declaration.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public Task A_referenced_message_sharing_a_short_name_is_not_reported_in_the_library(bool image) => AnalyzerHarness.VerifyWithLibraryAsync("""
        namespace Users;
        [Exchange("users")]
        public sealed record Created(string Id);
        """, image, """
        namespace Billing
        {
            [Exchange("billing")]
            public sealed record {|WRN035:Created|}(string Id);
            [Queue("q")]
            public sealed class Handler
            {
                public Task Handle(Users.Created created) => Task.CompletedTask;
                public Task Handle(Created created) => Task.CompletedTask;
            }
            [JsonSerializable(typeof(Users.Created), TypeInfoPropertyName = "UsersCreated")] [JsonSerializable(typeof(Created))] internal sealed partial class Json : JsonSerializerContext;
        }
        """);
    /// <summary>
    /// A private handler of a referenced consumer base class, or an internal one without InternalsVisibleTo: the class
    /// cannot reach it and an assembly image does not carry it, so it is no WRN039 either way (the IDE agrees with the
    /// command line); a protected one still is.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public Task A_handler_of_a_referenced_base_class_the_class_cannot_reach_is_not_reported(bool image) => AnalyzerHarness.VerifyWithLibraryAsync(Orders + """
        [Message("restock")]
        public sealed record Restock(string Sku);
        [Message("recount")]
        public sealed record Recount(string Sku);
        [Queue("base-work")]
        public class WorkBase
        {
            public Task Handle(OrderPlaced order) => Task.CompletedTask;
            private Task Handle(Restock restock) => Task.CompletedTask;
            internal Task Handle(Recount recount) => Task.CompletedTask;
        }
        """, image, """
        [Queue("work")]
        public sealed class Work : Contracts.WorkBase;
        [JsonSerializable(typeof(Contracts.OrderPlaced))] internal sealed partial class Json : JsonSerializerContext;
        """);

    /// <summary>
    /// An [Rpc] timeout that is no duration on a method inherited from a referenced interface: WRN020 at the service's
    /// interface, the same as an image or as a project (never in the library's file, where the analyzer failed).
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public Task An_rpc_timeout_inherited_from_a_referenced_interface_is_reported_at_the_service(bool image) => AnalyzerHarness.VerifyWithLibraryAsync("""
        namespace Contracts;
        public sealed record StockQuery(string Sku);
        public sealed record StockLevel(int Count);
        public interface IStockBase
        {
            [Rpc(Timeout = "soon")] Task<StockLevel> Get(StockQuery query);
        }
        """, image, """
        [RpcService("stock")]
        public interface {|WRN020:IStock|} : Contracts.IStockBase;
        [JsonSerializable(typeof(Contracts.StockQuery))] [JsonSerializable(typeof(Contracts.StockLevel))] internal sealed partial class Json : JsonSerializerContext;
        """);

    /// <summary>
    /// Two handlers of a referenced generic base class whose bindings match no publish of their messages: both are
    /// WRN040 at the consumer class (one report each; they share the location and the binding key).
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Handlers_of_a_referenced_base_class_are_each_reported_by_WRN040(bool image)
    {
        var diagnostics = await AnalyzerHarness.DiagnosticsWithLibraryAsync("""
            namespace Contracts;
            public abstract class Pair<TA, TB>
            {
                [Topic("never.seen")] public Task Handle(TA a) => Task.CompletedTask;
                [Topic("never.seen")] public Task Handle(TB b) => Task.CompletedTask;
            }
            """, image, """
            [Exchange("events", ExchangeKind.Topic)] [Topic("first.done")] public sealed record First(string Id);
            [Exchange("events", ExchangeKind.Topic)] [Topic("second.done")] public sealed record Second(string Id);
            [Queue("pairs")]
            public sealed class Pairs : Contracts.Pair<First, Second>;
            [JsonSerializable(typeof(First))] [JsonSerializable(typeof(Second))] internal sealed partial class Json : JsonSerializerContext;
            """);

        var reported = diagnostics.Where(d => d.Id == "WRN040").Select(d => d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(2, reported.Count);
        Assert.Contains(reported, m => m.Contains("'First'", System.StringComparison.Ordinal));
        Assert.Contains(reported, m => m.Contains("'Second'", System.StringComparison.Ordinal));
    }

    /// <summary>
    /// A message of the library listed only in the library's internal JSON context: the project the library gives its
    /// internals to (<c>InternalsVisibleTo</c>) can use that context, so handling the message there is quiet; elsewhere
    /// it is WRN019.
    /// </summary>
    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public async Task A_message_in_the_internal_context_of_a_library_giving_its_internals_is_serializable(bool image, bool givesInternals)
    {
        var diagnostics = await AnalyzerHarness.DiagnosticsWithLibraryAsync(
            (givesInternals ? "[assembly: System.Runtime.CompilerServices.InternalsVisibleTo(\"Analyzed\")]\n" : string.Empty) + """
            namespace Contracts;
            [Exchange("pings", ExchangeKind.Topic)] [Topic("ping")] public sealed record Ping(string Id);
            [JsonSerializable(typeof(Ping))]
            internal sealed class PingJson : JsonSerializerContext
            {
                public PingJson() : base(null) { }
                protected override System.Text.Json.JsonSerializerOptions? GeneratedSerializerOptions => null;
                public override System.Text.Json.Serialization.Metadata.JsonTypeInfo? GetTypeInfo(System.Type type) => null;
            }
            """,
            image,
            """
            [Queue("pings")]
            public sealed class Pings { public Task Handle(Contracts.Ping ping) => Task.CompletedTask; }
            """);

        Assert.Equal(!givesInternals, diagnostics.Any(d => d.Id == "WRN019"));
    }
}

/// <summary>
/// WRN013 leaves a message declared in a referenced assembly (a contracts library) alone, by every Warren publish path
/// (a call of <c>IPublisher.PublishAsync</c> or <c>PublishBatchAsync</c>, a local <c>[Publisher]</c> method with the
/// message's key or a <c>[Topic]</c> of its own, a call of a referenced <c>[Publisher]</c> interface's method): other
/// services, which this build cannot see, publish and bind it; the system check's WRS003 judges it across services.
/// </summary>
public sealed class WRN013_ReferencedMessageTests
{
    private const string Library = """
        namespace Contracts;
        [Exchange("orders", ExchangeKind.Topic)]
        [Topic("order.{Region}.placed")]
        public sealed record OrderPlaced(string Region);
        [Exchange("orders", ExchangeKind.Topic)]
        public sealed record OrderShipped(string Id);
        [Exchange("orders", ExchangeKind.Topic)]
        [Topic("order.cancelled")]
        public sealed record OrderCancelled(string Id);
        [Publisher]
        public partial interface IOrderEvents
        {
            ValueTask Cancelled(OrderCancelled order);
            [Topic("order.{Region}.replaced")] ValueTask Replaced(OrderPlaced order);
        }
        """;

    private const string Json = """
        [JsonSerializable(typeof(Contracts.OrderPlaced))] [JsonSerializable(typeof(Contracts.OrderShipped))] [JsonSerializable(typeof(Contracts.OrderCancelled))] [JsonSerializable(typeof(Audited))]
        internal sealed partial class Json : JsonSerializerContext;
        [Exchange("audit")]
        public sealed record Audited(string Id);
        [Queue("audit")]
        public sealed class Audit { public Task Handle(Audited audited) => Task.CompletedTask; }
        """;

    /// <summary>
    /// The usual setup of several services: a contracts library with a message on a topic exchange and one this service
    /// consumes; the service (it has consumers) publishes the other, which another service consumes.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public Task A_service_publishing_a_contract_another_service_consumes_is_quiet(bool image) => AnalyzerHarness.VerifyWithLibraryAsync("""
        namespace Contracts;
        [Exchange("orders", ExchangeKind.Topic)]
        [Topic("order.placed")]
        public sealed record OrderPlaced(string Id);
        [Exchange("payments", ExchangeKind.Topic)]
        public sealed record PaymentReceived(string OrderId);
        """, image, """
        // WRN013 is checked: none expected.
        [Queue("orders-payments")]
        public sealed class Payments(IPublisher publisher)
        {
            public async Task Handle(Contracts.PaymentReceived payment) => await publisher.PublishAsync(new Contracts.OrderPlaced(payment.OrderId));
        }
        [JsonSerializable(typeof(Contracts.OrderPlaced))] [JsonSerializable(typeof(Contracts.PaymentReceived))] internal sealed partial class Json : JsonSerializerContext;
        """);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public Task Publishes_of_referenced_messages_nothing_here_binds_are_quiet_on_every_path(bool image) => AnalyzerHarness.VerifyWithLibraryAsync(Library, image, Json + """
        // WRN013 is checked: none expected.
        [Publisher]
        public partial interface IShipping
        {
            ValueTask Shipped(Contracts.OrderShipped order);
            [Topic("order.{Region}.resent")] ValueTask Resent(Contracts.OrderPlaced order);
        }
        public sealed class Flow(IPublisher publisher, Contracts.IOrderEvents events)
        {
            public async Task Go()
            {
                await publisher.PublishAsync(new Contracts.OrderPlaced("eu"));
                await publisher.PublishBatchAsync(new[] { new Contracts.OrderShipped("1") });
                await events.Cancelled(new Contracts.OrderCancelled("1"));
                await events.Replaced(new Contracts.OrderPlaced("eu"));
            }
        }
        """);

    /// <summary>
    /// A local [Publisher] interface inheriting a referenced [Publisher] method, and a call of it: nothing (it was
    /// reported twice, once for the interface and once for the call).
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public Task A_local_publisher_inheriting_a_referenced_publisher_method_and_its_call_are_quiet(bool image) => AnalyzerHarness.VerifyWithLibraryAsync(Library, image, Json + """
        // WRN013 is checked: none expected.
        [Publisher]
        public partial interface IEvents : Contracts.IOrderEvents;
        public sealed class Flow(IEvents events)
        {
            public async Task Go() => await events.Cancelled(new Contracts.OrderCancelled("1"));
        }
        """);

    /// <summary>A message of this compilation published with a key nothing here binds is still WRN013, next to the referenced ones.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public Task A_local_message_nothing_binds_is_still_reported(bool image) => AnalyzerHarness.VerifyWithLibraryAsync(Library, image, Json + """
        [Exchange("orders", ExchangeKind.Topic)]
        [Topic("order.archived")]
        public sealed record {|WRN013:OrderArchived|}(string Id);
        [Publisher]
        public partial interface IArchive { [Topic("order.{Region}.archived")] ValueTask Archived(Contracts.OrderPlaced order); }
        [JsonSerializable(typeof(OrderArchived))] internal sealed partial class LocalJson : JsonSerializerContext;
        """);
}

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

    /// <summary>A [Topic] method inherited from a referenced interface: its key is judged at the local publisher (WRN001, WRN013).</summary>
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
        [Publisher]
        public partial interface {|WRN001:{|WRN013:IEvents|}|} : Contracts.IOrderEvents;
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
}

/// <summary>
/// WRN013 judges a referenced message wherever this compilation publishes it, by every Warren publish path: a call of
/// <c>IPublisher.PublishAsync</c> or <c>PublishBatchAsync</c>, a local <c>[Publisher]</c> method sending it with its
/// own key, a call of a referenced <c>[Publisher]</c> interface's method; once per message and key, at the first site.
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

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public Task A_publish_call_of_a_referenced_message_no_binding_receives_is_reported_once(bool image) => AnalyzerHarness.VerifyWithLibraryAsync(Library, image, Json + """
        public sealed class Flow(IPublisher publisher)
        {
            public async Task Go()
            {
                await {|WRN013:publisher.PublishAsync(new Contracts.OrderPlaced("eu"))|};
                await publisher.PublishAsync(new Contracts.OrderPlaced("us"));
                await {|WRN013:publisher.PublishBatchAsync(new[] { new Contracts.OrderShipped("1") })|};
            }
        }
        """);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public Task A_local_publisher_method_sending_a_referenced_message_with_its_key_is_reported(bool image) => AnalyzerHarness.VerifyWithLibraryAsync(Library, image, Json + """
        [Publisher]
        public partial interface IShipping
        {
            ValueTask {|WRN013:Shipped|}(Contracts.OrderShipped order);
        }
        """);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public Task A_call_of_a_referenced_publisher_method_is_reported(bool image) => AnalyzerHarness.VerifyWithLibraryAsync(Library, image, Json + """
        public sealed class Flow(Contracts.IOrderEvents events)
        {
            public async Task Go()
            {
                await {|WRN013:events.Cancelled(new Contracts.OrderCancelled("1"))|};
                await {|WRN013:events.Replaced(new Contracts.OrderPlaced("eu"))|};
            }
        }
        """);

    /// <summary>PublishOptions may name another exchange at run time: a call passing them, or a method taking them, is not judged.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public Task Publishes_with_options_are_not_judged(bool image) => AnalyzerHarness.VerifyWithLibraryAsync(Library, image, Json + """
        // WRN013 is checked: none expected.
        [Publisher]
        public partial interface IShipping { ValueTask Shipped(Contracts.OrderShipped order, PublishOptions options); }
        public sealed class Flow(IPublisher publisher)
        {
            public async Task Go()
            {
                await publisher.PublishAsync(new Contracts.OrderPlaced("eu"), new PublishOptions { Exchange = "audit" });
                await publisher.PublishBatchAsync(new[] { new Contracts.OrderShipped("1") }, new PublishOptions { Priority = 2 });
            }
        }
        """);

    /// <summary>Bindings that accept the keys: quiet on every path.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public Task Referenced_messages_a_binding_receives_are_quiet(bool image) => AnalyzerHarness.VerifyWithLibraryAsync(Library, image, Json + """
        // WRN013 is checked: none expected.
        [Queue("orders")]
        public sealed class Orders
        {
            [Topic("order.*.placed")] [Topic("order.*.replaced")] public Task Handle(Contracts.OrderPlaced order) => Task.CompletedTask;
            public Task Handle(Contracts.OrderShipped order) => Task.CompletedTask;
            public Task Handle(Contracts.OrderCancelled order) => Task.CompletedTask;
        }
        [Publisher]
        public partial interface IShipping { ValueTask Shipped(Contracts.OrderShipped order); }
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
}

using System.Threading.Tasks;
using Xunit;

namespace Warren.Analyzers.Tests;

public sealed class WRN024_ConcurrencyAbovePrefetchTests
{
    [Fact]
    public Task Concurrency_above_an_explicit_prefetch_is_reported_on_queues_and_rpc_services() => AnalyzerHarness.VerifyAsync(Sources.Order + """
        [Queue("q", Prefetch = 1, {|WRN024:Concurrency = 2|})]
        public sealed class Handler { public void Handle(OrderPlaced order) { } }
        [RpcService("svc", Prefetch = 4, {|WRN024:Concurrency = 16|})]
        public interface ISvc { Task<OrderPaid> Pay(OrderPlaced order); }
        """);

    [Fact]
    public Task Prefetch_at_or_above_concurrency_or_left_to_configuration_is_quiet() => AnalyzerHarness.VerifyAsync(Sources.Order + """
        [Queue("a", Prefetch = 2, Concurrency = 2)] public sealed class A { public void Handle(OrderPlaced order) { } }
        [Queue("b", Concurrency = 64)] public sealed class B { public void Handle(OrderPaid order) { } }
        [Queue("c", Prefetch = 10)] public sealed class C { public void Handle(OrderPaid order) { } }
        """);
}

public sealed class WRN025_WildcardOnDirectExchangeTests
{
    [Fact]
    public Task A_placeholder_key_and_an_explicit_wildcard_on_a_direct_exchange_are_reported() => AnalyzerHarness.VerifyAsync("""
        [Exchange("payments", ExchangeKind.Direct)]
        [Topic("charge.{Region}")]
        public sealed record Charge(string Id, string Region);
        [Exchange("payments", ExchangeKind.Direct)]
        [Topic("refund")]
        public sealed record Refund(string Id);
        [JsonSerializable(typeof(Charge))] [JsonSerializable(typeof(Refund))] internal sealed partial class Json : JsonSerializerContext;
        [Queue("charges")]
        public sealed class Charges { public void {|WRN025:Handle|}(Charge charge) { } }
        public sealed class Refunds { [{|WRN025:Topic("refund.#")|}] public void Handle(Refund refund) { } }
        """);

    [Fact]
    public Task Concrete_keys_on_direct_exchanges_and_wildcards_on_topic_exchanges_are_quiet() => AnalyzerHarness.VerifyAsync("""
        [Exchange("payments", ExchangeKind.Direct)]
        [Topic("charge.{Region}")]
        public sealed record Charge(string Id, string Region);
        [Exchange("events", ExchangeKind.Topic)]
        [Topic("thing.{Region}")]
        public sealed record Thing(string Id, string Region);
        [JsonSerializable(typeof(Charge))] [JsonSerializable(typeof(Thing))] internal sealed partial class Json : JsonSerializerContext;
        public sealed class Charges { [Topic("charge.eu")] [Topic("charge.us")] public void Handle(Charge charge) { } }
        [Queue("things")] public sealed class Things { public void Handle(Thing thing) { } }
        """);

    [Fact]
    public Task The_contract_name_binding_of_a_message_without_topic_is_quiet_whatever_the_name_holds() => AnalyzerHarness.VerifyAsync("""
        [Exchange("alerts", ExchangeKind.Direct)]
        [Message("alert.*")]
        public sealed record Alert(string Text);
        [JsonSerializable(typeof(Alert))] internal sealed partial class Json : JsonSerializerContext;
        [Queue("alerts")] public sealed class Alerts { public void Handle(Alert alert) { } }
        """);

    [Fact]
    public Task A_dead_letter_consumer_of_a_placeholder_message_gets_no_binding_and_is_quiet() => AnalyzerHarness.VerifyAsync("""
        [Exchange("payments", ExchangeKind.Direct)]
        [Topic("charge.{Region}")]
        public sealed record Charge(string Id, string Region);
        [JsonSerializable(typeof(Charge))] internal sealed partial class Json : JsonSerializerContext;
        [Queue("charges")] public sealed class Charges { [Topic("charge.eu")] public void Handle(Charge charge) { } }
        [Queue("charges.dlq")] public sealed class FailedCharges { public void Handle(Charge charge) { } }
        """);
}

public sealed class WRN026_HeadersMessageThroughPublisherTests
{
    [Fact]
    public Task A_publisher_method_that_cannot_set_headers_is_reported() => AnalyzerHarness.VerifyAsync("""
        [Exchange("docs", ExchangeKind.Headers)] public sealed record Doc(string Id);
        [JsonSerializable(typeof(Doc))] internal sealed partial class Json : JsonSerializerContext;
        [Publisher] public partial interface IDocs { ValueTask {|WRN026:Send|}(Doc doc, CancellationToken ct = default); }
        """);

    [Fact]
    public Task A_method_taking_publish_options_and_other_exchanges_are_quiet() => AnalyzerHarness.VerifyAsync(Sources.Order + """
        [Exchange("docs", ExchangeKind.Headers)] public sealed record Doc(string Id);
        [JsonSerializable(typeof(Doc))] internal sealed partial class MoreJson : JsonSerializerContext;
        [Publisher] public partial interface IDocs
        {
            ValueTask Send(Doc doc, PublishOptions options, CancellationToken ct = default);
            ValueTask Place(OrderPlaced order);
        }
        """);
}

public sealed class WRN027_DeadLetterConsumerBoundToWorkTests
{
    [Fact]
    public Task Explicit_work_bindings_of_dead_letter_consumers_are_reported() => AnalyzerHarness.VerifyAsync(Sources.Order + """
        [Exchange("docs", ExchangeKind.Headers)] public sealed record Doc(string Id);
        [JsonSerializable(typeof(Doc))] internal sealed partial class MoreJson : JsonSerializerContext;
        [Queue("work")] [DeadLetter(Queue = "failures")] public sealed class Work { public void Handle(OrderPlaced order) { } }
        [Queue("failures")]
        public sealed class Failures { [{|WRN027:Topic("order.placed")|}] public void Handle(OrderPlaced order) { } }
        [Queue("docs.dlq")]
        public sealed class FailedDocs { [{|WRN027:Headers("kind=pdf")|}] public void Handle(Doc doc) { } }
        """);

    [Fact]
    public Task Default_bindings_and_bindings_to_a_dead_letter_exchange_are_quiet() => AnalyzerHarness.VerifyAsync(Sources.Order + """
        [Exchange("audit", ExchangeKind.Fanout)] public sealed record Audit(string Id);
        [JsonSerializable(typeof(Audit))] internal sealed partial class MoreJson : JsonSerializerContext;
        [Queue("work")] public sealed class Work { public void Handle(OrderPlaced order) { } public void Handle(Audit audit) { } }
        [Queue("work.dlq")] public sealed class Failures { public void Handle(OrderPlaced order) { } public void Handle(Audit audit) { } }
        // A message without an exchange of its own: the handler's binding is on the class's exchange, the dead-letter one.
        public sealed record Failed(string Id);
        [JsonSerializable(typeof(Failed))] internal sealed partial class FailedJson : JsonSerializerContext;
        [Queue("second-look")] [Exchange("work.dlx", ExchangeKind.Direct)]
        public sealed class SecondLook { [Topic("work")] public void Handle(Failed failed) { } }
        """);
}

public sealed class WRN028_RpcServiceServedTwiceTests
{
    [Fact]
    public Task Two_classes_implementing_one_service_are_both_reported() => AnalyzerHarness.VerifyAsync(Sources.Order + """
        [RpcService("payments")] public interface IPayments { Task<OrderPaid> Pay(OrderPlaced order); }
        public sealed class {|WRN028:Payments|} : IPayments { public Task<OrderPaid> Pay(OrderPlaced order) => Task.FromResult(new OrderPaid(order.Id)); }
        public sealed class {|WRN028:CachedPayments|} : IPayments { public Task<OrderPaid> Pay(OrderPlaced order) => Task.FromResult(new OrderPaid(order.Id)); }
        """);

    [Fact]
    public Task One_server_per_service_and_abstract_bases_are_quiet() => AnalyzerHarness.VerifyAsync(Sources.Order + """
        [RpcService("payments")] public interface IPayments { Task<OrderPaid> Pay(OrderPlaced order); }
        [RpcService("refunds")] public interface IRefunds { Task<OrderPaid> Refund(OrderPlaced order); }
        public abstract class PaymentsBase : IPayments { public abstract Task<OrderPaid> Pay(OrderPlaced order); }
        public sealed class Payments : PaymentsBase, IRefunds
        {
            public override Task<OrderPaid> Pay(OrderPlaced order) => Task.FromResult(new OrderPaid(order.Id));
            public Task<OrderPaid> Refund(OrderPlaced order) => Task.FromResult(new OrderPaid(order.Id));
        }
        """);
}

public sealed class WRN029_SettingOutOfRangeTests
{
    [Fact]
    public Task Prefetch_beyond_sixteen_bits_and_negative_values_are_reported() => AnalyzerHarness.VerifyAsync(Sources.Order + """
        [Queue("a", {|WRN029:Prefetch = 70000|})] public sealed class A { public void Handle(OrderPlaced order) { } }
        [Queue("b", {|WRN029:Prefetch = -1|})] public sealed class B { public void Handle(OrderPaid order) { } }
        [Queue("c", {|WRN029:Concurrency = -2|})] public sealed class C { public void Handle(OrderPaid order) { } }
        [RpcService("svc", {|WRN029:Prefetch = 65536|})] public interface ISvc { Task<OrderPaid> Pay(OrderPlaced order); }
        """);

    [Fact]
    public Task The_largest_prefetch_is_quiet() => AnalyzerHarness.VerifyAsync(Sources.Order + """
        [Queue("a", Prefetch = 65535, Concurrency = 100)] public sealed class A { public void Handle(OrderPlaced order) { } }
        """);
}

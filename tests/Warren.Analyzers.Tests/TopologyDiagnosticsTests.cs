using System.Threading.Tasks;
using Xunit;

namespace Warren.Analyzers.Tests;

public sealed class WRN008_ConflictingExchangeTests
{
    [Fact]
    public Task The_same_exchange_with_two_types_is_reported_at_both_declarations_across_files() => AnalyzerHarness.VerifyAsync(
        """
        [{|WRN008:Exchange("orders", ExchangeKind.Topic)|}]
        [Topic("order.placed")]
        public sealed record OrderPlaced(string Id);
        [JsonSerializable(typeof(OrderPlaced))]
        [JsonSerializable(typeof(OrderPaid))]
        internal sealed partial class Json : JsonSerializerContext;
        """,
        """
        [{|WRN008:Exchange("orders", ExchangeKind.Direct)|}]
        [Topic("order.paid")]
        public sealed record OrderPaid(string Id);
        """);

    [Fact]
    public Task The_same_exchange_declared_alike_is_quiet() => AnalyzerHarness.VerifyAsync(Sources.Order);
}

public sealed class WRN009_ConflictingQueueTests
{
    [Fact]
    public Task The_same_queue_with_other_arguments_is_reported() => AnalyzerHarness.VerifyAsync(
        Sources.Order + """
        [{|WRN009:{|WRN036:Queue("shared", MessageTtl = "1m")|}|}]
        public sealed class A { public void Handle(OrderPlaced order) { } }
        """,
        """
        [{|WRN009:{|WRN036:Queue("shared")|}|}]
        public sealed class B { public void Handle(OrderPaid order) { } }
        """);
}

public sealed class WRN009_IdenticalQueueTests
{
    [Fact]
    public Task The_same_queue_declared_alike_is_no_WRN009_but_two_consumers_of_it_are_WRN036() => AnalyzerHarness.VerifyAsync(
        Sources.Order + """
        [{|WRN036:Queue("shared", MessageTtl = "1m")|}]
        public sealed class A { public void Handle(OrderPlaced order) { } }
        [{|WRN036:Queue("shared", MessageTtl = "60s")|}]
        public sealed class B { public void Handle(OrderPaid order) { } }
        """);
}

public sealed class WRN010_WRN011_PriorityRangeTests
{
    [Fact]
    public Task Priorities_from_one_to_ten_are_quiet() => AnalyzerHarness.VerifyAsync("""
        [Exchange("jobs", ExchangeKind.Direct)]
        [Topic("job")]
        [Priority(10)]
        public sealed record Job(string Id);
        [Queue("q")]
        [Priority(Max = 10)]
        public sealed class Worker { public void Handle(Job job) { } }
        [JsonSerializable(typeof(Job))] internal sealed partial class Json : JsonSerializerContext;
        """);

    [Fact]
    public Task Priorities_out_of_range_and_above_ten_are_reported() => AnalyzerHarness.VerifyAsync("""
        [Exchange("jobs", ExchangeKind.Direct)]
        [Topic("job")]
        [{|WRN012:Priority({|WRN010:300|})|}]
        public sealed record Job(string Id);
        [Exchange("jobs", ExchangeKind.Direct)]
        [Topic("big")]
        [{|WRN012:Priority({|WRN011:20|})|}]
        public sealed record BigJob(string Id);
        [Queue("q")]
        [Priority({|WRN010:Max = 0|})]
        public sealed class Worker { public void Handle(Job job) { } public void Handle(BigJob job) { } }
        [JsonSerializable(typeof(Job))] [JsonSerializable(typeof(BigJob))] internal sealed partial class Json : JsonSerializerContext;
        """);
}

public sealed class WRN012_PriorityIgnoredTests
{
    [Fact]
    public Task A_prioritized_message_only_received_by_queues_without_priorities_is_reported() => AnalyzerHarness.VerifyAsync("""
        [Exchange("jobs", ExchangeKind.Direct)]
        [Topic("job")]
        [{|WRN012:Priority(5)|}]
        public sealed record Job(string Id);
        [Queue("q")]
        public sealed class Worker { public void Handle(Job job) { } }
        [JsonSerializable(typeof(Job))] internal sealed partial class Json : JsonSerializerContext;
        """);

    /// <summary>A message whose only Warren attribute is its default priority (published with IPublisher) is judged too.</summary>
    [Fact]
    public Task A_message_with_only_a_priority_is_reported() => AnalyzerHarness.VerifyAsync("""
        [{|WRN012:Priority(5)|}]
        public sealed record Job(string Id);
        [Queue("q")]
        public sealed class Worker { public void Handle(Job job) { } }
        [JsonSerializable(typeof(Job))] internal sealed partial class Json : JsonSerializerContext;
        """);

    /// <summary>
    /// A prioritized message of a referenced contracts library (its compilation in the IDE, its assembly on the command
    /// line) is reported at each consumer class here whose queue receives it without x-max-priority.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public Task A_prioritized_message_of_a_referenced_library_is_reported_at_the_consumer(bool image) => AnalyzerHarness.VerifyWithLibraryAsync("""
        namespace Contracts;
        [Exchange("orders", ExchangeKind.Topic)]
        [Topic("order.{Region}.placed")]
        [Priority(5)]
        public sealed record OrderPlaced(string OrderId, string Region);
        """, image, """
        [Queue("worker.orders")]
        public sealed class {|WRN012:OrderHandler|}
        {
            [Topic("order.*.placed")]
            public Task Handle(Contracts.OrderPlaced evt, MessageContext context, CancellationToken ct) => Task.CompletedTask;
        }
        [Queue("worker.audit")]
        public sealed class {|WRN012:OrderAudit|} { public void Handle(Contracts.OrderPlaced evt) { } }
        [JsonSerializable(typeof(Contracts.OrderPlaced))] internal sealed partial class Json : JsonSerializerContext;
        """);

    /// <summary>The handler may come from a base class of the library.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public Task A_prioritized_message_of_a_referenced_base_class_handler_is_reported(bool image) => AnalyzerHarness.VerifyWithLibraryAsync("""
        namespace Contracts;
        [Message("job")]
        [Priority(5)]
        public sealed record Job(string Id);
        public abstract class JobHandlers { public Task Handle(Job job) => Task.CompletedTask; }
        """, image, """
        [Queue("jobs")]
        public sealed class {|WRN012:Jobs|} : Contracts.JobHandlers;
        [JsonSerializable(typeof(Contracts.Job))] internal sealed partial class Json : JsonSerializerContext;
        """);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public Task A_prioritized_message_of_a_referenced_library_received_by_a_queue_with_max_priority_is_quiet(bool image) => AnalyzerHarness.VerifyWithLibraryAsync("""
        namespace Contracts;
        [Message("job")]
        [Priority(5)]
        public sealed record Job(string Id);
        [Message("plain")]
        public sealed record Plain(string Id);
        """, image, """
        [Queue("jobs")]
        [Priority(Max = 10)]
        public sealed class Jobs { public void Handle(Contracts.Job job) { } }
        [Queue("plain")]
        public sealed class Plains { public void Handle(Contracts.Plain plain) { } }
        [JsonSerializable(typeof(Contracts.Job))] [JsonSerializable(typeof(Contracts.Plain))] internal sealed partial class Json : JsonSerializerContext;
        """);

    [Fact]
    public Task A_queue_with_max_priority_is_quiet() => AnalyzerHarness.VerifyAsync("""
        [Exchange("jobs", ExchangeKind.Direct)]
        [Topic("job")]
        [Priority(5)]
        public sealed record Job(string Id);
        [Queue("q")]
        [Priority(Max = 10)]
        public sealed class Worker { public void Handle(Job job) { } }
        [JsonSerializable(typeof(Job))] internal sealed partial class Json : JsonSerializerContext;
        """);
}

public sealed class WRN013_UnreceivedTests
{
    [Fact]
    public Task A_message_no_binding_receives_is_reported_and_a_bound_one_is_not() => AnalyzerHarness.VerifyAsync("""
        [Exchange("orders")]
        [Topic("order.{Region}.placed")]
        public sealed record OrderPlaced(string Region);
        [Exchange("orders")]
        [Topic("invoice.sent")]
        public sealed record {|WRN013:InvoiceSent|}(string Id);
        [Queue("q")]
        public sealed class Handler { [Topic("order.*.placed")] public void Handle(OrderPlaced order) { } }
        [JsonSerializable(typeof(OrderPlaced))] [JsonSerializable(typeof(InvoiceSent))] internal sealed partial class Json : JsonSerializerContext;
        """);
}

/// <summary>WRN013 compares each publish key with the bindings on its exchange, whatever type their handlers take.</summary>
public sealed class WRN013_UnreceivedBindingTests
{
    [Fact]
    public Task A_handler_of_the_type_bound_to_another_key_does_not_receive_it() => AnalyzerHarness.VerifyAsync("""
        [Exchange("orders")]
        [Topic("order.{Region}.placed")]
        public sealed record {|WRN013:OrderPlaced|}(string Region);
        [Queue("q")]
        public sealed class Handler { [{|WRN040:Topic("order.*.shipped")|}] public void Handle(OrderPlaced order) { } }
        [JsonSerializable(typeof(OrderPlaced))] internal sealed partial class Json : JsonSerializerContext;
        """);

    [Fact]
    public Task A_handler_of_a_dead_letter_queue_does_not_receive_the_work_messages() => AnalyzerHarness.VerifyAsync("""
        [Exchange("orders")]
        [Topic("order.placed")]
        public sealed record {|WRN013:OrderPlaced|}(string Region);
        [Queue("work")]
        public sealed class Work { [{|WRN040:Topic("invoice.sent")|}] public void Handle(OrderPlaced order) { } }
        [Queue("work.dlq")]
        public sealed class Failures { public void Handle(OrderPlaced order) { } }
        [JsonSerializable(typeof(OrderPlaced))] internal sealed partial class Json : JsonSerializerContext;
        """);

    /// <summary>Placeholders stand for a word a binding's literal word may be; a binding of another type's handler receives the key too.</summary>
    [Fact]
    public Task Bindings_that_accept_the_key_are_quiet() => AnalyzerHarness.VerifyAsync("""
        // WRN013 is checked: none expected.
        [Exchange("orders")]
        [Topic("order.{Region}.placed")]
        public sealed record OrderPlaced(string Region);
        [Exchange("orders")]
        [Topic("order.v{Version}.cancelled")]
        public sealed record OrderCancelled(int Version);
        [Exchange("orders")]
        public sealed record OrderAudited(string Id);
        [Exchange("charges", ExchangeKind.Direct)]
        [Topic("charge.{Region}")]
        public sealed record Charge(string Region);
        [Queue("eu")]
        public sealed class Europe
        {
            [Topic("order.eu.placed")] public void Handle(OrderPlaced order) { }
            [Topic("charge.eu")] public void Handle(Charge charge) { }
            public void Handle(OrderAudited audited) { }
        }
        [Queue("audit")]
        [Exchange("orders")]
        public sealed class Audit { [Topic("order.#")] public void Handle(string body) { } }
        [JsonSerializable(typeof(OrderPlaced))] [JsonSerializable(typeof(OrderCancelled))] [JsonSerializable(typeof(OrderAudited))] [JsonSerializable(typeof(Charge))]
        internal sealed partial class Json : JsonSerializerContext;
        """);

    [Fact]
    public Task A_direct_key_no_binding_can_equal_is_reported() => AnalyzerHarness.VerifyAsync("""
        [Exchange("charges", ExchangeKind.Direct)]
        [Topic("charge.{Region}")]
        public sealed record {|WRN013:Charge|}(string Region);
        [Queue("q")]
        public sealed class Handler { [{|WRN040:Topic("refund.eu")|}] public void Handle(Charge charge) { } }
        [JsonSerializable(typeof(Charge))] internal sealed partial class Json : JsonSerializerContext;
        """);

    /// <summary>Header values and fanout need no key: any binding on the exchange, or a handler of the type, is enough.</summary>
    [Fact]
    public Task Headers_and_fanout_exchanges_are_quiet_with_a_binding() => AnalyzerHarness.VerifyAsync("""
        // WRN013 is checked: none expected.
        [Exchange("docs", ExchangeKind.Headers)]
        public sealed record Document(string Format);
        [Exchange("news", ExchangeKind.Fanout)]
        public sealed record News(string Text);
        [Queue("q")]
        public sealed class Handler
        {
            [Headers("format=pdf")] public void Handle(Document doc) { }
            public void Handle(News news) { }
        }
        [JsonSerializable(typeof(Document))] [JsonSerializable(typeof(News))] internal sealed partial class Json : JsonSerializerContext;
        """);

    [Fact]
    public Task A_publisher_methods_own_key_is_compared_too() => AnalyzerHarness.VerifyAsync("""
        [Exchange("orders")]
        [Topic("order.{Region}.placed")]
        public sealed record OrderPlaced(string Region);
        [Publisher]
        public partial interface IOrders
        {
            ValueTask Placed(OrderPlaced order);
            [{|WRN013:Topic("order.replayed")|}] ValueTask Replayed(OrderPlaced order);
        }
        [Queue("q")]
        public sealed class Handler { public void Handle(OrderPlaced order) { } }
        [JsonSerializable(typeof(OrderPlaced))] internal sealed partial class Json : JsonSerializerContext;
        """);
}

/// <summary>
/// A publish key already reported as invalid (WRN001, WRN002, WRN003, WRN004) is not reported again as unreceived: the
/// one mistake gets the one diagnostic that says what to change. A valid key no binding accepts still gets WRN013.
/// </summary>
public sealed class WRN013_KeyInErrorTests
{
    [Fact]
    public Task A_template_with_an_unknown_or_unsupported_placeholder_is_not_also_unreceived() => AnalyzerHarness.VerifyAsync("""
        [Exchange("orders")]
        [Topic({|WRN003:"order.{Regoin}.placed"|})]
        public sealed record OrderPlaced(string Region);
        [Exchange("orders")]
        [Topic({|WRN004:"order.{Amount}.paid"|})]
        public sealed record OrderPaid(decimal Amount);
        [Exchange("orders")]
        [Topic("order.shipped")]
        public sealed record {|WRN013:OrderShipped|}(string Id);
        [Queue("q")]
        public sealed class Handler { [Topic("invoice.sent")] public void Handle(string body) { } }
        [JsonSerializable(typeof(OrderPlaced))] [JsonSerializable(typeof(OrderPaid))] [JsonSerializable(typeof(OrderShipped))]
        internal sealed partial class Json : JsonSerializerContext;
        """);

    [Fact]
    public Task A_publisher_method_key_with_an_unknown_placeholder_is_not_also_unreceived() => AnalyzerHarness.VerifyAsync("""
        [Exchange("orders")]
        [Topic("order.placed")]
        public sealed record OrderPlaced(string Region);
        [Publisher]
        public partial interface IOrders
        {
            [Topic({|WRN003:"order.{Nowhere}.replayed"|})] ValueTask Replayed(OrderPlaced order);
            [{|WRN013:Topic("order.{Region}.resent")|}] ValueTask Resent(OrderPlaced order);
        }
        [Queue("q")]
        public sealed class Handler { public void Handle(OrderPlaced order) { } }
        [JsonSerializable(typeof(OrderPlaced))] internal sealed partial class Json : JsonSerializerContext;
        """);

    /// <summary>A default contract name over 255 bytes once qualified (WRN001) is its routing key: not reported as unreceived too.</summary>
    [Fact]
    public Task A_qualified_contract_name_over_255_bytes_is_not_also_unreceived() => AnalyzerHarness.VerifyAsync($$"""
        namespace {{new string('n', 250)}} { [Exchange("users")] public sealed record {|WRN001:Created|}(string Id); }
        namespace Billing { [Exchange("users")] public sealed record {|WRN035:Created|}(string Id); }
        [Exchange("users")]
        public sealed record {|WRN013:Deleted|}(string Id);
        [Queue("q")]
        public sealed class Handler { public void Handle(Billing.Created created) { } }
        [JsonSerializable(typeof({{new string('n', 250)}}.Created), TypeInfoPropertyName = "LongCreated")]
        [JsonSerializable(typeof(Billing.Created), TypeInfoPropertyName = "BillingCreated")]
        [JsonSerializable(typeof(Deleted))]
        internal sealed partial class Json : JsonSerializerContext;
        """);
}

public sealed class WRN014_DeadLetterLoopTests
{
    [Fact]
    public Task A_queue_dead_lettering_into_itself_is_reported() => AnalyzerHarness.VerifyAsync(Sources.Order + """
        [Queue("q")]
        [DeadLetter({|WRN014:Queue = "q"|})]
        public sealed class Handler { public void Handle(OrderPlaced order) { } }
        """);
}

public sealed class WRN014_DeadLetterElsewhereTests
{
    [Fact]
    public Task A_dead_letter_queue_of_its_own_is_quiet() => AnalyzerHarness.VerifyAsync(Sources.Order + """
        [Queue("q")]
        [DeadLetter(Queue = "q.failed")]
        public sealed class Handler { public void Handle(OrderPlaced order) { } }
        """);
}

public sealed class WRN015_RetriesOverDeliveryLimitTests
{
    [Fact]
    public Task More_attempts_than_the_delivery_limit_is_reported() => AnalyzerHarness.VerifyAsync(Sources.Order + """
        [Queue("q", Type = QueueType.Quorum, {|WRN015:DeliveryLimit = 3|})]
        [DeadLetter(ImmediateRetries = 1, MaxRetries = 2)]
        public sealed class Handler { public void Handle(OrderPlaced order) { } }
        """);

    [Fact]
    public Task A_limit_above_the_attempts_is_quiet() => AnalyzerHarness.VerifyAsync(Sources.Order + """
        [Queue("q", Type = QueueType.Quorum, DeliveryLimit = 10)]
        [DeadLetter(ImmediateRetries = 1, MaxRetries = 2)]
        public sealed class Handler { public void Handle(OrderPlaced order) { } }
        """);
}

public sealed class WRN016_WRN017_QuorumOptionsTests
{
    [Fact]
    public Task Options_a_quorum_queue_refuses_are_reported() => AnalyzerHarness.VerifyAsync(Sources.Order + """
        [Queue("q", Type = QueueType.Quorum, {|WRN016:Exclusive = true|}, {|WRN016:AutoDelete = true|}, {|WRN016:Durable = false|}, {|WRN017:Overflow = QueueOverflow.RejectPublishDlx|})]
        [{|WRN016:Priority(Max = 5)|}]
        public sealed class Handler { public void Handle(OrderPlaced order) { } }
        """);

    [Fact]
    public Task The_same_options_on_a_classic_queue_are_quiet() => AnalyzerHarness.VerifyAsync(Sources.Order + """
        [Queue("q", Exclusive = true, AutoDelete = true, Durable = false, Overflow = QueueOverflow.RejectPublishDlx)]
        [Priority(Max = 5)]
        public sealed class Handler { public void Handle(OrderPlaced order) { } }
        """);

    [Fact]
    public Task A_non_durable_quorum_rpc_queue_is_reported_and_a_non_durable_classic_one_is_quiet() => AnalyzerHarness.VerifyAsync("""
        [RpcService("fib", QueueType = QueueType.Quorum, {|WRN016:Durable = false|})]
        public interface IFib { Task<string> Fib(string n); }

        [RpcService("tutorial-fib", Queue = "rpc_queue", Durable = false)]
        public interface ITutorialFib { Task<string> Fib(string n); }
        """);
}

public sealed class WRN018_UnsupportedRpcMethodTests
{
    [Fact]
    public Task Unsupported_rpc_shapes_are_reported() => AnalyzerHarness.VerifyAsync("""
        public sealed record Ask(string Q);
        public sealed record Answer(string A);
        [RpcService("oracle")]
        public interface IOracle
        {
            Task<Answer> Good(Ask ask, CancellationToken ct = default);
            Answer {|WRN018:Sync|}(Ask ask);
            Task<Answer> {|WRN018:TwoRequests|}(Ask a, Ask b);
            Task {|WRN018:NoRequest|}();
        }
        [JsonSerializable(typeof(Ask))] [JsonSerializable(typeof(Answer))] internal sealed partial class Json : JsonSerializerContext;
        """);
}

public sealed class WRN019_NotSerializableTests
{
    [Fact]
    public Task A_message_in_no_context_is_reported_once() => AnalyzerHarness.VerifyAsync("""
        [Exchange("orders")]
        [Topic("order.placed")]
        public sealed record {|WRN019:OrderPlaced|}(string Id);
        [Exchange("orders")]
        [Topic("order.paid")]
        public sealed record OrderPaid(string Id);
        [Queue("q")]
        public sealed class Handler { public void Handle(OrderPlaced order) { } [Topic("order.paid")] public void Paid(OrderPaid order) { } }
        [JsonSerializable(typeof(OrderPaid))] internal sealed partial class Json : JsonSerializerContext;
        """);

    [Fact]
    public Task Rpc_request_and_response_types_need_a_context_too() => AnalyzerHarness.VerifyAsync("""
        public sealed record Ask(string Q);
        public sealed record Answer(string A);
        [RpcService("oracle")]
        public interface IOracle
        {
            Task<Answer> {|WRN019:Query|}(Ask {|WRN019:ask|});
        }
        internal sealed partial class Json : JsonSerializerContext;
        """);
}

public sealed class WRN020_InvalidDurationTests
{
    [Fact]
    public Task Unparseable_durations_are_reported() => AnalyzerHarness.VerifyAsync(Sources.Order + """
        [Queue("q", {|WRN020:MessageTtl = "ten minutes"|}, {|WRN020:HandlerTimeout = "5x"|})]
        [DeadLetter(MaxRetries = 2, {|WRN020:RetryDelays = new[] { "1s", "soon" }|})]
        public sealed class Handler { public void Handle(OrderPlaced order) { } }
        """);

    [Fact]
    public Task Valid_durations_are_quiet() => AnalyzerHarness.VerifyAsync(Sources.Order + """
        [Queue("q", MessageTtl = "10m", HandlerTimeout = "500ms")]
        [DeadLetter(MaxRetries = 3, RetryDelays = new[] { "1s", "1h", "2d" })]
        public sealed class Handler { public void Handle(OrderPlaced order) { } }
        """);
}

public sealed class WRN031_StreamOptionsTests
{
    [Fact]
    public Task Options_a_stream_refuses_or_ignores_are_reported() => AnalyzerHarness.VerifyAsync(Sources.Order + """
        [Queue("s", Type = QueueType.Stream, {|WRN031:Exclusive = true|}, {|WRN031:AutoDelete = true|}, {|WRN031:Durable = false|}, {|WRN031:MessageTtl = "1h"|}, {|WRN031:MaxLength = 10|}, {|WRN031:DeliveryLimit = 3|})]
        [{|WRN031:Priority(Max = 5)|}]
        [DeadLetter({|WRN031:MaxRetries = 2|})]
        [ConsumeFrom({|WRN031:Timestamp = "2025-01-31 10:00"|}, {|WRN031:Offset = -5|})]
        public sealed class Handler { public void Handle(OrderPlaced order) { } }
        """);

    [Fact]
    public Task A_stream_with_retention_and_a_start_is_quiet() => AnalyzerHarness.VerifyAsync(Sources.Order + """
        [Queue("s", Type = QueueType.Stream, MaxAge = "7D", MaxLengthBytes = 1_000_000_000, MaxSegmentSizeBytes = 100_000_000, Prefetch = 50)]
        [ConsumeFrom(StreamFrom.First, StoredOffset = true)]
        [DeadLetter(ImmediateRetries = 2, MaxRetries = 0)]
        public sealed class Handler { public void Handle(OrderPlaced order) { } }

        [Queue("t", Type = QueueType.Stream)]
        [ConsumeFrom(Timestamp = "2025-01-31T10:00:00+01:00")]
        public sealed class FromTime { public void Handle(OrderPlaced order) { } }
        """);

    [Fact]
    public Task Stream_options_on_other_queue_types_are_reported() => AnalyzerHarness.VerifyAsync(Sources.Order + """
        [Queue("q", Type = QueueType.Quorum, {|WRN031:MaxAge = "7D"|}, {|WRN031:MaxSegmentSizeBytes = 1000|})]
        [{|WRN031:ConsumeFrom(StreamFrom.First)|}]
        public sealed class Handler { public void Handle(OrderPlaced order) { } }
        """);
}

/// <summary>
/// WRN042: more RetryDelays than MaxRetries (0 unless set): the delays past the count are never used. Fewer delays than
/// retries is no mistake: the last delay repeats.
/// </summary>
public sealed class WRN042_UnusedRetryDelaysTests
{
    [Fact]
    public Task Delays_past_the_count_are_reported_on_classes_and_handlers() => AnalyzerHarness.VerifyAsync(Sources.Order + """
        [Queue("q")]
        [DeadLetter(MaxRetries = 2, {|WRN042:RetryDelays = new[] { "1s", "10s", "1m" }|})]
        public sealed class Handler
        {
            public void Handle(OrderPlaced order) { }
            [DeadLetter(MaxRetries = 1, {|WRN042:RetryDelays = new[] { "1s", "5s" }|})]
            public void Handle(OrderPaid order) { }
        }
        [Queue("unset")]
        [DeadLetter({|WRN042:RetryDelays = new[] { "10s" }|})]
        public sealed class Unset { public void Handle(OrderPlaced order) { } }
        """);

    [Fact]
    public Task As_many_or_fewer_delays_than_retries_are_quiet() => AnalyzerHarness.VerifyAsync(Sources.Order + """
        [Queue("q")]
        [DeadLetter(MaxRetries = 3, RetryDelays = new[] { "1s", "10s", "1m" })]
        public sealed class Exact { public void Handle(OrderPlaced order) { } }
        [Queue("q2")]
        [DeadLetter(MaxRetries = 5, RetryDelays = new[] { "1s" })]
        public sealed class Repeating { public void Handle(OrderPlaced order) { } }
        [Queue("q3")]
        [DeadLetter(Enabled = false, RetryDelays = new[] { "1s" })]
        public sealed class Disabled { public void Handle(OrderPlaced order) { } }
        [Queue("q4")]
        [DeadLetter(MaxRetries = 2)]
        public sealed class DefaultDelay { public void Handle(OrderPlaced order) { } }
        """);

    /// <summary>The generator drops delays it cannot read or that are not positive; only the ones it uses count.</summary>
    [Fact]
    public async Task Delays_the_generator_drops_are_not_counted()
    {
        var diagnostics = await AnalyzerHarness.DiagnosticsAsync(Sources.Order + """
            [Queue("q")]
            [DeadLetter(MaxRetries = 2, RetryDelays = new[] { "1s", "soon", "0s", "10s" })]
            public sealed class Handler { public void Handle(OrderPlaced order) { } }
            [Queue("q2")]
            [DeadLetter(MaxRetries = 1, RetryDelays = new[] { "1s", "soon", "10s" })]
            public sealed class Over { public void Handle(OrderPlaced order) { } }
            """);
        var message = Assert.Single(diagnostics, d => d.Id == "WRN042").GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        Assert.StartsWith("[DeadLetter] of 'Over' lists 2 retry delays but MaxRetries is 1", message, System.StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_message_counts_the_unused_delays()
    {
        var diagnostics = await AnalyzerHarness.DiagnosticsAsync(Sources.Order + """
            [Queue("q")]
            [DeadLetter(MaxRetries = 1, RetryDelays = new[] { "1s", "10s", "1m" })]
            public sealed class Handler { public void Handle(OrderPlaced order) { } }
            """);
        var message = Assert.Single(diagnostics, d => d.Id == "WRN042").GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal("[DeadLetter] of 'Handler' lists 3 retry delays but MaxRetries is 1: only the first 1 is used, the other 2 never. Set MaxRetries = 3 to use them all, or remove the delays it does not use.", message);
    }
}

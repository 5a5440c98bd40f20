using System.Linq;
using System.Threading.Tasks;
using Xunit;

namespace Warren.Analyzers.Tests;

internal static class Sources
{
    public const string Order = """
        [Exchange("orders")]
        [Topic("order.placed")]
        public sealed record OrderPlaced(string Id);
        [Exchange("orders")]
        [Topic("order.paid")]
        public sealed record OrderPaid(string Id);
        [JsonSerializable(typeof(OrderPlaced))]
        [JsonSerializable(typeof(OrderPaid))]
        internal sealed partial class Json : JsonSerializerContext;

        """;
}

public sealed class WRN005_UnsupportedHandlerTests
{
    [Fact]
    public Task Static_private_generic_and_wrong_returns_are_reported() => AnalyzerHarness.VerifyAsync(Sources.Order + """
        [Queue("q")]
        public sealed class Handler
        {
            public void Handle(OrderPlaced order) { }
            [Topic("order.paid")] public static void {|WRN005:Paid|}(OrderPaid order) { }
            [Topic("order.paid")] private void {|WRN005:Hidden|}(OrderPaid order) { }
            [Topic("order.paid")] public int {|WRN005:Counted|}(OrderPaid order) => 1;
            [Topic("order.paid")] public void {|WRN005:Generic|}<T>(OrderPaid order) { }
            [Topic("order.paid")] public void {|WRN005:Nothing|}(CancellationToken ct) { }
            [Topic("order.paid")] public void {|WRN005:Two|}(OrderPaid a, OrderPlaced b) { }
        }
        """);

    /// <summary>
    /// A service parameter (a logger) next to the message is no second message: the diagnostic names the parameter, says
    /// what else a handler may take and that services come through the constructor. Two messages are still two messages.
    /// </summary>
    [Fact]
    public async Task A_service_parameter_is_named_as_such_and_two_messages_as_two_messages()
    {
        var diagnostics = await AnalyzerHarness.DiagnosticsAsync(Sources.Order + """
            [Queue("q")]
            public sealed class Sig4
            {
                public Task Handle(OrderPlaced m, Microsoft.Extensions.Logging.ILogger<Sig4> log) => Task.CompletedTask;
                [Topic("order.paid")] public Task Logged(Microsoft.Extensions.Logging.ILogger log, OrderPaid paid, CancellationToken ct) => Task.CompletedTask;
                [Topic("order.paid")] public void Two(OrderPaid a, OrderPlaced b) { }
            }
            """);

        var messages = diagnostics.Where(d => d.Id == "WRN005").ToDictionary(d => d.Location.SourceTree!.ToString().Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length), d => d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(["Handle", "Logged", "Two"], messages.Keys.OrderBy(k => k, System.StringComparer.Ordinal));
        Assert.Contains("takes 'ILogger<Sig4> log' besides its message 'OrderPlaced m'", messages["Handle"], System.StringComparison.Ordinal);
        Assert.Contains("not a MessageContext or a CancellationToken", messages["Handle"], System.StringComparison.Ordinal);
        Assert.Contains("through the consumer class's constructor", messages["Handle"], System.StringComparison.Ordinal);
        Assert.DoesNotContain("more than one message", messages["Handle"], System.StringComparison.Ordinal);
        Assert.Contains("takes 'ILogger log' besides its message 'OrderPaid paid'", messages["Logged"], System.StringComparison.Ordinal);
        Assert.Contains("takes more than one message ('OrderPaid a' and 'OrderPlaced b')", messages["Two"], System.StringComparison.Ordinal);
    }

    [Fact]
    public Task An_abstract_handler_is_reported() => AnalyzerHarness.VerifyAsync(Sources.Order + """
        [Queue("q")]
        public abstract class Handler
        {
            public abstract void {|WRN005:Handle|}(OrderPlaced order);
        }
        """);

    [Fact]
    public Task Supported_shapes_are_quiet() => AnalyzerHarness.VerifyAsync(Sources.Order + """
        [Queue("q")]
        public sealed class Handler
        {
            public Task Handle(OrderPlaced order, MessageContext context, CancellationToken ct) => Task.CompletedTask;
            [Topic("order.paid")] public ValueTask Paid(OrderPaid order) => default;
            private void NotAHandler(int x) { }
        }
        """);
}

public sealed class WRN006_DuplicateHandlerTests
{
    [Fact]
    public Task Two_handlers_for_one_message_type_are_reported() => AnalyzerHarness.VerifyAsync(Sources.Order + """
        [Queue("q")]
        public sealed class Handler
        {
            [Topic("order.placed")] public void First(OrderPlaced order) { }
            [Topic("order.#")] public void {|WRN006:Second|}(OrderPlaced order) { }
        }
        """);

    [Fact]
    public Task Handlers_of_different_types_are_quiet() => AnalyzerHarness.VerifyAsync(Sources.Order + """
        [Queue("q")]
        public sealed class Handler
        {
            [Topic("order.placed")] public void Placed(OrderPlaced order) { }
            [Topic("order.paid")] public void Paid(OrderPaid order) { }
        }
        """);
}

public sealed class WRN007_QueueWithoutHandlersTests
{
    [Fact]
    public Task A_queue_class_without_handlers_is_reported() => AnalyzerHarness.VerifyAsync(Sources.Order + """
        [Queue("q")]
        public sealed class {|WRN007:Empty|}
        {
            public void Helper(int x) { }
        }
        """);

    [Fact]
    public Task A_queue_class_with_a_handler_is_quiet() => AnalyzerHarness.VerifyAsync(Sources.Order + """
        [Queue("q")]
        public sealed class Full { public void Handle(OrderPlaced order) { } }
        """);

    /// <summary>
    /// A Handle method that is there but malformed gets WRN005 alone: "no handler, add a public Handle method" would
    /// send the reader looking for a method that exists. The shapes of a user trial: two messages, a value returned,
    /// async void, [Batch] on a single message.
    /// </summary>
    [Fact]
    public Task A_malformed_handler_gets_WRN005_only() => AnalyzerHarness.VerifyAsync(Sources.Order + """
        [Queue("two-messages")]
        public sealed class TwoMessages
        {
            public Task {|WRN005:Handle|}(OrderPlaced order, OrderPaid paid) => Task.CompletedTask;
        }
        [Queue("returns-value")]
        public sealed class ReturnsValue
        {
            public Task<bool> {|WRN005:Handle|}(OrderPlaced order) => Task.FromResult(true);
        }
        [Queue("async-void")]
        public sealed class AsyncVoid
        {
            public async void {|WRN005:Handle|}(OrderPlaced order) => await Task.Yield();
        }
        [Queue("batch-wrong")]
        public sealed class BatchWrong
        {
            [Batch(Size = 20)]
            public Task {|WRN005:Handle|}(OrderPlaced order) => Task.CompletedTask;
        }
        [Queue("no-message")]
        public sealed class NoMessage { public void {|WRN005:Handle|}() { } }
        """);

    /// <summary>A malformed handler of a consumer base class is reported there (WRN005); the class deriving from it is quiet.</summary>
    [Fact]
    public Task A_malformed_handler_of_a_consumer_base_class_is_reported_there_only() => AnalyzerHarness.VerifyAsync(Sources.Order + """
        public abstract class Base
        {
            [Topic("order.placed")] public Task<int> {|WRN005:Handle|}(OrderPlaced order) => Task.FromResult(1);
        }
        [Queue("q")]
        public sealed class Derived : Base { }
        """);

    /// <summary>
    /// A malformed Handle of a plain base class (no consumer: nothing reports WRN005 on it) leaves the queue without a
    /// handler, and WRN007 is the one place that says so.
    /// </summary>
    [Fact]
    public Task A_malformed_handler_of_a_plain_base_class_still_gets_WRN007() => AnalyzerHarness.VerifyAsync(Sources.Order + """
        public abstract class Base
        {
            public Task Handle(OrderPlaced order, OrderPaid paid) => Task.CompletedTask;
        }
        [Queue("q")]
        public sealed class {|WRN007:Derived|} : Base { }
        """);
}

/// <summary>
/// A method of a consumer class named like a handler (Handle, HandleAsync, Consume, ConsumeAsync) and shaped like one,
/// that generated code does not call because it is not public: its message type would otherwise go unhandled without
/// a word. A helper of a message type a public handler takes, or a method no handler could be, is no handler.
/// </summary>
public sealed class WRN039_HiddenHandlerTests
{
    [Fact]
    public Task Private_internal_and_protected_handlers_are_reported() => AnalyzerHarness.VerifyAsync(Sources.Order + """
        [Message("order-shipped")] public sealed record OrderShipped(string Id);
        [Message("order-lost")] public sealed record OrderLost(string Id);
        [Queue("q")]
        public class Handler
        {
            public void Handle(OrderPlaced order) { }
            private void {|WRN039:Handle|}(OrderPaid order) { }
            internal Task {|WRN039:HandleAsync|}(OrderShipped order, CancellationToken ct) => Task.CompletedTask;
            protected ValueTask {|WRN039:ConsumeAsync|}(OrderLost order, MessageContext context) => default;
        }
        [JsonSerializable(typeof(OrderShipped))] [JsonSerializable(typeof(OrderLost))] internal sealed partial class More : JsonSerializerContext;
        """);

    /// <summary>The only handler hidden: WRN007 says the queue has none, WRN039 says which method was meant.</summary>
    [Fact]
    public Task A_queue_whose_only_handler_is_private_gets_both() => AnalyzerHarness.VerifyAsync(Sources.Order + """
        [Queue("q")]
        public sealed class {|WRN007:Handler|}
        {
            private Task {|WRN039:HandleAsync|}(OrderPlaced order) => Task.CompletedTask;
        }
        """);

    /// <summary>A handler inherited from a base class, which generated code calls on the consumer: reported at the consumer.</summary>
    [Fact]
    public Task A_protected_handler_of_a_base_class_is_reported_at_the_consumer() => AnalyzerHarness.VerifyAsync(Sources.Order + """
        public abstract class Base { protected void Handle(OrderPaid order) { } }
        [Queue("q")]
        public sealed class {|WRN039:Handler|} : Base { public void Handle(OrderPlaced order) { } }
        """);

    /// <summary>
    /// An explicit implementation of another framework's interface (a MediatR notification handler, say) is how a class
    /// keeps a method out of Warren, even of a Warren message: not reported.
    /// </summary>
    [Fact]
    public Task An_explicit_interface_implementation_named_like_a_handler_is_quiet() => AnalyzerHarness.VerifyAsync(Sources.Order + """
        public interface INotificationHandler<T> { Task Handle(T notification, CancellationToken cancellationToken); }
        [Queue("q")]
        public sealed class Handler : INotificationHandler<OrderPaid>
        {
            public void Handle(OrderPlaced order) { }
            Task INotificationHandler<OrderPaid>.Handle(OrderPaid notification, CancellationToken ct) => Task.CompletedTask;
        }
        """);

    /// <summary>A private overload taking a plain entity (no Warren message attribute) is a helper, not a hidden handler.</summary>
    [Fact]
    public Task A_private_overload_taking_a_plain_entity_is_quiet() => AnalyzerHarness.VerifyAsync(Sources.Order + """
        public sealed class Order { public string Id { get; set; } = ""; }
        public sealed record Shipment(string Id);
        [Queue("q")]
        public sealed class Handler
        {
            public Task Handle(OrderPlaced e) => Handle(new Order { Id = e.Id });
            private Task Handle(Order o) => Task.CompletedTask;
            private void HandleAsync(Shipment s, CancellationToken ct) { }
        }
        """);

    [Fact]
    public Task Helpers_and_classes_that_are_no_consumers_are_quiet() => AnalyzerHarness.VerifyAsync(Sources.Order + """
        [Queue("q")]
        public sealed class Handler
        {
            public Task Handle(OrderPlaced order) => HandleAsync(order, 1);
            private Task HandleAsync(OrderPlaced order, int attempt) => Task.CompletedTask;
            private void Handle(OrderPlaced order, OrderPaid paid) { }
            private static void Handle(OrderPaid order) { }
            private int Consume(OrderPaid order) => 1;
            private void Process(OrderPaid order) { }
        }
        public sealed class NotAConsumer { private void Handle(OrderPaid order) { } }
        """);
}

public sealed class BatchHandlerDiagnosticsTests
{
    [Fact]
    public Task A_batch_handler_of_a_serializable_message_is_quiet() => AnalyzerHarness.VerifyAsync(Sources.Order + """
        [Queue("q", Prefetch = 100)]
        public sealed class Handler
        {
            [Batch(Size = 50, Timeout = "2s")] public Task Handle(IReadOnlyList<OrderPlaced> orders, CancellationToken cancellationToken) => Task.CompletedTask;
        }
        """);

    [Fact]
    public Task WRN019_names_the_element_type_of_a_batch_not_the_list() => AnalyzerHarness.VerifyAsync("""
        [Exchange("orders")]
        [Topic("order.placed")]
        public sealed record {|WRN019:Loose|}(string Id);
        [JsonSerializable(typeof(IReadOnlyList<Loose>))]
        internal sealed partial class Json : JsonSerializerContext;
        [Queue("q")]
        public sealed class Handler { [Batch] public void Handle(IReadOnlyList<Loose> items) { } }
        """);

    [Fact]
    public Task A_batch_of_the_same_type_as_another_handler_is_a_duplicate_handler() => AnalyzerHarness.VerifyAsync(Sources.Order + """
        [Queue("q")]
        public sealed class Handler
        {
            public void Handle(OrderPlaced order) { }
            [Batch] public void {|WRN006:HandleAsync|}(IReadOnlyList<OrderPlaced> orders) { }
            public void Handle(OrderPaid order) { }
        }
        """);

    [Fact]
    public Task Batch_shapes_the_dispatcher_cannot_run_are_WRN005() => AnalyzerHarness.VerifyAsync(Sources.Order + """
        [Queue("q")]
        public sealed class Handler
        {
            [Batch] public void {|WRN005:Handle|}(OrderPlaced order) { }
            [Batch] public void {|WRN005:HandleAsync|}(IReadOnlyList<OrderPaid> orders, MessageContext context) { }
        }
        [Queue("q2")]
        public sealed class Zero { [Batch(Size = 0)] public void {|WRN005:Handle|}(IReadOnlyList<OrderPlaced> orders) { } }
        [Queue("q3")]
        public sealed class NoTimeout { [Batch(Timeout = "soon")] public void {|WRN005:Handle|}(IReadOnlyList<OrderPlaced> orders) { } }
        """);

    [Fact]
    public Task WRN030_a_batch_above_the_explicit_prefetch_is_reported_and_the_default_prefetch_is_not_judged() => AnalyzerHarness.VerifyAsync(Sources.Order + """
        [Queue("q", {|WRN030:Prefetch = 10|})]
        public sealed class Small { [Batch(Size = 20)] public void Handle(IReadOnlyList<OrderPlaced> orders) { } }
        [Queue("q2", Prefetch = 20)]
        public sealed class Enough { [Batch(Size = 20)] public void Handle(IReadOnlyList<OrderPlaced> orders) { } }
        [Queue("q3")]
        public sealed class Default { [Batch(Size = 500)] public void Handle(IReadOnlyList<OrderPaid> orders) { } }
        """);
}

public sealed class PublisherDelayDiagnosticsTests
{
    [Fact]
    public Task A_delay_or_delivery_time_parameter_is_no_message_of_the_publisher() => AnalyzerHarness.VerifyAsync(Sources.Order + """
        [Publisher]
        public partial interface IP
        {
            ValueTask Later(TimeSpan? delay, OrderPlaced order, CancellationToken ct = default);
            ValueTask At(DateTimeOffset at, OrderPaid order);
        }
        """);

    [Fact]
    public Task Ambiguous_delays_are_WRN021_with_the_reason() => AnalyzerHarness.VerifyAsync(Sources.Order + """
        [Publisher]
        public partial interface IP
        {
            ValueTask {|WRN021:TwoDelays|}(OrderPlaced order, TimeSpan a, TimeSpan b);
            ValueTask {|WRN021:TwoTimes|}(OrderPlaced order, DateTimeOffset a, DateTimeOffset? b);
            ValueTask {|WRN021:Both|}(OrderPlaced order, TimeSpan delay, DateTimeOffset at);
            ValueTask {|WRN021:WithOptions|}(OrderPlaced order, TimeSpan delay, PublishOptions options);
        }
        """);
}

public sealed class WRN032_UnreachablePayloadHandlerTests
{
    [Fact]
    public Task A_text_or_byte_handler_without_a_binding_beside_other_handlers_is_reported() => AnalyzerHarness.VerifyAsync(Sources.Order + """
        [Queue("q")]
        public sealed class Mixed
        {
            public void Handle(OrderPlaced order) { }
            public void {|WRN032:Handle|}(string text) { }
            public Task {|WRN032:HandleAsync|}(byte[] body) => Task.CompletedTask;
        }

        [Queue("q2")]
        [Exchange("notes", ExchangeKind.Topic)]
        public sealed class TopicWithoutKey
        {
            [Topic("order.paid")] public void Paid(OrderPaid order) { }
            public void {|WRN032:Handle|}(ReadOnlyMemory<byte> body) { }
        }
        """);

    [Fact]
    public Task Alone_bound_or_on_a_fanout_exchange_a_text_handler_is_quiet() => AnalyzerHarness.VerifyAsync(Sources.Order + """
        [Queue("hello")]
        public sealed class Alone
        {
            public void Handle(string text) { }
        }

        [Queue("bound")]
        [Exchange("notes", ExchangeKind.Direct)]
        public sealed class Bound
        {
            public void Handle(OrderPlaced order) { }
            [Topic("note")] public void Note(string text) { }
            [Topic("blob")] public void Blob(byte[] body) { }
        }

        [Queue("fanned")]
        [Exchange("logs", ExchangeKind.Fanout)]
        public sealed class Fanned
        {
            [Topic("order.paid")] public void Paid(OrderPaid order) { }
            public void Handle(string text) { }
        }
        """);
}

public sealed class WRN033_AmbiguousPayloadHandlerTests
{
    [Fact]
    public Task Overlapping_topic_patterns_direct_keys_and_a_shared_fanout_are_reported() => AnalyzerHarness.VerifyAsync(Sources.Order + """
        [Queue("topic")]
        [Exchange("orders", ExchangeKind.Topic)]
        public sealed class Topic
        {
            [Topic("order.#")] public void Any(OrderPlaced order) { }
            [Topic("*.paid")] public void Paid(OrderPaid order) { }
            [Topic("*.placed")] public void {|WRN033:Text|}(string text) { }
        }

        [Queue("direct")]
        [Exchange("notes", ExchangeKind.Direct)]
        public sealed class Direct
        {
            [Topic("n")] public void A(string text) { }
            [Topic("n")] public void {|WRN033:B|}(byte[] body) { }
        }

        [Queue("fanned")]
        [Exchange("logs", ExchangeKind.Fanout)]
        public sealed class Fanned
        {
            public void Handle(string text) { }
            public void {|WRN033:Handle|}(byte[] body) { }
        }
        """);

    [Fact]
    public Task Disjoint_keys_and_typed_handlers_alone_are_quiet() => AnalyzerHarness.VerifyAsync(Sources.Order + """
        [Queue("topic")]
        [Exchange("orders", ExchangeKind.Topic)]
        public sealed class Topic
        {
            [Topic("order.placed")] public void Placed(OrderPlaced order) { }
            [Topic("order.paid")] public void Paid(OrderPaid order) { }
            [Topic("order.text.*")] public void Text(string text) { }
            [Topic("order.bytes.#")] public void Bytes(byte[] body) { }
        }

        [Queue("typed")]
        [Exchange("orders", ExchangeKind.Topic)]
        public sealed class TypedOnly
        {
            [Topic("order.#")] public void Placed(OrderPlaced order) { }
            [Topic("order.*")] public void Paid(OrderPaid order) { }
        }
        """);

    [Theory]
    [InlineData("a.b", "a.b", true)]
    [InlineData("a.b", "a.c", false)]
    [InlineData("a.*", "a.#", true)]
    [InlineData("#", "x.y.z", true)]
    [InlineData("a.#", "#.b", true)]
    [InlineData("a.*.c", "*.b.d", false)]
    [InlineData("a.#.c", "a.c", true)]
    [InlineData("*", "a.b", false)]
    [InlineData("#.x", "y.#", true)]
    [InlineData("a.*", "a", false)]
    [InlineData("", "#", true)]
    [InlineData("", "*", false)]
    public void Topic_patterns_overlap_when_some_key_matches_both(string a, string b, bool expected)
    {
        Assert.Equal(expected, Warren.Analyzers.Rules.PayloadHandlerRules.PatternsOverlap(a, b));
        Assert.Equal(expected, Warren.Analyzers.Rules.PayloadHandlerRules.PatternsOverlap(b, a));
    }

    public static TheoryData<string, string, bool> ManyHashes()
    {
        var data = new TheoryData<string, string, bool>();
        foreach (var (pattern, key, matches) in Warren.Tests.Routing.TopicCases.SeveralHashes)
        {
            // A key is a pattern without wildcards: some key matches both when the pattern matches it.
            data.Add(pattern, key, matches);
        }

        var hashes = string.Concat(System.Linq.Enumerable.Repeat("#.", 20));
        data.Add(hashes + "a", hashes + "b", false);
        data.Add(hashes + "a", hashes + "*", true);
        data.Add(hashes + "a", "*.b." + hashes + "c", false);
        data.Add(hashes + "a.*", "*.b." + hashes + "c", true);
        return data;
    }

    [Theory]
    [MemberData(nameof(ManyHashes))]
    public void Patterns_with_many_hashes_are_compared_in_polynomial_time(string a, string b, bool expected)
    {
        // Trying every way two patterns' '#'s could share a key takes exponential time: a build would hang on them.
        Assert.Equal(expected, Warren.Tests.Routing.TopicCases.Within(() => Warren.Analyzers.Rules.PayloadHandlerRules.PatternsOverlap(a, b), $"'{a}' and '{b}'"));
        Assert.Equal(expected, Warren.Tests.Routing.TopicCases.Within(() => Warren.Analyzers.Rules.PayloadHandlerRules.PatternsOverlap(b, a), $"'{b}' and '{a}'"));
    }

    [Fact]
    public void A_pattern_overlaps_a_key_without_wildcards_exactly_when_it_matches_it()
    {
        // Every pattern of up to 4 words over a, *, # and the empty word against every key of up to 4 words over a, b, "".
        var patterns = Texts(["a", "*", "#", ""], 4);
        var keys = Texts(["a", "b", ""], 4);
        foreach (var pattern in patterns)
        {
            foreach (var key in keys)
            {
                var expected = Warren.Tests.Routing.TopicCases.Reference(pattern, key);
                Assert.True(expected == Warren.Analyzers.Rules.PayloadHandlerRules.PatternsOverlap(pattern, key), $"'{pattern}' and '{key}': expected {expected}");
                Assert.True(expected == Warren.Analyzers.Rules.PayloadHandlerRules.PatternsOverlap(key, pattern), $"'{key}' and '{pattern}': expected {expected}");
            }
        }

        Assert.Equal(341, patterns.Count);
    }

    private static System.Collections.Generic.List<string> Texts(string[] words, int max)
    {
        var texts = new System.Collections.Generic.List<string>();
        var level = new System.Collections.Generic.List<string[]> { System.Array.Empty<string>() };
        for (var length = 0; length <= max; length++)
        {
            texts.AddRange(level.Select(w => string.Join(".", w)));
            level = level.SelectMany(w => words.Select(word => (string[])[.. w, word])).ToList();
        }

        return texts;
    }
}

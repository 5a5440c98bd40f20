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

    [Fact]
    public Task An_abstract_handler_is_reported() => AnalyzerHarness.VerifyAsync(Sources.Order + """
        [Queue("q")]
        public abstract class {|WRN007:Handler|}
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
}

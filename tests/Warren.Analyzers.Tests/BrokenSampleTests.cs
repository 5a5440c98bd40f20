using System.Threading.Tasks;
using Xunit;

namespace Warren.Analyzers.Tests;

/// <summary>A small application with one of each common mistake: exactly these diagnostics, no more.</summary>
public sealed class BrokenSampleTests
{
    [Fact]
    public Task A_deliberately_broken_application_produces_exactly_the_expected_diagnostics() => AnalyzerHarness.VerifyAsync(
        """
        [Exchange("shop", ExchangeKind.Topic)]
        [Topic({|WRN003:"order.{Country}.placed"|})]
        public sealed record OrderPlaced(string Region);

        [Exchange("shop", ExchangeKind.Topic)]
        [Topic("stock.changed")]
        [{|WRN012:Priority(3)|}]
        public sealed record StockChanged(string Sku);

        [Exchange("shop", ExchangeKind.Topic)]
        [Topic({|WRN002:"refund.*"|})]
        public sealed record {|WRN019:RefundIssued|}(string Id);

        [Queue("orders", Type = QueueType.Quorum, {|WRN016:AutoDelete = true|}, {|WRN020:MessageTtl = "forever"|})]
        public sealed class Orders
        {
            [Topic({|WRN001:"order.*placed"|})]
            public void Handle(OrderPlaced order) { }

            [Topic("order.#")]
            public void {|WRN006:Again|}(OrderPlaced order) { }

            [Topic("stock.changed")]
            public static void {|WRN005:Stock|}(StockChanged change) { }
        }

        [Queue("inventory")]
        public sealed class Inventory
        {
            [Topic("stock.*")]
            public Task Handle(StockChanged change, CancellationToken ct) => Task.CompletedTask;
        }

        [JsonSerializable(typeof(OrderPlaced))]
        [JsonSerializable(typeof(StockChanged))]
        internal sealed partial class ShopJson : JsonSerializerContext;
        """);
}

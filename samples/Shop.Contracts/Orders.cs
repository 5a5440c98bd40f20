using System.Threading;
using System.Threading.Tasks;
using Warren;

namespace Shop.Contracts;

// The order flow: the storefront calls inventory and payment over RPC, then announces the order on the event bus.

public sealed record CheckStock(string Sku, int Quantity);

public sealed record StockLevel(string Sku, int Available, bool Enough);

public sealed record Charge(string OrderId, decimal Amount);

public sealed record ChargeResult(string PaymentId, bool Approved);

[Exchange("shop.order.events", ExchangeKind.Topic)]
[Topic("order.created")]
[Message("order.created")]
public sealed record OrderCreated(string OrderId, string Sku, int Quantity, string PaymentId);

/// <summary>The inventory service: the storefront gets a generated proxy, the fulfilment service serves it.</summary>
[RpcService("inventory", Timeout = "10s")]
public interface IInventory
{
    Task<StockLevel> CheckStock(CheckStock request, CancellationToken ct = default);
}

[RpcService("payment", Timeout = "10s")]
public interface IPayment
{
    Task<ChargeResult> Charge(Charge request, CancellationToken ct = default);
}

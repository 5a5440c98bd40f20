using System;
using System.Threading;
using System.Threading.Tasks;
using Warren;

namespace Warren.Demo;

// The order flow: the order service calls inventory and payment over RPC, then announces the order on the event bus.

public sealed record CheckStock(string Sku, int Quantity);

public sealed record StockLevel(string Sku, int Available, bool Enough);

public sealed record Charge(string OrderId, decimal Amount);

public sealed record ChargeResult(string PaymentId, bool Approved);

[Exchange("demo.order.events", ExchangeKind.Topic)]
[Topic("order.created")]
[Message("order.created")]
public sealed record OrderCreated(string OrderId, string Sku, int Quantity, string PaymentId);

/// <summary>The inventory service's contract: the generator emits the client proxy and the server dispatch.</summary>
[RpcService("inventory", Timeout = "5s")]
public interface IInventory
{
    Task<StockLevel> CheckStock(CheckStock request, CancellationToken ct = default);
}

[RpcService("payment", Timeout = "10s")]
public interface IPayment
{
    Task<ChargeResult> Charge(Charge request, CancellationToken ct = default);
}

/// <summary>Served by every worker: implementing the interface is all it takes.</summary>
public sealed class InventoryService(DemoLog log, WorkerName worker) : IInventory
{
    public Task<StockLevel> CheckStock(CheckStock request, CancellationToken ct = default)
    {
        var available = request.Sku == "sold-out" ? 0 : 12;
        log.Write($"{worker.Name}   inventory: {request.Sku} x{request.Quantity} -> {available} available");
        return Task.FromResult(new StockLevel(request.Sku, available, available >= request.Quantity));
    }
}

public sealed class PaymentService(DemoLog log, WorkerName worker) : IPayment
{
    public Task<ChargeResult> Charge(Charge request, CancellationToken ct = default)
    {
        if (request.Amount <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(request), "the amount must be positive");
        }

        log.Write($"{worker.Name}   payment: charged {request.Amount:0.00} for {request.OrderId}");
        return Task.FromResult(new ChargeResult("pay-" + request.OrderId, Approved: true));
    }
}

/// <summary>The order service: plain code against the RPC interfaces and the publisher.</summary>
public sealed class OrderService(IInventory inventory, IPayment payment, IPublisher publisher)
{
    public async Task<string> PlaceAsync(string orderId, string sku, int quantity, decimal amount, CancellationToken ct = default)
    {
        var stock = await inventory.CheckStock(new CheckStock(sku, quantity), ct);
        if (!stock.Enough)
        {
            return $"order {orderId}: rejected, only {stock.Available} of {sku} in stock";
        }

        var charge = await payment.Charge(new Charge(orderId, amount), ct);
        await publisher.PublishAsync(new OrderCreated(orderId, sku, quantity, charge.PaymentId), ct);
        return $"order {orderId}: placed, payment {charge.PaymentId}, order.created published";
    }
}

using System;
using System.Collections.Concurrent;
using System.Text.Json.Serialization;
using System.Threading;
using System.Threading.Tasks;

namespace Warren.Testing.Tests;

// A small application written with Warren's attributes; the harness runs its generated code.

[Exchange("shop.events", ExchangeKind.Topic)]
[Topic("order.{Region}.placed")]
[Message("shop.order-placed")]
public sealed record OrderPlaced(string Id, string Region);

[Exchange("shop.events", ExchangeKind.Topic)]
[Topic("invoice.sent")]
[Message("shop.invoice-sent")]
public sealed record InvoiceSent(string OrderId);

[Exchange("shop.tasks", ExchangeKind.Direct)]
[Topic("report")]
[Message("shop.build-report")]
public sealed record BuildReport(string Id);

public sealed record QuoteRequest(string Sku, int Quantity);

public sealed record Quote(string Sku, decimal Total);

public sealed record StockQuery(string Sku);

[JsonSerializable(typeof(OrderPlaced))]
[JsonSerializable(typeof(InvoiceSent))]
[JsonSerializable(typeof(BuildReport))]
[JsonSerializable(typeof(QuoteRequest))]
[JsonSerializable(typeof(Quote))]
[JsonSerializable(typeof(StockQuery))]
[JsonSerializable(typeof(int))]
internal sealed partial class ShopJson : JsonSerializerContext;

/// <summary>What the handlers do, set by each test.</summary>
public sealed class Behaviour
{
    /// <summary>Order ids whose billing fails every time.</summary>
    public ConcurrentDictionary<string, int> FailingOrders { get; } = new();

    /// <summary>Order ids whose billing fails the first N attempts.</summary>
    public ConcurrentDictionary<string, int> FailFirst { get; } = new();

    /// <summary>When set, billing waits for it (to hold a delivery unacknowledged).</summary>
    public TaskCompletionSource? Gate { get; set; }

    public ConcurrentQueue<string> Audited { get; } = new();

    public ConcurrentQueue<string> Reports { get; } = new();

    /// <summary>When set, the pricing server awaits it before it answers.</summary>
    public Func<Task>? QuoteWork { get; set; }
}

[Queue("shop.billing")]
[DeadLetter(MaxRetries = 2, RetryDelays = new[] { "30s", "5m" })]
public sealed class Billing(IPublisher publisher, Behaviour behaviour)
{
    [Topic("order.*.placed")]
    public async Task Handle(OrderPlaced order, CancellationToken ct)
    {
        if (behaviour.Gate is { } gate)
        {
            await gate.Task.WaitAsync(ct);
        }

        if (behaviour.FailingOrders.ContainsKey(order.Id))
        {
            throw new InvalidOperationException($"billing of {order.Id} failed");
        }

        if (behaviour.FailFirst.TryGetValue(order.Id, out var left) && left > 0)
        {
            behaviour.FailFirst[order.Id] = left - 1;
            throw new TimeoutException($"payment gateway timed out for {order.Id}");
        }

        await publisher.PublishAsync(new InvoiceSent(order.Id), ct);
    }
}

[Queue("shop.audit")]
public sealed class Audit(Behaviour behaviour)
{
    [Topic("invoice.#")]
    public void Handle(InvoiceSent invoice) => behaviour.Audited.Enqueue(invoice.OrderId);
}

/// <summary>Waits on the application's clock (virtual in the harness) before building the report.</summary>
[Queue("shop.reports")]
public sealed class Reports(Behaviour behaviour, TimeProvider time)
{
    public async Task Handle(BuildReport report, CancellationToken ct)
    {
        await Task.Delay(TimeSpan.FromMinutes(10), time, ct);
        behaviour.Reports.Enqueue(report.Id);
    }
}

[RpcService("pricing", Timeout = "30s")]
public interface IPricing
{
    Task<Quote> GetQuote(QuoteRequest request, CancellationToken ct = default);
}

public sealed class PricingService(Behaviour behaviour) : IPricing
{
    public async Task<Quote> GetQuote(QuoteRequest request, CancellationToken ct = default)
    {
        if (behaviour.QuoteWork is { } work)
        {
            await work();
        }

        return request.Quantity <= 0
            ? throw new ArgumentOutOfRangeException(nameof(request), "the quantity must be positive")
            : new Quote(request.Sku, request.Quantity * 2.5m);
    }
}

/// <summary>A service nobody serves in this application: calls are returned at once.</summary>
[RpcService("stock", Timeout = "45s")]
public interface IStock
{
    Task<int> Count(StockQuery query, CancellationToken ct = default);
}

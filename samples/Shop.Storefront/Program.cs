using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Shop.Contracts;
using Shop.Storefront;
using Warren;

// The storefront: publishes user events and video tasks, places orders through the inventory and payment RPC
// services, then exits. It declares no consumer: routes and RPC proxies come from Shop.Contracts.
using var metrics = new DemoMetrics();
using var host = SampleService.Build("storefront", args, services => services.AddTransient<OrderService>());
await host.StartAsync();

Console.WriteLine("== event bus: user events to topic exchange 'shop.user.events' (notifications consumes them)");
var users = host.Services.GetRequiredService<IUserEvents>();
await users.Created(new UserCreated("u-1", "ada@example.com", "eu"));
await users.Created(new UserCreated("u-2", "grace@example.com", "us"));
await users.Updated(new UserUpdated("u-1", "ada@lovelace.org", "eu"));
Console.WriteLine("   3 events published and confirmed");

Console.WriteLine("== task queue: 6 videos, 1 urgent (priority 9) and 1 corrupt to 'shop.tasks' (fulfilment processes them)");
var publisher = host.Services.GetRequiredService<IPublisher>();
for (var i = 1; i <= 6; i++)
{
    await publisher.PublishAsync(new ProcessVideo($"video-{i}", new Uri($"https://videos.example/{i}.mp4"), Seconds: i % 3 + 1));
}

await publisher.PublishAsync(new ProcessVideo("urgent", new Uri("https://videos.example/urgent.mp4"), 1), new PublishOptions { Priority = 9 });
await publisher.PublishAsync(new ProcessVideo("corrupt", new Uri("https://videos.example/corrupt.txt"), 0));
Console.WriteLine("   8 tasks published and confirmed");

Console.WriteLine("== RPC order flow: IInventory.CheckStock and IPayment.Charge (served by fulfilment), then order.created");
var orders = host.Services.GetRequiredService<OrderService>();
Console.WriteLine("   " + await orders.PlaceAsync("o-1001", "blue-mug", 2, 19.90m));
Console.WriteLine("   " + await orders.PlaceAsync("o-1002", "sold-out", 1, 5.00m));
try
{
    await orders.PlaceAsync("o-1003", "blue-mug", 1, -1m);
}
catch (RemoteRpcException ex)
{
    Console.WriteLine($"   order o-1003: payment refused remotely ({ex.RemoteType}: {ex.RemoteMessage})");
}

await host.StopAsync();
Console.WriteLine("[storefront] done; the 'Warren' meter saw:");
metrics.Print();
return 0;

namespace Shop.Storefront
{
    /// <summary>The user service's publisher: the generator implements it from the Shop.Contracts messages.</summary>
    [Publisher]
    public partial interface IUserEvents
    {
        ValueTask Created(UserCreated evt, CancellationToken ct = default);

        ValueTask Updated(UserUpdated evt, CancellationToken ct = default);
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
}

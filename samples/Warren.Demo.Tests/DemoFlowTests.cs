using System;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Warren.Testing;
using Xunit;

namespace Warren.Demo.Tests;

/// <summary>The demo's flows, tested as the demo wires them (generated topology, dispatchers, publishers, RPC proxies), in memory.</summary>
public sealed class DemoFlowTests : IAsyncLifetime
{
    private readonly DemoLog _log = new();
    private WarrenTestHarness _harness = null!;

    public async Task InitializeAsync() =>
        _harness = await WarrenTestHarness.StartAsync(
            services =>
            {
                services.AddSingleton(_log);
                services.AddSingleton(new WorkerName("worker-1"));
                services.AddTransient<OrderService>();
                services.AddWarren().AddGeneratedHandlers();
            },
            options => options.JsonContexts.Add(DemoJson.Default));

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    [Fact]
    public async Task A_signup_reaches_the_email_and_analytics_services()
    {
        var session = await _harness.RunAsync<IUserEvents>(users => users.Created(new UserCreated("u-1", "ada@example.com", "eu")));

        session.AssertPublished<UserCreated>(u => u.UserId == "u-1");
        session.AssertConsumed<UserCreated>(queue: "demo.email-notifications");
        session.AssertConsumed<UserCreated>(queue: "demo.analytics");
        session.AssertNoFailures();
        Assert.Equal("user.eu.created", session.Published.Single().RoutingKey);
    }

    [Fact]
    public async Task An_update_goes_to_analytics_only()
    {
        var session = await _harness.RunAsync<IUserEvents>(users => users.Updated(new UserUpdated("u-1", "ada@lovelace.org", "eu")));

        session.AssertConsumed<UserUpdated>(queue: "demo.analytics");
        Assert.DoesNotContain(session.Consumed, m => m.Queue == "demo.email-notifications");
    }

    [Fact]
    public async Task Urgent_videos_jump_the_queue()
    {
        var publisher = _harness.Services.GetRequiredService<IPublisher>();
        var session = await _harness.RunAsync(async () =>
        {
            for (var i = 1; i <= 3; i++)
            {
                await publisher.PublishAsync(new ProcessVideo($"video-{i}", new Uri($"https://videos.example/{i}.mp4"), Seconds: 1));
            }

            await publisher.PublishAsync(new ProcessVideo("urgent", new Uri("https://videos.example/urgent.mp4"), 1), new PublishOptions { Priority = 9 });
        });

        // video-1 is taken at once (prefetch 1); the urgent task overtakes the two still waiting.
        Assert.Equal(["video-1", "urgent", "video-2", "video-3"], session.ConsumedOf<ProcessVideo>().Select(v => v.TaskId));
    }

    [Fact]
    public async Task An_order_calls_inventory_and_payment_then_announces_itself()
    {
        var placed = await _harness.RunAsync(() => _harness.Services.GetRequiredService<OrderService>().PlaceAsync("o-1001", "blue-mug", 2, 19.90m));

        Assert.Equal("order o-1001: placed, payment pay-o-1001, order.created published", placed.Result);
        Assert.Equal(new CheckStock("blue-mug", 2), placed.AssertRpcCall("inventory.check-stock").Request<CheckStock>());
        Assert.Equal(new ChargeResult("pay-o-1001", true), placed.AssertRpcCall("payment.charge").Reply<ChargeResult>());
        var order = placed.AssertConsumed<OrderCreated>(queue: "demo.analytics");
        Assert.Equal("pay-o-1001", order.PaymentId);
    }

    [Fact]
    public async Task A_sold_out_order_is_rejected_without_charging()
    {
        var placed = await _harness.RunAsync(() => _harness.Services.GetRequiredService<OrderService>().PlaceAsync("o-1002", "sold-out", 1, 5m));

        Assert.Equal("order o-1002: rejected, only 0 of sold-out in stock", placed.Result);
        Assert.Single(placed.RpcCalls);
        placed.AssertNotPublished<OrderCreated>();
    }

    [Fact]
    public async Task A_refused_payment_surfaces_as_a_remote_exception()
    {
        var run = await _harness.TryRunAsync(() => _harness.Services.GetRequiredService<OrderService>().PlaceAsync("o-1003", "blue-mug", 1, -1m));

        var error = Assert.IsType<RemoteRpcException>(run.Exception);
        Assert.Equal(typeof(ArgumentOutOfRangeException).FullName, error.RemoteType);
        Assert.True(run.Session.AssertRpcCall("payment.charge").IsFault);
        run.Session.AssertNotPublished<OrderCreated>();
    }
}

using System;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using Xunit;

namespace Warren.Testing.Tests;

public sealed class FlowTests
{
    [Fact]
    public async Task A_published_event_is_handled_and_its_follow_up_consumed()
    {
        var behaviour = new Behaviour();
        await using var harness = await Shop.StartAsync(behaviour);

        var session = await harness.PublishAsync(new OrderPlaced("o-1", "eu"));

        session.AssertPublished<OrderPlaced>(o => o.Id == "o-1");
        session.AssertConsumed<OrderPlaced>(o => o.Id == "o-1", queue: "shop.billing");
        session.AssertPublished<InvoiceSent>(i => i.OrderId == "o-1");
        session.AssertConsumed<InvoiceSent>(queue: "shop.audit");
        session.AssertNoFailures();
        Assert.Equal(["o-1"], behaviour.Audited);
        Assert.Equal("order.eu.placed", session.Published.Single(m => m.Is<OrderPlaced>()).RoutingKey);
    }

    [Fact]
    public async Task A_failing_handler_is_retried_with_its_delays_then_dead_lettered_at_once_on_virtual_time()
    {
        var behaviour = new Behaviour();
        behaviour.FailingOrders["o-2"] = 0;
        await using var harness = await Shop.StartAsync(behaviour);
        var clockBefore = harness.Time.GetUtcNow();
        var watch = Stopwatch.StartNew();

        var session = await harness.PublishAsync(new OrderPlaced("o-2", "us"));

        var retries = session.AssertRetried<OrderPlaced>(times: 2);
        Assert.Equal([1, 2], retries.Select(r => r.RetryCount));
        Assert.All(retries, r => Assert.Contains("billing of o-2 failed", r.Reason, StringComparison.Ordinal));
        var dead = session.AssertDeadLettered<OrderPlaced>(reasonContains: "Gave up after 2 retries", queue: "shop.billing");
        Assert.Equal("shop.billing.dlx", dead.Exchange);
        Assert.Equal(["shop.billing.dlq"], dead.Queues);
        Assert.Equal("o-2", dead.As<OrderPlaced>().Id);
        Assert.Equal(1, harness.Broker.MessageCount("shop.billing.dlq"));
        session.AssertNotPublished<InvoiceSent>();

        // The queue AssertDeadLettered takes is the one the message failed in; a failure says so and lists each dead
        // letter's queue and reason.
        var wrongQueue = Assert.Throws<WarrenAssertionException>(() => session.AssertDeadLettered<OrderPlaced>(queue: "shop.billing.dlq"));
        Assert.Contains("from queue 'shop.billing.dlq' (the queue it failed in, not its dead-letter queue)", wrongQueue.Message, StringComparison.Ordinal);
        Assert.Contains("from queue 'shop.billing': Gave up after 2 retries", wrongQueue.Message, StringComparison.Ordinal);

        // 30 s and 5 min of retry delays passed on the virtual clock, not on the wall clock.
        Assert.True(harness.Time.GetUtcNow() - clockBefore >= TimeSpan.FromSeconds(330), $"virtual time moved {harness.Time.GetUtcNow() - clockBefore}");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task A_handler_that_recovers_on_retry_is_consumed_after_one_retry()
    {
        var behaviour = new Behaviour();
        behaviour.FailFirst["o-3"] = 1;
        await using var harness = await Shop.StartAsync(behaviour);

        var session = await harness.PublishAsync(new OrderPlaced("o-3", "eu"));

        var retry = Assert.Single(session.AssertRetried<OrderPlaced>(times: 1));
        Assert.Contains("payment gateway timed out", retry.Reason, StringComparison.Ordinal);
        session.AssertConsumed<OrderPlaced>(o => o.Id == "o-3");
        session.AssertConsumed<InvoiceSent>();
        Assert.Empty(session.DeadLettered);
    }

    /// <summary>A service resolved in a scope whose call returns a value: the session holds it, and the run is tracked.</summary>
    [Fact]
    public async Task A_run_with_a_resolved_service_returns_its_result()
    {
        await using var harness = await Shop.StartAsync();

        var quoted = await harness.RunAsync<IPricing, Quote>(pricing => pricing.GetQuote(new QuoteRequest("mug", 4)));

        Assert.Equal(new Quote("mug", 10m), quoted.Result);
        Assert.False(quoted.AssertRpcCall("pricing.get-quote").IsFault);
        await Assert.ThrowsAsync<RemoteRpcException>(() => harness.RunAsync<IPricing, Quote>(pricing => pricing.GetQuote(new QuoteRequest("mug", 0))));
    }

    [Fact]
    public async Task Rpc_calls_return_results_faults_and_no_server_errors()
    {
        await using var harness = await Shop.StartAsync();

        var ok = await harness.RunAsync(() => harness.Services.GetService<IPricing>()!.GetQuote(new QuoteRequest("mug", 4)));
        Assert.Equal(new Quote("mug", 10m), ok.Result);
        var call = ok.AssertRpcCall("pricing.get-quote");
        Assert.Equal(new QuoteRequest("mug", 4), call.Request<QuoteRequest>());
        Assert.False(call.IsFault);

        var fault = await Assert.ThrowsAsync<RemoteRpcException>(() => harness.RunAsync(() => harness.Services.GetService<IPricing>()!.GetQuote(new QuoteRequest("mug", 0))));
        Assert.Equal(typeof(ArgumentOutOfRangeException).FullName, fault.RemoteType);

        var noServer = await harness.TryRunAsync(() => harness.Services.GetService<IStock>()!.Count(new StockQuery("mug")));
        Assert.IsType<RpcNoServerException>(noServer.Exception);
        Assert.True(Assert.Single(noServer.Session.RpcCalls).WasReturned);
    }

    [Fact]
    public async Task A_handler_waiting_on_the_clock_lets_virtual_time_move()
    {
        var behaviour = new Behaviour();
        await using var harness = await Shop.StartAsync(behaviour, o => o.StallTime = TimeSpan.FromMilliseconds(100));

        var session = await harness.PublishAsync(new BuildReport("r-1"));

        session.AssertConsumed<BuildReport>();
        Assert.Equal(["r-1"], behaviour.Reports);
    }
}

internal static class ServiceProviderExtensions
{
    public static T? GetService<T>(this IServiceProvider services) => (T?)services.GetService(typeof(T));
}

using System;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Xunit;

namespace Warren.Testing.Tests;

public sealed class HarnessBehaviourTests
{
    [Fact]
    public async Task A_run_that_never_gets_quiet_times_out_naming_the_unacknowledged_delivery()
    {
        var behaviour = new Behaviour { Gate = new TaskCompletionSource() };
        await using var harness = await Shop.StartAsync(behaviour, o => o.Timeout = TimeSpan.FromMilliseconds(800));

        var error = await Assert.ThrowsAsync<WarrenHarnessTimeoutException>(() => harness.PublishAsync(new OrderPlaced("o-9", "eu")));

        Assert.Contains("not quiet after 0.8 s", error.Message, StringComparison.Ordinal);
        Assert.Contains("callback(s) running", error.Message, StringComparison.Ordinal);
        Assert.Contains("delivered from queue 'shop.billing'", error.Message, StringComparison.Ordinal);
        Assert.Contains("is not acknowledged", error.Message, StringComparison.Ordinal);
        Assert.Contains("delivered     shop.order-placed", error.Message, StringComparison.Ordinal);
        behaviour.Gate.SetResult();
        await harness.WaitForQuietAsync();
        Assert.Equal(["o-9"], harness.History.ConsumedOf<InvoiceSent>().Select(i => i.OrderId));
    }

    [Fact]
    public async Task Virtual_time_does_not_move_under_an_action_still_running_slower_than_the_settle_time()
    {
        // The default stall time: a thread pool slow to resume the action on a loaded machine does not pass for a
        // stall (its continuation waits for a thread); the settle time (25 ms) is what the action is slower than.
        await using var harness = await Shop.StartAsync();
        var clock = harness.Clock!;
        var expiredEarly = true;

        await harness.RunAsync(async () =>
        {
            // A virtual deadline (as an RPC call starts one), then the action's own work taking longer than the settle
            // time before it goes on, as on a loaded machine: the deadline must not expire meanwhile.
            var deadline = Task.Delay(TimeSpan.FromSeconds(30), clock);
            await Task.Delay(TimeSpan.FromMilliseconds(200));
            expiredEarly = deadline.IsCompleted;
            await deadline; // now it waits on the clock itself: the harness moves it after the stall time
        });

        Assert.False(expiredEarly);
    }

    [Fact]
    public async Task Virtual_time_does_not_move_under_an_rpc_server_starved_of_threads_for_longer_than_the_stall_time()
    {
        // The server's work waits for threads of a starved pool (as on a loaded machine) for several times the stall
        // time: no change on the broker meanwhile, yet the call's 30 s virtual deadline must not expire.
        var behaviour = new Behaviour { QuoteWork = StarveThePoolAsync };
        await using var harness = await Shop.StartAsync(behaviour);

        var quote = await harness.RunAsync(() => harness.Services.GetService<IPricing>()!.GetQuote(new QuoteRequest("mug", 2)));

        Assert.Equal(new Quote("mug", 5m), quote.Result);
        Assert.False(quote.AssertRpcCall("pricing.get-quote").IsFault);
    }

    [Fact]
    public async Task A_broker_that_never_stops_changing_times_out_naming_its_last_change()
    {
        // A client outside the tracked action publishes every millisecond or so: the system is never quiet for the
        // settle time (long here, so that a loaded machine's scheduling cannot make a gap that long). The run must still
        // end at its timeout, and say why.
        await using var harness = await Shop.StartAsync(configure: o =>
        {
            o.Timeout = TimeSpan.FromSeconds(1.5);
            o.SettleTime = TimeSpan.FromMilliseconds(200);
        });
        await using var connection = harness.Broker.Connect("noise");
        var channel = await connection.CreateChannelAsync();
        await channel.QueueDeclareAsync("noise", durable: false, exclusive: false, autoDelete: false);
        using var stop = new CancellationTokenSource();
        var noise = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                channel.BasicPublishAsync(string.Empty, "noise", new byte[] { 1 }).AsTask().GetAwaiter().GetResult();
                Thread.Sleep(1);
            }
        }) { IsBackground = true };
        noise.Start();

        try
        {
            var error = await Assert.ThrowsAsync<WarrenHarnessTimeoutException>(() => harness.WaitForQuietAsync().WaitAsync(TimeSpan.FromSeconds(20)));

            Assert.Contains("not quiet after 1.5 s", error.Message, StringComparison.Ordinal);
            Assert.Contains("the broker kept changing within the settle time (200 ms); last change: Published to queue(s) 'noise' on connection 'noise'", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            await stop.CancelAsync();
            noise.Join();
        }
    }

    /// <summary>
    /// Returns to the caller (now waiting for the reply, its deadline a timer on the clock), then queues far more work
    /// than the pool's threads can run at once, each item busy on the CPU, and waits for all of it: about 2 s of
    /// progress on two cores, each step waiting for a thread.
    /// </summary>
    private static async Task StarveThePoolAsync()
    {
        await Task.Yield();
        var work = new Task[100];
        for (var i = 0; i < work.Length; i++)
        {
            work[i] = Task.Run(() => Work(TimeSpan.FromMilliseconds(40)));
        }

        await Task.WhenAll(work);
    }

    /// <summary>Busy on the CPU for <paramref name="span"/> of real time.</summary>
    private static void Work(TimeSpan span)
    {
        var until = Stopwatch.GetTimestamp() + (long)(span.TotalSeconds * Stopwatch.Frequency);
        var sum = 0L;
        while (Stopwatch.GetTimestamp() < until)
        {
            sum += Environment.TickCount64 & 1;
        }

        GC.KeepAlive(sum);
    }

    [Fact]
    public async Task A_failed_assertion_prints_the_whole_flow()
    {
        await using var harness = await Shop.StartAsync();
        var session = await harness.PublishAsync(new OrderPlaced("o-7", "eu"));

        var error = Assert.Throws<WarrenAssertionException>(() => session.AssertDeadLettered<OrderPlaced>());

        Assert.StartsWith("Expected OrderPlaced ('shop.order-placed') dead-lettered", error.Message, StringComparison.Ordinal);
        Assert.Contains("Message flow (", error.Message, StringComparison.Ordinal);
        Assert.Contains("published     shop.order-placed", error.Message, StringComparison.Ordinal);
        Assert.Contains("acked         shop.invoice-sent", error.Message, StringComparison.Ordinal);
        Assert.Throws<WarrenAssertionException>(() => session.AssertNotPublished<InvoiceSent>());
    }

    [Fact]
    public async Task The_flow_tells_the_messages_of_one_process_apart()
    {
        await using var harness = await Shop.StartAsync();
        var session = await harness.RunAsync<IPublisher>(async publisher =>
        {
            await publisher.PublishAsync(new OrderPlaced("o-1", "eu"));
            await publisher.PublishAsync(new OrderPlaced("o-2", "eu"));
        });
        var placed = session.Published.Where(m => m.Is<OrderPlaced>()).ToArray();
        var ids = placed.Select(m => m.MessageId!).ToArray();

        // Warren's ids of one process share their first 16 digits (the process's random half): the short form shown in
        // the flow must come from the counter's digits, or every message of a test reads the same.
        Assert.Equal(2, ids.Length);
        Assert.Equal(ids[0][..16], ids[1][..16]);
        Assert.NotEqual(placed[0].ToString(), placed[1].ToString());
        var error = Assert.Throws<WarrenAssertionException>(() => session.AssertDeadLettered<OrderPlaced>());
        Assert.Contains($"shop.order-placed {ids[0][^8..]} → exchange", error.Message, StringComparison.Ordinal);
        Assert.Contains($"shop.order-placed {ids[1][^8..]} → exchange", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_session_holds_only_its_own_flow()
    {
        await using var harness = await Shop.StartAsync();
        await harness.PublishAsync(new OrderPlaced("o-a", "eu"));
        var second = await harness.PublishAsync(new OrderPlaced("o-b", "eu"));

        Assert.Equal(["o-b"], second.PublishedOf<OrderPlaced>().Select(o => o.Id));
        Assert.Equal(["o-a", "o-b"], harness.History.PublishedOf<OrderPlaced>().Select(o => o.Id));
    }

    [Fact]
    public async Task Unknown_delivery_tags_and_missing_queues_close_the_channel_as_RabbitMQ_does()
    {
        var broker = new InMemoryBroker();
        await using var connection = broker.Connect("raw");
        var channel = await connection.CreateChannelAsync();
        var missing = await Assert.ThrowsAsync<OperationInterruptedException>(() => channel.QueueDeclarePassiveAsync("nope"));
        Assert.Equal(404, missing.ShutdownReason!.ReplyCode);
        Assert.Equal("NOT_FOUND - no queue 'nope' in vhost '/'", missing.ShutdownReason.ReplyText);
        Assert.False(channel.IsOpen);

        channel = await connection.CreateChannelAsync();
        await channel.BasicAckAsync(42, multiple: false);
        Assert.False(channel.IsOpen);
        Assert.Equal("PRECONDITION_FAILED - unknown delivery tag 42", channel.CloseReason!.ReplyText);
        await Assert.ThrowsAsync<AlreadyClosedException>(() => channel.QueueDeclareAsync("q", false, false, false));
    }

    [Fact]
    public async Task A_second_death_in_the_same_queue_counts_up_the_x_death_entry()
    {
        var broker = new InMemoryBroker();
        await using var connection = broker.Connect("raw");
        var channel = await connection.CreateChannelAsync();
        await channel.QueueDeclareAsync("work", true, false, false, new System.Collections.Generic.Dictionary<string, object?> { ["x-dead-letter-exchange"] = "", ["x-dead-letter-routing-key"] = "work" });
        await channel.BasicPublishAsync(string.Empty, "work", mandatory: true, new BasicProperties { MessageId = "m1" }, new byte[] { 1 });
        for (var i = 1; i <= 2; i++)
        {
            var got = await channel.BasicGetAsync("work", autoAck: false);
            Assert.NotNull(got);
            await channel.BasicRejectAsync(got!.DeliveryTag, requeue: false);
        }

        var last = await channel.BasicGetAsync("work", autoAck: true);
        var deaths = (System.Collections.IList)last!.BasicProperties.Headers!["x-death"]!;
        var entry = Assert.IsAssignableFrom<System.Collections.Generic.IDictionary<string, object?>>(Assert.Single(deaths.Cast<object>()));
        Assert.Equal(2L, entry["count"]);
        Assert.Equal(["count", "exchange", "queue", "reason", "routing-keys", "time"], entry.Keys);
        Assert.Equal(["x-death", "x-first-death-exchange", "x-first-death-queue", "x-first-death-reason"], last.BasicProperties.Headers.Keys);
        Assert.Equal("work", last.RoutingKey);
    }
}

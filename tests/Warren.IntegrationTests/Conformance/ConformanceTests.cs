using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using RabbitMQ.Client;
using Warren.IntegrationTests.Generated;
using Xunit;

namespace Warren.IntegrationTests.Conformance;

/// <summary>
/// One scenario suite, run against the in-memory broker of Warren.Testing and against the private RabbitMQ node: the
/// observable outcomes (who received what, in which order, with which properties; what the dead-letter queues hold,
/// headers included; what publishers and RPC callers were told) must be identical — and what they are is checked too.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class ConformanceTests(BrokerFixture broker)
{
    /// <summary>Headers whose values legitimately differ between two runs (sequence numbers, clocks).</summary>
    private static readonly HashSet<string> VolatileHeaders = [ConfirmChannel.SequenceHeader, DeadLetterHeaders.FailedAt];

    [Fact]
    public async Task Routing_for_each_exchange_type_matches_the_broker()
    {
        var outcome = await BothAsync(async run =>
        {
            var publisher = run.Get<IPublisher>();
            string[] keys = ["stock.usd.nyse", "stock.nyse", "stock", "stock.usd.eur.nyse", "nyse", "bond.nyse", "stock..nyse", "a.b", ""];
            for (var i = 0; i < keys.Length; i++)
            {
                await publisher.PublishAsync(new Quote($"q{i}"), new PublishOptions { RoutingKey = keys[i], Mandatory = false, MessageId = $"q{i}" });
            }

            foreach (var color in new[] { "red", "green", "blue" })
            {
                await publisher.PublishAsync(new Paint($"p-{color}"), new PublishOptions { RoutingKey = color, Mandatory = false });
            }

            await publisher.PublishAsync(new Notice("n1"));
            await publisher.PublishAsync(new Document("d-both"), Headers(("format", "pdf"), ("lang", "en")));
            await publisher.PublishAsync(new Document("d-pdf"), Headers(("format", "pdf")));
            await publisher.PublishAsync(new Document("d-png"), Headers(("format", "png")));
            await publisher.PublishAsync(new Document("d-extra"), Headers(("format", "pdf"), ("lang", "en"), ("x-extra", "1")));
            await publisher.PublishAsync(new Document("d-lang"), Headers(("lang", "en"), ("format", "doc")));

            string[] consumers = ["conf-star", "conf-hash", "conf-tail", "conf-mid", "conf-red", "conf-green", "conf-fan-a", "conf-fan-b", "conf-all", "conf-any"];
            await run.WaitUntilAsync(() => consumers.Sum(c => run.Recorder.Ids(c).Length) >= 29, "29 deliveries");
            await run.SettleAsync();
            return consumers.Select(c => $"{c}: {string.Join(", ", run.Recorder.All(c).Select(r => $"{r.Id}@{r.RoutingKey}"))}").ToList();
        });

        Assert.Equal(
            [
                "conf-star: q0@stock.usd.nyse, q6@stock..nyse",
                "conf-hash: q0@stock.usd.nyse, q1@stock.nyse, q2@stock, q3@stock.usd.eur.nyse, q6@stock..nyse",
                "conf-tail: q0@stock.usd.nyse, q1@stock.nyse, q3@stock.usd.eur.nyse, q4@nyse, q5@bond.nyse, q6@stock..nyse",
                "conf-mid: q0@stock.usd.nyse, q1@stock.nyse, q3@stock.usd.eur.nyse, q5@bond.nyse, q6@stock..nyse, q7@a.b",
                "conf-red: p-red@red",
                "conf-green: p-green@green",
                "conf-fan-a: n1@conf.notice",
                "conf-fan-b: n1@conf.notice",
                "conf-all: d-both@conf.document, d-extra@conf.document",
                "conf-any: d-both@conf.document, d-pdf@conf.document, d-extra@conf.document, d-lang@conf.document",
            ],
            outcome);
    }

    [Fact]
    public async Task A_queue_with_priorities_delivers_its_backlog_highest_first()
    {
        var outcome = await BothAsync(async run =>
        {
            var publisher = run.Get<IPublisher>();
            var reached = run.Gates.Close("conf-jobs", "j0");
            await publisher.PublishAsync(new ConfJob("j0"));
            await reached;
            foreach (var (id, priority) in new (string, byte?)[] { ("j1", 1), ("j2", 9), ("j3", 5), ("j4", null), ("j5", 9), ("j6", 200) })
            {
                await publisher.PublishAsync(new ConfJob(id), new PublishOptions { Priority = priority });
            }

            run.Gates.Open("conf-jobs");
            await run.WaitUntilAsync(() => run.Recorder.Ids("conf-jobs").Length >= 7, "7 jobs");
            await run.SettleAsync();
            return run.Recorder.All("conf-jobs").Select(r => $"{r.Id} priority {r.Priority?.ToString() ?? "none"}").ToList();
        });

        Assert.Equal(["j0 priority none", "j6 priority 200", "j2 priority 9", "j5 priority 9", "j3 priority 5", "j1 priority 1", "j4 priority none"], outcome);
    }

    [Fact]
    public async Task A_message_expiring_in_its_queue_is_dead_lettered_with_x_death()
    {
        var outcome = await BothAsync(async run =>
        {
            var connection = await run.ConnectionAsync();
            await PurgeAsync(connection, "conf.jobs.dlq");
            var publisher = run.Get<IPublisher>();
            var reached = run.Gates.Close("conf-jobs", "t0");
            await publisher.PublishAsync(new ConfJob("t0"));
            await reached;
            await publisher.PublishAsync(new ConfJob("t1"), new PublishOptions { Expiration = TimeSpan.FromMilliseconds(100), MessageId = "t1-id" });
            await run.WaitForMessagesAsync("conf.jobs.dlq", 1);
            run.Gates.Open("conf-jobs");
            await run.WaitUntilAsync(() => run.Recorder.Ids("conf-jobs").Length >= 1, "t0 handled");
            await run.SettleAsync();
            var lines = await DrainAsync(connection, "conf.jobs.dlq");
            lines.Add("handled: " + string.Join(", ", run.Recorder.Ids("conf-jobs")));
            return lines;
        });

        Assert.Contains("exchange=conf.jobs.dlx key=conf.jobs redelivered=False type=conf.job id=t1-id expiration=-", outcome);
        Assert.Contains("  x-death[0]: count=1 (Int64), reason=expired, queue=conf.jobs, time=*, exchange=conf.work, routing-keys=[job], original-expiration=100", outcome);
        Assert.Contains("  x-first-death-reason=expired", outcome);
        Assert.Equal("handled: t0", outcome[^1]);
    }

    [Fact]
    public async Task A_failing_handler_is_retried_through_the_retry_queues_with_their_delays()
    {
        var outcome = await BothAsync(async run =>
        {
            await run.Get<IPublisher>().PublishAsync(new Fragile("f1", FailTimes: 2));
            await run.WaitUntilAsync(() => run.Attempts.SuccessesOf("f1") == 1, "f1 to succeed");
            await run.SettleAsync();
            return run.Attempts.Of("f1").Select(a => $"retry {a.RetryCount}: deaths [{string.Join(", ", a.DeathQueues)}]").ToList();
        });

        Assert.Equal(
            [
                "retry 0: deaths []",
                "retry 1: deaths [conf.fragile.retry.1:expired]",
                "retry 2: deaths [conf.fragile.retry.2:expired, conf.fragile.retry.1:expired]",
            ],
            outcome);
    }

    [Fact]
    public async Task A_message_that_keeps_failing_ends_in_the_dead_letter_queue_with_its_reason()
    {
        var outcome = await BothAsync(async run =>
        {
            var connection = await run.ConnectionAsync();
            await PurgeAsync(connection, "conf.fragile.dlq");
            await run.Get<IPublisher>().PublishAsync(new Fragile("f2", FailTimes: 100), new PublishOptions { MessageId = "f2-id" });
            await run.WaitForMessagesAsync("conf.fragile.dlq", 1);
            await run.SettleAsync();
            var lines = await DrainAsync(connection, "conf.fragile.dlq");
            lines.Add($"attempts: {run.Attempts.Of("f2").Length}");
            return lines;
        });

        Assert.Contains("exchange=conf.fragile.dlx key=conf.fragile redelivered=False type=conf.fragile id=f2-id expiration=-", outcome);
        Assert.Contains("  x-warren-reason=Gave up after 2 retries: System.InvalidOperationException: attempt 3 of f2 failed", outcome);
        Assert.Contains("  x-warren-retries=2 (Int32)", outcome);
        Assert.Contains("  x-death[0]: count=1 (Int64), exchange=, queue=conf.fragile.retry.2, reason=expired, routing-keys=[conf.fragile.retry.2], time=*", outcome);
        Assert.Equal("attempts: 3", outcome[^1]);
    }

    [Fact]
    public async Task Unroutable_and_refused_publishes_fail_the_same_way()
    {
        var outcome = await BothAsync(async run =>
        {
            var publisher = run.Get<IPublisher>();
            var lines = new List<string>
            {
                Describe(await run.RunAsync(() => publisher.PublishAsync(new Lonely("l1")).AsTask())),
                Describe(await run.RunAsync(() => publisher.PublishAsync(new Paint("p-x"), new PublishOptions { Exchange = "conf.missing" }).AsTask())),
                Describe(await run.RunAsync(() => publisher.PublishAsync(new Paint("p-after")).AsTask())),
            };
            await run.WaitUntilAsync(() => run.Recorder.Ids("conf-red").Contains("p-after"), "p-after consumed");
            lines.Add("consumed: " + string.Join(", ", run.Recorder.Ids("conf-red")));
            return lines;
        });

        Assert.Equal(
            [
                "UnroutableMessageException: No queue is bound to receive a message published to exchange 'conf.lonely' with routing key 'nobody' (broker: 312 NO_ROUTE). Declare a queue and binding for it, or publish with Mandatory = false to let the broker drop it.",
                "WarrenPublishException: The broker refused the publish to exchange 'conf.missing' with routing key 'red': 404 NOT_FOUND - no exchange 'conf.missing' in vhost '/'. It is not sent again.",
                "ok",
                "consumed: p-after",
            ],
            outcome);
    }

    [Fact]
    public async Task Rpc_calls_succeed_fault_time_out_and_find_no_server_alike()
    {
        var outcome = await BothAsync(async run =>
        {
            var lines = new List<string>();
            Ratio? ratio = null;
            lines.Add(Describe(await run.RunAsync(async () => ratio = await run.Get<IConfCalculator>().Divide(new Division(7, 2)))) + $" {ratio}");
            lines.Add(Describe(await run.RunAsync(() => run.Get<IConfCalculator>().Divide(new Division(1, 0)))));
            lines.Add(Describe(await run.RunAsync(() => run.Get<IConfStalled>().Divide(new Division(1, 1)))));
            lines.Add(Describe(await run.RunAsync(() => run.Get<IConfAbsent>().Divide(new Division(1, 1)))));
            await run.SettleAsync();
            return lines;
        });

        Assert.Equal(
            [
                "ok Ratio { Value = 3 }",
                "RemoteRpcException: System.DivideByZeroException: Attempted to divide by zero.",
                "RpcTimeoutException: conf-stalled/conf-stalled.divide",
                "RpcNoServerException: RPC conf-absent.divide to service 'conf-absent' was returned by the broker: queue 'rpc.conf-absent' does not exist, so no server can take it. Start a server (it declares the queue) or check the service name.",
            ],
            outcome);
    }

    [Fact]
    public async Task Text_and_byte_bodies_are_delivered_dead_lettered_and_served_alike()
    {
        var outcome = await BothAsync(async run =>
        {
            var connection = await run.ConnectionAsync();
            await PurgeAsync(connection, "conf.text.dlq");
            var publisher = run.Get<IPublisher>();
            await publisher.PublishTextAsync(string.Empty, "conf.text", "héllo ✓", new PublishOptions { MessageId = "t1" });
            await publisher.PublishBytesAsync(string.Empty, "conf.bytes", new byte[] { 0, 1, 0x7F, 0x80, 0xFF }, new PublishOptions { MessageId = "b1" });
            await using (var channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true)))
            {
                await channel.BasicPublishAsync(string.Empty, "conf.text", true, new BasicProperties { MessageId = "latin1", ContentType = "text/plain; charset=iso-8859-1" }, new byte[] { 0x63, 0x61, 0x66, 0xE9 });
                await channel.BasicPublishAsync(string.Empty, "conf.text", true, new BasicProperties { MessageId = "bad" }, new byte[] { 0x68, 0xC3, 0x28 });
            }

            string? reply = null;
            var lines = new List<string> { Describe(await run.RunAsync(async () => reply = await run.Get<RpcClient>().CallAsync("conf-text", "rpc.conf-text", "upper", "straße", PayloadFormat.Text, PayloadFormat.Text, TimeSpan.FromSeconds(10)))) + $" {reply}" };
            await run.WaitForMessagesAsync("conf.text.dlq", 1);
            await run.WaitUntilAsync(() => run.Payloads.Count >= 3, "three text and byte deliveries");
            await run.SettleAsync();
            lines.AddRange(run.Payloads.Order(StringComparer.Ordinal));
            lines.AddRange(await DrainAsync(connection, "conf.text.dlq"));
            return lines;
        });

        Assert.Equal("ok STRAßE", outcome[0]); // ToUpperInvariant keeps ß: the text arrived and went back as UTF-8
        Assert.Equal("conf.bytes: 00017F80FF (content-type application/octet-stream)", outcome[1]);
        Assert.Equal("conf.text: café (content-type text/plain; charset=iso-8859-1)", outcome[2]);
        Assert.Equal("conf.text: héllo ✓ (content-type text/plain; charset=utf-8)", outcome[3]);
        Assert.Contains("exchange=conf.text.dlx key=conf.text redelivered=False type= id=bad expiration=-", outcome);
        Assert.Contains(outcome, l => l.StartsWith("  x-warren-reason=The body is not valid utf-8 text: invalid bytes (C3) at offset 1 of 3 (no content-type: read as UTF-8)", StringComparison.Ordinal));
    }

    private async Task<List<string>> BothAsync(Func<ConformanceRun, Task<List<string>>> scenario)
    {
        List<string> memory;
        await using (var run = await InMemoryRun.StartAsync())
        {
            memory = await scenario(run);
        }

        List<string> real;
        await using (var run = await BrokerRun.StartAsync(broker.AmqpUrl))
        {
            real = await scenario(run);
        }

        if (!memory.SequenceEqual(real))
        {
            var text = new StringBuilder("The in-memory broker and RabbitMQ disagree.").AppendLine();
            for (var i = 0; i < Math.Max(memory.Count, real.Count); i++)
            {
                var m = i < memory.Count ? memory[i] : "(nothing)";
                var r = i < real.Count ? real[i] : "(nothing)";
                text.Append(m == r ? "   " : "!! ").AppendLine(m);
                if (m != r)
                {
                    text.Append("   RabbitMQ:  ").AppendLine(r);
                }
            }

            Assert.Fail(text.ToString());
        }

        return memory;
    }

    private static PublishOptions Headers(params (string Name, string Value)[] headers) =>
        new() { Headers = headers.ToDictionary(h => h.Name, h => (object?)h.Value), Mandatory = false };

    private static string Describe(Exception? error) => error switch
    {
        null => "ok",
        RpcTimeoutException timeout => $"{nameof(RpcTimeoutException)}: {timeout.Service}/{timeout.Method}",
        RemoteRpcException remote => $"{nameof(RemoteRpcException)}: {remote.RemoteType}: {remote.RemoteMessage}",
        _ => $"{error.GetType().Name}: {error.Message}",
    };

    private static async Task PurgeAsync(IConnection connection, string queue)
    {
        await using var channel = await connection.CreateChannelAsync();
        await channel.QueuePurgeAsync(queue);
    }

    /// <summary>Takes every message out of a queue and writes down everything observable about it, headers in their order.</summary>
    private static async Task<List<string>> DrainAsync(IConnection connection, string queue)
    {
        var lines = new List<string>();
        await using var channel = await connection.CreateChannelAsync();
        while (await channel.BasicGetAsync(queue, autoAck: true) is { } got)
        {
            var p = got.BasicProperties;
            lines.Add($"exchange={got.Exchange} key={got.RoutingKey} redelivered={got.Redelivered} type={p.Type} id={p.MessageId} expiration={p.Expiration ?? "-"}");
            lines.Add($"  priority={p.Priority} delivery-mode={p.DeliveryMode} content-type={p.ContentType} body={System.Text.Encoding.UTF8.GetString(got.Body.Span)}");
            foreach (var (name, value) in p.Headers ?? new Dictionary<string, object?>())
            {
                if (VolatileHeaders.Contains(name))
                {
                    lines.Add($"  {name}=*");
                }
                else if (name == "x-death" && value is IList deaths)
                {
                    for (var i = 0; i < deaths.Count; i++)
                    {
                        var entry = (IDictionary<string, object?>)deaths[i]!;
                        lines.Add($"  x-death[{i}]: {string.Join(", ", entry.Select(e => $"{e.Key}={(e.Key == "time" ? "*" : Text(e.Value))}"))}");
                    }
                }
                else
                {
                    lines.Add($"  {name}={Text(value)}");
                }
            }
        }

        return lines;
    }

    private static string Text(object? value) => value switch
    {
        null => "null",
        byte[] bytes => System.Text.Encoding.UTF8.GetString(bytes),
        IList list => "[" + string.Join(", ", list.Cast<object?>().Select(Text)) + "]",
        IDictionary<string, object?> table => "{" + string.Join(", ", table.Select(e => $"{e.Key}={Text(e.Value)}")) + "}",
        AmqpTimestamp ts => $"timestamp:{ts.UnixTime}",
        _ => $"{value} ({value.GetType().Name})",
    };
}

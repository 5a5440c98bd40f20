using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using CsCheck;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Warren.IntegrationTests.Generated;
using Warren.IntegrationTests.Runtime;
using Xunit;
using Xunit.Abstractions;

namespace Warren.IntegrationTests.Fuzz;

/// <summary>
/// Raw deliveries with random properties, headers of every AMQP type and random bodies, interleaved with valid
/// messages whose handlers fail and take time at random, published to the generated consumers at Concurrency 1 and 8.
/// Whatever arrives, every delivery is settled: a valid message is handled exactly once when its handler succeeds,
/// everything else ends in the dead-letter queue exactly once, nothing loops, and the consumers keep consuming.
/// </summary>
/// <remarks>
/// A fixed seed and count by default (the same deliveries on every run); <c>WARREN_FUZZ_SEED</c> (a CsCheck seed),
/// <c>WARREN_FUZZ_COUNT</c> and <c>WARREN_FUZZ_ITERATIONS</c> explore further. A failure prints the seed and every
/// delivery that broke an invariant.
/// </remarks>
[Collection(BrokerCollection.Name)]
public sealed class DeliveryFuzzTests(BrokerFixture broker, ITestOutputHelper output)
{
    private const string DefaultSeed = "0N0XIzNsQ0O2";
    private const int DefaultCount = 300;
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(20);
    private static readonly string[] WorkQueues = [SerialFuzzConsumer.Name, ParallelFuzzConsumer.Name];

    [Fact]
    public async Task Every_delivery_is_settled_whatever_its_properties_headers_and_body()
    {
        var seed = Environment.GetEnvironmentVariable("WARREN_FUZZ_SEED") is { Length: > 0 } s ? s.Trim() : DefaultSeed;
        var count = int.TryParse(Environment.GetEnvironmentVariable("WARREN_FUZZ_COUNT"), CultureInfo.InvariantCulture, out var c) ? c : DefaultCount;
        var iterations = long.TryParse(Environment.GetEnvironmentVariable("WARREN_FUZZ_ITERATIONS"), CultureInfo.InvariantCulture, out var i) ? i : 1;
        output.WriteLine($"seed {seed}, {count} deliveries, {iterations} iteration(s)");

        await FuzzGen.Batch(count).SampleAsync(
            RunAsync,
            writeLine: output.WriteLine,
            seed: seed,
            iter: iterations,
            threads: 1,
            print: batch => $"{batch.Length} deliveries: {string.Join(", ", batch.GroupBy(d => d.Kind).Select(g => $"{g.Count()} {g.Key}"))}");
    }

    /// <summary>
    /// The case the fuzz test found, on its own: a producer's <c>x-death</c> array holding something other than tables
    /// travels into the retry copy, and when the retry queue dead-letters the copy back, RabbitMQ 3.10 crashes that
    /// queue (<c>function_clause</c> in <c>rabbit_dead_letter</c>). The retry must come back and the queue survive.
    /// </summary>
    [Fact]
    public async Task A_retried_message_whose_x_death_holds_no_tables_comes_back_and_the_retry_queue_survives()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var id = $"{run}-{SerialFuzzConsumer.Name}-x-death";
        await DeleteQueuesAsync();
        try
        {
            await using var link = new BrokerLink(broker);
            var probe = new FuzzProbe();
            await using var app = await GeneratedHost.StartAsync(broker.AmqpUrl, configure: w => w.Services.AddSingleton(probe));
            var message = new FuzzDelivery(
                SerialFuzzConsumer.Name, false, BodyKind.Valid, [], Failures: 1, DelayMs: 0,
                new FuzzProperties("fuzz.item", null, null, null, "application/json", null, null, null, null, null, true),
                [new("x-death", new List<object?> { "not a table" })]);
            await using (var channel = await link.ChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true)))
            {
                await channel.BasicPublishAsync("fuzz", message.BindingKey, mandatory: true, message.ToBasicProperties(id), message.Body(id));
            }

            var retried = true;
            try
            {
                await Broker.WaitUntilAsync(() => probe.Of(id).Successes == 1, TimeSpan.FromSeconds(5), "the message to succeed on its retry");
            }
            catch (TimeoutException)
            {
                retried = false;
            }

            var counts = await CountsAsync(link);
            var retryQueue = counts[Retry(SerialFuzzConsumer.Name)];
            Assert.True(
                retried && retryQueue.Error is null,
                $"attempts {probe.Of(id).Attempts}, successes {probe.Of(id).Successes}; {Retry(SerialFuzzConsumer.Name)}: {retryQueue.Error ?? "available"}");
            Assert.Equal(2, probe.Of(id).Attempts);
        }
        finally
        {
            await DeleteQueuesAsync();
        }
    }

    private async Task RunAsync(FuzzDelivery[] batch)
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var ids = batch.Select((d, n) => $"{run}-{d.Queue}-{n}").ToArray();

        // Fresh queues, declared by the application; deleted again at the end, so no other test consumes what is left.
        await DeleteQueuesAsync();
        try
        {
            await using var link = new BrokerLink(broker);
            await RunBatchAsync(link, batch, ids, run);
        }
        finally
        {
            await DeleteQueuesAsync();
        }
    }

    private async Task RunBatchAsync(BrokerLink link, FuzzDelivery[] batch, string[] ids, string run)
    {
        var probe = new FuzzProbe();
        await using var app = await GeneratedHost.StartAsync(broker.AmqpUrl, configure: w => w.Services.AddSingleton(probe), options: o =>
        {
            o.MaxMessageSize = 32 * 1024;
            o.ShutdownTimeout = TimeSpan.FromSeconds(5);
        });
        output.WriteLine(Mix(batch));
        var clock = Stopwatch.StartNew();
        await PublishAsync(link, batch, ids);
        var published = clock.Elapsed;

        // Settled: every valid message handled or dead-lettered, everything else dead-lettered, and nothing left in
        // the work or retry queues. A message still looping or stuck unacknowledged keeps this from becoming true.
        var valid = ids.Where((_, n) => batch[n].Kind == BodyKind.Valid).ToArray();
        var settled = false;
        var unavailableSince = (DateTime?)null;
        var deadline = DateTime.UtcNow + SettleTimeout;
        var counts = new Dictionary<string, QueueState>();
        while (DateTime.UtcNow < deadline)
        {
            counts = await CountsAsync(link);
            if (counts.Values.Any(c => c.Error is not null))
            {
                // A queue the broker cannot serve (its process crashed) does not come back: stop waiting soon.
                unavailableSince ??= DateTime.UtcNow;
                if (DateTime.UtcNow - unavailableSince > TimeSpan.FromSeconds(3))
                {
                    break;
                }
            }
            else
            {
                unavailableSince = null;
                var dead = counts[Dlq(SerialFuzzConsumer.Name)].Messages + counts[Dlq(ParallelFuzzConsumer.Name)].Messages;
                var waiting = WorkQueues.Sum(q => counts[q].Messages + counts[Retry(q)].Messages);
                if (waiting == 0 && dead + probe.SucceededCount(valid) >= batch.Length)
                {
                    settled = true;
                    break;
                }
            }

            await Task.Delay(200);
        }

        var settleTime = clock.Elapsed - published;

        // Still consuming: a few plain messages per queue are handled after all that.
        var problems = new List<string>();
        if (settled)
        {
            problems.AddRange(await StillConsumingAsync(link, probe, run));
        }

        await app.StopAsync();
        var afterStop = await CountsAsync(link);
        var (deadLettered, drainErrors) = await DrainDeadLettersAsync(link);

        if (!settled)
        {
            var why = unavailableSince is null ? $"within {SettleTimeout}" : "(a queue became unavailable)";
            problems.Add($"not settled {why}: {Show(counts)}; {probe.SucceededCount(valid)} of {valid.Length} valid messages handled");
        }

        problems.AddRange(afterStop.Where(q => q.Value.Error is not null).Select(q => $"{q.Key} is unavailable: {q.Value.Error}"));
        problems.AddRange(drainErrors);
        problems.AddRange(WorkQueues.SelectMany(q => new[] { q, Retry(q) })
            .Where(q => afterStop[q].Messages != 0)
            .Select(q => $"{q} still holds {afterStop[q].Messages} messages after the consumers stopped"));
        problems.AddRange(probe.Unexpected.Take(10).Select(u => $"not a valid message, yet handed to the handler: {u}"));
        problems.AddRange(deadLettered.Keys.Where(k => !ids.Contains(k)).Take(10).Select(k => $"dead-lettered, not published by this run: {k}"));
        for (var n = 0; n < batch.Length; n++)
        {
            if (Violation(batch[n], probe.Of(ids[n]), deadLettered.GetValueOrDefault(ids[n])) is { } violation)
            {
                problems.Add($"{violation}: {batch[n].Describe(ids[n])}");
            }
        }

        output.WriteLine(
            $"{batch.Length} deliveries ({valid.Length} valid) published in {published.TotalSeconds:F1} s, settled={settled} after {settleTime.TotalSeconds:F1} s; " +
            $"{probe.SucceededCount(valid)} handled, {deadLettered.Values.Sum()} dead-lettered; {problems.Count} problems");
        if (problems.Count > 0)
        {
            throw new InvalidOperationException($"{problems.Count} deliveries or checks broke an invariant (first 25):\n" + string.Join("\n", problems.Take(25)));
        }
    }

    /// <summary>Plain messages sent after the fuzzed ones must be handled, and each work queue must still have its consumer.</summary>
    private static async Task<List<string>> StillConsumingAsync(BrokerLink link, FuzzProbe probe, string run)
    {
        var problems = new List<string>();
        var plain = WorkQueues.SelectMany(q => Enumerable.Range(0, 10).Select(n => (Queue: q, Id: $"{run}-{q}-alive-{n}"))).ToArray();
        await using (var channel = await link.ChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true)))
        {
            foreach (var (queue, id) in plain)
            {
                var message = new FuzzDelivery(queue, false, BodyKind.Valid, [], 0, 0, new FuzzProperties("fuzz.item", null, null, null, "application/json", null, null, null, null, null, true), []);
                await channel.BasicPublishAsync("fuzz", message.BindingKey, mandatory: true, message.ToBasicProperties(id), message.Body(id));
            }
        }

        try
        {
            await Broker.WaitUntilAsync(() => plain.All(p => probe.Of(p.Id).Successes == 1), TimeSpan.FromSeconds(10), "the plain messages after the fuzzed ones");
        }
        catch (TimeoutException)
        {
            problems.AddRange(plain.Where(p => probe.Of(p.Id).Successes != 1).Select(p => $"{p.Queue} did not handle a plain message after the fuzzed ones"));
        }

        var counts = await CountsAsync(link);
        problems.AddRange(WorkQueues.Where(q => counts[q].Consumers != 1).Select(q => $"{q} has {counts[q].Consumers} consumers at the end, not 1"));
        return problems;
    }

    /// <summary>How often the batch exercises each kind of oddity.</summary>
    private static string Mix(FuzzDelivery[] batch)
    {
        int With(Func<FuzzDelivery, bool> test) => batch.Count(test);
        bool Has(FuzzDelivery d, string header) => d.Headers.Any(h => h.Key == header);
        return $"mix: {With(d => d.Kind == BodyKind.Valid && d.Failures > 0)} valid with failures, {With(d => d.StraightToQueue)} straight to the queue, " +
            $"{With(d => d.Properties.Type is { } t && t != "fuzz.item")} foreign types, {With(d => d.Properties.Timestamp is not null)} timestamps, " +
            $"{With(d => d.Properties.Expiration is not null)} expirations, {With(d => Has(d, RetryPolicy.RetriesHeader))} {RetryPolicy.RetriesHeader}, " +
            $"{With(d => Has(d, "x-death"))} x-death, {With(d => Has(d, "big"))} headers near frame_max";
    }

    /// <summary>What went wrong for one delivery, or null.</summary>
    private static string? Violation(FuzzDelivery delivery, FuzzProbe.Tally tally, int deadLettered)
    {
        if (delivery.Kind != BodyKind.Valid)
        {
            return deadLettered == 1 ? null : $"dead-lettered {deadLettered} times, not once";
        }

        var (attempts, successes) = (tally.Attempts, tally.Successes);
        if (attempts > 2)
        {
            return $"handled {attempts} times: one retry allowed";
        }

        return delivery.Failures switch
        {
            0 when (attempts, successes, deadLettered) != (1, 1, 0) => $"{attempts} attempts, {successes} successes, {deadLettered} dead-lettered; expected handled once",
            9 when (successes, deadLettered) != (0, 1) || attempts == 0 => $"{attempts} attempts, {successes} successes, {deadLettered} dead-lettered; expected to fail and be dead-lettered once",
            1 when successes + deadLettered != 1 || attempts == 0 => $"{attempts} attempts, {successes} successes, {deadLettered} dead-lettered; expected a success after the retry or, its retry count used up, one dead-letter",
            _ => null,
        };
    }

    private static async Task PublishAsync(BrokerLink link, FuzzDelivery[] batch, string[] ids)
    {
        await using var channel = await link.ChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        const int Window = 32;
        for (var start = 0; start < batch.Length; start += Window)
        {
            var pending = Enumerable.Range(start, Math.Min(Window, batch.Length - start)).Select(async n =>
            {
                var d = batch[n];
                try
                {
                    await channel.BasicPublishAsync(d.StraightToQueue ? string.Empty : "fuzz", d.StraightToQueue ? d.Queue : d.BindingKey, mandatory: true, d.ToBasicProperties(ids[n]), d.Body(ids[n]));
                }
                catch (Exception ex)
                {
                    throw new InvalidOperationException($"The test could not publish {d.Describe(ids[n])}", ex);
                }
            }).ToArray();
            await Task.WhenAll(pending);
        }
    }

    /// <summary>Takes everything out of both dead-letter queues: how often each fuzz id arrived there.</summary>
    private static async Task<(Dictionary<string, int> Found, List<string> Errors)> DrainDeadLettersAsync(BrokerLink link)
    {
        var found = new Dictionary<string, int>(StringComparer.Ordinal);
        var errors = new List<string>();
        foreach (var queue in WorkQueues.Select(Dlq))
        {
            try
            {
                await using var channel = await link.ChannelAsync();
                while (await channel.BasicGetAsync(queue, autoAck: true) is { } message)
                {
                    var headers = message.BasicProperties.Headers;
                    object? reason = null;
                    headers?.TryGetValue(DeadLetterHeaders.Reason, out reason);
                    var id = headers?.TryGetValue(FuzzProbe.IdHeader, out var raw) == true && raw is byte[] bytes
                        ? Encoding.UTF8.GetString(bytes)
                        : $"(no {FuzzProbe.IdHeader} header; reason {FuzzDelivery.Show(reason, 1)})";
                    found[id] = found.GetValueOrDefault(id) + 1;
                }
            }
            catch (Exception ex) when (IsBrokerError(ex))
            {
                errors.Add($"{queue} could not be read: {ex.Message}");
            }
        }

        return (found, errors);
    }

    private static async Task<Dictionary<string, QueueState>> CountsAsync(BrokerLink link)
    {
        var counts = new Dictionary<string, QueueState>(StringComparer.Ordinal);
        foreach (var queue in AllQueues())
        {
            var declare = PassiveDeclareAsync(link, queue);
            try
            {
                // A crashed queue answers only after the broker's own 20 s timeout: do not wait that long for it.
                var ok = await declare.WaitAsync(TimeSpan.FromSeconds(3));
                counts[queue] = new QueueState(ok.MessageCount, ok.ConsumerCount, null);
            }
            catch (TimeoutException)
            {
                counts[queue] = new QueueState(0, 0, "no answer within 3 s (the broker's queue process is not running)");
                link.Abandon(); // the connection may stay stuck on that queue: use a new one
            }
            catch (Exception ex) when (IsBrokerError(ex))
            {
                counts[queue] = new QueueState(0, 0, ex.Message);
            }
        }

        return counts;
    }

    private static async Task<QueueDeclareOk> PassiveDeclareAsync(BrokerLink link, string queue)
    {
        await using var channel = await link.ChannelAsync();
        return await channel.QueueDeclarePassiveAsync(queue);
    }

    /// <summary>Deletes the fuzz queues over a connection of its own (a crashed queue can still be deleted).</summary>
    private async Task DeleteQueuesAsync()
    {
        await using var link = new BrokerLink(broker);
        foreach (var queue in AllQueues())
        {
            try
            {
                await using var channel = await link.ChannelAsync();
                await channel.QueueDeleteAsync(queue);
            }
            catch (Exception ex) when (IsBrokerError(ex))
            {
                output.WriteLine($"could not delete {queue}: {ex.Message}");
            }
        }
    }

    private static bool IsBrokerError(Exception ex) => ex is OperationInterruptedException or OperationCanceledException or TimeoutException or System.IO.IOException;

    private static IEnumerable<string> AllQueues() => WorkQueues.SelectMany(q => new[] { q, Retry(q), Dlq(q) });

    private static string Retry(string queue) => RetryPolicy.RetryQueueName(queue, 1);

    private static string Dlq(string queue) => $"{queue}.dlq";

    private static string Show(Dictionary<string, QueueState> counts) =>
        string.Join(", ", counts.Select(c => c.Value.Error is { } error ? $"{c.Key} unavailable ({error})" : $"{c.Key} {c.Value.Messages} ready/{c.Value.Consumers} consumers"));

    /// <summary>A passive declare's answer, or why there was none.</summary>
    private readonly record struct QueueState(uint Messages, uint Consumers, string? Error);

    /// <summary>
    /// The test's own connection to the broker, replaced when the broker closed it: a queue process that crashes makes
    /// the broker close the connection asking about it (541 INTERNAL_ERROR).
    /// </summary>
    private sealed class BrokerLink(BrokerFixture broker) : IAsyncDisposable
    {
        private readonly List<Task> _abandoned = [];
        private IConnection? _connection;

        public async Task<IChannel> ChannelAsync(CreateChannelOptions? options = null)
        {
            if (_connection is not { IsOpen: true })
            {
                if (_connection is not null)
                {
                    await _connection.DisposeAsync();
                }

                _connection = await broker.ConnectAsync();
            }

            return await _connection.CreateChannelAsync(options);
        }

        /// <summary>Leaves the current connection to close in the background; the next channel comes from a new one.</summary>
        public void Abandon()
        {
            var stuck = _connection;
            _connection = null;
            _abandoned.Add(Task.Run(async () =>
            {
                try
                {
                    if (stuck is not null)
                    {
                        await stuck.DisposeAsync();
                    }
                }
                catch (Exception ex) when (IsBrokerError(ex))
                {
                    // Closing a connection the broker no longer answers on.
                }
            }));
        }

        public async ValueTask DisposeAsync()
        {
            if (_connection is not null)
            {
                await _connection.DisposeAsync();
            }

            await Task.WhenAny(Task.WhenAll(_abandoned), Task.Delay(TimeSpan.FromSeconds(5)));
        }
    }
}

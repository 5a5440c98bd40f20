using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Xunit;
using Xunit.Abstractions;

namespace Warren.IntegrationTests.Runtime;

[Collection(BrokerCollection.Name)]
public sealed class ConnectionTests(BrokerFixture broker, ITestOutputHelper output)
{
    [Fact]
    public async Task A_blackholed_connection_is_declared_lost_within_a_few_heartbeats_and_recovers_when_traffic_flows_again()
    {
        var heartbeat = TimeSpan.FromSeconds(2);
        var queue = Names.Unique("heartbeat");
        var target = new Uri(broker.AmqpUrl);
        await using var proxy = new BlackholeProxy(target.Port);
        var url = new UriBuilder(target) { Host = "127.0.0.1", Port = proxy.Port }.Uri.ToString();
        var clock = Stopwatch.StartNew();
        var events = new ConcurrentQueue<(ConnectionEvent Event, TimeSpan At)>();
        var throwingCalls = 0;
        await using var app = await TestApp.StartAsync(url, w => w.AddTopology(new Topology().Add(new QueueDeclaration(queue))), o => o.Heartbeat = heartbeat);

        // A subscriber that throws comes first: the one after it and the connection handling must not notice.
        app.Connections.ConnectionChanged += _ =>
        {
            Interlocked.Increment(ref throwingCalls);
            throw new InvalidOperationException("a subscriber that throws");
        };
        app.Connections.ConnectionChanged += e => events.Enqueue((e, clock.Elapsed));
        await app.Sender.SendAsync(string.Empty, queue, new Numbered(1), RuntimeTestJson.Default.Numbered, "test.numbered");
        var connection = await app.Connections.GetPublishConnectionAsync();
        Assert.Equal(heartbeat, connection.Heartbeat);

        var blackholed = clock.Elapsed;
        proxy.Blackhole();
        await Broker.WaitUntilAsync(() => Has(events, ConnectionEventKind.Lost), TimeSpan.FromSeconds(30), "the publishing connection to be declared lost");
        var detected = events.First(e => e.Event.Role == ConnectionRole.Publish && e.Event.Kind == ConnectionEventKind.Lost).At - blackholed;
        output.WriteLine($"lost after {detected.TotalSeconds:F1} s with a {heartbeat.TotalSeconds} s heartbeat");
        Assert.True(detected < 5 * heartbeat + TimeSpan.FromSeconds(3), $"detected after {detected}");

        proxy.Resume();
        await Broker.WaitUntilAsync(() => Has(events, ConnectionEventKind.Recovered), TimeSpan.FromSeconds(40), "the publishing connection to recover");
        output.WriteLine($"recovered {(events.First(e => e.Event.Kind == ConnectionEventKind.Recovered).At - blackholed - detected).TotalSeconds:F1} s after detection");
        await app.Sender.SendAsync(string.Empty, queue, new Numbered(2), RuntimeTestJson.Default.Numbered, "test.numbered").AsTask().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(throwingCalls >= 2, $"the throwing subscriber ran {throwingCalls} times");
        await using var direct = await broker.ConnectAsync();
        Assert.Equal(2u, await Broker.ReadyCountAsync(direct, queue));
        await Broker.DeleteQueueAsync(direct, queue);
    }

    [Fact]
    public async Task A_lost_connection_and_failed_recovery_are_logged_at_warning_rate_limited_and_the_recovery_with_the_outage_length()
    {
        var queue = Names.Unique("outage");
        var target = new Uri(broker.AmqpUrl);
        await using var proxy = new BlackholeProxy(target.Port);
        var url = new UriBuilder(target) { Host = "127.0.0.1", Port = proxy.Port }.Uri.ToString();
        var logs = new LogSink();
        var events = new ConcurrentQueue<(ConnectionEvent Event, TimeSpan At)>();
        var clock = Stopwatch.StartNew();
        await using var app = await TestApp.StartAsync(url, w => w.AddTopology(new Topology().Add(new QueueDeclaration(queue))), logs: logs);
        app.Connections.ConnectionChanged += e => events.Enqueue((e, clock.Elapsed));
        await app.Sender.SendAsync(string.Empty, queue, new Numbered(1), RuntimeTestJson.Default.Numbered, "test.numbered");

        // The broker goes away: the connection is reset and every reconnection attempt (each 500 ms) is closed at once.
        proxy.Refuse();
        await Broker.WaitUntilAsync(
            () => events.Count(e => e.Event.Role == ConnectionRole.Publish && e.Event.Kind == ConnectionEventKind.RecoveryFailed) >= 4,
            TimeSpan.FromSeconds(30),
            "four failed recovery attempts of the publishing connection");
        proxy.Resume();
        await Broker.WaitUntilAsync(() => Has(events, ConnectionEventKind.Recovered), TimeSpan.FromSeconds(30), "the publishing connection to recover");
        await Broker.WaitUntilAsync(() => Lines(logs, "The Publish connection recovered").Any(), TimeSpan.FromSeconds(5), "the recovery to be logged");

        foreach (var entry in logs.Entries.Where(e => e.Category.StartsWith("Warren", StringComparison.Ordinal) && e.Level >= LogLevel.Information))
        {
            output.WriteLine($"{entry.Level}: {entry.Message}");
        }

        var lost = Assert.Single(Lines(logs, "The Publish connection to the broker was lost"));
        Assert.Equal(LogLevel.Warning, lost.Level);
        var failures = events.Count(e => e.Event.Role == ConnectionRole.Publish && e.Event.Kind == ConnectionEventKind.RecoveryFailed);

        // Within the minute, only the first failed attempt is a warning; the others are at Debug.
        var firstFailure = Assert.Single(Lines(logs, "Recovering the Publish connection failed (attempt"));
        Assert.Equal(LogLevel.Warning, firstFailure.Level);
        Assert.Contains("attempt 1,", firstFailure.Message, StringComparison.Ordinal);
        Assert.Empty(Lines(logs, "Recovering the Publish connection still fails"));
        Assert.True(failures >= 4, $"{failures} failed attempts");

        var recovered = Assert.Single(Lines(logs, "The Publish connection recovered"));
        Assert.Equal(LogLevel.Information, recovered.Level);
        Assert.Contains($"({failures} failed recovery attempts)", recovered.Message, StringComparison.Ordinal);
        var outage = TimeSpan.Parse(System.Text.RegularExpressions.Regex.Match(recovered.Message, @"outage of (\S+) ").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var lostAt = events.First(e => e.Event.Role == ConnectionRole.Publish && e.Event.Kind == ConnectionEventKind.Lost).At;
        var recoveredAt = events.First(e => e.Event.Role == ConnectionRole.Publish && e.Event.Kind == ConnectionEventKind.Recovered).At;
        Assert.InRange(outage, recoveredAt - lostAt - TimeSpan.FromMilliseconds(300), recoveredAt - lostAt + TimeSpan.FromMilliseconds(300));

        await using var direct = await broker.ConnectAsync();
        await Broker.DeleteQueueAsync(direct, queue);
    }

    private static System.Collections.Generic.IEnumerable<(LogLevel Level, string Category, string Message, Exception? Exception)> Lines(LogSink logs, string start) =>
        logs.Entries.Where(e => e.Message.StartsWith(start, StringComparison.Ordinal));

    private static bool Has(ConcurrentQueue<(ConnectionEvent Event, TimeSpan At)> events, ConnectionEventKind kind) =>
        events.Any(e => e.Event.Role == ConnectionRole.Publish && e.Event.Kind == kind);
}

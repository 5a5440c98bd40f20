using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
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

    private static bool Has(ConcurrentQueue<(ConnectionEvent Event, TimeSpan At)> events, ConnectionEventKind kind) =>
        events.Any(e => e.Event.Role == ConnectionRole.Publish && e.Event.Kind == kind);
}

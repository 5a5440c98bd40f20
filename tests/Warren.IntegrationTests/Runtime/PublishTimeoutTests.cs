using System;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using Xunit.Abstractions;

namespace Warren.IntegrationTests.Runtime;

/// <summary>
/// The publish timeout is a deadline the publishing channel enforces on the wait for the confirmation (no timer per
/// publish): publishes the broker never confirms fail with <see cref="PublishTimeoutException"/> about one timeout after
/// they were made, not before, give their window slots back, and the publisher works again once traffic flows.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class PublishTimeoutTests(BrokerFixture broker, ITestOutputHelper output)
{
    [Fact]
    public async Task Publishes_never_confirmed_fail_with_a_timeout_after_the_publish_timeout_and_give_their_slots_back()
    {
        var timeout = TimeSpan.FromSeconds(1);
        var queue = Names.Unique("unconfirmed");
        var target = new Uri(broker.AmqpUrl);
        await using var proxy = new BlackholeProxy(target.Port);
        var url = new UriBuilder(target) { Host = "127.0.0.1", Port = proxy.Port }.Uri.ToString();
        await using var app = await TestApp.StartAsync(url, w => w.AddTopology(new Topology().Add(new QueueDeclaration(queue))), o =>
        {
            o.PublishTimeout = timeout;
            o.Heartbeat = TimeSpan.FromSeconds(60); // the connection stays "open" while blackholed: only the timeout can end the wait
        });
        await app.Sender.SendAsync(string.Empty, queue, new Numbered(0), RuntimeTestJson.Default.Numbered, "test.numbered");
        var publisher = app.Services.GetRequiredService<MessagePublisher>();
        var slots = publisher.AvailableSlots;

        proxy.Blackhole();
        var clock = Stopwatch.StartNew();
        var publishes = Enumerable.Range(1, 20)
            .Select(async n =>
            {
                var error = await Record.ExceptionAsync(async () => await app.Sender.SendAsync(string.Empty, queue, new Numbered(n), RuntimeTestJson.Default.Numbered, "test.numbered"));
                return (Error: error, At: clock.Elapsed);
            })
            .ToArray();
        var outcomes = await Task.WhenAll(publishes).WaitAsync(TimeSpan.FromSeconds(30));
        foreach (var (error, at) in outcomes)
        {
            var timedOut = Assert.IsType<PublishTimeoutException>(error);
            Assert.Equal(queue, timedOut.RoutingKey);
            Assert.True(at >= timeout, $"failed after {at}, before the timeout of {timeout}");
            Assert.True(at < timeout + TimeSpan.FromSeconds(5), $"failed only after {at}");
        }

        output.WriteLine($"timed out after {outcomes.Min(o => o.At).TotalMilliseconds:F0}–{outcomes.Max(o => o.At).TotalMilliseconds:F0} ms with a {timeout.TotalMilliseconds:F0} ms timeout");
        Assert.Equal(slots, publisher.AvailableSlots);

        // Traffic flows again: the late confirmations of the timed-out publishes are ignored, new publishes are confirmed.
        proxy.Resume();
        await app.Sender.SendAsync(string.Empty, queue, new Numbered(100), RuntimeTestJson.Default.Numbered, "test.numbered");
        Assert.Equal(slots, publisher.AvailableSlots);
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;
using Xunit;
using Xunit.Abstractions;

namespace Warren.IntegrationTests.Runtime;

/// <summary>
/// Returns are matched to their publish through the channel's index by message id (or by the sequence header for ids
/// the caller chose), with the whole in-flight window pending: every publish is settled exactly once, the unroutable ones
/// as returned and only those, and nothing stays in either index afterwards.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class ReturnMatchingTests(BrokerFixture broker, ITestOutputHelper output)
{
    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public async Task Every_publish_of_a_full_window_is_settled_once_and_only_the_unroutable_ones_as_returned(int seed)
    {
        const int count = 3_000;
        var random = new Random(seed);
        var queue = Names.Unique("returns");
        await using var app = await TestApp.StartAsync(
            broker.AmqpUrl,
            w => w
                .AddContract(new MessageContract<Numbered>("test.numbered", RuntimeTestJson.Default.Numbered, string.Empty, m => m.N < 0 ? "nowhere-" + queue : queue))
                .AddTopology(new Topology().Add(new QueueDeclaration(queue))),
            o => o.PublishChannels = 2);

        // Each publish: routable or not (a negative number goes nowhere), with Warren's id or one the caller chose (some
        // repeated), ordered or not; none awaited before all are started, so up to the whole window is pending at once.
        var plan = Enumerable.Range(0, count).Select(i => (
            Unroutable: random.Next(4) == 0,
            CallerId: random.Next(5) switch { 0 => "same-id", 1 => $"id-{i}", _ => null },
            Ordered: random.Next(2) == 0)).ToArray();
        var settled = new int[count];
        var publishes = plan.Select(async (p, i) =>
        {
            try
            {
                await app.Publisher.PublishAsync(new Numbered(p.Unroutable ? -1 - i : i), new PublishOptions { MessageId = p.CallerId, Ordered = p.Ordered });
                return (Index: i, Error: (Exception?)null);
            }
            catch (Exception ex)
            {
                return (Index: i, Error: ex);
            }
            finally
            {
                System.Threading.Interlocked.Increment(ref settled[i]);
            }
        }).ToList();
        var outcomes = await Task.WhenAll(publishes).WaitAsync(TimeSpan.FromSeconds(120));

        var wrong = outcomes.Where(o => plan[o.Index].Unroutable != o.Error is UnroutableMessageException || (o.Error is not null and not UnroutableMessageException)).Take(5).ToList();
        Assert.True(wrong.Count == 0, $"seed {seed}: publishes settled wrongly: {string.Join("; ", wrong.Select(w => $"#{w.Index} unroutable={plan[w.Index].Unroutable} id={plan[w.Index].CallerId ?? "(Warren's)"}: {w.Error?.GetType().Name ?? "ok"}"))}");
        Assert.All(settled, s => Assert.Equal(1, s));

        var channels = app.Services.GetRequiredService<MessagePublisher>().CurrentChannels.OfType<ConfirmChannel>().ToList();
        Assert.NotEmpty(channels);
        Assert.All(channels, c => Assert.Equal((0, 0), (c.PendingCount, c.ReturnableCount)));
        output.WriteLine($"seed {seed}: {count} publishes, {plan.Count(p => p.Unroutable)} unroutable, {plan.Count(p => p.CallerId is not null)} with the caller's id");

        await using var connection = await broker.ConnectAsync();
        await using (var channel = await connection.CreateChannelAsync())
        {
            Assert.Equal((uint)plan.Count(p => !p.Unroutable), await channel.MessageCountAsync(queue));
        }

        await Broker.DeleteQueueAsync(connection, queue);
    }
}

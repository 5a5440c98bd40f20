using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Warren.IntegrationTests.Generated;
using Warren.IntegrationTests.Runtime;
using Xunit;

namespace Warren.IntegrationTests.Interop;

/// <summary>
/// A JSON handler against what amqplib producers send with content-encoding and content-type: compressed bodies are
/// decoded (deflate zlib-wrapped or raw), a quoted charset is read, a body declared XML, labelled gzip without being
/// compressed or gzip cut short is dead-lettered with a reason naming the property, and a message without properties
/// still works.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class NodeEncodingTests(BrokerFixture broker)
{
    [Fact]
    public async Task Compressed_bodies_are_decoded_and_mislabelled_ones_are_dead_lettered_with_a_clear_reason()
    {
        var inbox = new InteropInbox();
        var run = Guid.NewGuid().ToString("N")[..8];
        var logs = new LogSink();
        await using var connection = await broker.ConnectAsync();
        await using var app = await GeneratedHost.StartAsync(broker.AmqpUrl, configure: w => w.Services.AddSingleton(inbox), logs: logs);
        await using (var purge = await connection.CreateChannelAsync())
        {
            await purge.QueuePurgeAsync("interop.users.dlq");
        }

        await using (var producer = await NodePrograms.StartAsync("encoded.js", broker.AmqpUrl, run))
        {
            Assert.True(await producer.WaitForExitAsync(TimeSpan.FromSeconds(30)) == 0, $"the Node producer failed\n{producer.Transcript()}");
        }

        var dead = new Dictionary<string, string>();
        await using var reader = await connection.CreateChannelAsync();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while ((dead.Count < 3 || inbox.Of(run).Length < 6) && DateTime.UtcNow < deadline)
        {
            var got = await reader.BasicGetAsync("interop.users.dlq", autoAck: true);
            if (got is null)
            {
                await Task.Delay(20);
                continue;
            }

            var reason = got.BasicProperties.Headers?["x-warren-reason"] is byte[] bytes ? Encoding.UTF8.GetString(bytes) : "(no reason)";
            dead[got.BasicProperties.MessageId!] = reason;
        }

        Assert.Equal(["bare", "br", "deflate", "deflate-raw", "gzip", "quoted"], inbox.Of(run).Select(e => e.Id[(run.Length + 1)..]).Order(StringComparer.Ordinal));
        Assert.All(inbox.Of(run), e => Assert.Equal($"{e.Id[(run.Length + 1)..]}@example.com|eu|41", e.Values));
        Assert.Equal([$"{run}-cut-gzip", $"{run}-fake-gzip", $"{run}-xml"], dead.Keys.Order(StringComparer.Ordinal));
        Assert.StartsWith("The body has content-encoding 'gzip' but is truncated", dead[$"{run}-cut-gzip"], StringComparison.Ordinal);
        Assert.StartsWith("The body is declared content-type 'application/xml', not JSON", dead[$"{run}-xml"], StringComparison.Ordinal);
        Assert.StartsWith("The body has content-encoding 'gzip' but is not valid gzip data", dead[$"{run}-fake-gzip"], StringComparison.Ordinal);

        // One warning line each, naming the message and the reason.
        foreach (var (id, reason) in dead)
        {
            Assert.Single(logs.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Warning && e.Message.Contains(id, StringComparison.Ordinal) && e.Message.Contains(reason, StringComparison.Ordinal));
        }

        Assert.Equal(0u, await Broker.ReadyCountAsync(connection, "interop.users"));
    }
}

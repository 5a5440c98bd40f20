using System;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;
using Warren.IntegrationTests.Generated;
using Xunit;
using Xunit.Abstractions;

namespace Warren.IntegrationTests.Interop;

/// <summary>
/// Generated text publishers and RPC proxies and servers (attributes only, no JSON context) against the Node.js
/// programs of the RabbitMQ tutorials: every count exact, every body checked.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class GeneratedTextInteropTests(BrokerFixture broker, ITestOutputHelper output)
{
    private const int Count = 60;
    private static readonly TimeSpan NodeTimeout = TimeSpan.FromSeconds(40);

    [Fact]
    public async Task Tutorial_receivers_get_the_text_of_generated_publishers()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        try
        {
            await using var app = await GeneratedHost.StartAsync(broker.AmqpUrl);
            await using var receiver = await NodePrograms.StartAsync("tutorial_receive.js", broker.AmqpUrl, run, Count.ToString(CultureInfo.InvariantCulture), "30000");
            await receiver.WaitForLineAsync(line => line == "ready", NodeTimeout, "that its queues are bound");

            var hello = app.Services.GetRequiredService<ITutorialHello>();
            var logs = app.Services.GetRequiredService<ITutorialLogs>();
            for (var i = 0; i < Count; i++)
            {
                await hello.Hello($"{run} hello {i}");
                await logs.Log($"{run} log {i} ✓");
            }

            var code = await receiver.WaitForExitAsync(NodeTimeout);
            var result = LastJson(receiver);
            output.WriteLine(result.GetRawText());
            Assert.True(code == 0, $"the Node receiver found problems (exit {code})\n{receiver.Transcript()}");
            Assert.Equal(Count, result.GetProperty("hello").GetInt32());
            Assert.Equal(Count, result.GetProperty("logs").GetInt32());
        }
        finally
        {
            await using var connection = await broker.ConnectAsync();
            await TextInteropTests.DeleteAsync(connection, queues: ["hello"], exchanges: ["logs"]);
        }
    }

    [Fact]
    public async Task Tutorial_rpc_client_calls_a_generated_text_server_and_a_generated_proxy_calls_the_tutorial_rpc_server()
    {
        const int Calls = 80;
        try
        {
            // Another client declares the server's queue first, non-durable, as the tutorial's rpc_server.js does: the
            // generated topology ([RpcService(Durable = false)]) declares it the same way instead of failing with 406.
            await using (var connection = await broker.ConnectAsync())
            {
                await TextInteropTests.DeleteAsync(connection, queues: ["rpc_queue.generated"], exchanges: []);
                await using var channel = await connection.CreateChannelAsync();
                await channel.QueueDeclareAsync("rpc_queue.generated", durable: false, exclusive: false, autoDelete: false);
            }

            await using var app = await GeneratedHost.StartAsync(broker.AmqpUrl);
            Assert.Equal(ConsumerState.Running, app.Consumers.Get("rpc_queue.generated")?.State);

            // The tutorial's client against the generated server: "n" in, fib(n) out, both plain text, no type.
            await using (var client = await NodePrograms.StartAsync("rpc_text_client.js", broker.AmqpUrl, "rpc_queue.generated", Calls.ToString(CultureInfo.InvariantCulture), "30000"))
            {
                var code = await client.WaitForExitAsync(NodeTimeout);
                output.WriteLine(LastJson(client).GetRawText());
                Assert.True(code == 0, $"the Node RPC client did not get every correct reply (exit {code})\n{client.Transcript()}");
                Assert.Equal(Calls, LastJson(client).GetProperty("correct").GetInt32());
                Assert.Equal(Calls, LastJson(client).GetProperty("replied").GetInt32());
            }

            // The generated proxy against the tutorial's server, over direct reply-to.
            await using var server = await NodePrograms.StartAsync("rpc_server.js", broker.AmqpUrl, "rpc_queue", Calls.ToString(CultureInfo.InvariantCulture), "30000");
            await server.WaitForLineAsync(line => line == "ready", NodeTimeout, "that it consumes");
            var fib = app.Services.GetRequiredService<ITutorialFib>();
            var replies = await Task.WhenAll(Enumerable.Range(0, Calls).Select(i => fib.Fib((i % 40).ToString(CultureInfo.InvariantCulture))));
            Assert.Equal(Enumerable.Range(0, Calls).Select(i => GeneratedFibService.Fibonacci(i % 40).ToString(CultureInfo.InvariantCulture)), replies);
            Assert.True(await server.WaitForExitAsync(NodeTimeout) == 0, $"the Node RPC server failed\n{server.Transcript()}");
            Assert.Equal(Calls, LastJson(server).GetProperty("answered").GetInt32());
        }
        finally
        {
            await using var connection = await broker.ConnectAsync();
            await TextInteropTests.DeleteAsync(connection, queues: ["rpc_queue", "rpc_queue.generated"], exchanges: []);
        }
    }

    private static JsonElement LastJson(ChildProcess process)
    {
        var line = process.OutputLines.LastOrDefault(l => l.StartsWith('{'))
            ?? throw new InvalidOperationException($"{process.Description} printed no result line.\n{process.Transcript()}");
        return JsonDocument.Parse(line).RootElement.Clone();
    }
}

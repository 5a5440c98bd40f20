using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Warren.IntegrationTests.Generated;
using Warren.IntegrationTests.Runtime;
using Xunit;
using Xunit.Abstractions;

namespace Warren.IntegrationTests.Rpc;

[Collection(BrokerCollection.Name)]
public sealed class RpcTests(BrokerFixture broker, ITestOutputHelper output)
{
    private const string Queue = "rpc.it-calculator";

    [Fact]
    public async Task A_call_round_trips_through_the_generated_proxy_and_server()
    {
        await using var server = await StartAsync("server-1", serve: true);

        var result = await server.Services.GetRequiredService<ICalculator>().Add(new Calc(2, 3));

        Assert.Equal(new CalcResult(5, "server-1"), result);
        Assert.Equal(0, server.Services.GetRequiredService<RpcClient>().PendingCalls);
    }

    [Fact]
    public async Task A_command_without_result_completes_once_the_server_handled_it()
    {
        await using var server = await StartAsync("server-1", serve: true);

        await server.Services.GetRequiredService<ICalculator>().Record(new Note("hello"));

        Assert.Equal(["hello"], server.Services.GetRequiredService<NoteBook>().Notes);
    }

    [Fact]
    public async Task A_thousand_concurrent_calls_against_two_servers_are_all_answered_and_correlated()
    {
        await using var server1 = await StartAsync("server-1", serve: true);
        await using var server2 = await StartAsync("server-2", serve: true);
        await using var client = await StartAsync("client", serve: false);
        var calculator = client.Services.GetRequiredService<ICalculator>();

        var results = await Task.WhenAll(Enumerable.Range(0, 1000).Select(i => calculator.Add(new Calc(i, 1000 * i))));

        for (var i = 0; i < results.Length; i++)
        {
            Assert.Equal(i + (1000 * i), results[i].Sum);
        }

        var byServer = results.GroupBy(r => r.Server).ToDictionary(g => g.Key, g => g.Count());
        output.WriteLine(string.Join(", ", byServer.Select(kv => $"{kv.Key}: {kv.Value}")));
        Assert.True(byServer.GetValueOrDefault("server-1") > 0 && byServer.GetValueOrDefault("server-2") > 0, "both servers should have taken calls");
        Assert.Equal(0, client.Services.GetRequiredService<RpcClient>().PendingCalls);
    }

    [Fact]
    public async Task Without_a_consuming_server_the_call_times_out_naming_service_method_and_time()
    {
        await EnsureQueueAsync();
        await using var client = await StartAsync("client", serve: false);

        var error = await Assert.ThrowsAsync<RpcTimeoutException>(() => client.Services.GetRequiredService<ICalculator>().AddQuick(new Calc(1, 1)));

        Assert.Equal("it-calculator", error.Service);
        Assert.Equal("it-calculator.add-quick", error.Method);
        Assert.True(error.Elapsed > TimeSpan.Zero);
        Assert.Contains("it-calculator.add-quick", error.Message, StringComparison.Ordinal);
        Assert.Contains($"within {error.Elapsed.TotalMilliseconds:F0} ms", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, client.Services.GetRequiredService<RpcClient>().PendingCalls);

        // The request carried expiration = the timeout: nobody will process it late.
        await Task.Delay(400);
        await using var connection = await broker.ConnectAsync();
        Assert.Equal(0u, await Broker.ReadyCountAsync(connection, Queue));
    }

    [Fact]
    public async Task A_late_reply_is_dropped_without_error_and_the_client_keeps_working()
    {
        await using var server = await StartAsync("server-1", serve: true);
        var calculator = server.Services.GetRequiredService<ICalculator>();

        await Assert.ThrowsAsync<RpcTimeoutException>(() => calculator.AddQuick(new Calc(1, 1, DelayMs: 800)));
        await Task.Delay(1000); // the reply arrives now, for a call that already ended

        Assert.Equal(0, server.Services.GetRequiredService<RpcClient>().PendingCalls);
        Assert.Equal(7, (await calculator.Add(new Calc(3, 4))).Sum);
    }

    [Fact]
    public async Task A_service_nobody_serves_fails_at_once_with_a_clear_error()
    {
        await using var client = await StartAsync("client", serve: false);

        var error = await Assert.ThrowsAsync<RpcNoServerException>(() => client.Services.GetRequiredService<INobody>().Ask(new Calc(1, 2)));

        Assert.Contains("rpc.it-nobody", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, client.Services.GetRequiredService<RpcClient>().PendingCalls);
    }

    [Fact]
    public async Task Cancellation_ends_the_call_and_cleans_the_correlation_map()
    {
        await using var server = await StartAsync("server-1", serve: true);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => server.Services.GetRequiredService<ICalculator>().Add(new Calc(1, 1, DelayMs: 1500), cancel.Token));

        Assert.Equal(0, server.Services.GetRequiredService<RpcClient>().PendingCalls);
    }

    [Fact]
    public async Task A_server_exception_comes_back_as_a_remote_exception_with_type_and_message()
    {
        await using var server = await StartAsync("server-1", serve: true);

        var error = await Assert.ThrowsAsync<RemoteRpcException>(() => server.Services.GetRequiredService<ICalculator>().Add(new Calc(42, 0, Fail: true)));

        Assert.Equal("System.InvalidOperationException", error.RemoteType);
        Assert.Equal("boom 42", error.RemoteMessage);
        Assert.Null(error.RemoteStackTrace);
        await using var connection = await broker.ConnectAsync();
        Assert.Equal(0u, await Broker.ReadyCountAsync(connection, Queue));
    }

    [Fact]
    public async Task A_raw_client_can_call_a_warren_server_and_a_malformed_request_gets_a_fault_not_a_requeue()
    {
        await using var server = await StartAsync("server-1", serve: true);
        await using var connection = await broker.ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        var replies = new Dictionary<string, TaskCompletionSource<(string Body, string? Status, string? Type)>>
        {
            ["good"] = new(TaskCreationOptions.RunContinuationsAsynchronously),
            ["bad"] = new(TaskCreationOptions.RunContinuationsAsynchronously),
        };
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, e) =>
        {
            var status = e.BasicProperties.Headers?[RpcWire.StatusHeader] is byte[] s ? Encoding.UTF8.GetString(s) : null;
            replies[e.BasicProperties.CorrelationId!].TrySetResult((Encoding.UTF8.GetString(e.Body.Span), status, e.BasicProperties.Type));
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync("amq.rabbitmq.reply-to", autoAck: true, consumer);

        foreach (var (id, body) in new[] { ("good", """{"A":20,"B":22}"""), ("bad", "{not json") })
        {
            var properties = new BasicProperties { CorrelationId = id, ReplyTo = "amq.rabbitmq.reply-to", Type = "it-calculator.add", ContentType = "application/json" };
            await channel.BasicPublishAsync(string.Empty, Queue, mandatory: true, properties, Encoding.UTF8.GetBytes(body));
        }

        var good = await replies["good"].Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("ok", good.Status);
        Assert.Equal("""{"Sum":42,"Server":"server-1"}""", good.Body);
        var bad = await replies["bad"].Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("fault", bad.Status);
        Assert.Equal(RpcWire.FaultType, bad.Type);
        Assert.Contains("Warren.MalformedRequest", bad.Body, StringComparison.Ordinal);
        await Task.Delay(200);
        Assert.Equal(0u, await Broker.ReadyCountAsync(connection, Queue));
    }

    [Fact]
    public async Task Restarting_a_server_during_a_stream_of_calls_leaves_no_caller_hanging()
    {
        var server1 = await StartAsync("server-1", serve: true);
        await using var server2 = await StartAsync("server-2", serve: true);
        await using var client = await StartAsync("client", serve: false);
        var calculator = client.Services.GetRequiredService<ICalculator>();

        var calls = new List<Task<CalcResult>>();
        for (var i = 0; i < 300; i++)
        {
            calls.Add(calculator.Add(new Calc(i, 1, DelayMs: 5)));
            if (i == 100)
            {
                await server1.DisposeAsync(); // graceful stop: its in-flight calls finish, the rest go back to the queue
                server1 = await StartAsync("server-1b", serve: true);
            }

            await Task.Delay(2);
        }

        var all = Task.WhenAll(calls.Select(async c =>
        {
            try
            {
                return (await c).Sum;
            }
            catch (RpcException)
            {
                return -1;
            }
        }));
        var sums = await all.WaitAsync(TimeSpan.FromSeconds(10)); // every call's own timeout is 5 s
        await server1.DisposeAsync();

        output.WriteLine($"answered {sums.Count(s => s >= 0)} of {sums.Length}, clear errors {sums.Count(s => s < 0)}");
        Assert.All(sums.Select((s, i) => (s, i)).Where(x => x.s >= 0), x => Assert.Equal(x.i + 1, x.s));
        Assert.True(sums.Count(s => s >= 0) > 0);
        Assert.Equal(0, client.Services.GetRequiredService<RpcClient>().PendingCalls);
    }

    private Task<TestApp> StartAsync(string name, bool serve) =>
        GeneratedHost.StartAsync(broker.AmqpUrl, name, w =>
        {
            if (!serve)
            {
                w.Services.RemoveAll<ConsumerDefinition>();
            }
        });

    private async Task EnsureQueueAsync()
    {
        await using var connection = await broker.ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.QueueDeclareAsync(Queue, durable: true, exclusive: false, autoDelete: false);
        await channel.QueuePurgeAsync(Queue);
    }
}

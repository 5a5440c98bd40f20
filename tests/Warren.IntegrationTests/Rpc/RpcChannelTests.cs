using System;
using System.Text;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Warren.IntegrationTests.Generated;
using Warren.IntegrationTests.Runtime;
using Xunit;
using Xunit.Abstractions;

namespace Warren.IntegrationTests.Rpc;

/// <summary>A channel error on one RPC call breaks neither the client nor the server for later calls.</summary>
[Collection(BrokerCollection.Name)]
public sealed class RpcChannelTests(BrokerFixture broker, ITestOutputHelper output)
{
    private const string Queue = "rpc.it-calculator";

    [Fact]
    public async Task The_client_channel_closed_by_the_broker_is_replaced_and_later_calls_succeed()
    {
        await using var app = await GeneratedHost.StartAsync(broker.AmqpUrl, "server-1");
        var calculator = app.Services.GetRequiredService<ICalculator>();
        var client = app.Services.GetRequiredService<RpcClient>();
        Assert.Equal(3, (await calculator.Add(new Calc(1, 2))).Sum);
        var first = client.CurrentChannel!;

        // A passive declare of a missing exchange: the broker closes this channel with 404.
        await Assert.ThrowsAsync<OperationInterruptedException>(() => first.ExchangeDeclarePassiveAsync(Names.Unique("missing")));
        Assert.False(first.IsOpen);

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(10 + i, (await calculator.Add(new Calc(10, i))).Sum);
        }

        Assert.NotSame(first, client.CurrentChannel);
        Assert.True(client.CurrentChannel!.IsOpen);
        Assert.Equal(0, client.PendingCalls);
    }

    [Fact]
    public async Task A_reply_the_broker_refuses_does_not_break_the_replies_that_follow()
    {
        await using var app = await GeneratedHost.StartAsync(broker.AmqpUrl, "server-1");
        var calculator = app.Services.GetRequiredService<ICalculator>();
        var server = app.Services.GetRequiredService<RpcServer>();
        Assert.Equal(3, (await calculator.Add(new Calc(1, 2))).Sum);
        var first = server.CurrentChannel!;

        // A foreign request naming a direct reply-to address no channel ever had.
        await using (var connection = await broker.ConnectAsync())
        await using (var channel = await connection.CreateChannelAsync())
        {
            var properties = new BasicProperties { CorrelationId = "bad", ReplyTo = "amq.rabbitmq.reply-to.bm90LWEtcmVhbC1hZGRyZXNz", Type = "it-calculator.add", ContentType = "application/json" };
            await channel.BasicPublishAsync(string.Empty, Queue, mandatory: true, properties, Encoding.UTF8.GetBytes("""{"A":1,"B":1}"""));
        }

        // RabbitMQ 3.10 drops a reply to an unknown direct reply-to address without closing the channel; the calls that
        // follow must be answered either way.
        Assert.Equal(7, (await calculator.Add(new Calc(3, 4))).Sum);
        output.WriteLine($"after the bad reply-to the reply channel is {(first.IsOpen ? "open" : $"closed: {first.CloseReason}")}");

        // The broker closing the reply channel under the server (404 on a passive declare): it is replaced.
        if (first.IsOpen)
        {
            await Assert.ThrowsAsync<OperationInterruptedException>(() => first.ExchangeDeclarePassiveAsync(Names.Unique("missing")));
        }

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(20 + i, (await calculator.Add(new Calc(20, i))).Sum);
        }

        Assert.NotSame(first, server.CurrentChannel);
        Assert.True(server.CurrentChannel!.IsOpen);
    }

    [Fact]
    public async Task A_call_with_an_infinite_timeout_sends_no_expiration_the_broker_would_refuse()
    {
        await using var app = await GeneratedHost.StartAsync(broker.AmqpUrl, "server-1");
        var client = app.Services.GetRequiredService<RpcClient>();

        var result = await client.CallAsync("it-calculator", Queue, "it-calculator.add", new Calc(2, 2), RpcTestJson.Default.Calc, RpcTestJson.Default.CalcResult, System.Threading.Timeout.InfiniteTimeSpan);

        Assert.Equal(4, result.Sum);
        Assert.True(client.CurrentChannel!.IsOpen);
    }
}

using System;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Warren.Infrastructure;
using Warren.IntegrationTests.Runtime;
using Xunit;
using Xunit.Abstractions;

namespace Warren.IntegrationTests.Rpc;

/// <summary>
/// The RPC client reads replies up to <c>Warren:MaxMessageSize</c>, as a consumer reads messages: a server (here a
/// foreign one on a plain channel) answering with a larger body, or a compressed one that decodes to more, fails the
/// call at once with an <see cref="RpcException"/> naming the size and the limit, long before the call's timeout.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class RpcReplySizeTests(BrokerFixture broker, ITestOutputHelper output)
{
    private const int Limit = 2048;
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_reply_over_MaxMessageSize_fails_the_call_at_once_naming_its_size_and_the_limit()
    {
        var reply = Encoding.UTF8.GetBytes($$"""{"Sum":3,"Server":"{{new string('x', 3 * Limit)}}"}""");
        var error = await CallAgainstAsync(reply, contentEncoding: null);
        Assert.Contains($"{reply.Length} bytes", error.Message);
        Assert.Contains($"Warren:MaxMessageSize ({Limit} bytes)", error.Message);
    }

    [Fact]
    public async Task A_compressed_reply_that_decodes_past_MaxMessageSize_fails_the_call_at_once_naming_the_limit()
    {
        var json = Encoding.UTF8.GetBytes($$"""{"Sum":3,"Server":"{{new string('x', 50 * Limit)}}"}""");
        using var compressed = new MemoryStream();
        await using (var gzip = new GZipStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            await gzip.WriteAsync(json);
        }

        Assert.True(compressed.Length < Limit, "the compressed reply itself is within the limit");
        var error = await CallAgainstAsync(compressed.ToArray(), contentEncoding: "gzip");
        Assert.Contains($"decodes to more than {Limit} bytes (Warren:MaxMessageSize)", error.Message);
    }

    /// <summary>Calls a foreign server that answers every request with <paramref name="replyBody"/>; returns the call's error.</summary>
    private async Task<RpcException> CallAgainstAsync(byte[] replyBody, string? contentEncoding)
    {
        var queue = Names.Unique("rpc.it-reply-size");
        await using var connection = await broker.ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.QueueDeclareAsync(queue, durable: false, exclusive: true, autoDelete: true);
        var server = new AsyncEventingBasicConsumer(channel);
        server.ReceivedAsync += async (_, request) =>
        {
            var properties = new BasicProperties { CorrelationId = request.BasicProperties.CorrelationId, ContentType = "application/json", ContentEncoding = contentEncoding };
            await channel.BasicPublishAsync(string.Empty, request.BasicProperties.ReplyTo!, mandatory: false, properties, replyBody);
        };
        await channel.BasicConsumeAsync(queue, autoAck: true, server);

        await using var app = await TestApp.StartAsync(broker.AmqpUrl, options: o => o.MaxMessageSize = Limit);
        var client = app.Services.GetRequiredService<RpcClient>();
        var watch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            client.CallAsync("it-reply-size", queue, "it-reply-size.add", new Calc(1, 2), RpcTestJson.Default.Calc, RpcTestJson.Default.CalcResult, CallTimeout, CancellationToken.None));
        output.WriteLine($"after {watch.Elapsed}: {error.Message}");
        Assert.IsNotType<RpcTimeoutException>(error);
        Assert.True(watch.Elapsed < CallTimeout / 2, $"the call failed only after {watch.Elapsed}");
        Assert.Equal(0, client.PendingCalls);
        return error;
    }
}

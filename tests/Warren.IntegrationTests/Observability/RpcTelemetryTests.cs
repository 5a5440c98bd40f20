using System;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Linq;
using System.Threading.Tasks;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Warren.IntegrationTests.Generated;
using Warren.IntegrationTests.Rpc;
using Warren.IntegrationTests.Runtime;
using Xunit;

namespace Warren.IntegrationTests.Observability;

[Collection(BrokerCollection.Name)]
public sealed class RpcTelemetryTests(BrokerFixture broker)
{
    [Fact]
    public async Task Client_and_server_spans_share_the_callers_trace_and_calls_are_counted_by_outcome()
    {
        using var spans = new TelemetryCapture();
        await using var app = await GeneratedHost.StartAsync(broker.AmqpUrl, "rpc-telemetry");
        using var telemetry = new TelemetryCapture(app.Services.GetRequiredService<IMeterFactory>());
        var calculator = app.Services.GetRequiredService<ICalculator>();

        Assert.Equal(5, (await calculator.Add(new Calc(2, 3))).Sum);
        await Assert.ThrowsAsync<RemoteRpcException>(() => calculator.Add(new Calc(1, 1, Fail: true)));

        var clients = spans.Spans.Where(s => s.Kind == ActivityKind.Client && (string?)s.GetTagItem("rpc.service") == "it-calculator").ToArray();
        Assert.Equal(2, clients.Length);
        var method = (string)clients[0].GetTagItem("rpc.method")!;
        Assert.Equal("it-calculator/" + method, clients[0].DisplayName);
        Assert.All(clients, c =>
        {
            Assert.Equal("warren", c.GetTagItem("rpc.system"));
            Assert.Equal("warren", c.GetTagItem("rpc.system.name"));
        });
        Assert.Equal(ActivityStatusCode.Unset, clients[0].Status);
        Assert.Equal(ActivityStatusCode.Error, clients[1].Status);
        Assert.Equal(typeof(RemoteRpcException).FullName, clients[1].GetTagItem("error.type"));
        // A span is captured when it ends: the consumer's process span ends after the server span inside it, once the
        // request is acknowledged, which can be after the caller already has its reply.
        await Broker.WaitUntilAsync(
            () => spans.Spans.Where(s => s.Kind == ActivityKind.Server && s.DisplayName == "it-calculator/" + method).Count(server => spans.Spans.Any(s => s.SpanId == server.ParentSpanId)) == 2,
            TimeSpan.FromSeconds(10),
            "both server spans and the process spans around them");
        foreach (var client in clients)
        {
            var server = spans.Spans.Single(s => s.Kind == ActivityKind.Server && s.TraceId == client.TraceId);
            Assert.Equal(client.DisplayName, server.DisplayName); // named alike on both sides: {service}/{method}
            Assert.Equal("warren", server.GetTagItem("rpc.system"));
            Assert.Equal("warren", server.GetTagItem("rpc.system.name"));
            Assert.Equal("it-calculator", server.GetTagItem("rpc.service"));
            Assert.Equal(method, server.GetTagItem("rpc.method"));
            var process = spans.Spans.Single(s => s.SpanId == server.ParentSpanId);
            Assert.Equal(ActivityKind.Consumer, process.Kind);
            Assert.Equal(client.SpanId, process.ParentSpanId);
        }

        Assert.Equal(ActivityStatusCode.Error, spans.Spans.Single(s => s.Kind == ActivityKind.Server && s.TraceId == clients[1].TraceId).Status);
        Assert.Equal(1, telemetry.Sum("warren.rpc.client.calls", where: m => m.Tag("warren.rpc.outcome") == "ok" && m.Tag("rpc.method") == method));
        Assert.Equal(1, telemetry.Sum("warren.rpc.client.calls", where: m => m.Tag("warren.rpc.outcome") == "fault"));
        Assert.Equal(2, telemetry.Count("warren.rpc.client.duration"));
        Assert.Equal(1, telemetry.Sum("warren.rpc.server.calls", where: m => m.Tag("warren.rpc.outcome") == "ok"));
        Assert.Equal(1, telemetry.Sum("warren.rpc.server.calls", where: m => m.Tag("warren.rpc.outcome") == "fault"));
        await app.StopAsync();
    }

    [Fact]
    public async Task A_request_routed_by_key_with_a_foreign_type_is_named_after_the_method_that_serves_it()
    {
        using var spans = new TelemetryCapture();
        await using var app = await GeneratedHost.StartAsync(broker.AmqpUrl, "rpc-telemetry-foreign");
        using var telemetry = new TelemetryCapture(app.Services.GetRequiredService<IMeterFactory>());
        await using var connection = await broker.ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        var reply = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, e) =>
        {
            reply.TrySetResult(Encoding.UTF8.GetString(e.Body.Span));
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync("amq.rabbitmq.reply-to", autoAck: true, consumer);

        // Served by its routing key (the method's contract through amq.direct), whatever its type says.
        var foreign = "anything-" + Guid.NewGuid().ToString("N");
        var properties = new BasicProperties { CorrelationId = "foreign", ReplyTo = "amq.rabbitmq.reply-to", Type = foreign, ContentType = "application/json" };
        await channel.BasicPublishAsync("amq.direct", "it-calculator.add", mandatory: true, properties, Encoding.UTF8.GetBytes("""{"A":20,"B":22}"""));
        Assert.Contains("42", await reply.Task.WaitAsync(TimeSpan.FromSeconds(10)), StringComparison.Ordinal);

        bool Served(Activity s) => s.Kind == ActivityKind.Server && (string?)s.GetTagItem("messaging.message.conversation_id") == "foreign";
        await Broker.WaitUntilAsync(() => spans.Spans.Any(Served), TimeSpan.FromSeconds(10), "the server span");
        var server = spans.Spans.Single(Served);
        Assert.Equal("it-calculator/it-calculator.add", server.DisplayName);
        Assert.Equal("it-calculator.add", server.GetTagItem("rpc.method"));
        Assert.Equal("it-calculator", server.GetTagItem("rpc.service"));
        Assert.DoesNotContain(spans.Spans, s => s.DisplayName.Contains(foreign, StringComparison.Ordinal));
        Assert.Equal(1, telemetry.Sum("warren.rpc.server.calls", where: m => m.Tag("rpc.method") == "it-calculator.add"));
        await app.StopAsync();
    }
}

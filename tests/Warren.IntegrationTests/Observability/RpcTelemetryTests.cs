using System;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
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
}

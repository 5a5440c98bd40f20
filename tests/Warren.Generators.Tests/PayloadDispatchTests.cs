using System;
using System.Linq;
using System.Threading.Tasks;
using Warren.Generators.Tests.Infrastructure;
using Xunit;

namespace Warren.Generators.Tests;

/// <summary>
/// Handlers taking the body as text or bytes, in the shapes of the RabbitMQ tutorials: generated without contracts or
/// JSON metadata for <c>string</c>/<c>byte[]</c>, selected by routing key, and a body a text handler cannot decode is
/// dead-lettered with the reason.
/// </summary>
public sealed class PayloadDispatchTests
{
    private const string Tutorials = """
        using System;
        using System.Threading.Tasks;
        using Probing;
        using Warren;

        namespace Tutorials;

        [Queue("hello", Durable = false, DeadLetterArguments = false)]
        public sealed class Hello
        {
            public void Handle(string text) => Probe.Record("hello", text);
        }

        [Queue("tutorial.direct", Durable = false)]
        [Exchange("direct_logs", ExchangeKind.Direct, Durable = false)]
        public sealed class Severe
        {
            [Topic("warning")]
            [Topic("error")]
            public Task Handle(string line, MessageContext context) { Probe.Record("severe", context.RoutingKey + " " + line); return Task.CompletedTask; }
        }

        [Queue("tutorial.logs", Durable = false)]
        [Exchange("logs", ExchangeKind.Fanout, Durable = false)]
        public sealed class Logs
        {
            public void Handle(string line) => Probe.Record("logs", line);
        }

        [Queue("blobs")]
        public sealed class Blobs
        {
            public void Handle(byte[] body) => Probe.Record("bytes", Convert.ToHexString(body));
        }

        [Queue("memory")]
        public sealed class Memory
        {
            public ValueTask Handle(ReadOnlyMemory<byte> body) { Probe.Record("memory", Convert.ToHexString(body.Span)); return ValueTask.CompletedTask; }
        }
        """;

    private static readonly Lazy<GeneratedApp> App = new(() => GeneratedApp.Load(GeneratorHarness.Run(Tutorials, GeneratedApp.ProbeSource)));

    [Fact]
    public void Text_and_byte_handlers_need_no_json_context_get_no_contract_and_keep_the_build_time_invariant()
    {
        var result = Invariant.Check(Tutorials.Replace("using Probing;", string.Empty, StringComparison.Ordinal).Replace("Probe.Record(", "Console.WriteLine(", StringComparison.Ordinal));
        Assert.Null(result.Violation);
        Assert.Empty(result.Warren);
        var contracts = string.Join("\n", result.Run.Sources.Where(s => s.Key.Contains("Contracts", StringComparison.Ordinal)).Select(s => s.Value));
        Assert.DoesNotContain("global::System.String", contracts, StringComparison.Ordinal);
        Assert.DoesNotContain("byte[]", contracts, StringComparison.Ordinal);
    }

    [Fact]
    public void The_tutorial_queues_and_exchanges_are_declared_as_the_tutorials_declare_them()
    {
        var topology = App.Value.Topology;
        var hello = topology.Queues.Single(q => q.Name == "hello");
        Assert.False(hello.Durable);
        Assert.True(hello.Arguments is null || hello.Arguments.Count == 0, "hello is declared with arguments, unlike send.js");
        Assert.Single(topology.Queues, q => q.Name == "hello.dlq"); // Warren's own dead-letter queue beside it
        Assert.Contains("x-dead-letter-exchange", topology.Queues.Single(q => q.Name == "blobs").Arguments!.Keys);
        Assert.Equal(("fanout", false), topology.Exchanges.Where(e => e.Name == "logs").Select(e => (e.Type, e.Durable)).Single());
        Assert.Equal(["error", "warning"], topology.Bindings.Where(b => b.Exchange == "direct_logs").Select(b => b.RoutingKey).Order());
        Assert.Single(topology.Bindings, b => b.Exchange == "logs" && b.Queue == "tutorial.logs");
    }

    [Theory]
    [InlineData("hello", "Hello World!", "", "hello", "hello:Hello World!")]
    [InlineData("tutorial.direct", "disk full", "direct_logs", "error", "severe:error disk full")]
    [InlineData("tutorial.logs", "a line ✓", "logs", "", "logs:a line ✓")]
    [InlineData("blobs", "hi", "", "blobs", "bytes:6869")]
    [InlineData("memory", "hi", "", "memory", "memory:6869")]
    public async Task An_untyped_body_reaches_the_text_or_byte_handler(string queue, string body, string exchange, string key, string call)
    {
        var (outcome, calls) = await App.Value.DispatchAsync(queue, body, type: null, exchange: exchange, routingKey: key);
        Assert.Equal(DispatchAction.Ack, outcome.Action);
        Assert.Equal([call], calls);
    }

    [Fact]
    public async Task A_routing_key_the_text_handler_does_not_bind_is_dead_lettered_not_handled()
    {
        var (outcome, calls) = await App.Value.DispatchAsync("tutorial.direct", "x", type: "their-type", exchange: "direct_logs", routingKey: "info");
        Assert.Equal(DispatchAction.DeadLetter, outcome.Action);
        Assert.Empty(calls);
    }

    [Fact]
    public async Task A_body_declared_binary_is_dead_lettered_by_a_text_handler_with_the_reason()
    {
        var consumer = App.Value.Consumer("hello");
        await using var scope = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.CreateAsyncScope(App.Value.Services);
        var context = new MessageContext("hello", new byte[] { 0x68, 0xC3, 0x28 }, scope.ServiceProvider, default) { RoutingKey = "hello" };
        var outcome = await consumer.Dispatcher.DispatchAsync(context);
        Assert.Equal(DispatchAction.DeadLetter, outcome.Action);
        Assert.StartsWith("The body is not valid utf-8 text: invalid bytes (C3) at offset 1 of 3", outcome.Reason, StringComparison.Ordinal);
    }
}

using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;
using Warren.Generators.Tests.Infrastructure;
using Xunit;

namespace Warren.Generators.Tests;

/// <summary>
/// <c>[Publisher]</c> and <c>[RpcService]</c> methods taking or returning text and bytes: generated without JSON metadata
/// for <c>string</c>/<c>byte[]</c>, published to the interface's exchange with the method's key, served from untyped
/// tutorial-style requests.
/// </summary>
public sealed class PayloadMethodTests
{
    private const string Source = """
        using System;
        using System.Threading;
        using System.Threading.Tasks;
        using Probing;
        using Warren;

        namespace Tutorials;

        [Publisher]
        public partial interface IHello
        {
            [Topic("hello")]
            ValueTask Hello(string text, CancellationToken ct = default);

            [Topic("task_queue")]
            Task Later(string? work, TimeSpan delay);

            [Topic("blobs")]
            ValueTask Blob(ReadOnlyMemory<byte> body);
        }

        [Publisher]
        [Exchange("logs", ExchangeKind.Fanout, Durable = false)]
        public partial interface ILogs
        {
            ValueTask Log(string line);

            ValueTask Raw(byte[] body, PublishOptions? options = null, CancellationToken ct = default);
        }

        [RpcService("fib", Queue = "rpc_queue", Durable = false)]
        public interface IFib
        {
            Task<string> Fib(string n, CancellationToken ct = default);
        }

        public sealed class FibServer : IFib
        {
            public Task<string> Fib(string n, CancellationToken ct = default)
            {
                Probe.Record("fib", n);
                return Task.FromResult(n);
            }
        }

        [RpcService("bytes")]
        public interface IBytes
        {
            Task Store(byte[] body);
        }

        public sealed class BytesServer : IBytes
        {
            public Task Store(byte[] body)
            {
                Probe.Record("store", Convert.ToHexString(body));
                return Task.CompletedTask;
            }
        }
        """;

    private static readonly Lazy<(GeneratorRun Run, GeneratedApp App)> Generated = new(() =>
    {
        var run = GeneratorHarness.Run(Source, GeneratedApp.ProbeSource);
        return (run, GeneratedApp.Load(run));
    });

    [Fact]
    public void Text_and_byte_methods_need_no_json_context_and_keep_the_build_time_invariant()
    {
        var result = Invariant.Check(Source.Replace("using Probing;", string.Empty, StringComparison.Ordinal).Replace("Probe.Record(", "Console.WriteLine(", StringComparison.Ordinal));
        Assert.Null(result.Violation);
        Assert.Empty(result.Warren);
        var generated = string.Join("\n", result.Run.Sources.Values);
        Assert.DoesNotContain("WarrenJsonTypes.String", generated, StringComparison.Ordinal);
        Assert.DoesNotContain("JsonTypeInfo<string>", generated, StringComparison.Ordinal);
        Assert.DoesNotContain("JsonTypeInfo<byte[]>", generated, StringComparison.Ordinal);
    }

    [Fact]
    public void The_interfaces_exchange_is_declared_as_written()
    {
        var logs = Assert.Single(Generated.Value.App.Topology.Exchanges, e => e.Name == "logs");
        Assert.Equal(("fanout", false), (logs.Type, logs.Durable));
    }

    [Fact]
    public void An_rpc_service_declared_non_durable_declares_its_queue_as_the_tutorial_does()
    {
        var queue = Assert.Single(Generated.Value.App.Topology.Queues, q => q.Name == "rpc_queue");
        Assert.False(queue.Durable);
        Assert.True(queue.Arguments is null || queue.Arguments.Count == 0, "rpc_queue has arguments, unlike rpc_server.js's");
        Assert.True(Assert.Single(Generated.Value.App.Topology.Queues, q => q.Name == "rpc.bytes").Durable);
    }

    [Fact]
    public async Task Publisher_methods_send_the_body_to_the_interfaces_exchange_with_the_methods_key()
    {
        var recorder = new RecordingPublisher();
        var hello = Create("Tutorials.IHello", recorder);
        var logs = Create("Tutorials.ILogs", recorder);

        await Call<ValueTask>(hello, "Tutorials.IHello", "Hello", "Hello World!", CancellationToken.None);
        await Call<Task>(hello, "Tutorials.IHello", "Later", "work...", TimeSpan.FromSeconds(5));
        await Call<ValueTask>(hello, "Tutorials.IHello", "Blob", new ReadOnlyMemory<byte>([1, 2]));
        await Call<ValueTask>(logs, "Tutorials.ILogs", "Log", "a line ✓");
        await Call<ValueTask>(logs, "Tutorials.ILogs", "Raw", new byte[] { 3 }, null, CancellationToken.None);
        await Call<ValueTask>(logs, "Tutorials.ILogs", "Raw", new byte[] { 4 }, new PublishOptions { Exchange = "elsewhere", RoutingKey = "k" }, CancellationToken.None);

        Assert.Equal(
            [
                "text  hello Hello World! delay=",
                "text  task_queue work... delay=00:00:05",
                "bytes  blobs 0102 delay=",
                "text logs  a line ✓ delay=",
                "bytes logs  03 delay=",
                "bytes elsewhere k 04 delay=",
            ],
            recorder.Calls);
    }

    [Fact]
    public void A_null_text_or_byte_body_is_an_argument_error_not_an_empty_message()
    {
        var recorder = new RecordingPublisher();
        var hello = Create("Tutorials.IHello", recorder);
        var logs = Create("Tutorials.ILogs", recorder);

        // Thrown at the call, before anything is published.
        Assert.Throws<ArgumentNullException>(() => { _ = Call<Task>(hello, "Tutorials.IHello", "Later", null, TimeSpan.Zero); });
        Assert.Throws<ArgumentNullException>(() => { _ = Call<ValueTask>(logs, "Tutorials.ILogs", "Raw", null, null, CancellationToken.None); });
        Assert.Empty(recorder.Calls);
    }

    [Theory]
    [InlineData("rpc_queue", "30", "fib:30")]
    [InlineData("rpc.bytes", "hi", "store:6869")]
    public async Task A_text_or_byte_rpc_server_serves_an_untyped_request_sent_straight_to_its_queue(string queue, string body, string call)
    {
        var (outcome, calls) = await Generated.Value.App.DispatchAsync(queue, body, type: null, exchange: "", routingKey: queue);

        Assert.Equal(DispatchAction.Ack, outcome.Action);
        Assert.Equal([call], calls);
    }

    [Fact]
    public void The_proxy_calls_with_payload_formats()
    {
        var proxy = Generated.Value.Run.Sources["Tutorials_IFib.RpcClient.g.cs"];
        Assert.Matches(@"global::Warren\.PayloadFormat\.Text,\s+global::Warren\.PayloadFormat\.Text,", proxy);
    }

    private static object Create(string interfaceName, IPublisher publisher)
    {
        var type = Generated.Value.App.GeneratedType(interfaceName.Replace('.', '_') + "Publisher");
        return Activator.CreateInstance(type, publisher)!;
    }

    private static T Call<T>(object instance, string interfaceName, string method, params object?[] arguments)
    {
        var declared = Generated.Value.App.Type(interfaceName).GetMethod(method)!;
        try
        {
            return (T)declared.Invoke(instance, arguments)!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }

    /// <summary>Records what a generated publisher asks of <see cref="IPublisher"/>: format, exchange, key, body and delay.</summary>
    private sealed class RecordingPublisher : IPublisher
    {
        private readonly ConcurrentQueue<string> _calls = new();

        public List<string> Calls => [.. _calls];

        public ValueTask PublishAsync<T>(T message, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask PublishAsync<T>(T message, PublishOptions? options, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask PublishBatchAsync<T>(IEnumerable<T> messages, PublishOptions? options = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask PublishTextAsync(string exchange, string routingKey, string text, PublishOptions? options = null, CancellationToken cancellationToken = default)
        {
            _calls.Enqueue($"text {exchange} {routingKey} {text} delay={options?.Delay}");
            return ValueTask.CompletedTask;
        }

        public ValueTask PublishBytesAsync(string exchange, string routingKey, ReadOnlyMemory<byte> body, PublishOptions? options = null, CancellationToken cancellationToken = default)
        {
            _calls.Enqueue($"bytes {exchange} {routingKey} {Convert.ToHexString(body.Span)} delay={options?.Delay}");
            return ValueTask.CompletedTask;
        }
    }
}

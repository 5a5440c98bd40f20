using System;
using System.Linq;
using System.Threading.Tasks;
using Warren.Generators.Tests.Infrastructure;
using Xunit;

namespace Warren.Generators.Tests;

/// <summary>Generated RPC servers serve requests that name their method by type, by routing key, or (one method) not at all.</summary>
public sealed class RpcDispatchTests
{
    private const string Services = """
        using System.Text.Json.Serialization;
        using System.Threading;
        using System.Threading.Tasks;
        using Probing;
        using Warren;

        namespace Calc;

        public sealed record FibRequest(int N);

        public sealed record Sum(int A, int B);

        [RpcService("fib")]
        public interface IFib
        {
            Task<FibRequest> Fib(FibRequest request, CancellationToken ct = default);
        }

        [RpcService("math")]
        public interface IMath
        {
            Task<Sum> Add(Sum request);

            Task<Sum> Negate(Sum request);
        }

        public sealed class FibServer : IFib
        {
            public Task<FibRequest> Fib(FibRequest request, CancellationToken ct = default)
            {
                Probe.Record("fib", request.N);
                return Task.FromResult(request);
            }
        }

        public sealed class MathServer : IMath
        {
            public Task<Sum> Add(Sum request) { Probe.Record("add", request.A + request.B); return Task.FromResult(request); }

            public Task<Sum> Negate(Sum request) { Probe.Record("negate", -request.A); return Task.FromResult(request); }
        }

        [JsonSerializable(typeof(FibRequest))]
        [JsonSerializable(typeof(Sum))]
        internal sealed partial class CalcJson : JsonSerializerContext;
        """;

    private static readonly Lazy<GeneratedApp> App = new(() => GeneratedApp.Load(GeneratorHarness.Run(Services, GeneratedApp.ProbeSource)));

    [Fact]
    public void Service_queues_are_bound_to_amq_direct_with_each_method_contract()
    {
        var bindings = App.Value.Topology.Bindings.Where(b => b.Exchange == "amq.direct").Select(b => (b.Queue, b.RoutingKey)).ToList();

        Assert.Equal([("rpc.fib", "fib.fib"), ("rpc.math", "math.add"), ("rpc.math", "math.negate")], bindings);
        Assert.DoesNotContain(App.Value.Topology.Exchanges, e => e.Name.StartsWith("amq.", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("math.add", "", "rpc.math", "add:5")]
    [InlineData(null, "amq.direct", "math.add", "add:5")]
    [InlineData("", "amq.direct", "math.negate", "negate:-2")]
    [InlineData("their.add", "amq.direct", "math.add", "add:5")]
    public async Task A_method_is_selected_by_type_or_by_routing_key(string? type, string exchange, string key, string call)
    {
        var (outcome, calls) = await App.Value.DispatchAsync("rpc.math", """{"A":2,"B":3}""", type, exchange, key);

        Assert.Equal(DispatchAction.Ack, outcome.Action);
        Assert.Equal([call], calls);
    }

    [Fact]
    public async Task A_single_method_service_serves_untyped_requests_sent_straight_to_its_queue()
    {
        var (outcome, calls) = await App.Value.DispatchAsync("rpc.fib", """{"N":30}""", null, "", "rpc.fib");

        Assert.Equal(DispatchAction.Ack, outcome.Action);
        Assert.Equal(["fib:30"], calls);
    }

    [Theory]
    [InlineData(null, "", "rpc.math")]
    [InlineData("math.multiply", "", "rpc.math")]
    [InlineData(null, "amq.direct", "math.multiply")]
    public async Task A_request_naming_no_method_calls_nothing(string? type, string exchange, string key)
    {
        // No reply-to: no fault reply can be sent, so the request is dead-lettered with the reason, never requeued.
        var (outcome, calls) = await App.Value.DispatchAsync("rpc.math", """{"A":2,"B":3}""", type, exchange, key);

        Assert.Equal(DispatchAction.DeadLetter, outcome.Action);
        Assert.False(string.IsNullOrWhiteSpace(outcome.Reason));
        Assert.Empty(calls);
    }
}

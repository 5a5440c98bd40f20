using System;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Warren.Generated;

namespace Warren.Benchmarks;

/// <summary>An event routed by a string property: <c>order.{Region}.placed</c>.</summary>
[Exchange("bench.orders", ExchangeKind.Topic)]
[Topic("order.{Region}.placed")]
[Message("bench.order-placed")]
public sealed record OrderPlaced(long Id, string Region, string Data);

/// <summary>An event routed by an integer property as well: <c>order.{Region}.v{Version}</c> (checks placeholders are not boxed).</summary>
[Exchange("bench.orders", ExchangeKind.Topic)]
[Topic("order.{Region}.v{Version}")]
[Message("bench.order-revised")]
public sealed record OrderRevised(long Id, string Region, int Version);

/// <summary>The consumer the generator writes a dispatcher for.</summary>
[Queue("bench.micro")]
public sealed class MicroHandler
{
    public long Handled { get; private set; }

    [Topic("order.*.placed")]
    public void Placed(OrderPlaced order) => Handled += order.Id;

    [Topic("order.*.*")]
    public void Revised(OrderRevised order) => Handled += order.Version;
}

[JsonSerializable(typeof(OrderPlaced))]
[JsonSerializable(typeof(OrderRevised))]
internal sealed partial class MicroJson : JsonSerializerContext;

/// <summary>
/// Warren's own work per message, without a broker, through the code the runtime and the generated code run: on the
/// publish side the contract lookup, routing key, JSON body (pooled buffer) and AMQP properties; on the consume side the
/// message context, the per-message DI scope, the generated dispatcher (type switch, deserialization, handler call).
/// Allocations beyond the message itself are what MemoryDiagnoser's "Allocated" shows minus the message's own objects
/// (the record and its strings, made by deserialization on the consume side).
/// </summary>
[MemoryDiagnoser]
public class PerMessageBenchmarks
{
    private static readonly OrderPlaced Placed = new(42, "eu", new string('x', 200));
    private static readonly OrderRevised Revised = new(42, "eu", 1234);
    private byte[] _placedBody = [];
    private ServiceProvider _services = null!;
    private IServiceScopeFactory _scopes = null!;
    private IMessageDispatcher _dispatcher = null!;
    private MessageContracts _contracts = null!;

    [GlobalSetup]
    public void Setup()
    {
        var services = new ServiceCollection();
        var warren = services.AddWarren(o => o.Url = "amqp://localhost/").AddGeneratedHandlers();
        _services = services.BuildServiceProvider();
        _scopes = _services.GetRequiredService<IServiceScopeFactory>();
        _contracts = _services.GetRequiredService<MessageContracts>();
        _dispatcher = new Warren_Benchmarks_MicroHandlerDispatcher();
        _placedBody = JsonSerializer.SerializeToUtf8Bytes(Placed, MicroJson.Default.OrderPlaced);
        GC.KeepAlive(warren);
    }

    [GlobalCleanup]
    public void Cleanup() => _services.Dispose();

    /// <summary>Route + serialize + properties: everything a publish does before the bytes go to the channel.</summary>
    [Benchmark]
    public int PublishPrepare()
    {
        var contract = _contracts.Get<OrderPlaced>();
        var key = contract.RoutingKeyFor(Placed);
        using var body = MessagePublisher.Serialize(Placed, contract.TypeInfo, contract.Exchange, key, int.MaxValue);
        var properties = MessagePublisher.CreateProperties(contract.Name, null, contract.Priority);
        return body.WrittenCount + key.Length + properties.Type!.Length;
    }

    /// <summary>The routing key alone, from a string and an integer placeholder (a boxed int would add 24 bytes).</summary>
    [Benchmark]
    public int RoutingKeyWithIntPlaceholder() => _contracts.Get<OrderRevised>().RoutingKeyFor(Revised).Length;

    /// <summary>Context + scope + generated dispatch (deserialize, resolve the scoped handler, call it), as the consumer runs it.</summary>
    [Benchmark]
    public async ValueTask<DispatchOutcome> Dispatch()
    {
        await using var scope = _scopes.CreateAsyncScope();
        var context = new MessageContext("bench.micro", _placedBody, scope.ServiceProvider, CancellationToken.None)
        {
            MessageType = "bench.order-placed",
            Exchange = "bench.orders",
            RoutingKey = "order.eu.placed",
        };
        return await _dispatcher.DispatchAsync(context);
    }

    /// <summary>The message alone, deserialized: what "beyond the message" subtracts on the consume side.</summary>
    [Benchmark(Baseline = true)]
    public OrderPlaced? DeserializeOnly() => JsonSerializer.Deserialize(_placedBody, MicroJson.Default.OrderPlaced);

    /// <summary>Serialize + route + dispatch: one message's whole framework work on both sides, without the broker.</summary>
    [Benchmark]
    public async ValueTask<DispatchOutcome> SerializeRouteDispatch()
    {
        var contract = _contracts.Get<OrderPlaced>();
        var key = contract.RoutingKeyFor(Placed);
        using var body = MessagePublisher.Serialize(Placed, contract.TypeInfo, contract.Exchange, key, int.MaxValue);
        var properties = MessagePublisher.CreateProperties(contract.Name, null, contract.Priority);
        await using var scope = _scopes.CreateAsyncScope();
        var context = new MessageContext("bench.micro", body.WrittenMemory, scope.ServiceProvider, CancellationToken.None)
        {
            MessageType = properties.Type,
            MessageId = properties.MessageId,
            Exchange = contract.Exchange,
            RoutingKey = key,
        };
        return await _dispatcher.DispatchAsync(context);
    }
}

using System;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Warren.Generated.For_Warren_Benchmarks__24cc2628;

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
/// message context, the per-message DI scope (created when the handler class needs it), the generated dispatcher (type
/// switch, deserialization, handler call). Allocations beyond the message itself are what MemoryDiagnoser's "Allocated"
/// shows minus the message's own objects (the record and its strings, made by deserialization on the consume side).
/// The "Before" rows repeat what the same steps did before the properties were pooled, message ids made from a counter,
/// the scope made lazily and the context reused, for an A/B in one run.
/// </summary>
[MemoryDiagnoser]
public class PerMessageBenchmarks
{
    private static readonly OrderPlaced Placed = new(42, "eu", new string('x', 200));
    private static readonly OrderRevised Revised = new(42, "eu", 1234);
    private byte[] _placedBody = [];
    private ServiceProvider _services = null!;
    private ServiceProvider _singletonServices = null!;
    private IServiceScopeFactory _scopes = null!;
    private HandlerLifetimes _lifetimes = null!;
    private HandlerLifetimes _singletonLifetimes = null!;
    private IMessageDispatcher _dispatcher = null!;

    /// <summary>The runtime dispatcher of a one-handler class as generated code creates it for a struct message: a typed lambda.</summary>
    private IMessageDispatcher _lambdaDispatcher = null!;

    /// <summary>The same dispatcher as generated code creates it for a class message: an index into a shared switch.</summary>
    private IMessageDispatcher _sharedCallDispatcher = null!;

    private static readonly PlaceholderRoutingKey<OrderPlaced> LambdaWord = new("order.{Region}.placed", static message => message.Region);

    private static readonly PlaceholderRoutingKey<OrderPlaced> SharedWord = new("order.{Region}.placed", 2, ReadWord);
    private MessageContracts _contracts = null!;
    private readonly PropertiesPool _pool = new(1024);
    private MessageContextPool _contexts = null!;
    private MessageContextPool _singletonContexts = null!;

    /// <summary>The properties of a delivery of <see cref="Placed"/> as the client hands them to the consumer.</summary>
    private readonly RabbitMQ.Client.BasicProperties _delivered = MessagePublisher.FillProperties(new RabbitMQ.Client.BasicProperties(), "bench.order-placed", null, null);

    /// <summary>Where the properties go, so that they escape as they do on the way to the channel (no stack allocation).</summary>
    private RabbitMQ.Client.BasicProperties? _sent;
    private RabbitMQ.Client.BasicProperties? _checked;
    private readonly System.Collections.Generic.Dictionary<string, object?> _lentHeaders = new(2, StringComparer.Ordinal);
    private readonly object _sequenceBox = 0L;
    private ulong _sequence;
    private long _idCounter;
    private readonly SemaphoreSlim _lock = new(1, 1);

    /// <summary>The message-id string a publishing channel writes each id into while it sends.</summary>
    private readonly MessageIdBuffer _idBuffer = new();

    [GlobalSetup]
    public void Setup()
    {
        var services = new ServiceCollection();
        services.AddWarren(o => o.Url = "amqp://localhost/").AddGeneratedHandlers();
        _services = services.BuildServiceProvider();
        _scopes = _services.GetRequiredService<IServiceScopeFactory>();
        _contracts = _services.GetRequiredService<MessageContracts>();
        _lifetimes = _services.GetRequiredService<HandlerLifetimes>();

        // The same application with the handler class registered as a singleton before the generated (scoped) default.
        var singleton = new ServiceCollection();
        singleton.AddSingleton<MicroHandler>();
        singleton.AddWarren(o => o.Url = "amqp://localhost/").AddGeneratedHandlers();
        _singletonServices = singleton.BuildServiceProvider();
        _singletonLifetimes = _singletonServices.GetRequiredService<HandlerLifetimes>();

        _contexts = new MessageContextPool("bench.micro", _lifetimes, 1);
        _singletonContexts = new MessageContextPool("bench.micro", _singletonLifetimes, 1);
        _dispatcher = new Warren_Benchmarks_MicroHandlerDispatcher();
        _lambdaDispatcher = new HandlerDispatcher<MicroHandler, OrderPlaced>(
            "bench.micro", "bench.order-placed", MicroJson.Default,
            static (handler, message, context) => { handler.Placed(message); return Task.CompletedTask; },
            RoutingBinding.Topic("bench.orders", "order.*.placed"));
        _sharedCallDispatcher = new HandlerDispatcher<MicroHandler, OrderPlaced>(
            "bench.micro", "bench.order-placed", MicroJson.Default, 2, CallHandler, RoutingBinding.Topic("bench.orders", "order.*.placed"));
        _placedBody = JsonSerializer.SerializeToUtf8Bytes(Placed, MicroJson.Default.OrderPlaced);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _services.Dispose();
        _singletonServices.Dispose();
    }

    /// <summary>Route + serialize + properties: everything a publish does before the bytes go to the channel (properties from the pool, returned as the end of the publish does).</summary>
    [Benchmark]
    public int PublishPrepare()
    {
        var contract = _contracts.Get<OrderPlaced>();
        var key = contract.RoutingKeyFor(Placed);
        using var body = MessagePublisher.Serialize(Placed, contract.TypeInfo, contract.Exchange, key, int.MaxValue);
        var properties = MessagePublisher.FillProperties(_pool.Rent(), contract.Name, null, contract.Priority, messageIdByChannel: true);
        var messageId = MessageIds.NextCounter();
        _sent = properties;

        // What the channel does with the id while it sends.
        properties.MessageId = _idBuffer.Write(messageId);
        var length = body.WrittenCount + key.Length + properties.MessageId.Length;
        properties.MessageId = null;
        _pool.Return(properties);
        return length;
    }

    /// <summary><see cref="PublishPrepare"/> as it was: a new properties object and a GUID message id per publish.</summary>
    [Benchmark]
    public int PublishPrepareBefore()
    {
        var contract = _contracts.Get<OrderPlaced>();
        var key = contract.RoutingKeyFor(Placed);
        using var body = MessagePublisher.Serialize(Placed, contract.TypeInfo, contract.Exchange, key, int.MaxValue);
        var properties = new RabbitMQ.Client.BasicProperties
        {
            ContentType = PayloadFormat.JsonContentType,
            Type = contract.Name,
            MessageId = Guid.NewGuid().ToString("N"),
            Timestamp = new RabbitMQ.Client.AmqpTimestamp(DateTimeOffset.UtcNow.ToUnixTimeSeconds()),
            DeliveryMode = RabbitMQ.Client.DeliveryModes.Persistent,
        };
        _sent = properties;
        return body.WrittenCount + key.Length + properties.MessageId.Length;
    }

    /// <summary>The frame check of a publish without headers: short strings only, the size bounded by them.</summary>
    [Benchmark]
    public int PublishFrameCheck()
    {
        var properties = FilledProperties();
        PublishFrame.Check("bench.orders", "order.eu.placed", properties, 131_072);
        return properties.MessageId!.Length;
    }

    /// <summary><see cref="PublishFrameCheck"/> as it was: the properties' encoded size computed per publish.</summary>
    [Benchmark]
    public int PublishFrameCheckBefore()
    {
        var properties = FilledProperties();
        PublishFrame.Check("bench.orders", "order.eu.placed", properties, 131_072);
        return PublishFrame.PropertiesSize(properties) > PublishFrame.MaxPropertiesSize(131_072) ? 0 : properties.MessageId!.Length;
    }

    /// <summary>The sequence header of a mandatory publish in lent headers, with the one box a channel sets in place.</summary>
    [Benchmark]
    public int SequenceHeader()
    {
        var sequence = ++_sequence;
        System.Runtime.CompilerServices.Unsafe.Unbox<long>(_sequenceBox) = (long)sequence;
        _lentHeaders.Clear();
        _lentHeaders[ConfirmChannel.SequenceHeader] = _sequenceBox;
        var properties = FilledProperties();
        properties.Headers = _lentHeaders;
        var size = PublishFrame.PropertiesSize(properties);
        properties.Headers = null;
        return size;
    }

    /// <summary><see cref="SequenceHeader"/> as it was: a boxed long per publish.</summary>
    [Benchmark]
    public int SequenceHeaderBefore()
    {
        var sequence = ++_sequence;
        _lentHeaders.Clear();
        _lentHeaders[ConfirmChannel.SequenceHeader] = (long)sequence;
        var properties = FilledProperties();
        properties.Headers = _lentHeaders;
        var size = PublishFrame.PropertiesSize(properties);
        properties.Headers = null;
        return size;
    }

    /// <summary>What taking RabbitMQ.Client's confirm lock once more per publish costs when nothing contends for it
    /// (its <c>GetNextPublishSequenceNumberAsync</c> is this around a field read).</summary>
    [Benchmark]
    public async ValueTask<int> UncontendedLockRoundTrip()
    {
        await _lock.WaitAsync().ConfigureAwait(false);
        _lock.Release();
        return _lock.CurrentCount;
    }

    private RabbitMQ.Client.BasicProperties FilledProperties()
    {
        var properties = _checked ??= MessagePublisher.FillProperties(new RabbitMQ.Client.BasicProperties(), "bench.order-placed", null, null);
        _sent = properties;
        return properties;
    }

    /// <summary>A message id: a counter and the process's random prefix as 32 hex digits, one vectorized conversion.</summary>
    [Benchmark]
    public int MessageId() => MessageIds.Next().Length;

    /// <summary>A message id as a publish now has it: a counter, written by the channel into its one id string.</summary>
    [Benchmark]
    public int MessageIdInBuffer() => _idBuffer.Write(MessageIds.NextCounter()).Length;

    /// <summary><see cref="MessageId"/> as it was: a loop writing one hex digit at a time.</summary>
    [Benchmark]
    public int MessageIdBefore()
    {
        var counter = (ulong)Interlocked.Increment(ref _idCounter);
        return string.Create(32, (0x0123456789abcdefUL, counter), static (chars, state) =>
        {
            WriteHex(chars[..16], state.Item1);
            WriteHex(chars[16..], state.counter);
        }).Length;

        static void WriteHex(Span<char> chars, ulong value)
        {
            for (var i = 15; i >= 0; i--)
            {
                chars[i] = "0123456789abcdef"[(int)(value & 0xF)];
                value >>= 4;
            }
        }
    }

    /// <summary>The singleton handler class of a delivery: one lookup of the instance kept for its type.</summary>
    [Benchmark]
    public long SingletonHandlerLookup() =>
        _singletonLifetimes.TryGetSingleton<MicroHandler>(out var handler) ? handler.Handled : -1;

    /// <summary><see cref="SingletonHandlerLookup"/> as it was: the registration check, then a resolution from the root provider.</summary>
    [Benchmark]
    public long SingletonHandlerLookupBefore() =>
        _singletonLifetimes.IsSingleton(typeof(MicroHandler)) ? _singletonLifetimes.Root!.GetRequiredService<MicroHandler>().Handled : -1;

    /// <summary>The routing key alone, from a string and an integer placeholder (a boxed int would add 24 bytes).</summary>
    [Benchmark]
    public int RoutingKeyWithIntPlaceholder() => _contracts.Get<OrderRevised>().RoutingKeyFor(Revised).Length;

    /// <summary>Context + scope + generated dispatch (deserialize, resolve the scoped handler, call it), as the consumer runs it.</summary>
    [Benchmark]
    public ValueTask<DispatchOutcome> Dispatch() => DispatchAsync(_contexts, _placedBody, _delivered, "bench.orders", "order.eu.placed");

    /// <summary>The runtime dispatcher of a one-handler class (deserialize, resolve the scoped handler, call it) by a typed lambda.</summary>
    [Benchmark]
    public ValueTask<DispatchOutcome> DispatchHandlerLambda() => DispatchAsync(_contexts, _placedBody, _delivered, "bench.orders", "order.eu.placed", _lambdaDispatcher);

    /// <summary><see cref="DispatchHandlerLambda"/> through a shared switch over an index, with casts from <c>object</c>.</summary>
    [Benchmark]
    public ValueTask<DispatchOutcome> DispatchHandlerSharedCall() => DispatchAsync(_contexts, _placedBody, _delivered, "bench.orders", "order.eu.placed", _sharedCallDispatcher);

    /// <summary>A routing key of one string placeholder whose word a typed lambda reads (a value seen before: no building).</summary>
    [Benchmark]
    public int PlaceholderWordLambda() => LambdaWord.For(Placed).Length;

    /// <summary><see cref="PlaceholderWordLambda"/> with the word read by a shared switch over an index.</summary>
    [Benchmark]
    public int PlaceholderWordSharedCall() => SharedWord.For(Placed).Length;

    /// <summary>A shared handler call as generated group files write it; the other arms stand for other consumers.</summary>
    private static Task CallHandler(int index, object handler, object message, MessageContext context)
    {
        switch (index)
        {
            case 0:
                ((MicroHandler)handler).Placed((OrderPlaced)message);
                return Task.CompletedTask;
            case 1:
                ((MicroHandler)handler).Revised((OrderRevised)message);
                return Task.CompletedTask;
            case 2:
                ((MicroHandler)handler).Placed((OrderPlaced)message);
                return Task.CompletedTask;
            case 3:
                ((MicroHandler)handler).Revised((OrderRevised)message);
                return Task.CompletedTask;
            default:
                throw new ArgumentOutOfRangeException(nameof(index), index, "No such handler.");
        }
    }

    /// <summary>A shared placeholder read as generated contracts write it.</summary>
    private static string? ReadWord(int index, object message) => index switch
    {
        0 => ((OrderRevised)message).Region,
        1 => ((OrderRevised)message).Region,
        2 => ((OrderPlaced)message).Region,
        _ => throw new ArgumentOutOfRangeException(nameof(index), index, "No such message type."),
    };

    /// <summary><see cref="Dispatch"/> with the handler class registered as a singleton: no scope.</summary>
    [Benchmark]
    public ValueTask<DispatchOutcome> DispatchSingletonHandler() => DispatchAsync(_singletonContexts, _placedBody, _delivered, "bench.orders", "order.eu.placed");

    /// <summary><see cref="Dispatch"/> as it was: a scope created up front for every delivery.</summary>
    [Benchmark]
    public async ValueTask<DispatchOutcome> DispatchBefore()
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

    /// <summary>
    /// The message deserialized strictly, as the dispatchers do (required constructor parameters, nullable annotations):
    /// System.Text.Json keeps a small bit array of the required members it has seen per object read.
    /// </summary>
    [Benchmark]
    public OrderPlaced? DeserializeStrict() =>
        MessageDispatcher.TryDeserialize<OrderPlaced>(_placedBody, MicroJson.Default.OrderPlaced, out var message, out _) ? message : null;

    /// <summary>Serialize + route + dispatch: one message's whole framework work on both sides, without the broker.</summary>
    [Benchmark]
    public ValueTask<DispatchOutcome> SerializeRouteDispatch() => SerializeRouteDispatchAsync(_contexts);

    /// <summary><see cref="SerializeRouteDispatch"/> with the handler class registered as a singleton.</summary>
    [Benchmark]
    public ValueTask<DispatchOutcome> SerializeRouteDispatchSingletonHandler() => SerializeRouteDispatchAsync(_singletonContexts, idString: false);

    /// <summary><see cref="SerializeRouteDispatchSingletonHandler"/> as it was: a message-id string per publish.</summary>
    [Benchmark]
    public ValueTask<DispatchOutcome> SerializeRouteDispatchSingletonHandlerBefore() => SerializeRouteDispatchAsync(_singletonContexts, idString: true);

    private async ValueTask<DispatchOutcome> SerializeRouteDispatchAsync(MessageContextPool contexts, bool idString = false)
    {
        var contract = _contracts.Get<OrderPlaced>();
        var key = contract.RoutingKeyFor(Placed);
        using var body = MessagePublisher.Serialize(Placed, contract.TypeInfo, contract.Exchange, key, int.MaxValue);
        var properties = MessagePublisher.FillProperties(_pool.Rent(), contract.Name, null, contract.Priority, messageIdByChannel: !idString);
        _sent = properties;
        if (!idString)
        {
            // The channel writes the id into its one string for the send; the consumer then reads what was sent.
            properties.MessageId = _idBuffer.Write(MessageIds.NextCounter());
        }

        try
        {
            return await DispatchAsync(contexts, body.WrittenMemory, properties, contract.Exchange, key);
        }
        finally
        {
            _pool.Return(properties);
        }
    }

    /// <summary>The consumer's steps: a context from its pool whose scope is made on demand, the dispatch, the scope's disposal, the context's return.</summary>
    private async ValueTask<DispatchOutcome> DispatchAsync(
        MessageContextPool contexts, ReadOnlyMemory<byte> body, RabbitMQ.Client.IReadOnlyBasicProperties properties, string exchange, string key, IMessageDispatcher? dispatcher = null)
    {
        var context = contexts.Rent();
        context.Reuse(body, CancellationToken.None, exchange, key, properties, properties.Headers, null, false, 1, null, 0, 0);
        try
        {
            return await (dispatcher ?? _dispatcher).DispatchAsync(context);
        }
        finally
        {
            await context.DisposeScopeAsync();
            contexts.Return(context);
        }
    }
}

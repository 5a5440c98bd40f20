using System.Collections.Concurrent;
using System.Linq;
using System.Text.Json.Serialization;
using System.Threading;
using System.Threading.Tasks;

namespace Warren.IntegrationTests.Generated;

// An application written only with Warren's attributes: the generator turns it into topology, contracts and
// dispatchers, and these tests run it against the private broker.

[Exchange("gen.events", ExchangeKind.Topic)]
[Topic("order.{Region}.placed")]
[Message("gen.order-placed")]
public sealed record OrderPlaced(string Id, string Region);

[Exchange("gen.events", ExchangeKind.Topic)]
[Topic("order.{Region}.shipped.{Carrier}")]
public sealed record OrderShipped(string Id, string Region, string Carrier);

[Exchange("gen.tasks", ExchangeKind.Direct)]
[Topic("resize")]
public sealed record ResizeImage(string Id);

[Exchange("gen.broadcast", ExchangeKind.Fanout)]
public sealed record CacheFlush(string Id);

[Exchange("gen.docs", ExchangeKind.Headers)]
public sealed record Doc(string Id);

[Exchange("gen.jobs", ExchangeKind.Direct)]
[Topic("job")]
[Priority(1)]
public sealed record Job(string Id);

[Exchange("gen.perishable", ExchangeKind.Direct)]
[Topic("perishable")]
public sealed record Perishable(string Id);

[JsonSerializable(typeof(OrderPlaced))]
[JsonSerializable(typeof(OrderShipped))]
[JsonSerializable(typeof(ResizeImage))]
[JsonSerializable(typeof(CacheFlush))]
[JsonSerializable(typeof(Doc))]
[JsonSerializable(typeof(Job))]
[JsonSerializable(typeof(Perishable))]
internal sealed partial class GeneratedAppJson : JsonSerializerContext;

[Queue("gen.star")]
public sealed class StarConsumer(Recorder recorder)
{
    [Topic("order.*.placed")]
    public void Handle(OrderPlaced order, MessageContext context) => recorder.Add("star", order.Id, context);
}

[Queue("gen.hash")]
public sealed class HashConsumer(Recorder recorder)
{
    [Topic("order.#")]
    public Task Placed(OrderPlaced order, MessageContext context)
    {
        recorder.Add("hash", order.Id, context);
        return Task.CompletedTask;
    }

    [Topic("order.#.dhl")]
    public ValueTask Shipped(OrderShipped order, MessageContext context, CancellationToken cancellationToken)
    {
        recorder.Add("hash", order.Id, context);
        return ValueTask.CompletedTask;
    }
}

[Queue("gen.resize")]
[DeadLetter]
public sealed class Resizer(Recorder recorder)
{
    public void Handle(ResizeImage image, MessageContext context) => recorder.Add("resize", image.Id, context);
}

[Queue("gen.fanout-a")]
public sealed class FanoutA(Recorder recorder)
{
    public void Handle(CacheFlush flush, MessageContext context) => recorder.Add("fanout-a", flush.Id, context);
}

[Queue("gen.fanout-b")]
public sealed class FanoutB(Recorder recorder)
{
    public void Handle(CacheFlush flush, MessageContext context) => recorder.Add("fanout-b", flush.Id, context);
}

[Queue("gen.headers-all")]
public sealed class AllDocs(Recorder recorder)
{
    [Headers("format=pdf", "lang=en")]
    public void Handle(Doc doc, MessageContext context) => recorder.Add("headers-all", doc.Id, context);
}

[Queue("gen.headers-any")]
public sealed class AnyDocs(Recorder recorder)
{
    [Headers("format=pdf", "lang=en", Mode = HeadersMatch.Any)]
    public void Handle(Doc doc, MessageContext context) => recorder.Add("headers-any", doc.Id, context);
}

[Queue("gen.priority", Prefetch = 1)]
[Priority(Max = 10)]
public sealed class JobWorker(Recorder recorder, Gates gates)
{
    public async Task Handle(Job job, MessageContext context)
    {
        await gates.PassAsync("priority", job.Id);
        recorder.Add("priority", job.Id, context);
    }
}

[Queue("gen.perishable", MessageTtl = "300ms", Prefetch = 1)]
[DeadLetter]
public sealed class PerishableConsumer(Recorder recorder, Gates gates)
{
    public async Task Handle(Perishable item, MessageContext context)
    {
        await gates.PassAsync("perishable", item.Id);
        recorder.Add("perishable", item.Id, context);
    }
}

/// <summary>What each consumer received, by consumer name.</summary>
public sealed class Recorder
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<(string Id, string RoutingKey, string? Type, byte? Priority)>> _received = new();

    public void Add(string consumer, string id, MessageContext context) =>
        _received.GetOrAdd(consumer, _ => new()).Enqueue((id, context.RoutingKey, context.MessageType, context.Priority));

    public string[] Ids(string consumer) => _received.TryGetValue(consumer, out var q) ? q.Select(r => r.Id).ToArray() : [];

    public (string Id, string RoutingKey, string? Type, byte? Priority)[] All(string consumer) => _received.TryGetValue(consumer, out var q) ? q.ToArray() : [];
}

/// <summary>Holds a handler on a message with a given id until the test opens the gate.</summary>
public sealed class Gates
{
    private readonly ConcurrentDictionary<string, (string Id, TaskCompletionSource Open, TaskCompletionSource Reached)> _gates = new();

    public Task Close(string name, string id)
    {
        var gate = (id, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        _gates[name] = gate;
        return gate.Item3.Task;
    }

    public void Open(string name) => _gates[name].Open.TrySetResult();

    public Task PassAsync(string name, string id)
    {
        if (_gates.TryGetValue(name, out var gate) && gate.Id == id)
        {
            gate.Reached.TrySetResult();
            return gate.Open.Task;
        }

        return Task.CompletedTask;
    }
}

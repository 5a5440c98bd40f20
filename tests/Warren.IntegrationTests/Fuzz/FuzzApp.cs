using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.Json.Serialization;
using System.Threading;
using System.Threading.Tasks;

namespace Warren.IntegrationTests.Fuzz;

// The generated consumers the delivery fuzz test feeds: one handling a message at a time, one handling eight. A valid
// message's body says how often its handler fails and how long it takes; one quick retry, then the dead-letter queue.

[Exchange("fuzz", ExchangeKind.Direct)]
[Topic("serial")]
[Message("fuzz.item")]
public sealed record FuzzItem(string Id, int Failures, int DelayMs);

[JsonSerializable(typeof(FuzzItem))]
internal sealed partial class FuzzJson : JsonSerializerContext;

[Queue(Name, Concurrency = 1, Prefetch = 8)]
[DeadLetter(MaxRetries = 1, RetryDelays = new[] { "200ms" })]
public sealed class SerialFuzzConsumer(FuzzProbe probe)
{
    public const string Name = "fuzz.serial";

    [Topic("serial")]
    public Task Handle(FuzzItem item, MessageContext context, CancellationToken ct) => probe.HandleAsync(Name, item, context, ct);
}

[Queue(Name, Concurrency = 8, Prefetch = 16)]
[DeadLetter(MaxRetries = 1, RetryDelays = new[] { "200ms" })]
public sealed class ParallelFuzzConsumer(FuzzProbe probe)
{
    public const string Name = "fuzz.parallel";

    [Topic("parallel")]
    public Task Handle(FuzzItem item, MessageContext context, CancellationToken ct) => probe.HandleAsync(Name, item, context, ct);
}

/// <summary>What the fuzz consumers' handlers saw: attempts and successes per valid message, and anything else they were handed.</summary>
public sealed class FuzzProbe
{
    /// <summary>The header carrying each delivery's test id (kept on retry and dead-letter copies).</summary>
    public const string IdHeader = "fuzz-id";

    private readonly ConcurrentDictionary<string, Tally> _tallies = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _unexpected = new();

    public IReadOnlyCollection<string> Unexpected => [.. _unexpected];

    public Tally Of(string id) => _tallies.TryGetValue(id, out var tally) ? tally : new Tally();

    public int SucceededCount(IEnumerable<string> ids) => ids.Count(id => _tallies.TryGetValue(id, out var t) && Volatile.Read(ref t.Successes) > 0);

    public async Task HandleAsync(string queue, FuzzItem item, MessageContext context, CancellationToken ct)
    {
        var deliveryId = context.RawHeaders is { } headers && headers.TryGetValue(IdHeader, out var raw) && raw is byte[] bytes ? Encoding.UTF8.GetString(bytes) : null;
        if (item is null || item.Id is null || item.Id != deliveryId || !deliveryId.Contains(queue, StringComparison.Ordinal))
        {
            // A delivery that is not a valid message reached the handler (or one reached the wrong queue).
            _unexpected.Enqueue($"{queue} handled {(item is null ? "null" : item.ToString())} for delivery {deliveryId ?? "(no fuzz-id)"}");
            return;
        }

        var tally = _tallies.GetOrAdd(item.Id, _ => new Tally());
        var attempt = Interlocked.Increment(ref tally.Attempts);
        if (item.DelayMs > 0)
        {
            await Task.Delay(item.DelayMs, ct);
        }

        if (attempt <= item.Failures)
        {
            throw new InvalidOperationException($"planned failure {attempt} of {item.Id}");
        }

        Interlocked.Increment(ref tally.Successes);
    }

    /// <summary>Handler attempts and successful attempts of one valid message.</summary>
    public sealed class Tally
    {
        public int Attempts;
        public int Successes;
    }
}

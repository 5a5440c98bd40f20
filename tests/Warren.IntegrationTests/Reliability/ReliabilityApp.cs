using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Serialization;
using System.Threading;
using System.Threading.Tasks;

namespace Warren.IntegrationTests.Reliability;

[Exchange("rel.work", ExchangeKind.Direct)]
[Topic("flaky")]
public sealed record Flaky(string Id, int FailTimes, bool NotRetryable = false);

[Exchange("rel.work", ExchangeKind.Direct)]
[Topic("slow")]
public sealed record Slow(string Id);

[Exchange("rel.work", ExchangeKind.Direct)]
[Topic("eager")]
public sealed record Eager(string Id, int FailTimes);

[Exchange("rel.work", ExchangeKind.Direct)]
[Topic("fragile")]
[Message("rel.fragile")]
public sealed record Fragile(string Id);

[JsonSerializable(typeof(Fragile))]
[JsonSerializable(typeof(Flaky))]
[JsonSerializable(typeof(Slow))]
[JsonSerializable(typeof(Eager))]
internal sealed partial class ReliabilityJson : JsonSerializerContext;

/// <summary>Fails the first <c>FailTimes</c> attempts of each message; ArgumentException is not worth retrying.</summary>
[Queue("rel.flaky")]
[DeadLetter(MaxRetries = 3, RetryDelays = new[] { "200ms", "400ms" }, DoNotRetry = new[] { typeof(ArgumentException) })]
public sealed class FlakyConsumer(Attempts attempts)
{
    public void Handle(Flaky message, MessageContext context)
    {
        var attempt = attempts.Record(message.Id, context);
        if (message.NotRetryable)
        {
            throw new ArgumentException($"{message.Id} can never succeed");
        }

        if (attempt <= message.FailTimes)
        {
            throw new InvalidOperationException($"attempt {attempt} of {message.Id} fails");
        }
    }

    /// <summary>This handler's own policy: one quick retry instead of the class's three.</summary>
    [DeadLetter(MaxRetries = 1, RetryDelays = new[] { "100ms" })]
    public void Handle(Fragile message, MessageContext context)
    {
        attempts.Record(message.Id, context);
        throw new InvalidOperationException($"{message.Id} always fails");
    }
}

/// <summary>Never finishes on its own: only the handler timeout ends it.</summary>
[Queue("rel.slow", HandlerTimeout = "200ms")]
[DeadLetter(MaxRetries = 1, RetryDelays = new[] { "100ms" })]
public sealed class SlowConsumer(Attempts attempts)
{
    public async Task Handle(Slow message, MessageContext context, CancellationToken ct)
    {
        attempts.Record(message.Id, context);
        try
        {
            await Task.Delay(Timeout.Infinite, ct);
        }
        catch (OperationCanceledException)
        {
            attempts.Cancelled(message.Id);
            throw;
        }
    }
}

/// <summary>Retries in-process before any delayed retry.</summary>
[Queue("rel.eager")]
[DeadLetter(ImmediateRetries = 2)]
public sealed class EagerConsumer(Attempts attempts)
{
    public void Handle(Eager message, MessageContext context)
    {
        if (attempts.Record(message.Id, context) <= message.FailTimes)
        {
            throw new InvalidOperationException("not yet");
        }

        attempts.Succeeded(message.Id);
    }
}

/// <summary>Every attempt each message had, with its delivery facts.</summary>
public sealed class Attempts
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<(int RetryCount, string[] DeathQueues)>> _attempts = new();
    private readonly ConcurrentDictionary<string, int> _cancelled = new();
    private readonly ConcurrentDictionary<string, int> _succeeded = new();

    public int Record(string id, MessageContext context)
    {
        var queue = _attempts.GetOrAdd(id, _ => new());
        queue.Enqueue((context.RetryCount, context.Deaths.Select(d => $"{d.Queue}:{d.Reason}").ToArray()));
        return queue.Count;
    }

    public (int RetryCount, string[] DeathQueues)[] Of(string id) => _attempts.TryGetValue(id, out var q) ? q.ToArray() : [];

    public void Cancelled(string id) => _cancelled.AddOrUpdate(id, 1, (_, n) => n + 1);

    public int CancellationsOf(string id) => _cancelled.GetValueOrDefault(id);

    public void Succeeded(string id) => _succeeded.AddOrUpdate(id, 1, (_, n) => n + 1);

    public int SuccessesOf(string id) => _succeeded.GetValueOrDefault(id);
}

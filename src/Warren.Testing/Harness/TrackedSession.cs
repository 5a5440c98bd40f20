using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Serialization;

namespace Warren.Testing;

/// <summary>
/// The outcome of one tracked run (<see cref="WarrenTestHarness.RunAsync(Func{System.Threading.Tasks.Task}, TimeSpan?)"/>):
/// its <see cref="MessageFlow"/>, and assertions that fail with <see cref="WarrenAssertionException"/> printing the whole flow.
/// </summary>
public class TrackedSession : MessageFlow
{
    internal TrackedSession(IReadOnlyList<BrokerEvent> steps, MessageContracts contracts, IReadOnlyList<JsonSerializerContext> contexts, IReadOnlyList<string> logs)
        : base(steps, contracts, contexts, logs)
    {
    }

    /// <summary>Asserts that a message of contract <typeparamref name="T"/> (matching <paramref name="where"/>) was published; returns the first.</summary>
    public T AssertPublished<T>(Func<T, bool>? where = null) =>
        Single(PublishedOf<T>(), where, $"a published {Contract<T>()}");

    /// <summary>Asserts that no message of contract <typeparamref name="T"/> (matching <paramref name="where"/>) was published.</summary>
    public void AssertNotPublished<T>(Func<T, bool>? where = null) =>
        None(PublishedOf<T>(), where, $"no published {Contract<T>()}");

    /// <summary>Asserts that a handler consumed a message of contract <typeparamref name="T"/> (from <paramref name="queue"/>, matching <paramref name="where"/>); returns the first.</summary>
    public T AssertConsumed<T>(Func<T, bool>? where = null, string? queue = null) =>
        Single(ConsumedOf<T>(queue), where, $"a {Contract<T>()} consumed{(queue is null ? string.Empty : $" from queue '{queue}'")}");

    /// <summary>Asserts how many messages of contract <typeparamref name="T"/> handlers consumed (from <paramref name="queue"/>).</summary>
    public void AssertConsumedCount<T>(int count, string? queue = null)
    {
        var consumed = ConsumedOf<T>(queue);
        if (consumed.Count != count)
        {
            throw Fail($"Expected {count} {Contract<T>()} consumed{(queue is null ? string.Empty : $" from queue '{queue}'")}, found {consumed.Count}.");
        }
    }

    /// <summary>Asserts that no handler consumed a message of contract <typeparamref name="T"/> (matching <paramref name="where"/>).</summary>
    public void AssertNotConsumed<T>(Func<T, bool>? where = null) =>
        None(ConsumedOf<T>(), where, $"no {Contract<T>()} consumed");

    /// <summary>Asserts that a message of contract <typeparamref name="T"/> was retried (exactly <paramref name="times"/> times, when given).</summary>
    public IReadOnlyList<TrackedMessage> AssertRetried<T>(int? times = null)
    {
        var retried = RetriedOf<T>();
        if (times is { } n ? retried.Count != n : retried.Count == 0)
        {
            throw Fail($"Expected {(times is { } t ? $"{t} delayed retries" : "a delayed retry")} of {Contract<T>()}, found {retried.Count}.");
        }

        return retried;
    }

    /// <summary>
    /// Asserts that a message of contract <typeparamref name="T"/> was dead-lettered (from <paramref name="queue"/>, the queue it failed in, with a
    /// reason containing <paramref name="reasonContains"/>); returns it.
    /// </summary>
    public TrackedMessage AssertDeadLettered<T>(string? reasonContains = null, string? queue = null)
    {
        var match = DeadLetteredOf<T>().FirstOrDefault(m =>
            (queue is null || m.Queue == queue) && (reasonContains is null || m.Reason?.Contains(reasonContains, StringComparison.OrdinalIgnoreCase) == true));
        return match ?? throw Fail($"Expected {Contract<T>()} dead-lettered{(queue is null ? string.Empty : $" from queue '{queue}' (the queue it failed in, not its dead-letter queue)")}{(reasonContains is null ? string.Empty : $" with a reason containing \"{reasonContains}\"")}; dead-lettered: {ListWithReasons(DeadLettered)}.");
    }

    /// <summary>Asserts that nothing was dead-lettered, retried, returned, refused or lost.</summary>
    public void AssertNoFailures()
    {
        var failures = DeadLettered.Select(m => $"dead-lettered {m} ({m.Reason})")
            .Concat(Retried.Select(m => $"retried {m} ({m.Reason})"))
            .Concat(Returned.Select(m => $"returned {m}"))
            .Concat(Refused.Select(m => $"refused {m}"))
            .Concat(Lost.Select(m => $"lost {m} ({m.Reason})"))
            .ToList();
        if (failures.Count > 0)
        {
            throw Fail($"Expected no failures, found {failures.Count}: {string.Join("; ", failures)}.");
        }
    }

    /// <summary>Asserts that a mandatory message of contract <typeparamref name="T"/> was returned as unroutable.</summary>
    public TrackedMessage AssertReturned<T>() =>
        Returned.FirstOrDefault(m => m.Is<T>()) ?? throw Fail($"Expected {Contract<T>()} returned as unroutable; returned: {List(Returned)}.");

    /// <summary>Asserts that an RPC call of <paramref name="method"/> (the method's contract name) was made; returns it.</summary>
    public TrackedRpcCall AssertRpcCall(string method) =>
        RpcCalls.FirstOrDefault(c => c.Method == method) ?? throw Fail($"Expected an RPC call of '{method}'; calls: {(RpcCalls.Count == 0 ? "none" : string.Join(", ", RpcCalls.Select(c => c.Method)))}.");

    /// <summary>Fails with <paramref name="message"/> followed by the whole flow.</summary>
    public WarrenAssertionException Fail(string message) => new(message + Environment.NewLine + Environment.NewLine + Describe());

    private T Single<T>(IReadOnlyList<T> found, Func<T, bool>? where, string what)
    {
        foreach (var item in found)
        {
            if (where is null || where(item))
            {
                return item;
            }
        }

        throw Fail($"Expected {what}{(where is null ? string.Empty : " matching the condition")}; found {found.Count} of that contract{(found.Count == 0 || where is null ? "" : ", none matching")}.");
    }

    private void None<T>(IReadOnlyList<T> found, Func<T, bool>? where, string what)
    {
        var matching = where is null ? found.Count : found.Count(where);
        if (matching > 0)
        {
            throw Fail($"Expected {what}{(where is null ? string.Empty : " matching the condition")}; found {matching}.");
        }
    }

    private string Contract<T>() => Contracts.Find<T>() is { } c ? $"{typeof(T).Name} ('{c.Name}')" : $"{typeof(T).Name} (no message contract: register it, or inspect the flow untyped)";

    private static string ListWithReasons(IReadOnlyList<TrackedMessage> messages) => messages.Count == 0
        ? "none"
        : string.Join(", ", messages.Select(m => $"{m.Describe()} from queue '{m.Queue}': {m.Reason}"));

    private static string List(IReadOnlyList<TrackedMessage> messages) => messages.Count == 0 ? "none" : string.Join(", ", messages.Select(m => m.Describe()));
}

/// <summary>A tracked session whose action returned a value.</summary>
/// <typeparam name="TResult">The action's result type.</typeparam>
public sealed class TrackedSession<TResult> : TrackedSession
{
    internal TrackedSession(TrackedSession session, TResult result)
        : base(session.Steps, session.Contracts, session.Contexts, session.Logs)
    {
        Result = result;
    }

    /// <summary>What the action returned.</summary>
    public TResult Result { get; }
}

/// <summary>A harness assertion failed; the message holds the whole message flow.</summary>
public sealed class WarrenAssertionException : Exception
{
    /// <summary>Creates the exception.</summary>
    public WarrenAssertionException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public WarrenAssertionException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public WarrenAssertionException(string message, Exception innerException) : base(message, innerException)
    {
    }
}

/// <summary>A tracked run did not become quiet in time; the message says what was still pending and holds the flow so far.</summary>
public sealed class WarrenHarnessTimeoutException : TimeoutException
{
    /// <summary>Creates the exception.</summary>
    public WarrenHarnessTimeoutException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public WarrenHarnessTimeoutException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public WarrenHarnessTimeoutException(string message, Exception innerException) : base(message, innerException)
    {
    }
}

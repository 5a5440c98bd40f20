using System;
using System.Collections.Generic;

namespace Warren;

/// <summary>A publish failed. The message names the exchange and routing key.</summary>
public class WarrenPublishException : Exception
{
    /// <summary>Creates the exception.</summary>
    public WarrenPublishException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public WarrenPublishException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public WarrenPublishException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a route.</summary>
    public WarrenPublishException(string message, string exchange, string routingKey, Exception? innerException = null)
        : base(message, innerException)
    {
        Exchange = exchange;
        RoutingKey = routingKey;
    }

    /// <summary>The exchange the message was published to.</summary>
    public string Exchange { get; } = string.Empty;

    /// <summary>The routing key it was published with.</summary>
    public string RoutingKey { get; } = string.Empty;
}

/// <summary>The broker returned a mandatory message because no queue is bound to receive it.</summary>
public sealed class UnroutableMessageException : WarrenPublishException
{
    /// <summary>Creates the exception.</summary>
    public UnroutableMessageException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public UnroutableMessageException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public UnroutableMessageException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a route.</summary>
    public UnroutableMessageException(string exchange, string routingKey, string replyText, Exception? innerException = null)
        : base($"No queue is bound to receive a message published to exchange '{exchange}' with routing key '{routingKey}' (broker: {replyText}). Declare a queue and binding for it, or publish with Mandatory = false to let the broker drop it.", exchange, routingKey, innerException)
    {
    }
}

/// <summary>The broker refused a message (a negative confirmation), for example because a queue is full with <c>x-overflow: reject-publish</c>.</summary>
public sealed class PublishRejectedException : WarrenPublishException
{
    /// <summary>Creates the exception.</summary>
    public PublishRejectedException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public PublishRejectedException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public PublishRejectedException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a route.</summary>
    public PublishRejectedException(string exchange, string routingKey, Exception? innerException = null)
        : base($"The broker rejected the message published to exchange '{exchange}' with routing key '{routingKey}' (negative confirmation: a queue may be full with x-overflow reject-publish).", exchange, routingKey, innerException)
    {
    }
}

/// <summary>
/// A batch publish did not fully succeed: some messages were not confirmed, or the batch stopped early because the
/// caller cancelled or the message sequence threw (<see cref="Interruption"/>). Every message the batch started is
/// accounted for: those at <see cref="FailedIndexes"/> were not confirmed (a cancelled one may or may not have reached
/// the broker), all other started positions below <see cref="Total"/> were confirmed.
/// </summary>
public sealed class PublishBatchException : AggregateException
{
    /// <summary>Creates the exception.</summary>
    public PublishBatchException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public PublishBatchException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public PublishBatchException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>Creates the exception from the failed positions of a batch that started all its messages.</summary>
    public PublishBatchException(int total, IReadOnlyList<(int Index, Exception Error)> failures)
        : this(total, failures, null)
    {
    }

    /// <summary>Creates the exception from the failed positions and what stopped the batch early, if anything.</summary>
    public PublishBatchException(int total, IReadOnlyList<(int Index, Exception Error)> failures, Exception? interruption)
        : base(Describe(total, failures, interruption), Errors(failures, interruption))
    {
        ArgumentNullException.ThrowIfNull(failures);
        Total = total;
        FailedIndexes = Indexes(failures);
        Interruption = interruption;
    }

    /// <summary>How many messages the batch started: all of them unless <see cref="Interruption"/> is set.</summary>
    public int Total { get; }

    /// <summary>The positions (0-based) of the started messages that were not confirmed.</summary>
    public IReadOnlyList<int> FailedIndexes { get; } = Array.Empty<int>();

    /// <summary>How many started messages the broker confirmed.</summary>
    public int Confirmed => Total - FailedIndexes.Count;

    /// <summary>
    /// Why the batch stopped before the end of the sequence: an <see cref="OperationCanceledException"/> when the caller
    /// cancelled, or the exception the sequence itself threw. Null when every message was started.
    /// </summary>
    public Exception? Interruption { get; }

    private static string Describe(int total, IReadOnlyList<(int Index, Exception Error)> failures, Exception? interruption)
    {
        ArgumentNullException.ThrowIfNull(failures);
        var failed = failures.Count == 0
            ? string.Empty
            : $"{failures.Count} of {total} messages in the batch were not confirmed (first failure at position {failures[0].Index}: {failures[0].Error.Message}).";
        if (interruption is null)
        {
            return failed;
        }

        var why = interruption is OperationCanceledException ? "it was cancelled" : $"the message sequence threw {interruption.GetType().Name}: {interruption.Message}";
        return $"The batch stopped after starting {total} messages because {why}. {total - failures.Count} of them were confirmed. {failed}".TrimEnd();
    }

    private static List<Exception> Errors(IReadOnlyList<(int Index, Exception Error)> failures, Exception? interruption)
    {
        var errors = new List<Exception>(failures.Count + 1);
        if (interruption is not null)
        {
            errors.Add(interruption);
        }

        foreach (var (_, error) in failures)
        {
            errors.Add(error);
        }

        return errors;
    }

    private static int[] Indexes(IReadOnlyList<(int Index, Exception Error)> failures)
    {
        var indexes = new int[failures.Count];
        for (var i = 0; i < indexes.Length; i++)
        {
            indexes[i] = failures[i].Index;
        }

        return indexes;
    }
}

/// <summary>
/// A publish was not confirmed within <see cref="WarrenOptions.PublishTimeout"/> (recovery waits included). When it
/// was written to a channel, it may or may not have reached the broker. When no channel was obtained in time (a
/// background start still reaching the broker, a connection that cannot be opened) it was not sent; the message says
/// so and the inner exception is the last connection failure, if one happened yet.
/// </summary>
public sealed class PublishTimeoutException : WarrenPublishException
{
    /// <summary>Creates the exception.</summary>
    public PublishTimeoutException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public PublishTimeoutException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public PublishTimeoutException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a route.</summary>
    public PublishTimeoutException(string exchange, string routingKey, TimeSpan timeout, Exception? innerException = null)
        : base($"The publish to exchange '{exchange}' with routing key '{routingKey}' was not confirmed within {timeout}; it may or may not have reached the broker.", exchange, routingKey, innerException)
    {
    }

    private PublishTimeoutException(string message, string exchange, string routingKey, Exception? innerException)
        : base(message, exchange, routingKey, innerException)
    {
    }

    /// <summary>
    /// The publish timed out before any channel took the message: it was not sent. <paramref name="waited"/>: what it
    /// waited for; <paramref name="lastFailure"/>: that wait's last failure (its message names the connection), if any.
    /// </summary>
    internal static PublishTimeoutException NotSent(string exchange, string routingKey, TimeSpan timeout, string waited, Exception? lastFailure) =>
        new(
            $"The publish to exchange '{exchange}' with routing key '{routingKey}' was not sent within {timeout}: {waited}, so the message never reached the broker"
            + (lastFailure is null ? "." : $" (last failure: {lastFailure.Message})."),
            exchange,
            routingKey,
            lastFailure);
}

using System;
using System.Collections.Generic;

namespace Warren;

/// <summary>A publish failed. The message names the exchange and routing key.</summary>
public class PublishException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PublishException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public PublishException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public PublishException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a route.</summary>
    public PublishException(string message, string exchange, string routingKey, Exception? innerException = null)
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
public sealed class UnroutableMessageException : PublishException
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
public sealed class PublishRejectedException : PublishException
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

/// <summary>Some messages of a batch publish failed; the others were confirmed.</summary>
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

    /// <summary>Creates the exception from the failed positions.</summary>
    public PublishBatchException(int total, IReadOnlyList<(int Index, Exception Error)> failures)
        : base($"{failures.Count} of {total} messages in the batch were not confirmed (first failure at position {failures[0].Index}: {failures[0].Error.Message}).", Errors(failures))
    {
        Total = total;
        FailedIndexes = Indexes(failures);
    }

    /// <summary>How many messages the batch had.</summary>
    public int Total { get; }

    /// <summary>The positions (0-based) of the messages that were not confirmed.</summary>
    public IReadOnlyList<int> FailedIndexes { get; } = Array.Empty<int>();

    private static Exception[] Errors(IReadOnlyList<(int Index, Exception Error)> failures)
    {
        var errors = new Exception[failures.Count];
        for (var i = 0; i < errors.Length; i++)
        {
            errors[i] = failures[i].Error;
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

/// <summary>A publish was not confirmed within <see cref="WarrenOptions.PublishTimeout"/> (recovery waits included).</summary>
public sealed class PublishTimeoutException : PublishException
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
}

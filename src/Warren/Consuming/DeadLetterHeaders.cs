namespace Warren;

/// <summary>The headers Warren adds to a dead-lettered or retried copy of a message.</summary>
public static class DeadLetterHeaders
{
    /// <summary>Why the message was dead-lettered (or retried): the failure in words.</summary>
    public const string Reason = "x-warren-reason";

    /// <summary>The handler exception's type, when an exception was the cause.</summary>
    public const string ExceptionType = "x-warren-exception-type";

    /// <summary>The handler exception's message.</summary>
    public const string ExceptionMessage = "x-warren-exception-message";

    /// <summary>The exchange the message had been published to.</summary>
    public const string OriginalExchange = "x-warren-original-exchange";

    /// <summary>The routing key it had been published with.</summary>
    public const string OriginalRoutingKey = "x-warren-original-routing-key";

    /// <summary>The queue it failed in.</summary>
    public const string Queue = "x-warren-queue";

    /// <summary>When it failed (ISO 8601, UTC).</summary>
    public const string FailedAt = "x-warren-failed-at";
}

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

    /// <summary>
    /// The original headers left out of the copy because together they were over <see cref="MaxCarriedHeaderBytes"/>:
    /// their names and sizes.
    /// </summary>
    public const string DroppedHeaders = "x-warren-dropped-headers";

    /// <summary>The longest <see cref="Reason"/> and <see cref="ExceptionMessage"/> a copy carries, in characters; longer ones are cut, ending in <c>…</c>.</summary>
    public const int MaxTextLength = 1024;

    /// <summary>The longest <see cref="ExceptionType"/> a copy carries, in characters.</summary>
    public const int MaxTypeNameLength = 256;

    /// <summary>
    /// How many bytes of the original message's headers a copy carries at most (estimated as encoded). Beyond that the
    /// largest headers are dropped and named in <see cref="DroppedHeaders"/>, so a copy's properties stay far below the
    /// broker's frame size (131,072 bytes by default) whatever the original carried.
    /// </summary>
    public const int MaxCarriedHeaderBytes = 32 * 1024;
}

using System;
using System.ComponentModel;

namespace Warren.Infrastructure;

/// <summary>What the consumer does with a message once its dispatcher returns.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public enum DispatchAction
{
    /// <summary>Acknowledge: the message was handled and leaves the queue.</summary>
    Ack,

    /// <summary>
    /// The message failed and may succeed later: the queue's <see cref="RetryPolicy"/> retries it (immediately, then
    /// through its retry queues) and finally dead-letters it; with <see cref="RetryPolicy.Disabled"/> it is returned to
    /// the queue after <see cref="WarrenOptions.RequeueDelay"/>.
    /// </summary>
    Requeue,

    /// <summary>
    /// The message cannot be processed (malformed, unknown type, oversize): a copy goes to the policy's dead-letter
    /// exchange with the reason; with <see cref="RetryPolicy.Disabled"/> it is rejected without requeue.
    /// </summary>
    DeadLetter,
}

/// <summary>A dispatcher's verdict on one message.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly record struct DispatchOutcome
{
    private DispatchOutcome(DispatchAction action, string? reason, Exception? exception, RetryPolicy? policy = null)
    {
        Action = action;
        Reason = reason;
        Exception = exception;
        Policy = policy;
    }

    /// <summary>The message was handled.</summary>
    public static DispatchOutcome Ack { get; } = new(DispatchAction.Ack, null, null);

    /// <summary>What to do with the message.</summary>
    public DispatchAction Action { get; }

    /// <summary>Why the message was not acknowledged.</summary>
    public string? Reason { get; }

    /// <summary>The exception behind a failure, when there was one.</summary>
    public Exception? Exception { get; }

    /// <summary>A handler's own retry policy, overriding the queue's for this failure.</summary>
    public RetryPolicy? Policy { get; }

    /// <summary>A handler failed: retry per <paramref name="policy"/> (or the queue's policy when null), then dead-letter.</summary>
    public static DispatchOutcome Failed(string reason, Exception exception, RetryPolicy? policy) => new(DispatchAction.Requeue, reason, exception, policy);

    /// <summary>Deliver the message again.</summary>
    public static DispatchOutcome Requeue(string reason, Exception? exception = null) => new(DispatchAction.Requeue, reason, exception);

    /// <summary>Never deliver it again to this queue: it goes to the queue's dead-letter exchange.</summary>
    public static DispatchOutcome DeadLetter(string reason, Exception? exception = null) => new(DispatchAction.DeadLetter, reason, exception);
}

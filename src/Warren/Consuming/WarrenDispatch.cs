using System;
using System.ComponentModel;
using System.Threading.Tasks;

namespace Warren.Infrastructure;

/// <summary>
/// What generated dispatchers share: acknowledging when a handler's task completes (without an async state machine per
/// handler), failures under a handler's own retry policy, and the dead-letter reason when nothing handles a delivery.
/// Called by generated code only.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class WarrenDispatch
{
    /// <summary>Handled: acknowledge.</summary>
    public static ValueTask<DispatchOutcome> Acknowledged => new(DispatchOutcome.Ack);

    /// <summary>The body cannot be read as the message: dead-letter it with the reason.</summary>
    public static ValueTask<DispatchOutcome> DeadLetter(string reason) => new(DispatchOutcome.DeadLetter(reason));

    /// <summary>
    /// The handler class for one delivery: a singleton registration from the root provider (no per-message scope is
    /// created for it), anything else from the delivery's scope (<see cref="MessageContext.Services"/>).
    /// </summary>
    public static T Handler<T>(MessageContext context)
        where T : notnull
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Handler<T>();
    }

    /// <summary>
    /// The context handed to a handler that takes it: the handler may keep it, so the consumer does not reuse it for a
    /// later delivery (see <see cref="IReleasesMessageContext"/>).
    /// </summary>
    public static MessageContext Shared(MessageContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.MarkShared();
        return context;
    }

    /// <summary>Acknowledges when the handler's task completes; a failure propagates to the consumer's retry policy.</summary>
    public static ValueTask<DispatchOutcome> AckWhenDone(Task handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return handler.IsCompletedSuccessfully ? Acknowledged : AckAfterAsync(handler);
    }

    /// <summary>Acknowledges when the handler's task completes; a failure propagates to the consumer's retry policy.</summary>
    public static ValueTask<DispatchOutcome> AckWhenDone(ValueTask handler)
    {
        if (handler.IsCompletedSuccessfully)
        {
            handler.GetAwaiter().GetResult();
            return Acknowledged;
        }

        return AckAfterAsync(handler.AsTask());
    }

    /// <summary>Acknowledges when the handler's task completes; a failure is retried under <paramref name="policy"/>.</summary>
    public static ValueTask<DispatchOutcome> AckWhenDone(Task handler, RetryPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return handler.IsCompletedSuccessfully ? Acknowledged : AckAfterAsync(handler, policy);
    }

    /// <summary>Acknowledges when the handler's task completes; a failure is retried under <paramref name="policy"/>.</summary>
    public static ValueTask<DispatchOutcome> AckWhenDone(ValueTask handler, RetryPolicy policy)
    {
        if (handler.IsCompletedSuccessfully)
        {
            handler.GetAwaiter().GetResult();
            return Acknowledged;
        }

        return AckAfterAsync(handler.AsTask(), policy);
    }

    /// <summary>A failed handler whose method has its own retry policy (cancellation, a timeout, keeps the queue's).</summary>
    public static ValueTask<DispatchOutcome> Failed(Exception exception, RetryPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return new(DispatchOutcome.Failed($"{exception.GetType().FullName}: {exception.Message}", exception, policy));
    }

    /// <summary>Neither the type nor the routing key selects a handler: dead-lettered, with both in the reason.</summary>
    public static ValueTask<DispatchOutcome> NoHandler(MessageContext context, string queue, string exchange, string key)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new(DispatchOutcome.DeadLetter(string.IsNullOrEmpty(context.MessageType)
            ? $"Queue {queue} has no handler for a message without a type published to exchange '{exchange}' with routing key '{key}'."
            : $"Queue {queue} has no handler for message type '{context.MessageType}', nor one bound to exchange '{exchange}' with routing key '{key}'."));
    }

    private static async ValueTask<DispatchOutcome> AckAfterAsync(Task handler)
    {
        await handler.ConfigureAwait(false);
        return DispatchOutcome.Ack;
    }

    private static async ValueTask<DispatchOutcome> AckAfterAsync(Task handler, RetryPolicy policy)
    {
        try
        {
            await handler.ConfigureAwait(false);
            return DispatchOutcome.Ack;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return await Failed(exception, policy).ConfigureAwait(false);
        }
    }
}

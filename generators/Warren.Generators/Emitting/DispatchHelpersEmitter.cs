namespace Warren.Generators.Emitting;

/// <summary>
/// Emits <c>WarrenDispatch</c>, what every dispatcher of the assembly shares: acknowledging when a handler's task
/// completes (without an async state machine per handler), failures under a handler's own retry policy, and the
/// dead-letter reason when nothing handles a delivery. Written once per assembly instead of once per consumer.
/// </summary>
internal static class DispatchHelpersEmitter
{
    public static void Emit(SourceWriter w)
    {
        w.Line("/// <summary>What the generated dispatchers of this assembly share.</summary>");
        w.GeneratedType();
        w.Open("internal static class WarrenDispatch");
        w.Line("/// <summary>Handled: acknowledge.</summary>");
        w.Line("public static ValueTask<DispatchOutcome> Acknowledged => new(DispatchOutcome.Ack);");
        w.Line();
        w.Line("/// <summary>The body cannot be read as the message: dead-letter it with the reason.</summary>");
        w.Line("public static ValueTask<DispatchOutcome> DeadLetter(string reason) => new(DispatchOutcome.DeadLetter(reason));");
        w.Line();
        w.Line("/// <summary>Acknowledges when the handler's task completes; a failure propagates to the consumer's retry policy.</summary>");
        w.Line("public static ValueTask<DispatchOutcome> AckWhenDone(Task handler) =>");
        w.Line("    handler.IsCompletedSuccessfully ? Acknowledged : AckAfterAsync(handler);");
        w.Line();
        w.Line("/// <summary>Acknowledges when the handler's task completes; a failure propagates to the consumer's retry policy.</summary>");
        w.Open("public static ValueTask<DispatchOutcome> AckWhenDone(ValueTask handler)");
        w.Open("if (handler.IsCompletedSuccessfully)");
        w.Line("handler.GetAwaiter().GetResult();");
        w.Line("return Acknowledged;");
        w.Close();
        w.Line();
        w.Line("return AckAfterAsync(handler.AsTask());");
        w.Close();
        w.Line();
        w.Line("/// <summary>Acknowledges when the handler's task completes; a failure is retried under <paramref name=\"policy\"/>.</summary>");
        w.Line("public static ValueTask<DispatchOutcome> AckWhenDone(Task handler, RetryPolicy policy) =>");
        w.Line("    handler.IsCompletedSuccessfully ? Acknowledged : AckAfterAsync(handler, policy);");
        w.Line();
        w.Line("/// <summary>Acknowledges when the handler's task completes; a failure is retried under <paramref name=\"policy\"/>.</summary>");
        w.Open("public static ValueTask<DispatchOutcome> AckWhenDone(ValueTask handler, RetryPolicy policy)");
        w.Open("if (handler.IsCompletedSuccessfully)");
        w.Line("handler.GetAwaiter().GetResult();");
        w.Line("return Acknowledged;");
        w.Close();
        w.Line();
        w.Line("return AckAfterAsync(handler.AsTask(), policy);");
        w.Close();
        w.Line();
        w.Line("/// <summary>A failed handler whose method has its own retry policy (cancellation, a timeout, keeps the queue's).</summary>");
        w.Line("public static ValueTask<DispatchOutcome> Failed(global::System.Exception exception, RetryPolicy policy) =>");
        w.Line("    new(DispatchOutcome.Failed($\"{exception.GetType().FullName}: {exception.Message}\", exception, policy));");
        w.Line();
        w.Line("/// <summary>Neither the type nor the routing key selects a handler: dead-lettered, with both in the reason.</summary>");
        w.Line("public static ValueTask<DispatchOutcome> NoHandler(MessageContext context, string queue, string exchange, string key) =>");
        w.Line("    new(DispatchOutcome.DeadLetter(string.IsNullOrEmpty(context.MessageType)");
        w.Line("        ? $\"Queue {queue} has no handler for a message without a type published to exchange '{exchange}' with routing key '{key}'.\"");
        w.Line("        : $\"Queue {queue} has no handler for message type '{context.MessageType}', nor one bound to exchange '{exchange}' with routing key '{key}'.\"));");
        w.Line();
        w.Open("private static async ValueTask<DispatchOutcome> AckAfterAsync(Task handler)");
        w.Line("await handler.ConfigureAwait(false);");
        w.Line("return DispatchOutcome.Ack;");
        w.Close();
        w.Line();
        w.Open("private static async ValueTask<DispatchOutcome> AckAfterAsync(Task handler, RetryPolicy policy)");
        w.Open("try");
        w.Line("await handler.ConfigureAwait(false);");
        w.Line("return DispatchOutcome.Ack;");
        w.Close();
        w.Open("catch (global::System.Exception exception) when (exception is not global::System.OperationCanceledException)");
        w.Line("return await Failed(exception, policy).ConfigureAwait(false);");
        w.Close();
        w.Close();
        w.Close();
    }
}

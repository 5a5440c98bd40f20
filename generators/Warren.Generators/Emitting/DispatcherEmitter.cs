using System.Collections.Generic;
using System.Linq;
using Warren.Generators.Model;
using Warren.Generators.Parsing;

namespace Warren.Generators.Emitting;

/// <summary>
/// Emits one dispatcher per consumer class, the dispatchers of a <see cref="DispatcherGroup"/> in one file. The handler
/// is chosen by the message's <c>type</c> property; a message without one, or with a type no handler of the queue knows
/// (other producers' names), goes by the exchange and routing key it was published with, matched against exactly that
/// class's bindings. Only when neither selects a handler is it dead-lettered, with a reason naming both.
/// A dispatcher is as few members as the compiler can take quickly: one method for a class with one handler, one per
/// handler and one choosing among them for a class with several; bindings are tested inline.
/// </summary>
internal static class DispatcherEmitter
{
    private const string Outcome = "ValueTask<DispatchOutcome>";

    public static string HintName(DispatcherGroup group) => $"Warren.Dispatchers{group.Number.ToString("D2", System.Globalization.CultureInfo.InvariantCulture)}.g.cs";

    public static string ClassName(ConsumerModel consumer) => consumer.Identifier + "Dispatcher";

    /// <summary>The class holding the runtime dispatchers of a group's consumers of the common shape.</summary>
    public static string RuntimeDispatchersName(int group) => "WarrenDispatchers" + group.ToString("D2", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The expression the registration passes as a consumer's dispatcher.</summary>
    public static string Reference(ConsumerModel consumer, GeneratedScope scope) => consumer.JsonContext is null
        ? $"new {scope.Qualifier}{ClassName(consumer)}()"
        : $"{scope.Qualifier}{RuntimeDispatchersName(DispatcherGroup.Of(consumer.Identifier))}.{consumer.Identifier}";

    public static string Emit(DispatcherGroup group, GeneratedScope scope)
    {
        var w = new SourceWriter();
        w.Open("namespace " + scope.Namespace);
        var classes = group.Consumers.Where(c => c.JsonContext is null).ToList();
        var runtime = group.Consumers.Where(c => c.JsonContext is not null).ToList();
        if (classes.Count > 0)
        {
            w.Line("using global::Microsoft.Extensions.DependencyInjection;");
            w.Line("using global::System.Threading.Tasks;");
        }

        w.Line("using global::Warren.Infrastructure;");
        if (runtime.Count > 0)
        {
            var listed = runtime.Where(DefaultRetryConsumer.Is).ToList();
            var fields = runtime.Where(c => !DefaultRetryConsumer.Is(c)).ToList();
            w.Line();
            w.Line("/// <summary>");
            w.Line("/// The dispatchers of this group's consumer classes with one handler of one message type: the runtime's");
            w.Line("/// <see cref=\"HandlerDispatcher{THandler, TMessage}\"/>, given each class's queue, contract, handler call and bindings.");
            if (runtime.Any(HandlerDispatcherEmitter.SharedCall))
            {
                w.Line("/// A handler of a class message is called by its index in a shared method; of a struct, by a lambda of its own.");
            }

            w.Line("/// </summary>");
            w.GeneratedType();
            w.Open($"internal static class {RuntimeDispatchersName(group.Number)}");
            var shared = listed.Concat(fields).Where(HandlerDispatcherEmitter.SharedCall).ToList();
            var calls = SharedCalls(shared);
            if (calls.Count > 0)
            {
                // Before the dispatchers: static fields are set in the order they are written.
                w.Summary("The handler calls of the dispatchers of a class message, each a part of at most " + Chunks.Size.ToString(System.Globalization.CultureInfo.InvariantCulture)
                    + " handlers: one delegate for all, given the handler's index.");
                foreach (var part in calls)
                {
                    w.Continued($"private static readonly global::System.Func<int, object, object, MessageContext, global::System.Threading.Tasks.Task> {part.Field} =", part.Method + ";");
                }

                w.Line();
            }

            string? Call(ConsumerModel consumer)
            {
                var index = shared.IndexOf(consumer);
                return index < 0 ? null : $"{(index % Chunks.Size).ToString(System.Globalization.CultureInfo.InvariantCulture)}, {calls[index / Chunks.Size].Field}";
            }

            if (listed.Count > 0)
            {
                w.Line("/// <summary>");
                w.Line("/// Those with the default failure policy, each with its queue's prefetch and concurrency when set: the");
                w.Line("/// registration adds them all in one loop.");
                w.Line("/// </summary>");
                w.Line($"public static readonly HandlerDispatcher[] {DefaultRetryListName} =");
                w.Open(string.Empty);
                for (var i = 0; i < listed.Count; i++)
                {
                    var consumer = listed[i];
                    if (i > 0)
                    {
                        w.Line();
                    }

                    w.Comment($"Queue {Text.Comment(consumer.Queue.Name)}: {Describe(consumer, consumer.Handlers[0], plain: true)}.");
                    // The list's items are three levels deep (namespace, class, initializer).
                    foreach (var line in HandlerDispatcherEmitter.Expression(consumer, Settings(consumer) + ",", Call(consumer), 3 * 4))
                    {
                        w.Line(line);
                    }
                }

                w.Close(";");
            }

            for (var i = 0; i < fields.Count; i++)
            {
                if (i > 0 || listed.Count > 0)
                {
                    w.Line();
                }

                var consumer = fields[i];
                w.Summary($"Queue <c>{Text.Xml(consumer.Queue.Name)}</c>: {Describe(consumer, consumer.Handlers[0])}.");
                // The field's value goes one level under the field (namespace, class, continuation).
                var lines = HandlerDispatcherEmitter.Expression(consumer, ";", Call(consumer), 3 * 4);
                w.Line($"public static readonly HandlerDispatcher {consumer.Identifier} =");
                foreach (var line in lines)
                {
                    w.Line("    " + line);
                }
            }

            foreach (var part in calls)
            {
                w.Line();
                EmitSharedCall(w, part, shared);
            }

            w.Close();
        }

        foreach (var consumer in classes)
        {
            w.Line();
            Emit(w, consumer);
        }

        w.Close();
        return w.ToString();
    }

    /// <summary>A part of the shared handler calls: consumers <see cref="From"/> to <see cref="To"/> (exclusive) of the file's list.</summary>
    private sealed record SharedCallPart(string Field, string Method, int From, int To);

    /// <summary>The parts of at most <see cref="Chunks.Size"/> handler calls, numbered when there are several.</summary>
    private static List<SharedCallPart> SharedCalls(List<ConsumerModel> shared)
    {
        var parts = new List<SharedCallPart>();
        var count = (shared.Count + Chunks.Size - 1) / Chunks.Size;
        for (var i = 0; i < count; i++)
        {
            var number = count == 1 ? string.Empty : (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            parts.Add(new SharedCallPart(ModelNames.SharedCallsField + number, ModelNames.SharedCallMethod + number, i * Chunks.Size, System.Math.Min(shared.Count, (i + 1) * Chunks.Size)));
        }

        return parts;
    }

    /// <summary>
    /// The method behind a part's delegate: a switch over the handler's index in the part, each arm casting the handler
    /// class and the message (a class: no boxing) and calling the method as a lambda of its own would.
    /// </summary>
    private static void EmitSharedCall(SourceWriter w, SharedCallPart part, List<ConsumerModel> shared)
    {
        w.Summary($"Calls handler <paramref name=\"index\"/> of <see cref=\"{part.Field}\"/>.");
        w.Open($"private static global::System.Threading.Tasks.Task {part.Method}(int index, object handler, object message, MessageContext context)");
        w.Open("switch (index)");
        for (var i = part.From; i < part.To; i++)
        {
            var consumer = shared[i];
            var label = $"case {(i - part.From).ToString(System.Globalization.CultureInfo.InvariantCulture)}:";
            var comment = Describe(consumer, consumer.Handlers[0], plain: true);
            if (w.Fits($"{label} // {comment}"))
            {
                w.Line($"{label} // {comment}");
            }
            else
            {
                // Too long beside its case: above it, wrapped.
                w.Comment(comment);
                w.Line(label);
            }

            // The arms are four levels deep (namespace, class, method, switch) and one more under their case.
            foreach (var statement in HandlerDispatcherEmitter.Arm(consumer, 5 * 4))
            {
                w.Line("    " + statement);
            }
        }

        w.Line("default:");
        w.Line("    throw new global::System.ArgumentOutOfRangeException(nameof(index), index, \"No such handler.\");");
        w.Close();
        w.Close();
    }

    private static void Emit(SourceWriter w, ConsumerModel consumer)
    {
        var names = new Identifiers.Unique("DispatchAsync", "Size", "Flush");
        var handlers = consumer.Handlers
            .Select(h => new Handler(h, names.Take("Handle" + (h.Message.Payload == PayloadKind.Json ? Identifiers.ShortTypeName(h.Message.TypeName) : h.Message.Payload.ToString()))))
            .ToList();
        foreach (var handler in handlers)
        {
            handler.Binds = names.Take("Binds" + handler.Name.Substring("Handle".Length));
            handler.Policy = handler.Model.RetryOverride is null ? null : names.Take(handler.Name + "Policy");
        }

        var batches = handlers.Where(h => h.Model.Batch is not null).ToList();
        foreach (var handler in batches)
        {
            handler.Batch = names.Take("_" + char.ToLowerInvariant(handler.Name[6]) + handler.Name.Substring(7) + "Batch");
        }

        w.Summary($"Dispatches deliveries of queue <c>{Text.Xml(consumer.Queue.Name)}</c> to {Text.TypeReference(consumer.TypeName)}.");
        w.GeneratedType();
        // It keeps no context after a dispatch and shares one only with handlers that take it: the consumer reuses the rest.
        w.Open($"internal sealed class {ClassName(consumer)} : {(batches.Count > 0 ? "IBatchDispatcher" : "IMessageDispatcher")}, IReleasesMessageContext");
        if (batches.Count > 0)
        {
            EmitBatchMembers(w, batches);
        }

        var helpers = new List<string[]>();
        var exchangeTypes = ExchangeTypes(consumer);
        var positions = new BindingMatchers.Positions(BindingMatchers.Positions.Count(consumer.Handlers, exchangeTypes));
        if (handlers.Count == 1)
        {
            EmitOnlyHandler(w, consumer, handlers[0], exchangeTypes, positions, helpers);
        }
        else
        {
            EmitChoice(w, consumer, handlers, exchangeTypes, positions, helpers);
        }

        foreach (var handler in handlers.Where(h => handlers.Count > 1 || h.Model.Batch is not null))
        {
            w.Line();
            EmitHandler(w, consumer, handler);
        }

        foreach (var handler in handlers.Where(h => h.Policy is not null))
        {
            w.Line();
            w.Summary($"The retry policy of <c>{Text.Xml(handler.Model.MethodName)}</c>.");
            w.Line($"private static readonly RetryPolicy {handler.Policy} =");
            RetryPolicies.Emit(w, handler.Model.RetryOverride!, ";");
        }

        foreach (var helper in helpers)
        {
            w.Line();
            foreach (var line in helper)
            {
                w.Line(line);
            }
        }

        w.Close();
    }

    private static Dictionary<string, string> ExchangeTypes(ConsumerModel consumer)
    {
        var types = new Dictionary<string, string>();
        foreach (var handler in consumer.Handlers)
        {
            var exchange = handler.Message.Exchange ?? consumer.DefaultExchange;
            if (exchange is not null && !types.ContainsKey(exchange.Name))
            {
                types.Add(exchange.Name, exchange.Type);
            }
        }

        return types;
    }

    /// <summary>
    /// The <c>IBatchDispatcher</c> members of a dispatcher with batch handlers: the consumer runs at least the largest
    /// batch's size of deliveries at once, and a graceful stop hands every partial batch over.
    /// </summary>
    private static void EmitBatchMembers(SourceWriter w, List<Handler> batches)
    {
        w.Line("/// <summary>The largest batch of this queue's handlers.</summary>");
        w.Line($"public int Size => {batches.Max(b => b.Model.Batch!.Size)};");
        w.Line();
        w.Line("/// <summary>Hands every partial batch to its handler (graceful stop).</summary>");
        w.Open("public void Flush()");
        foreach (var handler in batches)
        {
            w.Line($"{handler.Batch}.Flush();");
        }

        w.Close();
        w.Line();
    }

    /// <summary>
    /// A class with one handler: a message of its contract, or without a type (sent straight to the queue, or from a
    /// dead-letter exchange), can only be meant for it. A foreign type must come through one of its bindings: its body
    /// may be anything.
    /// </summary>
    private static void EmitOnlyHandler(SourceWriter w, ConsumerModel consumer, Handler handler, IReadOnlyDictionary<string, string> exchangeTypes, BindingMatchers.Positions positions, List<string[]> helpers)
    {
        var model = handler.Model;
        var known = model.Message.Payload == PayloadKind.Json ? $"{Literals.String(model.Message.ContractName)} or null or \"\"" : "null or \"\"";
        w.Summary($"{Describe(consumer, model)}; a message of another type only through its bindings.");
        w.Open($"public {Outcome} DispatchAsync(MessageContext context)");
        w.Open($"if (context.MessageType is not ({known}))");
        w.Line("var (exchange, key) = RoutingKeys.Published(context);");
        if (model.Bindings.Count > 0)
        {
            BindingMatchers.Emit(w, "var bound = ", ";", handler.Binds, model.Bindings, exchangeTypes, positions, helpers);
            w.Open("if (!bound)");
        }

        w.Call("return WarrenDispatch.NoHandler(", ["context", Literals.String(consumer.Queue.Name), "exchange", "key"], ");");
        if (model.Bindings.Count > 0)
        {
            w.Close();
        }

        w.Close();
        w.Line();
        if (model.Batch is null)
        {
            EmitCall(w, consumer, handler);
        }
        else
        {
            w.Line($"return {handler.Name}(context);");
        }

        w.Close();
    }

    /// <summary>A class with several handlers: by contract name (the <c>type</c> property), else by where it was published.</summary>
    private static void EmitChoice(SourceWriter w, ConsumerModel consumer, List<Handler> handlers, IReadOnlyDictionary<string, string> exchangeTypes, BindingMatchers.Positions positions, List<string[]> helpers)
    {
        w.Line("/// <summary>By contract name (the <c>type</c> property); anything else by where it was published.</summary>");
        w.Open($"public {Outcome} DispatchAsync(MessageContext context)");

        // Text and byte handlers have no contract: routing key and exchange select them.
        var typed = handlers.Where(h => h.Model.Message.Payload == PayloadKind.Json).GroupBy(h => h.Model.Message.ContractName).Select(g => g.First()).ToList();
        if (typed.Count > 0)
        {
            w.Open("switch (context.MessageType)");
            foreach (var handler in typed)
            {
                w.Line($"case {Literals.String(handler.Model.Message.ContractName)}:");
                w.Line($"    return {handler.Name}(context);");
            }

            w.Close();
            w.Line();
        }

        w.Line("var (exchange, key) = RoutingKeys.Published(context);");
        foreach (var handler in handlers.Where(h => h.Model.Bindings.Count > 0))
        {
            BindingMatchers.Emit(w, "if (", ")", handler.Binds, handler.Model.Bindings, exchangeTypes, positions, helpers);
            w.Open(string.Empty);
            w.Line($"return {handler.Name}(context);");
            w.Close();
            w.Line();
        }

        w.Call("return WarrenDispatch.NoHandler(", ["context", Literals.String(consumer.Queue.Name), "exchange", "key"], ");");
        w.Close();
    }

    /// <summary>The name of a group's list of runtime dispatchers with the default failure policy.</summary>
    public const string DefaultRetryListName = ModelNames.DefaultRetryList;

    /// <summary>The object initializer of a listed dispatcher: its queue's prefetch and concurrency, when set.</summary>
    private static string Settings(ConsumerModel consumer)
    {
        var settings = new List<string>();
        if (consumer.Queue.Prefetch > 0)
        {
            settings.Add("Prefetch = " + consumer.Queue.Prefetch.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (consumer.Queue.Concurrency > 0)
        {
            settings.Add("Concurrency = " + consumer.Queue.Concurrency.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return settings.Count == 0 ? string.Empty : " { " + string.Join(", ", settings) + " }";
    }

    /// <summary>Message → handler method, with <c>&lt;c&gt;</c> marks for a doc comment, or as plain text for a line comment.</summary>
    private static string Describe(ConsumerModel consumer, HandlerModel model, bool plain = false)
    {
        var message = model.Message.Payload == PayloadKind.Json ? model.Message.ContractName : Text.Short(model.Message.TypeName);
        var batch = model.Batch is null ? string.Empty : $", in batches of up to {model.Batch.Size}";
        var method = $"{Text.Short(consumer.TypeName)}.{model.MethodName}";
        return plain ? $"{Text.Comment(message)} → {Text.Comment(method)}{batch}" : $"<c>{Text.Xml(message)}</c> → <c>{Text.Xml(method)}</c>{batch}";
    }

    /// <summary>A method per handler of a class with several, and per batch handler.</summary>
    private static void EmitHandler(SourceWriter w, ConsumerModel consumer, Handler handler)
    {
        w.Summary(Describe(consumer, handler.Model));
        if (handler.Model.Batch is not null)
        {
            EmitBatchHandler(w, consumer, handler);
            return;
        }

        w.Open($"private static {Outcome} {handler.Name}(MessageContext context)");
        EmitCall(w, consumer, handler);
        w.Close();
    }

    /// <summary>
    /// A handler call without an async state machine of its own: a handler that completes at once is acknowledged at
    /// once, one that does not is awaited by <c>WarrenDispatch.AckWhenDone</c>. An exception thrown before the handler
    /// returns its task fails the delivery just as one from the task does.
    /// </summary>
    private static void EmitCall(SourceWriter w, ConsumerModel consumer, Handler handler)
    {
        var model = handler.Model;
        var arguments = model.Parameters.Select(p => p switch
        {
            ParameterKind.Context => "WarrenDispatch.Shared(context)",
            ParameterKind.CancellationToken => "context.CancellationToken",
            _ => "message!",
        }).ToList();
        var target = $"WarrenDispatch.Handler<{consumer.TypeName}>(context).{Identifiers.Escape(model.MethodName)}(";
        var call = target + string.Join(", ", arguments) + ")";
        if (model.Message.Payload == PayloadKind.Json)
        {
            w.Open($"if (!MessageDispatcher.TryDeserialize(context, WarrenJsonTypes.{model.Message.Identifier}, out var message, out var error))");
        }
        else
        {
            w.Open($"if (!MessageDispatcher.TryRead(context, {Payloads.Format(model.Message.Payload)}, out var message, out var error))");
        }

        w.Line("return WarrenDispatch.DeadLetter(error!);");
        w.Close();
        w.Line();
        if (handler.Policy is not null)
        {
            // The handler's own retry policy travels with the failure; timeouts (cancellation) keep the queue's.
            w.Open("try");
        }

        if (model.Returns == ReturnKind.Void)
        {
            w.Call(target, arguments, ");");
            w.Line("return WarrenDispatch.Acknowledged;");
        }
        else
        {
            var policy = handler.Policy is null ? string.Empty : ", " + handler.Policy;
            var single = $"return WarrenDispatch.AckWhenDone({call}{policy});";
            if (w.Fits(single))
            {
                w.Line(single);
            }
            else
            {
                // The handler call on a line of its own; its arguments too when it still does not fit.
                w.Line("return WarrenDispatch.AckWhenDone(");
                if (w.Fits($"    {call}{policy});"))
                {
                    w.Line($"    {call}{policy});");
                }
                else
                {
                    w.Call("    " + target, arguments, $"){policy});");
                }
            }
        }

        if (handler.Policy is not null)
        {
            w.Close();
            w.Open("catch (global::System.Exception exception) when (exception is not global::System.OperationCanceledException)");
            w.Line($"return WarrenDispatch.Failed(exception, {handler.Policy});");
            w.Close();
        }
    }

    /// <summary>
    /// A batch handler: the delivery joins the batch of its <c>BatchDispatcher</c>, which deserializes it, calls the
    /// method once per batch with the handler class resolved from the batch's first message's scope, and on failure
    /// splits the batch down to the message that fails alone. The outcome is this delivery's own.
    /// </summary>
    private static void EmitBatchHandler(SourceWriter w, ConsumerModel consumer, Handler handler)
    {
        var model = handler.Model;
        var arguments = model.Parameters.Select(p => p == ParameterKind.CancellationToken ? "cancellationToken" : "messages").ToList();
        var target = $"services.GetRequiredService<{consumer.TypeName}>().{Identifiers.Escape(model.MethodName)}(";
        var call = target + string.Join(", ", arguments) + ")";
        if (handler.Policy is null)
        {
            w.Continued($"private {Outcome} {handler.Name}(MessageContext context) =>", $"{handler.Batch}.DispatchAsync(context);");
        }
        else
        {
            // The handler's own retry policy travels with the failure; timeouts (cancellation) keep the queue's.
            w.Open($"private async {Outcome} {handler.Name}(MessageContext context)");
            w.Line($"var outcome = await {handler.Batch}.DispatchAsync(context).ConfigureAwait(false);");
            w.Line("return outcome.Action == DispatchAction.Requeue && outcome.Exception is { } exception");
            w.Line("        && exception is not global::System.OperationCanceledException");
            w.Line($"    ? DispatchOutcome.Failed(outcome.Reason!, exception, {handler.Policy})");
            w.Line("    : outcome;");
            w.Close();
        }

        w.Line();
        w.Line($"private readonly BatchDispatcher<{model.Message.TypeName}> {handler.Batch} = new(");
        w.Line($"    WarrenJsonTypes.{model.Message.Identifier},");
        w.Line($"    {model.Batch!.Size},");
        w.Line($"    global::System.TimeSpan.FromMilliseconds({model.Batch.TimeoutMilliseconds}),");
        const string Lambda = "    static (messages, services, cancellationToken) =>";
        switch (model.Returns)
        {
            case ReturnKind.Void:
                if (!w.Fits($"{Lambda} {{ {call}; return default; }});"))
                {
                    // Too long for one line: a block.
                    w.Line(Lambda);
                    w.Line("    {");
                    w.Call("        " + target, arguments, ");");
                    w.Line("        return default;");
                    w.Line("    });");
                    break;
                }

                w.Line($"{Lambda} {{ {call}; return default; }});");
                break;
            case ReturnKind.Task:
                if (w.Fits($"{Lambda} new ValueTask({call}));") || w.Fits($"        new ValueTask({call}));"))
                {
                    w.Continued(Lambda, $"new ValueTask({call}));");
                    break;
                }

                // Too long after the arrow as well: the call on a line of its own, its arguments too if need be.
                w.Line(Lambda);
                w.Line("        new ValueTask(");
                w.Call("            " + target, arguments, ")));");
                break;
            default:
                if (w.Fits($"{Lambda} {call});") || w.Fits($"        {call});"))
                {
                    w.Continued(Lambda, call + ");");
                    break;
                }

                w.Line(Lambda);
                w.Call("        " + target, arguments, "));");
                break;
        }
    }

    private sealed class Handler(HandlerModel model, string name)
    {
        public string Batch { get; set; } = string.Empty;

        public HandlerModel Model { get; } = model;

        public string Name { get; } = name;

        public string Binds { get; set; } = string.Empty;

        public string? Policy { get; set; }
    }
}

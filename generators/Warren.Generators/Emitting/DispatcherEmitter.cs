using System.Collections.Generic;
using System.Linq;
using Warren.Generators.Model;
using Warren.Generators.Parsing;

namespace Warren.Generators.Emitting;

/// <summary>
/// Emits one dispatcher per consumer class. The handler is chosen by the message's <c>type</c> property; a message
/// without one, or with a type no handler of the queue knows (other producers' names), goes by the exchange and routing
/// key it was published with, matched against exactly that class's bindings. Only when neither selects a handler is it
/// dead-lettered, with a reason naming both.
/// </summary>
internal static class DispatcherEmitter
{
    private const string Outcome = "ValueTask<DispatchOutcome>";

    public static string HintName(ConsumerModel consumer) => $"{consumer.Identifier}.Dispatcher.g.cs";

    public static string ClassName(ConsumerModel consumer) => consumer.Identifier + "Dispatcher";

    public static string Emit(ConsumerModel consumer)
    {
        var names = new Identifiers.Unique("DispatchAsync", "ByRoutingKey", "Queue");
        var handlers = consumer.Handlers
            .Select(h => new Handler(h, names.Take("Handle" + (h.Message.Payload == PayloadKind.Json ? Identifiers.ShortTypeName(h.Message.TypeName) : h.Message.Payload.ToString()))))
            .ToList();
        foreach (var handler in handlers)
        {
            handler.Binds = names.Take("Binds" + handler.Name.Substring("Handle".Length));
        }

        var w = new SourceWriter();
        w.Open("namespace Warren.Generated");
        w.Line("using global::Microsoft.Extensions.DependencyInjection;");
        w.Line("using global::System.Threading.Tasks;");
        w.Line("using global::Warren.Infrastructure;");
        w.Line();
        w.Line($"/// <summary>Dispatches deliveries of queue <c>{Text.Xml(consumer.Queue.Name)}</c> to {Text.TypeReference(consumer.TypeName)}.</summary>");
        w.GeneratedType();
        var batches = handlers.Where(h => h.Model.Batch is not null).ToList();
        foreach (var handler in batches)
        {
            handler.Batch = names.Take("_" + char.ToLowerInvariant(handler.Name[6]) + handler.Name.Substring(7) + "Batch");
        }

        // It keeps no context after a dispatch and shares one only with handlers that take it: the consumer reuses the rest.
        w.Open($"internal sealed class {ClassName(consumer)} : {(batches.Count > 0 ? "IBatchDispatcher" : "IMessageDispatcher")}, IReleasesMessageContext");
        w.Line($"private const string Queue = {Literals.String(consumer.Queue.Name)};");
        w.Line();
        if (batches.Count > 0)
        {
            EmitBatchMembers(w, batches);
        }

        w.Line("/// <summary>By contract name (the <c>type</c> property); anything else by where it was published.</summary>");
        w.Line($"public {Outcome} DispatchAsync(MessageContext context) => context.MessageType switch");
        w.Open(string.Empty);
        // Text and byte handlers have no contract: routing key and exchange select them.
        foreach (var handler in handlers.Where(h => h.Model.Message.Payload == PayloadKind.Json).GroupBy(h => h.Model.Message.ContractName).Select(g => g.First()))
        {
            w.Line($"{Literals.String(handler.Model.Message.ContractName)} => {handler.Name}(context),");
        }

        w.Line("_ => ByRoutingKey(context),");
        w.Close(";");
        w.Line();
        EmitByRoutingKey(w, consumer, handlers);
        foreach (var handler in handlers)
        {
            w.Line();
            EmitHandler(w, consumer, handler);
        }

        foreach (var handler in handlers.Where(h => h.Model.Bindings.Count > 0))
        {
            w.Line();
            BindingMatchers.Emit(w, handler.Binds, handler.Model.Bindings, ExchangeTypes(consumer));
        }

        w.Close();
        w.Close();
        return w.ToString();
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

    private static void EmitByRoutingKey(SourceWriter w, ConsumerModel consumer, List<Handler> handlers)
    {
        w.Line("/// <summary>A message without a type this queue knows: the handler bound to where it was published.</summary>");
        w.Open($"private {(handlers.Any(h => h.Model.Batch is not null) ? string.Empty : "static ")}{Outcome} ByRoutingKey(MessageContext context)");
        w.Line("var (exchange, key) = RoutingKeys.Published(context);");
        if (handlers.Count == 1)
        {
            // One handler: an untyped message can only be meant for it (sent straight to the queue, or from a dead-letter
            // exchange). A foreign type must come through one of its bindings: its body may be anything.
            var only = handlers[0];
            var conditions = new List<string> { "string.IsNullOrEmpty(context.MessageType)" };
            if (only.Model.Bindings.Count > 0)
            {
                conditions.Add($"{only.Binds}(context, exchange, key)");
            }

            w.Line($"return {string.Join(" || ", conditions)}");
            w.Line($"    ? {only.Name}(context)");
            w.Line("    : WarrenDispatch.NoHandler(context, Queue, exchange, key);");
        }
        else
        {
            foreach (var handler in handlers.Where(h => h.Model.Bindings.Count > 0))
            {
                w.Open($"if ({handler.Binds}(context, exchange, key))");
                w.Line($"return {handler.Name}(context);");
                w.Close();
                w.Line();
            }

            w.Line("return WarrenDispatch.NoHandler(context, Queue, exchange, key);");
        }

        w.Close();
    }

    /// <summary>
    /// A handler call without an async state machine of its own: a handler that completes at once is acknowledged at
    /// once, one that does not is awaited by <c>WarrenDispatch.AckWhenDone</c>. An exception thrown before the handler
    /// returns its task fails the delivery just as one from the task does.
    /// </summary>
    private static void EmitHandler(SourceWriter w, ConsumerModel consumer, Handler handler)
    {
        var model = handler.Model;
        if (model.Batch is not null)
        {
            EmitBatchHandler(w, consumer, handler);
            return;
        }

        var arguments = string.Join(", ", model.Parameters.Select(p => p switch
        {
            ParameterKind.Context => "WarrenDispatch.Shared(context)",
            ParameterKind.CancellationToken => "context.CancellationToken",
            _ => "message!",
        }));
        var call = $"WarrenDispatch.Handler<{consumer.TypeName}>(context).{Identifiers.Escape(model.MethodName)}({arguments})";
        var policy = model.RetryOverride is null ? null : handler.Name + "Policy";
        var policyArgument = policy is null ? string.Empty : ", " + policy;

        w.Line($"/// <summary><c>{Text.Xml(model.Message.Payload == PayloadKind.Json ? model.Message.ContractName : Text.Short(model.Message.TypeName))}</c> → <c>{Text.Xml(Text.Short(consumer.TypeName))}.{Text.Xml(model.MethodName)}</c></summary>");
        w.Open($"private static {Outcome} {handler.Name}(MessageContext context)");
        w.Open(model.Message.Payload == PayloadKind.Json
            ? $"if (!MessageDispatcher.TryDeserialize(context, WarrenJsonTypes.{model.Message.Identifier}, out var message, out var error))"
            : $"if (!MessageDispatcher.TryRead(context, {Payloads.Format(model.Message.Payload)}, out var message, out var error))");
        w.Line("return WarrenDispatch.DeadLetter(error!);");
        w.Close();
        w.Line();
        var statements = model.Returns == ReturnKind.Void
            ? new[] { $"{call};", "return WarrenDispatch.Acknowledged;" }
            : new[] { $"return WarrenDispatch.AckWhenDone({call}{policyArgument});" };
        if (policy is null)
        {
            foreach (var statement in statements)
            {
                w.Line(statement);
            }

            w.Close();
            return;
        }

        // The handler's own retry policy travels with the failure; timeouts (cancellation) keep the queue's.
        w.Open("try");
        foreach (var statement in statements)
        {
            w.Line(statement);
        }

        w.Close();
        w.Open("catch (global::System.Exception exception) when (exception is not global::System.OperationCanceledException)");
        w.Line($"return WarrenDispatch.Failed(exception, {policy});");
        w.Close();
        w.Close();
        w.Line();
        w.Line($"/// <summary>The retry policy of <c>{Text.Xml(model.MethodName)}</c>.</summary>");
        w.Line($"private static readonly RetryPolicy {policy} =");
        RetryPolicies.Emit(w, model.RetryOverride!, ";");
    }

    /// <summary>
    /// A batch handler: the delivery joins the batch of its <c>BatchDispatcher</c>, which deserializes it, calls the
    /// method once per batch with the handler class resolved from the batch's first message's scope, and on failure
    /// splits the batch down to the message that fails alone. The outcome is this delivery's own.
    /// </summary>
    private static void EmitBatchHandler(SourceWriter w, ConsumerModel consumer, Handler handler)
    {
        var model = handler.Model;
        var arguments = string.Join(", ", model.Parameters.Select(p => p == ParameterKind.CancellationToken ? "cancellationToken" : "messages"));
        var call = $"services.GetRequiredService<{consumer.TypeName}>().{Identifiers.Escape(model.MethodName)}({arguments})";
        var policy = model.RetryOverride is null ? null : handler.Name + "Policy";
        w.Line($"/// <summary><c>{Text.Xml(model.Message.ContractName)}</c> → <c>{Text.Xml(Text.Short(consumer.TypeName))}.{Text.Xml(model.MethodName)}</c>, in batches of up to {model.Batch!.Size}</summary>");
        if (policy is null)
        {
            w.Line($"private {Outcome} {handler.Name}(MessageContext context) => {handler.Batch}.DispatchAsync(context);");
        }
        else
        {
            // The handler's own retry policy travels with the failure; timeouts (cancellation) keep the queue's.
            w.Open($"private async {Outcome} {handler.Name}(MessageContext context)");
            w.Line($"var outcome = await {handler.Batch}.DispatchAsync(context).ConfigureAwait(false);");
            w.Line("return outcome.Action == DispatchAction.Requeue && outcome.Exception is { } exception && exception is not global::System.OperationCanceledException");
            w.Line($"    ? DispatchOutcome.Failed(outcome.Reason!, exception, {policy})");
            w.Line("    : outcome;");
            w.Close();
        }

        w.Line();
        w.Line($"private readonly BatchDispatcher<{model.Message.TypeName}> {handler.Batch} = new(");
        w.Line($"    WarrenJsonTypes.{model.Message.Identifier},");
        w.Line($"    {model.Batch.Size},");
        w.Line($"    global::System.TimeSpan.FromMilliseconds({model.Batch.TimeoutMilliseconds}),");
        switch (model.Returns)
        {
            case ReturnKind.Void:
                w.Line($"    static (messages, services, cancellationToken) => {{ {call}; return default; }});");
                break;
            case ReturnKind.Task:
                w.Line($"    static (messages, services, cancellationToken) => new ValueTask({call}));");
                break;
            default:
                w.Line($"    static (messages, services, cancellationToken) => {call});");
                break;
        }

        if (policy is not null)
        {
            w.Line();
            w.Line($"/// <summary>The retry policy of <c>{Text.Xml(model.MethodName)}</c>.</summary>");
            w.Line($"private static readonly RetryPolicy {policy} =");
            RetryPolicies.Emit(w, model.RetryOverride!, ";");
        }
    }

    private sealed class Handler(HandlerModel model, string name)
    {
        public string Batch { get; set; } = string.Empty;

        public HandlerModel Model { get; } = model;

        public string Name { get; } = name;

        public string Binds { get; set; } = string.Empty;
    }
}

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
        var names = new Identifiers.Unique("DispatchAsync", "ByRoutingKey", "NoHandler");
        var handlers = consumer.Handlers
            .Select(h => new Handler(h, names.Take("Handle" + Identifiers.ShortTypeName(h.Message.TypeName))))
            .ToList();
        foreach (var handler in handlers)
        {
            handler.Binds = names.Take("Binds" + handler.Name.Substring("Handle".Length));
        }

        var w = new SourceWriter();
        w.Open("namespace Warren.Generated");
        w.Line("using global::Microsoft.Extensions.DependencyInjection;");
        w.Line("using global::System.Threading.Tasks;");
        w.Line();
        w.Line($"/// <summary>Dispatches deliveries of queue <c>{Text.Xml(consumer.Queue.Name)}</c> to {Text.TypeReference(consumer.TypeName)}.</summary>");
        w.GeneratedType();
        w.Open($"internal sealed class {ClassName(consumer)} : IMessageDispatcher");
        w.Line("/// <summary>By contract name (the <c>type</c> property); anything else by where it was published.</summary>");
        w.Line($"public {Outcome} DispatchAsync(MessageContext context) => context.MessageType switch");
        w.Open(string.Empty);
        foreach (var handler in handlers.GroupBy(h => h.Model.Message.ContractName).Select(g => g.First()))
        {
            w.Line($"{Literals.String(handler.Model.Message.ContractName)} => {handler.Name}(context),");
        }

        w.Line("_ => ByRoutingKey(context),");
        w.Close(";");
        w.Line();
        EmitByRoutingKey(w, consumer, handlers);
        w.Line();
        EmitNoHandler(w, consumer);
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

    private static void EmitByRoutingKey(SourceWriter w, ConsumerModel consumer, List<Handler> handlers)
    {
        w.Line("/// <summary>A message without a type this queue knows: the handler bound to where it was published.</summary>");
        w.Open($"private static {Outcome} ByRoutingKey(MessageContext context)");
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
            w.Line("    : NoHandler(context, exchange, key);");
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

            w.Line("return NoHandler(context, exchange, key);");
        }

        w.Close();
    }

    private static void EmitNoHandler(SourceWriter w, ConsumerModel consumer)
    {
        var queue = Text.Interpolated(consumer.Queue.Name);
        w.Line("/// <summary>Neither the type nor the routing key selects a handler: dead-lettered, with both in the reason.</summary>");
        w.Line($"private static {Outcome} NoHandler(MessageContext context, string exchange, string key) =>");
        w.Line("    new(DispatchOutcome.DeadLetter(string.IsNullOrEmpty(context.MessageType)");
        w.Line($"        ? $\"Queue {queue} has no handler for a message without a type published to exchange '{{exchange}}' with routing key '{{key}}'.\"");
        w.Line($"        : $\"Queue {queue} has no handler for message type '{{context.MessageType}}', nor one bound to exchange '{{exchange}}' with routing key '{{key}}'.\"));");
    }

    private static void EmitHandler(SourceWriter w, ConsumerModel consumer, Handler handler)
    {
        var model = handler.Model;
        var awaits = model.Returns != ReturnKind.Void;
        var done = awaits ? "return DispatchOutcome.Ack;" : "return new(DispatchOutcome.Ack);";
        string Result(string outcome) => awaits ? $"return {outcome};" : $"return new({outcome});";

        w.Line($"/// <summary><c>{Text.Xml(model.Message.ContractName)}</c> → <c>{Text.Xml(Text.Short(consumer.TypeName))}.{Text.Xml(model.MethodName)}</c></summary>");
        w.Open($"private static {(awaits ? "async " : string.Empty)}{Outcome} {handler.Name}(MessageContext context)");
        w.Open($"if (!MessageDispatcher.TryDeserialize(context, WarrenJsonTypes.{model.Message.Identifier}, out var message, out var error))");
        w.Line(Result("DispatchOutcome.DeadLetter(error!)"));
        w.Close();
        w.Line();
        var arguments = string.Join(", ", model.Parameters.Select(p => p switch
        {
            ParameterKind.Context => "context",
            ParameterKind.CancellationToken => "context.CancellationToken",
            _ => "message!",
        }));
        var method = Identifiers.Escape(model.MethodName);
        var call = $"context.Services.GetRequiredService<{consumer.TypeName}>().{method}({arguments})";
        var statement = awaits ? $"await {call}.ConfigureAwait(false);" : $"{call};";
        if (model.RetryOverride is not { } policy)
        {
            w.Line(statement);
            w.Line(done);
            w.Close();
            return;
        }

        // The handler's own retry policy travels with the failure; timeouts (cancellation) keep the queue's.
        w.Open("try");
        w.Line(statement);
        w.Close();
        w.Open("catch (global::System.Exception exception) when (exception is not global::System.OperationCanceledException)");
        w.Line("var reason = $\"{exception.GetType().FullName}: {exception.Message}\";");
        w.Line(Result($"DispatchOutcome.Failed(reason, exception, {handler.Name}Policy)"));
        w.Close();
        w.Line();
        w.Line(done);
        w.Close();
        w.Line();
        w.Line($"/// <summary>The retry policy of <c>{Text.Xml(model.MethodName)}</c>.</summary>");
        w.Line($"private static readonly RetryPolicy {handler.Name}Policy =");
        RetryPolicies.Emit(w, policy, ";");
    }

    private sealed class Handler(HandlerModel model, string name)
    {
        public HandlerModel Model { get; } = model;

        public string Name { get; } = name;

        public string Binds { get; set; } = string.Empty;
    }
}

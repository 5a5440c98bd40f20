using System.Collections.Generic;
using System.Linq;
using Warren.Generators.Model;
using Warren.Generators.Parsing;

namespace Warren.Generators.Emitting;

/// <summary>
/// Emits one dispatcher per consumer class: the handler is chosen by the message's <c>type</c> property, or, for
/// messages without one (other producers), by matching the routing key against exactly that class's binding patterns.
/// </summary>
internal static class DispatcherEmitter
{
    public static string HintName(ConsumerModel consumer) => $"{consumer.Identifier}.Dispatcher.g.cs";

    public static string ClassName(ConsumerModel consumer) => consumer.Identifier + "Dispatcher";

    public static string Emit(ConsumerModel consumer)
    {
        var w = new SourceWriter();
        var handlers = consumer.Handlers;
        var byType = handlers.GroupBy(h => h.Message.ContractName).Select(g => g.First()).ToList();
        var exchangeTypes = ExchangeTypes(consumer);
        w.Open("namespace Warren.Generated");
        w.Line($"/// <summary>Dispatches deliveries of queue <c>{Xml(consumer.Queue.Name)}</c> to <see cref=\"{consumer.TypeName}\"/>.</summary>");
        w.Line(SourceWriter.GeneratedCode);
        w.Open($"internal sealed class {ClassName(consumer)} : global::Warren.IMessageDispatcher");
        w.Open("public global::System.Threading.Tasks.ValueTask<global::Warren.DispatchOutcome> DispatchAsync(global::Warren.MessageContext context)");
        w.Open("switch (context.MessageType)");
        for (var i = 0; i < handlers.Count; i++)
        {
            if (byType.Contains(handlers[i]))
            {
                w.Line($"case {Literals.String(handlers[i].Message.ContractName)}:");
                w.Line($"    return Handle{i}(context);");
            }
        }

        w.Line("case null:");
        w.Line("case \"\":");
        w.Line("    return ByRoutingKey(context);");
        w.Line("default:");
        w.Line($"    return new(global::Warren.DispatchOutcome.DeadLetter($\"Queue {Escape(consumer.Queue.Name)} has no handler for message type '{{context.MessageType}}'.\"));");
        w.Close();
        w.Close();
        w.Line();

        EmitByRoutingKey(w, consumer, exchangeTypes);
        for (var i = 0; i < handlers.Count; i++)
        {
            w.Line();
            EmitHandler(w, consumer, handlers[i], i);
        }

        var matcher = 0;
        foreach (var (pattern, _) in Patterns(consumer, exchangeTypes))
        {
            w.Line();
            EmitMatcher(w, pattern, matcher++);
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

    /// <summary>Topic and direct binding keys, in handler order, each with the handler it selects.</summary>
    private static List<(string Pattern, int Handler)> Patterns(ConsumerModel consumer, Dictionary<string, string> exchangeTypes)
    {
        var patterns = new List<(string, int)>();
        for (var i = 0; i < consumer.Handlers.Count; i++)
        {
            foreach (var binding in consumer.Handlers[i].Bindings)
            {
                if (binding.HeadersMatch is null && exchangeTypes.TryGetValue(binding.Exchange, out var type) && type is "topic" or "direct")
                {
                    patterns.Add((type == "direct" ? "=" + binding.RoutingKey : binding.RoutingKey, i));
                }
            }
        }

        return patterns;
    }

    private static void EmitByRoutingKey(SourceWriter w, ConsumerModel consumer, Dictionary<string, string> exchangeTypes)
    {
        w.Line("/// <summary>For messages without a <c>type</c>: the first handler whose binding matches the routing key.</summary>");
        w.Open("private static global::System.Threading.Tasks.ValueTask<global::Warren.DispatchOutcome> ByRoutingKey(global::Warren.MessageContext context)");
        var patterns = Patterns(consumer, exchangeTypes);
        if (patterns.Count > 0)
        {
            w.Line("var key = context.RoutingKey;");
            for (var m = 0; m < patterns.Count; m++)
            {
                w.Line($"if (Matches{m}(key)) return Handle{patterns[m].Handler}(context);");
            }
        }

        if (consumer.Handlers.Count == 1)
        {
            w.Line("return Handle0(context);");
        }
        else
        {
            w.Line($"return new(global::Warren.DispatchOutcome.DeadLetter($\"The message has no type property and no handler of queue {Escape(consumer.Queue.Name)} is bound to routing key '{{context.RoutingKey}}'.\"));");
        }

        w.Close();
    }

    private static void EmitHandler(SourceWriter w, ConsumerModel consumer, HandlerModel handler, int index)
    {
        var awaits = handler.Returns != ReturnKind.Void;
        var signature = awaits ? "async " : string.Empty;
        w.Line($"/// <summary>{Xml(handler.Message.ContractName)} → {ContractsEmitter.Short(consumer.TypeName)}.{handler.MethodName}</summary>");
        w.Open($"private static {signature}global::System.Threading.Tasks.ValueTask<global::Warren.DispatchOutcome> Handle{index}(global::Warren.MessageContext context)");
        w.Open($"if (!global::Warren.MessageDispatcher.TryDeserialize(context, global::Warren.Generated.WarrenJsonTypes.{handler.Message.Identifier}, out var message, out var error))");
        w.Line(awaits ? "return global::Warren.DispatchOutcome.DeadLetter(error!);" : "return new(global::Warren.DispatchOutcome.DeadLetter(error!));");
        w.Close();
        w.Line();
        w.Line($"var handler = global::Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<{consumer.TypeName}>(context.Services);");
        var arguments = string.Join(", ", handler.Parameters.Select(p => p switch
        {
            ParameterKind.Context => "context",
            ParameterKind.CancellationToken => "context.CancellationToken",
            _ => "message!",
        }));
        var call = awaits ? $"await handler.{handler.MethodName}({arguments}).ConfigureAwait(false);" : $"handler.{handler.MethodName}({arguments});";
        var ack = awaits ? "return global::Warren.DispatchOutcome.Ack;" : "return new(global::Warren.DispatchOutcome.Ack);";
        if (handler.RetryOverride is null)
        {
            w.Line(call);
            w.Line(ack);
        }
        else
        {
            // The handler's own retry policy travels with the failure; timeouts (cancellation) keep the queue's.
            w.Open("try");
            w.Line(call);
            w.Close();
            w.Open("catch (global::System.Exception exception) when (exception is not global::System.OperationCanceledException)");
            var failed = $"global::Warren.DispatchOutcome.Failed($\"{{exception.GetType().FullName}}: {{exception.Message}}\", exception, Policy{index})";
            w.Line(awaits ? $"return {failed};" : $"return new({failed});");
            w.Close();
            w.Line();
            w.Line(ack);
        }

        w.Close();
        if (handler.RetryOverride is { } policy)
        {
            w.Line();
            w.Line($"private static readonly global::Warren.RetryPolicy Policy{index} = {RegistrationEmitter.RetryPolicyExpression(policy)};");
        }
    }

    /// <summary>A matcher for one binding key: <c>=key</c> for direct exchanges, a topic pattern otherwise.</summary>
    private static void EmitMatcher(SourceWriter w, string pattern, int index)
    {
        if (pattern.StartsWith("="))
        {
            w.Line($"private static bool Matches{index}(string key) => key == {Literals.String(pattern.Substring(1))};");
            return;
        }

        var words = pattern.Length == 0 ? new string[0] : pattern.Split('.');
        var helpers = new List<string>();
        w.Line($"/// <summary>Topic pattern <c>{Xml(pattern)}</c></summary>");
        w.Open($"private static bool Matches{index}(string key)");
        w.Line("var p = global::Warren.RoutingKeys.Start(key);");
        w.Line($"return {Expression(words, 0, "p", index, helpers)};");
        w.Close();
        foreach (var helper in helpers)
        {
            w.Line();
            foreach (var line in helper.Split('\n'))
            {
                w.Line(line);
            }
        }
    }

    /// <summary>The condition that words[from..] match the key from position variable <paramref name="position"/>.</summary>
    private static string Expression(string[] words, int from, string position, int matcher, List<string> helpers)
    {
        var conditions = new List<string>();
        for (var i = from; i < words.Length; i++)
        {
            var word = words[i];
            if (word == "#")
            {
                if (i == words.Length - 1)
                {
                    // A trailing '#' matches whatever is left, even nothing.
                    return conditions.Count == 0 ? "true" : string.Join(" && ", conditions);
                }

                // '#' takes zero or more words: try the rest of the pattern at every position from here.
                var name = $"Matches{matcher}From{i}";
                var rest = Expression(words, i + 1, "q", matcher, helpers);
                helpers.Add(
                    $"private static bool {name}(string key, int p)\n{{\n    while (true)\n    {{\n        var q = p;\n        if ({rest}) return true;\n        if (!global::Warren.RoutingKeys.AnyWord(key, ref p)) return false;\n    }}\n}}");
                conditions.Add($"{name}(key, {position})");
                return string.Join(" && ", conditions);
            }

            conditions.Add(word == "*"
                ? $"global::Warren.RoutingKeys.AnyWord(key, ref {position})"
                : $"global::Warren.RoutingKeys.Word(key, ref {position}, {Literals.String(word)})");
        }

        conditions.Add($"global::Warren.RoutingKeys.AtEnd({position})");
        return string.Join(" && ", conditions);
    }

    /// <summary>Text inside an interpolated C# string literal.</summary>
    private static string Escape(string text) => text.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("{", "{{").Replace("}", "}}");

    /// <summary>Text inside an XML doc comment.</summary>
    private static string Xml(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}

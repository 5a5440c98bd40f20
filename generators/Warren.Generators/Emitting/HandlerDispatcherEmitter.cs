using System.Collections.Generic;
using System.Linq;
using Warren.Generators.Model;
using Warren.Generators.Parsing;

namespace Warren.Generators.Emitting;

/// <summary>
/// Writes the creation of the runtime's <c>HandlerDispatcher</c> for a consumer of the common shape
/// (<see cref="ConsumerModel.JsonContext"/>): its queue, contract name, JSON context, a static lambda calling the handler
/// method and its bindings as data. The compiler's time follows classes, methods and calls, so such a consumer costs a
/// constructor call and a lambda instead of a dispatcher class.
/// </summary>
internal static class HandlerDispatcherEmitter
{
    /// <summary>The lines of the <c>new HandlerDispatcher&lt;…&gt;(…)</c> expression, the last ending with <paramref name="end"/>.</summary>
    public static IReadOnlyList<string> Expression(ConsumerModel consumer, string end)
    {
        var handler = consumer.Handlers[0];
        var lines = new List<string>
        {
            $"new HandlerDispatcher<{consumer.TypeName}, {handler.Message.TypeName}>(",
            $"    {Literals.String(consumer.Queue.Name)}, {Literals.String(handler.Message.ContractName)}, {consumer.JsonContext}.Default,",
        };
        var bindings = Bindings(consumer, handler);
        lines.Add("    " + Lambda(handler) + (bindings.Count == 0 ? ")" + end : ","));
        for (var i = 0; i < bindings.Count; i++)
        {
            lines.Add("    " + bindings[i] + (i == bindings.Count - 1 ? ")" + end : ","));
        }

        return lines;
    }

    /// <summary>
    /// The handler call, without an async state machine: a <c>ValueTask</c> becomes its task (completed ones without an
    /// allocation), a <c>void</c> method a completed task.
    /// </summary>
    private static string Lambda(HandlerModel handler)
    {
        var arguments = string.Join(", ", handler.Parameters.Select(p => p switch
        {
            ParameterKind.Context => "WarrenDispatch.Shared(context)",
            ParameterKind.CancellationToken => "context.CancellationToken",
            _ => "message",
        }));
        var call = $"handler.{Identifiers.Escape(handler.MethodName)}({arguments})";
        const string Parameters = "static (handler, message, context) =>";
        return handler.Returns switch
        {
            ReturnKind.Void => $"{Parameters} {{ {call}; return global::System.Threading.Tasks.Task.CompletedTask; }}",
            ReturnKind.ValueTask => $"{Parameters} {call}.AsTask()",
            _ => $"{Parameters} {call}",
        };
    }

    /// <summary>The bindings a message of another type may come through, each by its exchange's kind (topic when not known).</summary>
    private static List<string> Bindings(ConsumerModel consumer, HandlerModel handler)
    {
        var exchange = handler.Message.Exchange ?? consumer.DefaultExchange;
        return handler.Bindings.Select(binding =>
        {
            var type = exchange is not null && exchange.Name == binding.Exchange ? exchange.Type : "topic";
            return type switch
            {
                "fanout" => $"RoutingBinding.Fanout({Literals.String(binding.Exchange)})",
                "direct" => $"RoutingBinding.Direct({Literals.String(binding.Exchange)}, {Literals.String(binding.RoutingKey)})",
                _ => $"RoutingBinding.Topic({Literals.String(binding.Exchange)}, {Literals.String(binding.RoutingKey)})",
            };
        }).ToList();
    }
}

using System.Collections.Generic;
using System.Linq;
using Warren.Generators.Model;
using Warren.Generators.Parsing;

namespace Warren.Generators.Emitting;

/// <summary>
/// Writes the creation of the runtime's <c>HandlerDispatcher</c> for a consumer of the common shape
/// (<see cref="ConsumerModel.JsonContext"/>): its queue, contract name, JSON context, the handler call and its bindings as
/// data. The compiler's time follows classes, methods and calls, so such a consumer costs a constructor call and a
/// switch arm (a class message) or a lambda (a struct) instead of a dispatcher class.
/// </summary>
internal static class HandlerDispatcherEmitter
{
    /// <summary>
    /// The lines of the <c>new HandlerDispatcher&lt;…&gt;(…)</c> expression, the last ending with <paramref name="end"/>.
    /// <paramref name="call"/>: the handler's index and the shared handler-call delegate (<see cref="SharedCall"/>), or
    /// null for a lambda of its own.
    /// </summary>
    public static IReadOnlyList<string> Expression(ConsumerModel consumer, string end, string? call)
    {
        var handler = consumer.Handlers[0];
        var lines = new List<string>
        {
            $"new HandlerDispatcher<{consumer.TypeName}, {handler.Message.TypeName}>(",
            $"    {Literals.String(consumer.Queue.Name)}, {Literals.String(handler.Message.ContractName)}, {consumer.JsonContext}.Default,",
        };
        var bindings = Bindings(consumer, handler);
        lines.Add("    " + (call ?? Lambda(handler)) + (bindings.Count == 0 ? ")" + end : ","));
        for (var i = 0; i < bindings.Count; i++)
        {
            lines.Add("    " + bindings[i] + (i == bindings.Count - 1 ? ")" + end : ","));
        }

        return lines;
    }

    /// <summary>
    /// Whether the handler is called through the method its file shares among dispatchers, a switch over an index whose
    /// arm casts the handler class and the message from <c>object</c>: only for a class message, which the cast does not
    /// box (a struct keeps its typed lambda).
    /// </summary>
    public static bool SharedCall(ConsumerModel consumer) => consumer.Handlers[0].Message.IsReferenceType;

    /// <summary>
    /// The statements of a shared call's switch arm: the handler call with the handler class and the message cast back to
    /// their types, as <see cref="Lambda"/> writes it, in lines for a column <paramref name="column"/>: the arguments on a
    /// line of their own when the call does not fit <see cref="SourceWriter.Width"/>.
    /// </summary>
    public static IReadOnlyList<string> Arm(ConsumerModel consumer, int column)
    {
        var handler = consumer.Handlers[0];
        var target = $"(({consumer.TypeName})handler).{Identifiers.Escape(handler.MethodName)}(";
        var arguments = Arguments(handler, $"({handler.Message.TypeName})message");
        var (prefix, suffix, after) = handler.Returns switch
        {
            ReturnKind.Void => (string.Empty, ");", "return global::System.Threading.Tasks.Task.CompletedTask;"),
            ReturnKind.ValueTask => ("return ", ").AsTask();", null),
            _ => ("return ", ");", null),
        };
        var lines = new List<string>();
        if (column + prefix.Length + target.Length + arguments.Length + suffix.Length <= SourceWriter.Width)
        {
            lines.Add(prefix + target + arguments + suffix);
        }
        else
        {
            lines.Add(prefix + target);
            lines.Add("    " + arguments + suffix);
        }

        if (after is not null)
        {
            lines.Add(after);
        }

        return lines;
    }

    private static string Arguments(HandlerModel handler, string message) =>
        string.Join(", ", handler.Parameters.Select(p => p switch
        {
            ParameterKind.Context => "WarrenDispatch.Shared(context)",
            ParameterKind.CancellationToken => "context.CancellationToken",
            _ => message,
        }));

    /// <summary>
    /// The handler call, without an async state machine: a <c>ValueTask</c> becomes its task (completed ones without an
    /// allocation), a <c>void</c> method a completed task.
    /// </summary>
    private static string Lambda(HandlerModel handler)
    {
        var call = $"handler.{Identifiers.Escape(handler.MethodName)}({Arguments(handler, "message")})";
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

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
    /// null for a lambda of its own. The expression starts at <paramref name="column"/>; a line that would not fit
    /// <see cref="SourceWriter.Width"/> is broken between arguments, or after the lambda's arrow.
    /// </summary>
    public static IReadOnlyList<string> Expression(ConsumerModel consumer, string end, string? call, int column)
    {
        var handler = consumer.Handlers[0];
        var lines = new List<string> { $"new HandlerDispatcher<{consumer.TypeName}, {handler.Message.TypeName}>(" };
        if (!Fits(column, lines[0]))
        {
            // Two long type names: a type argument a line.
            lines = ["new HandlerDispatcher<", $"    {consumer.TypeName},", $"    {handler.Message.TypeName}>("];
        }

        var names = new[] { Literals.String(consumer.Queue.Name), Literals.String(handler.Message.ContractName), $"{consumer.JsonContext}.Default" };
        if (Fits(column, $"    {string.Join(", ", names)},"))
        {
            lines.Add($"    {string.Join(", ", names)},");
        }
        else
        {
            lines.AddRange(names.Select(name => $"    {name},"));
        }

        var bindings = Bindings(consumer, handler);
        var last = bindings.Count == 0 ? ")" + end : ",";
        if (call is not null)
        {
            lines.Add("    " + call + last);
        }
        else
        {
            lines.AddRange(Lambda(handler, column + 4, last).Select(line => "    " + line));
        }

        for (var i = 0; i < bindings.Count; i++)
        {
            lines.Add("    " + bindings[i] + (i == bindings.Count - 1 ? ")" + end : ","));
        }

        return lines;
    }

    private static bool Fits(int column, string line) => column + line.Length <= SourceWriter.Width;

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
        if (Fits(column, prefix + target + arguments + suffix))
        {
            lines.Add(prefix + target + arguments + suffix);
        }
        else if (Fits(column, "    " + arguments + suffix))
        {
            lines.Add(prefix + target);
            lines.Add("    " + arguments + suffix);
        }
        else
        {
            // An argument a line.
            var each = ArgumentList(handler, $"({handler.Message.TypeName})message");
            lines.Add(prefix + target);
            lines.AddRange(each.Select((argument, i) => "    " + argument + (i == each.Count - 1 ? suffix : ",")));
        }

        if (after is not null)
        {
            lines.Add(after);
        }

        return lines;
    }

    private static string Arguments(HandlerModel handler, string message) => string.Join(", ", ArgumentList(handler, message));

    private static List<string> ArgumentList(HandlerModel handler, string message) =>
        handler.Parameters.Select(p => p switch
        {
            ParameterKind.Context => "WarrenDispatch.Shared(context)",
            ParameterKind.CancellationToken => "context.CancellationToken",
            _ => message,
        }).ToList();

    /// <summary>
    /// The handler call, without an async state machine: a <c>ValueTask</c> becomes its task (completed ones without an
    /// allocation), a <c>void</c> method a completed task. In lines for <paramref name="column"/>, the last ending with
    /// <paramref name="end"/>: on one when it fits <see cref="SourceWriter.Width"/>, else broken after the arrow (a
    /// block for a <c>void</c> method).
    /// </summary>
    private static List<string> Lambda(HandlerModel handler, int column, string end)
    {
        var call = $"handler.{Identifiers.Escape(handler.MethodName)}({Arguments(handler, "message")})";
        const string Parameters = "static (handler, message, context) =>";
        const string Completed = "return global::System.Threading.Tasks.Task.CompletedTask;";
        var body = handler.Returns switch
        {
            ReturnKind.Void => $"{{ {call}; {Completed} }}",
            ReturnKind.ValueTask => $"{call}.AsTask()",
            _ => call,
        };
        if (Fits(column, $"{Parameters} {body}{end}"))
        {
            return [$"{Parameters} {body}{end}"];
        }

        return handler.Returns == ReturnKind.Void
            ? [Parameters, "{", $"    {call};", $"    {Completed}", "}" + end]
            : [Parameters, $"    {body}{end}"];
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

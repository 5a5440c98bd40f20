using System.Linq;
using Warren.Generators.Model;
using Warren.Generators.Parsing;

namespace Warren.Generators.Emitting;

/// <summary>
/// Emits the implementation of a <c>[Publisher]</c> interface on top of <c>IPublisher</c>. Methods are implemented
/// explicitly, each for the interface that declares it, with the parameter types exactly as declared.
/// </summary>
internal static class PublisherEmitter
{
    public static string HintName(PublisherModel publisher) => $"{publisher.Identifier}.Publisher.g.cs";

    public static string ClassName(PublisherModel publisher) => publisher.Identifier + "Publisher";

    public static string Emit(PublisherModel publisher, GeneratedScope scope)
    {
        var names = new Identifiers.Unique("_publisher");
        var w = new SourceWriter();
        w.Open("namespace " + scope.Namespace);
        w.Summary($"Publishes the messages of {Text.TypeReference(publisher.InterfaceName)}: confirmed, mandatory, routed by their contracts.");
        w.GeneratedType();
        w.Open($"internal sealed class {ClassName(publisher)} : {publisher.InterfaceName}");
        w.Line("private readonly global::Warren.IPublisher _publisher;");
        w.Line();
        w.Open($"public {ClassName(publisher)}(global::Warren.IPublisher publisher)");
        w.Line("_publisher = publisher;");
        w.Close();
        foreach (var method in publisher.Methods)
        {
            w.Line();
            var returns = method.ReturnsTask ? "global::System.Threading.Tasks.Task" : "global::System.Threading.Tasks.ValueTask";
            var parameters = method.Parameters.Select(p => $"{p.Type} {Identifiers.Escape(p.Name)}").ToArray();
            var messageParameter = method.Parameters.First(p => p.Kind == PublisherParameter.Message);
            var message = Identifiers.Escape(messageParameter.Name);
            var token = method.Parameters.FirstOrDefault(p => p.Kind == PublisherParameter.CancellationToken) is { } t ? Identifiers.Escape(t.Name) : "default";
            var optionsParameter = method.Parameters.FirstOrDefault(p => p.Kind == PublisherParameter.Options);
            var keyBuilder = optionsParameter is null && method.RoutingParts.Any(p => p.IsProperty) ? names.Take($"{method.Name}RoutingKey") : null;
            var keyCache = keyBuilder is not null ? names.Take($"{method.Name}RoutingKeys") : null;

            // A TimeSpan parameter is the delay, a DateTimeOffset the delivery time (the rules allow one, without PublishOptions).
            var delay = method.Parameters.FirstOrDefault(p => p.Kind is PublisherParameter.Delay or PublisherParameter.DeliverAt) is { } d
                ? $"{(d.Kind == PublisherParameter.Delay ? "Delay" : "DeliverAt")} = {Identifiers.Escape(d.Name)}"
                : null;

            if (method.Message.Payload != PayloadKind.Json)
            {
                EmitRaw(w, method, returns, parameters, messageParameter, optionsParameter, delay, token);
                continue;
            }

            // A method with its own template publishes through a route made once (no options per publish): spans and
            // metrics name the template, not the concrete key.
            var route = optionsParameter is null && method.RoutingTemplate is not null ? names.Take($"{method.Name}Route") : null;
            var options = optionsParameter is not null ? Identifiers.Escape(optionsParameter.Name)
                : delay is not null ? $"new global::Warren.PublishOptions {{ {delay} }}"
                : "null";
            w.List($"{returns} {method.DeclaringInterface}.{Identifiers.Escape(method.Name)}(", parameters, ") =>");
            var ending = $"){(method.ReturnsTask ? ".AsTask()" : string.Empty)};";
            if (route is not null)
            {
                var key = keyBuilder is not null ? $"{scope.Qualifier}{ClassName(publisher)}.{keyBuilder}({message})" : Literals.String(method.RoutingTemplate!);
                w.List("    global::Warren.Infrastructure.WarrenPublishing.PublishAsync(", ["this._publisher", message, key, $"{scope.Qualifier}{ClassName(publisher)}.{route}", options, token], ending);
                w.Line();
                w.Line($"private static readonly global::Warren.Infrastructure.PublishRoute {route} = new({Literals.String(method.RoutingTemplate!)});");
            }
            else
            {
                w.List("    this._publisher.PublishAsync(", [message, options, token], ending);
            }

            if (keyBuilder is not null)
            {
                w.Line();
                ContractsEmitter.EmitRoutingKey(w, keyBuilder, keyCache!, method.Message.TypeName, method.RoutingParts);
            }
        }

        w.Close();
        w.Close();
        return w.ToString();
    }

    /// <summary>
    /// A text or byte method: the body as it is, to the interface's exchange (or the default one) with the method's
    /// literal key, or where its <c>PublishOptions</c> say. A null body is an error, never an empty message.
    /// </summary>
    private static void EmitRaw(
        SourceWriter w, PublisherMethodModel method, string returns, string[] parameters, PublisherParameterModel message, PublisherParameterModel? optionsParameter, string? delay, string token)
    {
        var body = Identifiers.Escape(message.Name);
        var exchange = Literals.String(method.Exchange?.Name ?? string.Empty);
        var key = Literals.String(method.RoutingTemplate ?? string.Empty);
        var options = delay is not null ? $"new global::Warren.PublishOptions {{ {delay} }}" : "null";
        if (optionsParameter is not null)
        {
            options = Identifiers.Escape(optionsParameter.Name);
            exchange = $"{options}?.Exchange ?? {exchange}";
            key = $"{options}?.RoutingKey ?? {key}";
        }

        var publish = method.Message.Payload == PayloadKind.Text ? "PublishTextAsync" : "PublishBytesAsync";
        var nullable = message.Type.EndsWith("?", System.StringComparison.Ordinal) ? "!" : string.Empty;
        w.Summary($"{(method.Message.Payload == PayloadKind.Text ? "Text (UTF-8, <c>text/plain</c>)" : "Bytes (<c>application/octet-stream</c>)")} to {(method.Exchange is null ? "the default exchange" : $"exchange <c>{Text.Xml(method.Exchange.Name)}</c>")}{(method.RoutingTemplate is null ? string.Empty : $" with routing key <c>{Text.Xml(method.RoutingTemplate)}</c>")}.");
        w.List($"{returns} {method.DeclaringInterface}.{Identifiers.Escape(method.Name)}(", parameters, ")");
        w.Open(string.Empty);
        if (method.Message.Payload != PayloadKind.Memory)
        {
            w.Line($"global::System.ArgumentNullException.ThrowIfNull({body});");
        }

        w.List($"return this._publisher.{publish}(", [exchange, key, body + nullable, options, token], $"){(method.ReturnsTask ? ".AsTask()" : string.Empty)};");
        w.Close();
    }
}

using System.Linq;
using Warren.Generators.Model;
using Warren.Generators.Parsing;

namespace Warren.Generators.Emitting;

/// <summary>Emits the implementation of a <c>[Publisher]</c> interface on top of <c>IPublisher</c>.</summary>
internal static class PublisherEmitter
{
    public static string HintName(PublisherModel publisher) => $"{publisher.Identifier}.Publisher.g.cs";

    public static string ClassName(PublisherModel publisher) => publisher.Identifier + "Publisher";

    public static string Emit(PublisherModel publisher)
    {
        var w = new SourceWriter();
        w.Open("namespace Warren.Generated");
        w.Line($"/// <summary>Publishes the messages of <see cref=\"{publisher.InterfaceName}\"/>: confirmed, mandatory, routed by their contracts.</summary>");
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
            var parameters = method.HasCancellationToken
                ? $"{method.Message.TypeName} {method.ParameterName}, global::System.Threading.CancellationToken {method.CancellationTokenName}"
                : $"{method.Message.TypeName} {method.ParameterName}";
            var token = method.HasCancellationToken ? method.CancellationTokenName : "default";
            var options = method.RoutingTemplate is null
                ? "null"
                : $"new global::Warren.PublishOptions {{ RoutingKey = {(method.RoutingParts.Any(p => p.IsProperty) ? $"RoutingKey_{method.Name}({method.ParameterName})" : Literals.String(method.RoutingTemplate))} }}";
            var call = $"_publisher.PublishAsync({method.ParameterName}, {options}, {token})";
            w.Line($"public {returns} {method.Name}({parameters}) => {call}{(method.ReturnsTask ? ".AsTask()" : string.Empty)};");
            if (method.RoutingParts.Any(p => p.IsProperty))
            {
                w.Line();
                ContractsEmitter.EmitRoutingKey(w, $"RoutingKey_{method.Name}", method.Message.TypeName, method.RoutingParts);
            }
        }

        w.Close();
        w.Close();
        return w.ToString();
    }
}

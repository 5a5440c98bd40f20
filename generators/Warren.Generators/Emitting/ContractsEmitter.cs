using System.Linq;
using Warren.Generators.Model;
using Warren.Generators.Parsing;

namespace Warren.Generators.Emitting;

/// <summary>Emits the JSON type-info lookups and the message contracts (route table, routing-key builders).</summary>
internal static class ContractsEmitter
{
    public const string HintName = "Warren.Contracts.g.cs";

    public static string Emit(ContractsModel model)
    {
        var w = new SourceWriter();
        w.Open("namespace Warren.Generated");

        w.Line("/// <summary>Serialization metadata for every message type, taken from the application's JsonSerializerContext.</summary>");
        w.GeneratedType();
        w.Open("internal static class WarrenJsonTypes");
        foreach (var type in model.JsonTypes)
        {
            var info = $"global::System.Text.Json.Serialization.Metadata.JsonTypeInfo<{type.TypeName}>";
            if (model.ContextFor(type.TypeName) is { } context)
            {
                w.Line($"private static {info}? _{type.Identifier};");
                w.Line();
                w.Line($"/// <summary>{Xml(type.TypeName)}</summary>");
                w.Line($"public static {info} {type.Identifier} => _{type.Identifier} ??= ({info})({context}.Default.GetTypeInfo(typeof({type.TypeName})) ?? throw new global::System.InvalidOperationException({Literals.String($"{context} returned no type information for {Short(type.TypeName)}.")}));");
            }
            else
            {
                w.Line($"/// <summary>{Xml(type.TypeName)}</summary>");
                w.Line($"public static {info} {type.Identifier} => throw new global::System.InvalidOperationException({Literals.String($"{Short(type.TypeName)} is in no JsonSerializerContext: add [JsonSerializable(typeof({Short(type.TypeName)}))] to the application's context.")});");
            }

            w.Line();
        }

        w.Close();
        w.Line();

        w.Line("/// <summary>The route table: contract name, exchange, routing key and priority of every message type.</summary>");
        w.GeneratedType();
        w.Open("internal static class WarrenContracts");
        w.Open("public static void Register(global::Warren.WarrenBuilder builder)");
        foreach (var message in model.Messages)
        {
            var exchange = Literals.String(message.Exchange?.Name ?? string.Empty);
            var key = message.RoutingParts.Any(p => p.IsProperty)
                ? $"RoutingKey_{message.Identifier}"
                : Literals.String(message.RoutingTemplate ?? message.ContractName);
            // A priority outside 1-255 is WRN010: no code for it.
            var priority = message.Priority is { } p and >= 1 and <= 255 ? $", {p}" : string.Empty;
            w.Line($"builder.AddContract(new global::Warren.MessageContract<{message.TypeName}>({Literals.String(message.ContractName)}, WarrenJsonTypes.{message.Identifier}, {exchange}, {key}{priority}));");
        }

        w.Close();
        foreach (var message in model.Messages.Where(m => m.RoutingParts.Any(p => p.IsProperty)))
        {
            w.Line();
            EmitRoutingKey(w, $"RoutingKey_{message.Identifier}", message.TypeName, message.RoutingParts);
        }

        w.Close();
        w.Close();
        return w.ToString();
    }

    /// <summary>A static method building a routing key from a message's properties.</summary>
    public static void EmitRoutingKey(SourceWriter w, string methodName, string typeName, EquatableArray<RoutingPart> parts)
    {
        w.Open($"internal static string {methodName}({typeName} message)");
        var missing = parts.FirstOrDefault(p => p.IsProperty && p.Format == PropertyFormat.None);
        if (missing is not null)
        {
            w.Line($"throw new global::System.InvalidOperationException({Literals.String($"{Short(typeName)} has no public property '{missing.Text}' for the routing-key placeholder {{{missing.Text}}}.")});");
        }
        else
        {
            var pieces = parts.Select(p => p.IsProperty
                ? $"global::Warren.RoutingKeys.Segment(message.{Identifiers.Escape(p.Text)}, {Literals.String(p.Text)}, {Literals.String(Short(typeName))})"
                : Literals.String(p.Text));
            w.Line($"return {string.Join(" + ", pieces)};");
        }

        w.Close();
    }

    public static string Short(string typeName)
    {
        var name = typeName.StartsWith("global::") ? typeName.Substring(8) : typeName;
        var dot = name.LastIndexOf('.');
        return dot < 0 ? name : name.Substring(dot + 1);
    }

    private static string Xml(string text) => Text.Xml(text);
}

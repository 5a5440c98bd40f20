using Microsoft.CodeAnalysis;
using Warren.Generators.Model;

namespace Warren.Generators.Parsing;

/// <summary>Reads a message type's contract: <c>[Message]</c>, <c>[Exchange]</c>, <c>[Topic]</c>, <c>[Priority]</c>.</summary>
internal static class MessageParser
{
    private static readonly string[] ExchangeTypeNames = ["direct", "topic", "fanout", "headers"];

    /// <summary>True for classes that consume messages rather than being one.</summary>
    public static bool IsConsumer(INamedTypeSymbol type)
    {
        if (AttributeReader.Has(type, KnownNames.QueueAttribute))
        {
            return true;
        }

        foreach (var member in type.GetMembers())
        {
            if (member is IMethodSymbol method && (AttributeReader.Has(method, KnownNames.TopicAttribute) || AttributeReader.Has(method, KnownNames.HeadersAttribute)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The message model of an attributed type, or null when the type is a consumer class.</summary>
    public static MessageModel? TryParseAttributed(INamedTypeSymbol type) =>
        type.TypeKind == TypeKind.Interface || IsConsumer(type) ? null : Parse(type);

    public static MessageModel Parse(ITypeSymbol type)
    {
        var typeName = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        var contract = AttributeReader.Find(type, KnownNames.MessageAttribute) is { } message
            ? AttributeReader.Argument<string>(message, 0) ?? Names.KebabCase(type.Name)
            : Names.KebabCase(type.Name);
        var template = AttributeReader.Find(type, KnownNames.TopicAttribute) is { } topic ? AttributeReader.Argument<string>(topic, 0) : null;
        int? priority = AttributeReader.Find(type, KnownNames.PriorityAttribute) is { } p && p.ConstructorArguments.Length == 1
            ? AttributeReader.Argument<int>(p, 0)
            : null;
        return new MessageModel(
            typeName,
            Names.Identifier(typeName),
            contract,
            ReadExchange(type),
            template,
            RoutingTemplates.Parse(template, type),
            priority);
    }

    public static ExchangeModel? ReadExchange(ISymbol symbol)
    {
        if (AttributeReader.Find(symbol, KnownNames.ExchangeAttribute) is not { } exchange)
        {
            return null;
        }

        var kind = AttributeReader.Argument<int>(exchange, 1, 1);
        return new ExchangeModel(
            AttributeReader.Argument<string>(exchange, 0) ?? string.Empty,
            kind >= 0 && kind < ExchangeTypeNames.Length ? ExchangeTypeNames[kind] : "topic",
            AttributeReader.Named(exchange, "Durable", true),
            AttributeReader.Named(exchange, "AutoDelete", false));
    }
}

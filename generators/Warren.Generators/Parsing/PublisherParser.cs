using System.Linq;
using Microsoft.CodeAnalysis;
using Warren.Generators.Model;

namespace Warren.Generators.Parsing;

/// <summary>Reads a <c>[Publisher]</c> interface: one publish method per message.</summary>
internal static class PublisherParser
{
    public static PublisherModel? TryParse(INamedTypeSymbol type)
    {
        if (type.TypeKind != TypeKind.Interface)
        {
            return null;
        }

        var typeName = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        var methods = type.GetMembers()
            .OfType<IMethodSymbol>()
            .Where(m => m.MethodKind == MethodKind.Ordinary && m.IsAbstract && !m.IsStatic)
            .OrderBy(m => m.Name, System.StringComparer.Ordinal)
            .Select(ParseMethod)
            .Where(m => m is not null)
            .Select(m => m!)
            .ToEquatableArray();
        return new PublisherModel(typeName, Names.Identifier(typeName), methods);
    }

    private static PublisherMethodModel? ParseMethod(IMethodSymbol method)
    {
        var parameter = method.Parameters.FirstOrDefault(p => ConsumerParser.Kind(p) == ParameterKind.Message);
        if (parameter is null || method.Parameters.Length > 2)
        {
            return null;
        }

        var token = method.Parameters.FirstOrDefault(p => ConsumerParser.Kind(p) == ParameterKind.CancellationToken);
        var returns = method.ReturnType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        if (returns != KnownNames.Task && returns != KnownNames.ValueTask)
        {
            return null;
        }

        var template = AttributeReader.Find(method, KnownNames.TopicAttribute) is { } topic ? AttributeReader.Argument<string>(topic, 0) : null;
        return new PublisherMethodModel(
            method.Name,
            parameter.Name,
            MessageParser.Parse(parameter.Type),
            token is not null,
            token?.Name,
            returns == KnownNames.Task,
            template,
            RoutingTemplates.Parse(template, parameter.Type));
    }
}

using System.Linq;
using Microsoft.CodeAnalysis;
using Warren.Generators.Model;

namespace Warren.Generators.Parsing;

/// <summary>Reads a JsonSerializerContext and the types its <c>[JsonSerializable]</c> attributes list.</summary>
internal static class JsonContextParser
{
    public static JsonContextModel? TryParse(INamedTypeSymbol type)
    {
        var isContext = false;
        for (var b = type.BaseType; b is not null; b = b.BaseType)
        {
            if (KnownNames.Is(b, KnownNames.JsonSerializerContext))
            {
                isContext = true;
                break;
            }
        }

        if (!isContext || type.IsGenericType)
        {
            return null;
        }

        var types = AttributeReader.FindAll(type, KnownNames.JsonSerializableAttribute)
            .Select(a => a.ConstructorArguments.Length > 0 ? a.ConstructorArguments[0].Value as ITypeSymbol : null)
            .Where(t => t is not null)
            .Select(t => t!.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat))
            .Distinct()
            .OrderBy(t => t, System.StringComparer.Ordinal)
            .ToEquatableArray();
        return new JsonContextModel(type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), types);
    }
}

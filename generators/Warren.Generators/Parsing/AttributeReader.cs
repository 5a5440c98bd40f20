using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Warren.Generators.Parsing;

/// <summary>Reads constructor and named arguments of attribute data without caring how the user spelled them.</summary>
internal static class AttributeReader
{
    public static AttributeData? Find(ISymbol symbol, string metadataName) =>
        symbol.GetAttributes().FirstOrDefault(a => Is(a, metadataName));

    public static IEnumerable<AttributeData> FindAll(ISymbol symbol, string metadataName) =>
        symbol.GetAttributes().Where(a => Is(a, metadataName));

    public static bool Has(ISymbol symbol, string metadataName) => Find(symbol, metadataName) is not null;

    public static T? Argument<T>(AttributeData attribute, int index, T? fallback = default) =>
        attribute.ConstructorArguments.Length > index && attribute.ConstructorArguments[index].Value is T value ? value : fallback;

    public static T? Named<T>(AttributeData attribute, string name, T? fallback = default)
    {
        foreach (var pair in attribute.NamedArguments)
        {
            if (pair.Key == name && pair.Value.Value is T value)
            {
                return value;
            }
        }

        return fallback;
    }

    public static ImmutableArray<string> NamedStrings(AttributeData attribute, string name)
    {
        foreach (var pair in attribute.NamedArguments)
        {
            if (pair.Key == name && pair.Value.Kind == TypedConstantKind.Array && !pair.Value.IsNull)
            {
                return pair.Value.Values.Select(v => v.Value as string).Where(s => s is not null).Select(s => s!).ToImmutableArray();
            }
        }

        return ImmutableArray<string>.Empty;
    }

    public static ImmutableArray<string> NamedTypes(AttributeData attribute, string name)
    {
        foreach (var pair in attribute.NamedArguments)
        {
            if (pair.Key == name && pair.Value.Kind == TypedConstantKind.Array && !pair.Value.IsNull)
            {
                return pair.Value.Values.Select(v => v.Value as ITypeSymbol).Where(t => t is not null && !Rules.UndefinedTypes.In(t)).Select(t => t!.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)).ToImmutableArray();
            }
        }

        return ImmutableArray<string>.Empty;
    }

    public static ImmutableArray<string> ParamsStrings(AttributeData attribute)
    {
        if (attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Kind == TypedConstantKind.Array)
        {
            return attribute.ConstructorArguments[0].Values.Select(v => v.Value as string).Where(s => s is not null).Select(s => s!).ToImmutableArray();
        }

        return attribute.ConstructorArguments.Select(v => v.Value as string).Where(s => s is not null).Select(s => s!).ToImmutableArray();
    }

    private static bool Is(AttributeData attribute, string metadataName) =>
        attribute.AttributeClass is { } type && KnownNames.Is(type, metadataName);
}

using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Warren.Generators.Model;

namespace Warren.Generators.Parsing;

/// <summary>Splits a routing-key template into literal text and <c>{Property}</c> placeholders resolved on the message type.</summary>
internal static class RoutingTemplates
{
    public static EquatableArray<RoutingPart> Parse(string? template, ITypeSymbol messageType)
    {
        if (template is null)
        {
            return EquatableArray<RoutingPart>.Empty;
        }

        var parts = new List<RoutingPart>();
        var position = 0;
        while (position < template.Length)
        {
            var open = template.IndexOf('{', position);
            if (open < 0)
            {
                parts.Add(new RoutingPart(template.Substring(position), false, PropertyFormat.None));
                break;
            }

            var close = template.IndexOf('}', open + 1);
            if (close < 0)
            {
                parts.Add(new RoutingPart(template.Substring(position), false, PropertyFormat.None));
                break;
            }

            if (open > position)
            {
                parts.Add(new RoutingPart(template.Substring(position, open - position), false, PropertyFormat.None));
            }

            var name = template.Substring(open + 1, close - open - 1);
            parts.Add(new RoutingPart(name, true, FormatOf(FindProperty(messageType, name))));
            position = close + 1;
        }

        return parts.ToEquatableArray();
    }

    /// <summary>A binding pattern for a template: placeholders become <c>*</c> (one word).</summary>
    public static string ToBindingPattern(EquatableArray<RoutingPart> parts) =>
        string.Concat(parts.Select(p => p.IsProperty ? "*" : p.Text));

    public static IPropertySymbol? FindProperty(ITypeSymbol type, string name)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            foreach (var member in current.GetMembers(name))
            {
                if (member is IPropertySymbol { IsStatic: false, DeclaredAccessibility: Accessibility.Public, GetMethod: not null } property)
                {
                    return property;
                }
            }
        }

        return null;
    }

    private static PropertyFormat FormatOf(IPropertySymbol? property)
    {
        if (property is null)
        {
            return PropertyFormat.None;
        }

        var type = property.Type;
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            type = nullable.TypeArguments[0];
        }

        if (type.SpecialType == SpecialType.System_String)
        {
            return PropertyFormat.String;
        }

        if (type.SpecialType is SpecialType.System_Boolean or SpecialType.System_Char || type.TypeKind == TypeKind.Enum)
        {
            return PropertyFormat.Formattable;
        }

        return type.AllInterfaces.Any(i => i.ToDisplayString() == "System.IFormattable") ? PropertyFormat.Formattable : PropertyFormat.Other;
    }
}

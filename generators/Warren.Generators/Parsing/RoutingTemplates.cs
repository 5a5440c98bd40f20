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

    /// <summary>
    /// The property a placeholder reads, or null: public, instance, with a public getter, and usable by generated code
    /// (not <c>[Obsolete]</c> as an error, not <c>[Experimental]</c> unless the project suppresses its diagnostic).
    /// </summary>
    public static IPropertySymbol? FindProperty(ITypeSymbol type, string name)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            foreach (var member in current.GetMembers(name))
            {
                if (member is IPropertySymbol { IsStatic: false, DeclaredAccessibility: Accessibility.Public, GetMethod.DeclaredAccessibility: Accessibility.Public } property
                    && Rules.ShapeRules.UseProblem(property, property) is null && Rules.ShapeRules.UseProblem(property.GetMethod!, property) is null)
                {
                    return property;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// How a placeholder property becomes a routing-key word: strings as they are; integers (sbyte to ulong), Guids
    /// and enums (names) formatted with the invariant culture; bools and chars as their text; nullable ones of these
    /// likewise. Anything else (decimal, double, dates, times, other IFormattable types…) could format with a '.', ':'
    /// or culture-dependent text: rejected at build time (WRN004). The text of WRN004 and its page list exactly these.
    /// </summary>
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

        switch (type.SpecialType)
        {
            case SpecialType.System_String:
                return PropertyFormat.String;
            case SpecialType.System_SByte or SpecialType.System_Byte or SpecialType.System_Int16 or SpecialType.System_UInt16
                or SpecialType.System_Int32 or SpecialType.System_UInt32 or SpecialType.System_Int64 or SpecialType.System_UInt64:
                return property.Type.IsValueType && property.Type.OriginalDefinition.SpecialType != SpecialType.System_Nullable_T ? PropertyFormat.Formattable : PropertyFormat.Text;
            case SpecialType.System_Boolean or SpecialType.System_Char:
                return PropertyFormat.Text;
        }

        if (type.TypeKind == TypeKind.Enum || type.ToDisplayString() == "System.Guid")
        {
            return property.Type.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T ? PropertyFormat.Text : PropertyFormat.Formattable;
        }

        return PropertyFormat.Unsupported;
    }
}

using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Warren.Analyzers.Rules;

/// <summary>Where to put a diagnostic: on the attribute, one of its arguments, or the symbol.</summary>
internal static class Locations
{
    public static Location Of(AttributeData attribute, ISymbol fallback) =>
        attribute.ApplicationSyntaxReference?.GetSyntax().GetLocation() ?? Of(fallback);

    /// <summary>The named argument <paramref name="name"/> of the attribute (<c>Exclusive = true</c>), else the attribute.</summary>
    public static Location OfArgument(AttributeData attribute, string name, ISymbol fallback)
    {
        if (attribute.ApplicationSyntaxReference?.GetSyntax() is AttributeSyntax { ArgumentList: { } list } syntax)
        {
            var argument = list.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == name);
            return (argument ?? (SyntaxNode)syntax).GetLocation();
        }

        return Of(attribute, fallback);
    }

    /// <summary>The first constructor argument of the attribute, else the attribute.</summary>
    public static Location OfFirstArgument(AttributeData attribute, ISymbol fallback)
    {
        if (attribute.ApplicationSyntaxReference?.GetSyntax() is AttributeSyntax { ArgumentList: { Arguments.Count: > 0 } list })
        {
            return list.Arguments[0].GetLocation();
        }

        return Of(attribute, fallback);
    }

    /// <summary>
    /// The <paramref name="index"/>-th positional argument of a params attribute (<c>[Headers("a=1", "b=2")]</c>), when the
    /// syntax lists <paramref name="count"/> of them one by one; else the attribute (an array argument, a null left out).
    /// </summary>
    public static Location OfPositionalArgument(AttributeData attribute, int index, int count, ISymbol fallback)
    {
        if (attribute.ApplicationSyntaxReference?.GetSyntax() is AttributeSyntax { ArgumentList: { } list })
        {
            var positional = list.Arguments.Where(a => a.NameEquals is null && a.NameColon is null).ToList();
            if (positional.Count == count && index < count)
            {
                return positional[index].GetLocation();
            }
        }

        return Of(attribute, fallback);
    }

    public static Location Of(ISymbol symbol) => symbol.Locations.FirstOrDefault(l => l.IsInSource) ?? Location.None;
}

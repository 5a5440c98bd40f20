using System.Linq;
using Microsoft.CodeAnalysis;

namespace Warren.Generators.Rules;

/// <summary>
/// Types the compilation does not define (the user's CS0246). The compiler reports them on the user's code; generated
/// code naming one would repeat the error in a generated file, so the generator emits nothing for a shape that mentions
/// one. No Warren diagnostic is added: the user's own error says what is wrong, and once the type exists the shape is
/// judged by the other rules.
/// </summary>
internal static class UndefinedTypes
{
    /// <summary>True when <paramref name="type"/> is undefined or is built from an undefined type (<c>List&lt;Missing&gt;</c>, <c>Missing[]</c>).</summary>
    public static bool In(ITypeSymbol? type) => type switch
    {
        null => false,
        { TypeKind: TypeKind.Error } => true,
        IArrayTypeSymbol array => In(array.ElementType),
        IPointerTypeSymbol pointer => In(pointer.PointedAtType),
        INamedTypeSymbol named => named.TypeArguments.Any(In) || In(named.ContainingType),
        _ => false,
    };

    /// <summary>True when a method's return type or a parameter's type is undefined.</summary>
    public static bool In(IMethodSymbol method) =>
        In(method.ReturnType) || method.Parameters.Any(p => In(p.Type));

    /// <summary>True when an interface, one it inherits, or one of their methods mentions an undefined type.</summary>
    public static bool InInterface(INamedTypeSymbol type) =>
        type.AllInterfaces.Any(i => In(i)) || ShapeRules.InterfaceMethods(type).Any(In);
}

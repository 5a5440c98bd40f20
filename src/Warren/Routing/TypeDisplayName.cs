using System;
using System.Text;

namespace Warren.Infrastructure;

/// <summary>
/// A type's name as C# writes it, for error messages: <c>Envelope&lt;Order&gt;</c> rather than the CLR's
/// <c>Envelope`1</c>, <c>int?</c> rather than <c>Nullable`1</c>. Built once per type from the type's own name and its
/// generic arguments (nothing that trimming or NativeAOT removes), and cached.
/// </summary>
/// <typeparam name="T">The type.</typeparam>
internal static class TypeDisplayName<T>
{
    private static string? _value;

    /// <summary>The name, computed on first use (error paths only).</summary>
    public static string Value => _value ??= TypeDisplayName.Of(typeof(T));
}

/// <summary>The builder behind <see cref="TypeDisplayName{T}"/>.</summary>
internal static class TypeDisplayName
{
    public static string Of(Type type)
    {
        var name = new StringBuilder();
        Append(name, type);
        return name.ToString();
    }

    private static void Append(StringBuilder name, Type type)
    {
        if (type.IsArray)
        {
            Append(name, type.GetElementType()!);
            name.Append('[').Append(',', type.GetArrayRank() - 1).Append(']');
            return;
        }

        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            Append(name, underlying);
            name.Append('?');
            return;
        }

        if (Keyword(type) is { } keyword)
        {
            name.Append(keyword);
            return;
        }

        // A generic type's name ends in `n, its own argument count; a type nested in a generic type also has the
        // arguments of the types around it first, which its simple name does not show.
        var tick = type.Name.IndexOf('`', StringComparison.Ordinal);
        if (!type.IsGenericType || tick < 0 || !int.TryParse(type.Name.AsSpan(tick + 1), out var own))
        {
            name.Append(type.Name);
            return;
        }

        var arguments = type.GetGenericArguments();
        name.Append(type.Name, 0, tick).Append('<');
        for (var i = arguments.Length - own; i < arguments.Length; i++)
        {
            if (i > arguments.Length - own)
            {
                name.Append(", ");
            }

            Append(name, arguments[i]);
        }

        name.Append('>');
    }

    private static string? Keyword(Type type) =>
        type == typeof(string) ? "string"
        : type == typeof(int) ? "int"
        : type == typeof(long) ? "long"
        : type == typeof(short) ? "short"
        : type == typeof(byte) ? "byte"
        : type == typeof(sbyte) ? "sbyte"
        : type == typeof(uint) ? "uint"
        : type == typeof(ulong) ? "ulong"
        : type == typeof(ushort) ? "ushort"
        : type == typeof(bool) ? "bool"
        : type == typeof(char) ? "char"
        : type == typeof(decimal) ? "decimal"
        : type == typeof(double) ? "double"
        : type == typeof(float) ? "float"
        : type == typeof(object) ? "object"
        : null;
}

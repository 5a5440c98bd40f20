using System.Text;

namespace Warren.Generators.Parsing;

/// <summary>The naming rules for defaults: documented, so a name never changes by surprise.</summary>
internal static class Names
{
    /// <summary><c>EmailNotifications</c> → <c>email-notifications</c>; <c>HTTPRequestLog</c> → <c>http-request-log</c>.</summary>
    public static string KebabCase(string name)
    {
        var builder = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                var previousLower = i > 0 && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1]));
                var acronymEnd = i > 0 && char.IsUpper(name[i - 1]) && i + 1 < name.Length && char.IsLower(name[i + 1]);
                if (builder.Length > 0 && (previousLower || acronymEnd))
                {
                    builder.Append('-');
                }

                builder.Append(char.ToLowerInvariant(c));
            }
            else if (c == '_')
            {
                builder.Append('-');
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    /// <summary>
    /// The default contract name of a message type: its name in kebab case, after its containing types
    /// (<c>OrderEvents.Created</c> → <c>order-events.created</c>), with its type arguments
    /// (<c>Envelope&lt;OrderPlaced&gt;</c> → <c>envelope-of-order-placed</c>), an array after its element type
    /// (<c>OrderPlaced[]</c> → <c>order-placed-array</c>); <paramref name="qualified"/> puts the
    /// namespace first (<c>shop.orders.order-placed</c>), for types whose short names collide.
    /// </summary>
    public static string ContractName(Microsoft.CodeAnalysis.ITypeSymbol type, bool qualified)
    {
        if (type is Microsoft.CodeAnalysis.IArrayTypeSymbol array)
        {
            // OrderPlaced[] → order-placed-array; a two-dimensional array → …-array2.
            return ContractName(array.ElementType, qualified) + "-array" + (array.Rank > 1 ? array.Rank.ToString(System.Globalization.CultureInfo.InvariantCulture) : string.Empty);
        }

        if (type is not Microsoft.CodeAnalysis.INamedTypeSymbol named)
        {
            return KebabCase(type.Name);
        }

        var name = KebabCase(named.Name);
        if (named.TypeArguments.Length > 0)
        {
            name += "-of-" + string.Join("-and-", System.Linq.Enumerable.Select(named.TypeArguments, a => ContractName(a, qualified: false)));
        }

        var prefix = named.ContainingType is { } container ? ContractName(container, qualified) + "." : string.Empty;
        if (named.ContainingType is null && qualified && named.ContainingNamespace is { IsGlobalNamespace: false } ns)
        {
            prefix = string.Join(".", System.Linq.Enumerable.Select(ns.ToDisplayString().Split('.'), KebabCase)) + ".";
        }

        return prefix + name;
    }

    private static readonly Microsoft.CodeAnalysis.SymbolDisplayFormat ClrNames =
        Microsoft.CodeAnalysis.SymbolDisplayFormat.FullyQualifiedFormat.RemoveMiscellaneousOptions(Microsoft.CodeAnalysis.SymbolDisplayMiscellaneousOptions.UseSpecialTypes);

    /// <summary>A C# identifier for a type, from its CLR names (<c>string</c> → <c>System_String</c>, never a keyword).</summary>
    public static string Identifier(Microsoft.CodeAnalysis.ITypeSymbol type) => Identifier(type.ToDisplayString(ClrNames));

    /// <summary>
    /// A C# identifier for an assembly name, distinct for distinct names: the name itself when it is made of letters,
    /// digits and single underscores (<c>ShopApi</c>, <c>Shop_Api</c>); else its readable form (every other character an
    /// underscore) then <c>__</c> and the FNV-1a hash of the exact name's UTF-16 code units in eight hex digits
    /// (<c>Shop.Api</c> → <c>Shop_Api__1b2c3d4e</c>). An unchanged name never contains <c>__</c>, a changed one always
    /// does, so <c>Shop.Api</c>, <c>Shop_Api</c> and <c>Shop-Api</c> never share an identifier. Stable across
    /// builds and machines (never <see cref="string.GetHashCode()"/>).
    /// </summary>
    public static string AssemblyIdentifier(string assemblyName)
    {
        var builder = new StringBuilder(assemblyName.Length + 10);
        var identity = assemblyName.Length > 0;
        for (var i = 0; i < assemblyName.Length; i++)
        {
            var c = assemblyName[i];
            if (char.IsLetterOrDigit(c))
            {
                builder.Append(c);
            }
            else
            {
                identity &= c == '_' && (i == 0 || assemblyName[i - 1] != '_');
                builder.Append('_');
            }
        }

        if (identity)
        {
            return assemblyName;
        }

        var hash = 2166136261u;
        foreach (var c in assemblyName)
        {
            hash = unchecked((hash ^ c) * 16777619u);
        }

        return builder.Append("__").Append(hash.ToString("x8", System.Globalization.CultureInfo.InvariantCulture)).ToString();
    }

    /// <summary>A C# identifier for a fully qualified type name: <c>global::A.B&lt;C&gt;</c> → <c>A_B_C_</c>.</summary>
    public static string Identifier(string fullyQualifiedName)
    {
        var name = fullyQualifiedName.StartsWith("global::") ? fullyQualifiedName.Substring(8) : fullyQualifiedName;
        var builder = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            builder.Append(char.IsLetterOrDigit(c) ? c : '_');
        }

        return builder.ToString();
    }
}

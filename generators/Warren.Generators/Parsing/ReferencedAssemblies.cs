using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Warren.Generators.Parsing;

/// <summary>
/// The assemblies a compilation references that were themselves built against Warren, and their public types: where
/// shared contracts (messages, <c>[RpcService]</c> interfaces, JSON contexts) and consumer libraries live. Shared by
/// the generator and the analyzers, so both see the same referenced declarations.
/// </summary>
internal static class ReferencedAssemblies
{
    private const string WarrenAssembly = "Warren";

    /// <summary>Referenced assemblies that reference Warren (Warren itself excluded), ordered by name.</summary>
    public static IEnumerable<IAssemblySymbol> UsingWarren(Compilation compilation) =>
        compilation.SourceModule.ReferencedAssemblySymbols
            .Where(a => a.Name != WarrenAssembly && a.Modules.Any(m => m.ReferencedAssemblySymbols.Any(r => r.Name == WarrenAssembly)))
            .OrderBy(a => a.Name, System.StringComparer.Ordinal);

    /// <summary>The types of an assembly reachable from other assemblies (public, nested in public types); every type when <paramref name="publicOnly"/> is false.</summary>
    public static IEnumerable<INamedTypeSymbol> PublicTypes(IAssemblySymbol assembly, bool publicOnly = true)
    {
        var pending = new Stack<INamespaceOrTypeSymbol>();
        pending.Push(assembly.GlobalNamespace);
        while (pending.Count > 0)
        {
            foreach (var member in pending.Pop().GetMembers())
            {
                if (member is INamespaceSymbol ns)
                {
                    pending.Push(ns);
                }
                else if (member is INamedTypeSymbol type && (!publicOnly || type.DeclaredAccessibility == Accessibility.Public))
                {
                    yield return type;
                    pending.Push(type);
                }
            }
        }
    }

    /// <summary>The module registration class a referenced assembly names with <c>[assembly: WarrenModule(typeof(...))]</c>, fully qualified.</summary>
    public static string? ModuleOf(IAssemblySymbol assembly) =>
        AttributeReader.Find(assembly, KnownNames.WarrenModuleAttribute) is { } attribute
        && attribute.ConstructorArguments.Length == 1
        && attribute.ConstructorArguments[0].Value is INamedTypeSymbol { DeclaredAccessibility: Accessibility.Public } type
            ? type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)
            : null;

    /// <summary>A type with <c>[Exchange]</c>, <c>[Topic]</c> or <c>[Message]</c>: a message contract rather than a type merely used as one.</summary>
    public static bool IsAttributedMessage(INamedTypeSymbol type) =>
        AttributeReader.Has(type, KnownNames.ExchangeAttribute) || AttributeReader.Has(type, KnownNames.TopicAttribute) || AttributeReader.Has(type, KnownNames.MessageAttribute);
}

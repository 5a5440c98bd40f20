using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Warren.Generators.Parsing;
using Warren.Generators.Rules;

namespace Warren.Analyzers.Rules;

/// <summary>
/// A message listed in a JsonSerializerContext of this compilation whose serialized members reach a type that
/// System.Text.Json's generated code cannot name without an error: an error-level <c>[Obsolete]</c> (CS0619, which
/// nothing suppresses), or an <c>[Experimental]</c> or an <c>[Obsolete]</c> with a <c>DiagnosticId</c> whose id the
/// project does not suppress (a <c>#pragma</c> in the user's file does not reach generated files). The JSON generator
/// names the type of every member it serializes, so the build would fail in its generated files only (WRN023 says why,
/// at the <c>[JsonSerializable]</c> attribute). The message type itself is judged by the rules of its use (WRN005,
/// WRN018, WRN021, WRN023). The walk follows what the JSON generator reads: the members it serializes (not those of a
/// type with a <c>[JsonConverter]</c> of its own), the <c>[JsonDerivedType]</c> types of a polymorphic type, public
/// fields under <c>IncludeFields</c>; it stops at a depth and a number of constructions per generic definition, so a
/// type that nests itself in a new construction (<c>Node&lt;T&gt;</c> with a <c>Node&lt;List&lt;T&gt;&gt;</c>) ends.
/// </summary>
internal static class JsonMemberRules
{
    /// <summary>Nesting the walk follows at most, and constructions of one generic definition it reads at most.</summary>
    private const int MaxDepth = 32;
    private const int MaxConstructions = 16;

    private const string JsonConverterAttribute = "System.Text.Json.Serialization.JsonConverterAttribute";

    /// <summary>Whether a JsonSerializerContext serializes public fields (<c>[JsonSourceGenerationOptions(IncludeFields = true)]</c>).</summary>
    public static bool IncludesFields(INamedTypeSymbol context) =>
        AttributeReader.Find(context, "System.Text.Json.Serialization.JsonSourceGenerationOptionsAttribute") is { } options
        && options.NamedArguments.Any(a => a.Key == "IncludeFields" && a.Value.Value is true);

    /// <summary>Why the JSON context's generated code for <paramref name="message"/> cannot compile, or null.</summary>
    public static string? Problem(ITypeSymbol message, bool includeFields, Compilation compilation)
    {
        var seen = new HashSet<ITypeSymbol>(SymbolEqualityComparer.Default) { message };
        var constructions = new Dictionary<ITypeSymbol, int>(SymbolEqualityComparer.Default);
        var pending = new Queue<(ITypeSymbol Type, string Path, int Depth)>();
        foreach (var member in Members(message, includeFields))
        {
            pending.Enqueue((member.Type, member.Path, 1));
        }

        while (pending.Count > 0)
        {
            var (type, path, depth) = pending.Dequeue();
            foreach (var part in Parts(type))
            {
                if (!seen.Add(part))
                {
                    continue;
                }

                for (var current = part as INamedTypeSymbol; current is not null; current = current.ContainingType)
                {
                    if (Use(current, compilation) is { } use)
                    {
                        return Names(current, path) + use;
                    }
                }

                // An [Experimental] assembly or module marks every type of it, for the assemblies that use them.
                var containers = SymbolEqualityComparer.Default.Equals(part.ContainingAssembly, compilation.Assembly) ? new ISymbol?[0] : new ISymbol?[] { part.ContainingModule, part.ContainingAssembly };
                foreach (var container in containers)
                {
                    if (container is not null && Use(container, compilation) is { } use)
                    {
                        return Names(part, path) + "whose " + (container is IModuleSymbol ? "module" : "assembly") + " " + use;
                    }
                }

                if (depth >= MaxDepth || part is INamedTypeSymbol { IsGenericType: true } generic && Count(constructions, generic.OriginalDefinition) > MaxConstructions)
                {
                    continue;
                }

                foreach (var member in Members(part, includeFields))
                {
                    pending.Enqueue((member.Type, path + ", then " + member.Path, depth + 1));
                }
            }
        }

        return null;
    }

    private static string Names(ITypeSymbol type, string path) =>
        $"is listed in a JsonSerializerContext, and the code System.Text.Json generates for it names '{type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)}' (through {path}), which ";

    private static int Count(Dictionary<ITypeSymbol, int> constructions, ITypeSymbol definition)
    {
        constructions.TryGetValue(definition, out var count);
        constructions[definition] = ++count;
        return count;
    }

    /// <summary>The type itself, its array elements and type arguments (a list's items, a nullable's value), recursively.</summary>
    private static IEnumerable<ITypeSymbol> Parts(ITypeSymbol type)
    {
        switch (type)
        {
            case IArrayTypeSymbol array:
                foreach (var part in Parts(array.ElementType))
                {
                    yield return part;
                }

                break;
            case INamedTypeSymbol named:
                yield return named.WithNullableAnnotation(NullableAnnotation.NotAnnotated);
                foreach (var part in named.TypeArguments.SelectMany(Parts))
                {
                    yield return part;
                }

                break;
        }
    }

    /// <summary>
    /// What System.Text.Json's generated code names for a type declared outside the framework: the types of the members
    /// it serializes (public instance properties, <c>[JsonInclude]</c> fields and properties, public fields when the
    /// context includes fields; not a member with <c>[JsonIgnore]</c> whose condition is <c>Always</c>, its default) and
    /// the types its <c>[JsonDerivedType]</c> attributes list. A type with a <c>[JsonConverter]</c> of its own is serialized
    /// by that converter and has nothing walked; the JSON generator still reads the members of a type whose base class
    /// only has one, or that a member with a <c>[JsonConverter]</c> of its own carries. Framework types (their own converters) and enums are not
    /// walked.
    /// </summary>
    private static IEnumerable<(ITypeSymbol Type, string Path)> Members(ITypeSymbol type, bool includeFields)
    {
        if (type is not INamedTypeSymbol { TypeKind: TypeKind.Class or TypeKind.Struct or TypeKind.Interface } named || IsFramework(named) || AttributeReader.Has(named, JsonConverterAttribute))
        {
            yield break;
        }

        foreach (var attribute in AttributeReader.FindAll(named, "System.Text.Json.Serialization.JsonDerivedTypeAttribute"))
        {
            if (AttributeReader.Argument<ITypeSymbol>(attribute, 0) is { } derived)
            {
                yield return (derived, $"'{named.Name}' [JsonDerivedType] '{derived.Name}'");
            }
        }

        if (named.TypeKind == TypeKind.Interface)
        {
            yield break;
        }

        var names = new HashSet<string>(System.StringComparer.Ordinal);
        for (var current = named; current is not null && !IsFramework(current); current = current.BaseType)
        {
            foreach (var member in current.GetMembers().Where(m => !m.IsStatic && !m.IsImplicitlyDeclared && names.Add(m.Name)))
            {
                var included = AttributeReader.Has(member, "System.Text.Json.Serialization.JsonIncludeAttribute");
                if (IgnoredAlways(member))
                {
                    continue;
                }

                switch (member)
                {
                    case IPropertySymbol { IsIndexer: false } property when property.DeclaredAccessibility == Accessibility.Public || included:
                        yield return (property.Type, $"'{named.Name}.{property.Name}'");
                        break;
                    case IFieldSymbol field when included || includeFields && field.DeclaredAccessibility == Accessibility.Public:
                        yield return (field.Type, $"'{named.Name}.{field.Name}'");
                        break;
                }
            }
        }
    }

    /// <summary>A <c>[JsonIgnore]</c> that always leaves the member out: no condition, or <c>JsonIgnoreCondition.Always</c> (1).</summary>
    private static bool IgnoredAlways(ISymbol member) =>
        AttributeReader.Find(member, "System.Text.Json.Serialization.JsonIgnoreAttribute") is { } ignore
        && ignore.NamedArguments.FirstOrDefault(a => a.Key == "Condition").Value is var condition
        && (condition.IsNull || condition.Value is 1);

    private static bool IsFramework(INamedTypeSymbol type)
    {
        var space = type.ContainingNamespace?.ToDisplayString() ?? string.Empty;
        return space == "System" || space.StartsWith("System.", System.StringComparison.Ordinal) || space.StartsWith("Microsoft.", System.StringComparison.Ordinal);
    }

    /// <summary>What stops generated code from naming <paramref name="symbol"/> in this project, completing "which …", or null.</summary>
    private static string? Use(ISymbol symbol, Compilation compilation)
    {
        foreach (var attribute in symbol.GetAttributes())
        {
            var name = attribute.AttributeClass?.ToDisplayString();
            if (name == "System.ObsoleteAttribute" && attribute.ConstructorArguments.Length == 2 && attribute.ConstructorArguments[1].Value is true)
            {
                return "is [Obsolete] as an error, so that code cannot compile (CS0619, which nothing suppresses): keep the [Obsolete] a warning while a message carries the type, or take the member out of the message";
            }

            var id = name == "System.Diagnostics.CodeAnalysis.ExperimentalAttribute" && attribute.ConstructorArguments.Length == 1 ? attribute.ConstructorArguments[0].Value as string
                : name == "System.ObsoleteAttribute" ? attribute.NamedArguments.FirstOrDefault(a => a.Key == "DiagnosticId").Value.Value as string
                : null;
            if (id is { Length: > 0 } && !ShapeRules.Suppressed(compilation, id))
            {
                var shown = name == "System.ObsoleteAttribute" ? $"[Obsolete(DiagnosticId = \"{id}\")]" : $"[Experimental(\"{id}\")]";
                return $"is {shown}, so that code reports {id} in generated files, where a #pragma in your code does not reach: suppress {id} for the project (<NoWarn>{id}</NoWarn>), or take the member out of the message";
            }
        }

        return null;
    }
}

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
/// WRN018, WRN021, WRN023).
/// </summary>
internal static class JsonMemberRules
{
    /// <summary>Why the JSON context's generated code for <paramref name="message"/> cannot compile, or null.</summary>
    public static string? Problem(ITypeSymbol message, Compilation compilation)
    {
        var seen = new HashSet<ITypeSymbol>(SymbolEqualityComparer.Default) { message };
        var pending = new Queue<(ITypeSymbol Type, string Path)>();
        foreach (var member in Members(message))
        {
            pending.Enqueue(member);
        }

        while (pending.Count > 0)
        {
            var (type, path) = pending.Dequeue();
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
                        return $"is listed in a JsonSerializerContext, and the code System.Text.Json generates for it names '{current.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)}' (through {path}), which {use}";
                    }
                }

                foreach (var member in Members(part))
                {
                    pending.Enqueue((member.Type, path + ", then " + member.Path));
                }
            }
        }

        return null;
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
    /// The members System.Text.Json serializes of a type declared outside the framework: public instance properties and
    /// <c>[JsonInclude]</c> fields and properties, except those with <c>[JsonIgnore]</c>. Framework types (their own
    /// converters) and enums are not walked.
    /// </summary>
    private static IEnumerable<(ITypeSymbol Type, string Path)> Members(ITypeSymbol type)
    {
        if (type is not INamedTypeSymbol { TypeKind: TypeKind.Class or TypeKind.Struct } named || IsFramework(named))
        {
            yield break;
        }

        var names = new HashSet<string>(System.StringComparer.Ordinal);
        for (var current = named; current is not null && !IsFramework(current); current = current.BaseType)
        {
            foreach (var member in current.GetMembers().Where(m => !m.IsStatic && !m.IsImplicitlyDeclared && names.Add(m.Name)))
            {
                var included = AttributeReader.Has(member, "System.Text.Json.Serialization.JsonIncludeAttribute");
                if (AttributeReader.Has(member, "System.Text.Json.Serialization.JsonIgnoreAttribute"))
                {
                    continue;
                }

                switch (member)
                {
                    case IPropertySymbol { IsIndexer: false } property when property.DeclaredAccessibility == Accessibility.Public || included:
                        yield return (property.Type, $"'{named.Name}.{property.Name}'");
                        break;
                    case IFieldSymbol field when included:
                        yield return (field.Type, $"'{named.Name}.{field.Name}'");
                        break;
                }
            }
        }
    }

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

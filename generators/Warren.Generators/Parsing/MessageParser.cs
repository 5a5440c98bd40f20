using System.Linq;
using Microsoft.CodeAnalysis;
using Warren.Generators.Model;

namespace Warren.Generators.Parsing;

/// <summary>Reads a message type's contract: <c>[Message]</c>, <c>[Exchange]</c>, <c>[Topic]</c>, <c>[Priority]</c>.</summary>
internal static class MessageParser
{
    /// <summary>True for classes that consume messages rather than being one.</summary>
    public static bool IsConsumer(INamedTypeSymbol type) =>
        AttributeReader.Has(type, KnownNames.QueueAttribute) || DeclaresHandlers(type);

    /// <summary>True when a method of <paramref name="type"/> or of a base class (handlers may be inherited) has <c>[Topic]</c> or <c>[Headers]</c>.</summary>
    public static bool DeclaresHandlers(INamedTypeSymbol type)
    {
        for (INamedTypeSymbol? current = type; current is not null && current.SpecialType != SpecialType.System_Object; current = current.BaseType)
        {
            foreach (var member in current.GetMembers())
            {
                if (member is IMethodSymbol method && (AttributeReader.Has(method, KnownNames.TopicAttribute) || AttributeReader.Has(method, KnownNames.HeadersAttribute)))
                {
                    return true;
                }
            }

            if (current.TypeKind != TypeKind.Class)
            {
                break;
            }
        }

        return false;
    }

    /// <summary>The first of <paramref name="attributes"/> the type carries (the step that parses it), or null.</summary>
    public static string? FirstAttribute(INamedTypeSymbol type, string[] attributes) =>
        attributes.FirstOrDefault(a => AttributeReader.Has(type, a));

    /// <summary>
    /// The message model of an attributed type, or null when the type is a consumer class or cannot be a message. With
    /// <paramref name="deferred"/>, the diagnostics the project must suppress to use the type are collected there
    /// rather than judged (<see cref="Rules.ShapeRules.MessageTypeProblem"/>). <paramref name="own"/> is the assembly
    /// being built (<see cref="DeclaredIn"/>); null when a referenced assembly is read for any compilation using it.
    /// </summary>
    public static MessageModel? TryParseAttributed(INamedTypeSymbol type, IAssemblySymbol? own, System.Collections.Generic.ISet<string>? deferred = null) =>
        type.TypeKind == TypeKind.Interface || IsConsumer(type) || Rules.ShapeRules.MessageTypeProblem(type, deferred) is not null || Rules.UndefinedTypes.In(type) || ExchangeProblemInSource(type, own) is not null
            || ContractKeyProblemInSource(type, own) is not null ? null : Parse(type, own);

    /// <summary>
    /// Whether <paramref name="symbol"/> is declared in <paramref name="own"/>, the assembly being built. Not whether it
    /// has syntax: in the IDE a project reference is a compilation, and its types have syntax too, though they belong
    /// to another assembly (named, judged and generated for when that assembly is built).
    /// </summary>
    public static bool DeclaredIn(ISymbol symbol, IAssemblySymbol? own) =>
        own is not null && SymbolEqualityComparer.Default.Equals(symbol.ContainingAssembly, own);

    /// <summary>
    /// <see cref="ExchangeProblem"/> of a type declared in <paramref name="own"/>, where the analyzers report it (WRN034);
    /// a type from a referenced assembly was judged when that assembly was built, and is used as it is.
    /// </summary>
    public static string? ExchangeProblemInSource(ISymbol symbol, IAssemblySymbol? own) =>
        DeclaredIn(symbol, own) ? ExchangeProblem(symbol) : null;

    /// <summary>
    /// <see cref="Rules.ContractKeyRules"/> for a message type declared in <paramref name="own"/>, where the analyzers
    /// report it (WRN001, WRN002): its contract name cannot be the routing key it is published and bound with. A type
    /// from a referenced assembly was judged when that assembly was built.
    /// </summary>
    public static Rules.ContractKeyProblem? ContractKeyProblemInSource(ITypeSymbol type, IAssemblySymbol? own) =>
        DeclaredIn(type, own) && Payloads.Of(type) == PayloadKind.Json ? Rules.ContractKeyRules.Problem(Parse(type, own)) : null;

    /// <summary>Why the <c>[Exchange]</c> of a type or publisher interface cannot be used (WRN034), or null (also without one).</summary>
    public static string? ExchangeProblem(ISymbol symbol) =>
        ReadExchange(symbol) is { } exchange ? Rules.NameRules.ExchangeProblem(exchange.Name, exchange.Type) : null;

    /// <summary>The message model of <paramref name="type"/> as <paramref name="own"/>, the assembly being built, uses it.</summary>
    public static MessageModel Parse(ITypeSymbol type, IAssemblySymbol? own)
    {
        var typeName = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        if (Payloads.Of(type) is var payload and not PayloadKind.Json)
        {
            // Text and bytes: no contract name (no type property), no route, no JSON metadata.
            return new MessageModel(typeName, Names.Identifier(type), string.Empty, null, null, EquatableArray<RoutingPart>.Empty, null, Payload: payload);
        }

        var named = AttributeReader.Find(type, KnownNames.MessageAttribute) is { } message ? AttributeReader.Argument<string>(message, 0) : null;

        // A type of a referenced assembly keeps the default name its assembly gave it (qualified or not): fixed, as a
        // [Message] name is, so that this compilation's other types do not qualify it again.
        named ??= DeclaredContractNames.Of(type, own);
        var contract = named ?? Names.ContractName(type, qualified: false);
        var template = AttributeReader.Find(type, KnownNames.TopicAttribute) is { } topic ? AttributeReader.Argument<string>(topic, 0) : null;
        int? priority = AttributeReader.Find(type, KnownNames.PriorityAttribute) is { } p && p.ConstructorArguments.Length == 1
            ? AttributeReader.Argument<int>(p, 0)
            : null;
        return new MessageModel(
            typeName,
            Names.Identifier(type),
            contract,
            ReadExchange(type),
            template,
            RoutingTemplates.Parse(template, type),
            priority,
            named is null ? Names.ContractName(type, qualified: true) : null,
            IsReferenceType: type.IsReferenceType,
            Exported: DeclaredIn(type.OriginalDefinition, own) && (VisibleOutside(type) || (GivesInternals(own) && VisibleToFriends(type, own))));
    }

    /// <summary>Whether <paramref name="assembly"/> gives its internals to other assemblies (<c>InternalsVisibleTo</c>).</summary>
    public static bool GivesInternals(IAssemblySymbol? assembly) =>
        assembly is not null && assembly.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == "System.Runtime.CompilerServices.InternalsVisibleToAttribute");

    /// <summary>
    /// Whether an assembly <paramref name="own"/> gives its internals to can name <paramref name="type"/>: it, its
    /// containing types and its type arguments are public, or internal and declared in <paramref name="own"/>.
    /// </summary>
    public static bool VisibleToFriends(ITypeSymbol type, IAssemblySymbol? own) =>
        type switch
        {
            IArrayTypeSymbol array => VisibleToFriends(array.ElementType, own),
            INamedTypeSymbol named => (named.DeclaredAccessibility == Accessibility.Public
                    || (named.DeclaredAccessibility is Accessibility.Internal or Accessibility.ProtectedOrInternal && DeclaredIn(named.OriginalDefinition, own)))
                && (named.ContainingType is null || VisibleToFriends(named.ContainingType, own))
                && named.TypeArguments.All(a => VisibleToFriends(a, own)),
            _ => false,
        };

    /// <summary>Whether other assemblies can name <paramref name="type"/>: it, its containing types and its type arguments are public.</summary>
    public static bool VisibleOutside(ITypeSymbol type) =>
        type switch
        {
            IArrayTypeSymbol array => VisibleOutside(array.ElementType),
            INamedTypeSymbol named => named.DeclaredAccessibility == Accessibility.Public
                && (named.ContainingType is null || VisibleOutside(named.ContainingType))
                && named.TypeArguments.All(VisibleOutside),
            _ => false,
        };

    public static ExchangeModel? ReadExchange(ISymbol symbol)
    {
        if (AttributeReader.Find(symbol, KnownNames.ExchangeAttribute) is not { } exchange)
        {
            return null;
        }

        var kind = AttributeReader.Argument<int>(exchange, 1, AttributeEnums.TopicExchange);
        return new ExchangeModel(
            AttributeReader.Argument<string>(exchange, 0) ?? string.Empty,
            kind >= 0 && kind < AttributeEnums.ExchangeTypes.Length ? AttributeEnums.ExchangeTypes[kind] : AttributeEnums.ExchangeTypes[AttributeEnums.TopicExchange],
            AttributeReader.Named(exchange, AttributeNames.Exchange.Durable, true),
            AttributeReader.Named(exchange, AttributeNames.Exchange.AutoDelete, false));
    }
}

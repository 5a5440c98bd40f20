using Microsoft.CodeAnalysis;
using Warren.Generators.Model;

namespace Warren.Generators.Parsing;

/// <summary>Which body format a handler's parameter type asks for: JSON for a message type, the body itself for text and bytes.</summary>
internal static class Payloads
{
    public static PayloadKind Of(ITypeSymbol type) => type switch
    {
        { SpecialType: SpecialType.System_String } => PayloadKind.Text,
        IArrayTypeSymbol { Rank: 1, ElementType.SpecialType: SpecialType.System_Byte } => PayloadKind.Bytes,
        INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } named
            when named.TypeArguments[0].SpecialType == SpecialType.System_Byte && KnownNames.Is(named.OriginalDefinition, "System.ReadOnlyMemory`1") => PayloadKind.Memory,
        _ => PayloadKind.Json,
    };

    /// <summary>True for a type read as text or bytes, which needs no JSON metadata and has no contract.</summary>
    public static bool IsRaw(ITypeSymbol type) => Of(type) != PayloadKind.Json;

    /// <summary>The runtime format generated code passes for a raw payload.</summary>
    public static string Format(PayloadKind kind) => kind switch
    {
        PayloadKind.Text => "global::Warren.PayloadFormat.Text",
        PayloadKind.Bytes => "global::Warren.PayloadFormat.Bytes",
        _ => "global::Warren.PayloadFormat.Memory",
    };
}

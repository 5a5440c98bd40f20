using System.Linq;
using Microsoft.CodeAnalysis;
using Warren.Generators.Parsing;

namespace Warren.Generators.Rules;

/// <summary>
/// Batch handlers: a handler method with <c>[Batch]</c> takes <c>IReadOnlyList&lt;T&gt;</c> and is a handler of
/// <c>T</c> (its routes, bindings and JSON metadata are those of <c>T</c>). Without <c>[Batch]</c> a list parameter is an
/// ordinary message whose body is a JSON array. Shared by the generator and the analyzers.
/// </summary>
internal static class BatchRules
{
    public const string BatchAttribute = "Warren.BatchAttribute";
    public const string ReadOnlyList = "System.Collections.Generic.IReadOnlyList`1";

    /// <summary>The defaults of <c>BatchAttribute</c>.</summary>
    public const int DefaultSize = 50;

    public const string DefaultTimeout = "2s";

    /// <summary>True for a method with <c>[Batch]</c>.</summary>
    public static bool IsBatch(IMethodSymbol method) => AttributeReader.Has(method, BatchAttribute);

    /// <summary>The <c>T</c> of <c>IReadOnlyList&lt;T&gt;</c>, or null for any other type.</summary>
    public static ITypeSymbol? ElementType(ITypeSymbol type) =>
        type is INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } named && KnownNames.Is(named.OriginalDefinition, ReadOnlyList)
            ? named.TypeArguments[0]
            : null;

    /// <summary>The batch size and timeout (milliseconds) of a <c>[Batch]</c> method; invalid values as written (see <see cref="Problem"/>).</summary>
    public static (int Size, long? TimeoutMilliseconds) Read(IMethodSymbol method)
    {
        var attribute = AttributeReader.Find(method, BatchAttribute);
        return attribute is null
            ? (DefaultSize, Durations.ToMilliseconds(DefaultTimeout))
            : (AttributeReader.Named(attribute, AttributeNames.Batch.Size, DefaultSize), Durations.ToMilliseconds(AttributeReader.Named<string>(attribute, AttributeNames.Batch.Timeout) ?? DefaultTimeout));
    }

    /// <summary>Why a <c>[Batch]</c> handler cannot be dispatched as a batch (completing "Handler 'X' …"), or null (also for a method without <c>[Batch]</c>).</summary>
    public static string? Problem(IMethodSymbol method)
    {
        if (!IsBatch(method))
        {
            return null;
        }

        if (ConsumerParser.MessageParameter(method) is { } parameter && ElementType(parameter.Type) is null)
        {
            return $"has [Batch] but takes {parameter.Type.ToDisplayString()}: a batch handler takes IReadOnlyList<T> of a message type T";
        }

        if (ConsumerParser.MessageParameter(method) is { } list && ElementType(list.Type) is { } element && Payloads.IsRaw(element))
        {
            return $"has [Batch] of {element.ToDisplayString()}: a batch takes JSON messages, IReadOnlyList<T> of a message type T (text and bytes are handled one by one)";
        }

        if (method.Parameters.Any(p => ConsumerParser.Kind(p) == Model.ParameterKind.Context))
        {
            return "has [Batch] and takes a MessageContext: a batch has one context per message; take IReadOnlyList<T> and optionally a CancellationToken";
        }

        var (size, timeout) = Read(method);
        if (size < 1)
        {
            return $"has [Batch(Size = {size})]: a batch holds at least one message";
        }

        return timeout is null or <= 0 ? "has a [Batch] Timeout that is no positive duration: write one such as \"500ms\" or \"2s\"" : null;
    }

    /// <summary>
    /// WRN030: a batch larger than the queue's explicit prefetch never fills (the broker stops delivering at the
    /// prefetch), so every batch waits for its timeout. The configured default (<c>Warren:Prefetch</c>) is not known here.
    /// </summary>
    public static bool AbovePrefetch(int prefetch, int size) => prefetch > 0 && size > prefetch;
}

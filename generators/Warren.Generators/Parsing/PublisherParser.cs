using System.Linq;
using Microsoft.CodeAnalysis;
using Warren.Generators.Model;
using Warren.Generators.Rules;

namespace Warren.Generators.Parsing;

/// <summary>What a parameter of a publisher method is.</summary>
internal enum PublisherParameter
{
    Message,
    CancellationToken,
    Options,
    Context,

    /// <summary>A <c>TimeSpan</c> (or <c>TimeSpan?</c>): <c>PublishOptions.Delay</c>.</summary>
    Delay,

    /// <summary>A <c>DateTimeOffset</c> (or <c>DateTimeOffset?</c>): <c>PublishOptions.DeliverAt</c>.</summary>
    DeliverAt,
}

/// <summary>Reads a <c>[Publisher]</c> interface: one publish method per message, its own and inherited ones.</summary>
internal static class PublisherParser
{
    /// <summary>Signatures as declared, nullable annotations included, so the implementation matches exactly.</summary>
    public static readonly SymbolDisplayFormat DeclaredFormat =
        SymbolDisplayFormat.FullyQualifiedFormat.AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    /// <summary>The interface's model, or null when it is no publisher or one of its methods is invalid (the analyzers say which).</summary>
    /// <remarks>
    /// With <paramref name="deferred"/> (an interface read from a referenced assembly), the diagnostic ids a project must
    /// suppress to use it are added there rather than judged (see <see cref="ShapeRules.MessageTypeProblem"/>).
    /// </remarks>
    public static PublisherModel? TryParse(INamedTypeSymbol type) => TryParse(type, null);

    /// <inheritdoc cref="TryParse(INamedTypeSymbol)"/>
    public static PublisherModel? TryParse(INamedTypeSymbol type, System.Collections.Generic.ISet<string>? deferred) =>
        TryParse(type, deferred, type.ContainingAssembly);

    /// <summary>
    /// The interface's model as the assembly <paramref name="own"/> implements it: its messages declared in
    /// <paramref name="own"/> are judged and named as that assembly's own, every other message keeps the contract name its
    /// assembly gave it (null: no message is the own assembly's, as for an interface read once for every compilation).
    /// </summary>
    public static PublisherModel? TryParse(INamedTypeSymbol type, System.Collections.Generic.ISet<string>? deferred, IAssemblySymbol? own)
    {
        if (type.TypeKind != TypeKind.Interface || ShapeRules.InterfaceProblem(type, deferred) is not null || UndefinedTypes.InInterface(type))
        {
            return null;
        }

        var methods = ShapeRules.InterfaceMethods(type).ToList();
        if (methods.Any(m => ShapeRules.PublisherMethodProblem(m, deferred) is not null || AttributeReader.Has(m, KnownNames.TopicAttribute) && m.Parameters.Any(p => Kind(p) == PublisherParameter.Options)))
        {
            return null;
        }

        // An exchange that cannot be used (WRN034, reported on the interface or the message type), or a message whose
        // contract name cannot be its routing key (WRN001, WRN002): no implementation publishing to it.
        if (methods.Any(m => MessageParser.ExchangeProblem(m.ContainingType) is not null || MessageParser.ExchangeProblemInSource(m.Parameters.First(p => Kind(p) == PublisherParameter.Message).Type, own) is not null
            || MessageParser.ContractKeyProblemInSource(m.Parameters.First(p => Kind(p) == PublisherParameter.Message).Type, own) is not null))
        {
            return null;
        }

        var typeName = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        return new PublisherModel(
            typeName,
            Names.Identifier(typeName),
            methods.OrderBy(m => m.ContainingType.ToDisplayString(), System.StringComparer.Ordinal).ThenBy(m => m.Name, System.StringComparer.Ordinal).Select(m => ParseMethod(m, own)).ToEquatableArray());
    }

    /// <summary>A method as <see cref="PublisherMethodModel.Signature"/> names it: its name and its parameters' types as declared.</summary>
    public static string Signature(IMethodSymbol method) =>
        PublisherMethodModel.SignatureOf(method.Name, method.Parameters.Select(p => p.Type.ToDisplayString(DeclaredFormat)));

    public static PublisherParameter Kind(IParameterSymbol parameter) =>
        KnownNames.Is(parameter.Type, KnownNames.CancellationTokenType) ? PublisherParameter.CancellationToken
        : KnownNames.Is(parameter.Type, KnownNames.PublishOptionsType) ? PublisherParameter.Options
        : KnownNames.Is(parameter.Type, KnownNames.MessageContextType) ? PublisherParameter.Context
        : KnownNames.Is(Underlying(parameter.Type), KnownNames.TimeSpanType) ? PublisherParameter.Delay
        : KnownNames.Is(Underlying(parameter.Type), KnownNames.DateTimeOffsetType) ? PublisherParameter.DeliverAt
        : PublisherParameter.Message;

    /// <summary>The <c>T</c> of <c>T?</c> for a nullable value type; the type itself otherwise.</summary>
    private static ITypeSymbol Underlying(ITypeSymbol type) =>
        type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable ? nullable.TypeArguments[0] : type;

    private static PublisherMethodModel ParseMethod(IMethodSymbol method, IAssemblySymbol? own)
    {
        var parameter = method.Parameters.First(p => Kind(p) == PublisherParameter.Message);
        var template = AttributeReader.Find(method, KnownNames.TopicAttribute) is { } topic ? AttributeReader.Argument<string>(topic, 0) : null;
        var returns = method.ReturnType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);

        // Text and bytes have no contract: the declaring interface's [Exchange] says where they go (none: the default exchange).
        var exchange = Payloads.IsRaw(parameter.Type) ? MessageParser.ReadExchange(method.ContainingType) : null;
        return new PublisherMethodModel(
            method.Name,
            method.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            method.Parameters.Select(p => new PublisherParameterModel(p.Name, p.Type.ToDisplayString(DeclaredFormat), Kind(p))).ToEquatableArray(),
            MessageParser.Parse(parameter.Type.WithNullableAnnotation(NullableAnnotation.NotAnnotated), own),
            returns == KnownNames.Task,
            template,
            RoutingTemplates.Parse(template, parameter.Type),
            exchange);
    }
}

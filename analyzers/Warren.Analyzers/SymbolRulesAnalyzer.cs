using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Warren.Analyzers.Rules;
using Warren.Generators.Parsing;

namespace Warren.Analyzers;

/// <summary>
/// Rules that one type decides on its own: routing keys and patterns, placeholders, handler and RPC signatures,
/// priorities, queue options, consumer settings and durations. Runs per type, concurrently, never on generated code.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class SymbolRulesAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.InvalidTopic,
        DiagnosticDescriptors.WildcardInRoutingKey,
        DiagnosticDescriptors.UnknownPlaceholder,
        DiagnosticDescriptors.UnsupportedPlaceholderType,
        DiagnosticDescriptors.UnsupportedHandler,
        DiagnosticDescriptors.DuplicateHandler,
        DiagnosticDescriptors.QueueWithoutHandlers,
        DiagnosticDescriptors.PriorityOutOfRange,
        DiagnosticDescriptors.PriorityAboveTen,
        DiagnosticDescriptors.DeadLetterLoop,
        DiagnosticDescriptors.RetriesOverDeliveryLimit,
        DiagnosticDescriptors.QuorumIncompatible,
        DiagnosticDescriptors.QuorumRejectPublishDlx,
        DiagnosticDescriptors.UnsupportedRpcMethod,
        DiagnosticDescriptors.InvalidDuration,
        DiagnosticDescriptors.UnsupportedPublisherMethod,
        DiagnosticDescriptors.DuplicateContract,
        DiagnosticDescriptors.UnreachableType,
        DiagnosticDescriptors.ConcurrencyAbovePrefetch,
        DiagnosticDescriptors.HeadersMessageThroughPublisher,
        DiagnosticDescriptors.SettingOutOfRange,
        DiagnosticDescriptors.BatchAbovePrefetch,
        DiagnosticDescriptors.StreamIncompatible,
        DiagnosticDescriptors.UnreachablePayloadHandler,
        DiagnosticDescriptors.AmbiguousPayloadHandler,
        DiagnosticDescriptors.UnusableName,
        DiagnosticDescriptors.PublishRefused,
        DiagnosticDescriptors.HiddenHandler,
        DiagnosticDescriptors.MalformedHeadersEntry,
        DiagnosticDescriptors.UnusedRetryDelays);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterSymbolAction(AnalyzeType, SymbolKind.NamedType);
    }

    private static void AnalyzeType(SymbolAnalysisContext context)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        if (type.TypeKind == TypeKind.Interface)
        {
            PublisherRules.Analyze(context, type);
            RpcRules.Analyze(context, type);
            return;
        }

        // A class serving an RPC service that generated code cannot create is not served: say so rather than drop it.
        if (type.TypeKind == TypeKind.Class && !type.IsAbstract && !type.IsGenericType
            && type.AllInterfaces.FirstOrDefault(i => AttributeReader.Has(i, KnownNames.RpcServiceAttribute)) is { } service
            && Warren.Generators.Rules.ShapeRules.TypeProblem(type) is { } serverProblem)
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.UnreachableType, Locations.Of(type), type.Name, $"is a server of RPC service {service.Name} that " + serverProblem.Replace("'" + type.Name + "' ", string.Empty)));
        }

        if (MessageParser.IsConsumer(type))
        {
            ConsumerRules.Analyze(context, type);
        }
        else
        {
            MessageRules.Analyze(context, type);
        }
    }
}

using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Warren.Generators.Parsing;
using Warren.Generators.Rules;

namespace Warren.Analyzers.Rules;

/// <summary>A <c>[Publisher]</c> interface's per-method routing keys.</summary>
internal static class PublisherRules
{
    public static void Analyze(SymbolAnalysisContext context, INamedTypeSymbol type)
    {
        if (!AttributeReader.Has(type, KnownNames.PublisherAttribute))
        {
            return;
        }

        if (ShapeRules.InterfaceProblem(type) is { } interfaceProblem)
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.UnreachableType, Locations.Of(type), type.Name, "is a publisher that " + interfaceProblem));
        }

        NameChecks.Exchange(context, type, "Publisher");
        foreach (var method in ShapeRules.InterfaceMethods(type))
        {
            var location = method.ContainingType.Equals(type, SymbolEqualityComparer.Default) ? Locations.Of(method) : Locations.Of(type);
            if (ShapeRules.PublisherMethodProblem(method) is { } problem)
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.UnsupportedPublisherMethod, location, method.Name, problem));
                continue;
            }

            var message = method.Parameters.First(p => PublisherParser.Kind(p) == PublisherParameter.Message);
            MessageRules.CheckContractKeyAt(context, message.Type.WithNullableAnnotation(NullableAnnotation.NotAnnotated), location);
            var takesOptions = method.Parameters.Any(p => PublisherParser.Kind(p) == PublisherParameter.Options);

            // Where the method publishes: the message's [Exchange], text and bytes the interface's (PublishOptions may
            // name another exchange at run time, so a method taking them is not judged).
            var target = Payloads.IsRaw(message.Type) ? MessageParser.ReadExchange(method.ContainingType) : MessageParser.ReadExchange(message.Type);
            if (!takesOptions && target is not null && NameRules.PublishProblem(target.Name) is { } refused)
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.PublishRefused, location, $"Publisher method '{method.Name}'", NameRules.Show(target.Name), refused));
            }

            if (!takesOptions && MessageParser.ReadExchange(message.Type) is { Type: "headers" } exchange)
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.HeadersMessageThroughPublisher, location, method.Name, message.Type.Name, exchange.Name));
            }

            if (AttributeReader.Find(method, KnownNames.TopicAttribute) is { } topic && AttributeReader.Argument<string>(topic, 0) is { } template)
            {
                if (takesOptions)
                {
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.UnsupportedPublisherMethod, location, method.Name, "has [Topic] and takes PublishOptions: set PublishOptions.RoutingKey instead"));
                    continue;
                }

                // Declared in this compilation, not only with syntax: in the IDE a referenced project's methods have syntax too.
                MessageRules.CheckTemplate(context, topic, method, template, message.Type, MessageParser.DeclaredIn(method, type.ContainingAssembly) ? null : location);
            }
        }
    }
}

using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Warren.Generators.Model;
using Warren.Generators.Parsing;

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

        foreach (var method in type.GetMembers().OfType<IMethodSymbol>())
        {
            var message = method.Parameters.FirstOrDefault(p => ConsumerParser.Kind(p) == ParameterKind.Message);
            if (message is not null && AttributeReader.Find(method, KnownNames.TopicAttribute) is { } topic && AttributeReader.Argument<string>(topic, 0) is { } template)
            {
                MessageRules.CheckTemplate(context, topic, method, template, message.Type);
            }
        }
    }
}

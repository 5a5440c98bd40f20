using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Warren.Generators.Model;
using Warren.Generators.Parsing;
using Warren.Generators.Rules;

namespace Warren.Analyzers.Rules;

/// <summary>
/// Bindings judged on the whole compilation's consumers, as the generator declares them: wildcard keys on direct
/// exchanges (WRN025) and dead-letter queue consumers bound to work exchanges (WRN027).
/// </summary>
internal static class BindingRules
{
    public static void Judge(Microsoft.CodeAnalysis.Diagnostics.CompilationAnalysisContext context, IReadOnlyList<(ConsumerModel Model, INamedTypeSymbol Type)> consumers, IReadOnlyList<DeadLetterQueueModel> referencedDeadLetterQueues)
    {
        var types = new Dictionary<string, INamedTypeSymbol>();
        foreach (var (model, type) in consumers)
        {
            types[model.TypeName] = type;
        }

        // The generator's view: dead-letter consumers (of this assembly's queues or of referenced ones) lose their default bindings.
        var marked = DeadLetterConsumers.Mark(consumers.Select(c => c.Model).GroupBy(m => m.TypeName).Select(g => g.First()).ToList(), referencedDeadLetterQueues);
        var deadLetterExchanges = TopologyRules.DeadLetterExchanges(marked);
        foreach (var consumer in marked)
        {
            var type = types[consumer.TypeName];
            foreach (var handler in consumer.Handlers)
            {
                var method = HandlerMethod(type, handler);
                foreach (var binding in TopologyRules.UnmatchableDirectBindings(consumer, handler))
                {
                    var derived = binding.FromMessage ? $" (the default binding, from the routing key '{handler.Message.RoutingTemplate}' of {Text(handler.Message.TypeName)})" : string.Empty;
                    context.ReportDiagnostic(Diagnostic.Create(
                        DiagnosticDescriptors.WildcardOnDirectExchange, Where(method, binding), handler.MethodName, consumer.Queue.Name, binding.Exchange, binding.RoutingKey, derived));
                }

                foreach (var binding in TopologyRules.WorkBindings(consumer, handler, deadLetterExchanges))
                {
                    var how = binding.HeadersMatch is null ? $" with key '{binding.RoutingKey}'" : $" by headers ({string.Join(", ", binding.Headers.Select(h => h.Name + "=" + h.Value))})";
                    context.ReportDiagnostic(Diagnostic.Create(
                        DiagnosticDescriptors.DeadLetterConsumerBoundToWork, Where(method, binding), consumer.Queue.Name, handler.MethodName, binding.Exchange, how));
                }
            }
        }
    }

    /// <summary>The method a handler model was read from (overloads are told apart by their message type).</summary>
    private static IMethodSymbol? HandlerMethod(INamedTypeSymbol type, HandlerModel handler) =>
        ConsumerParser.HandlerCandidates(type).FirstOrDefault(m =>
            m.Name == handler.MethodName
            && ConsumerParser.MessageType(m)?.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) == handler.Message.TypeName);

    /// <summary>The attribute that declares a binding; the method for a default binding.</summary>
    private static Location Where(IMethodSymbol? method, BindingModel binding)
    {
        if (method is null)
        {
            return Location.None;
        }

        if (!binding.FromMessage)
        {
            var attribute = binding.HeadersMatch is null
                ? AttributeReader.FindAll(method, KnownNames.TopicAttribute).FirstOrDefault(a => AttributeReader.Argument<string>(a, 0) == binding.RoutingKey)
                : AttributeReader.FindAll(method, KnownNames.HeadersAttribute).FirstOrDefault(a => AttributeReader.ParamsStrings(a).Length == binding.Headers.Count);
            if (attribute is not null)
            {
                return Locations.Of(attribute, method);
            }
        }

        return Locations.Of(method);
    }

    private static string Text(string typeName) => typeName.Split('.').Last();
}

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
                        DiagnosticDescriptors.WildcardOnDirectExchange, Where(type, method, binding), handler.MethodName, consumer.Queue.Name, binding.Exchange, binding.RoutingKey, derived));
                }

                foreach (var binding in TopologyRules.WorkBindings(consumer, handler, deadLetterExchanges))
                {
                    var how = binding.HeadersMatch is null ? $" with key '{binding.RoutingKey}'" : $" by headers ({string.Join(", ", binding.Headers.Select(h => h.Name + "=" + h.Value))})";
                    context.ReportDiagnostic(Diagnostic.Create(
                        DiagnosticDescriptors.DeadLetterConsumerBoundToWork, Where(type, method, binding), consumer.Queue.Name, handler.MethodName, binding.Exchange, how));
                }
            }
        }
    }

    /// <summary>A key a message is published with: as written, and as words (<see cref="RouteMatching.KeyWords"/>).</summary>
    public sealed record PublishKey(string Text, string?[] Words);

    /// <summary>
    /// WRN040: a handler's own <c>[Topic]</c> binding on its message's exchange (topic or direct) that no key the message
    /// is published with can match (<see cref="RouteMatching"/>: a placeholder is any one word), so the binding never
    /// receives the message it is declared for. Only messages whose keys are known are judged (<paramref name="keys"/>:
    /// none for a message without an exchange of its own or with a key in error; none on an exchange the broker publishes
    /// to itself); default bindings are the message's
    /// own key; a pattern already reported (WRN001, WRN025) and the bindings of dead-letter consumers (WRN027) are left to
    /// those rules.
    /// </summary>
    public static void JudgeUnmatched(
        Microsoft.CodeAnalysis.Diagnostics.CompilationAnalysisContext context,
        IReadOnlyList<(ConsumerModel Model, INamedTypeSymbol Type)> consumers,
        IReadOnlyList<DeadLetterQueueModel> referencedDeadLetterQueues,
        IReadOnlyDictionary<string, MessageModel> final,
        IReadOnlyDictionary<(string TypeName, string Exchange), List<PublishKey>> keys)
    {
        var types = new Dictionary<string, INamedTypeSymbol>();
        foreach (var (model, type) in consumers)
        {
            types[model.TypeName] = type;
        }

        // By handler too: the handlers of a referenced base class are all reported at the consumer class.
        var reported = new HashSet<(Location, string, string, string)>();
        var marked = DeadLetterConsumers.Mark(consumers.Select(c => c.Model).GroupBy(m => m.TypeName).Select(g => g.First()).ToList(), referencedDeadLetterQueues);
        foreach (var consumer in marked.Where(c => !c.Queue.IsDeadLetterQueue))
        {
            foreach (var handler in consumer.Handlers)
            {
                var message = final.TryGetValue(handler.Message.TypeName, out var named) ? named : handler.Message;
                // The broker publishes to its own exchanges (the firehose, the event exchange) with keys of its choosing.
                // A message declared in a referenced assembly (a contracts library) is published by other services too,
                // with keys this compilation cannot see.
                var method = HandlerMethod(types[consumer.TypeName], handler);
                if (method is not null && DeclaredElsewhere(ConsumerParser.MessageType(method), context.Compilation.Assembly)
                    || message.Payload != PayloadKind.Json || message.Exchange is not { Type: "topic" or "direct" } exchange || NameRules.PublishProblem(exchange.Name) is not null
                    || !keys.TryGetValue((message.TypeName, exchange.Name), out var published) || published.Count == 0)
                {
                    continue;
                }

                foreach (var binding in handler.Bindings.Where(b => !b.FromMessage && b.HeadersMatch is null && b.Exchange == exchange.Name))
                {
                    if (TopicRules.BindingProblem(binding.RoutingKey) is not null
                        || exchange.Type == "direct" && binding.RoutingKey.Split('.').Any(w => w is "*" or "#")
                        || published.Any(k => RouteMatching.CanReach(exchange.Type, k.Words, binding.RoutingKey)))
                    {
                        continue;
                    }

                    var location = Where(types[consumer.TypeName], method is null ? null : ConsumerParser.BindingSource(method), binding);
                    if (!reported.Add((location, handler.MethodName, handler.Message.TypeName, binding.RoutingKey)))
                    {
                        continue;
                    }

                    var texts = published.Select(k => k.Text).Distinct().OrderBy(t => t, System.StringComparer.Ordinal).ToList();
                    var withKeys = texts.Count == 1 ? $"the key '{texts[0]}'" : "the keys " + string.Join(", ", texts.Select(t => $"'{t}'"));
                    context.ReportDiagnostic(Diagnostic.Create(
                        DiagnosticDescriptors.BindingNeverMatchesItsMessage, location, handler.MethodName, consumer.Queue.Name, exchange.Name, binding.RoutingKey, $"'{Text(message.TypeName)}'", withKeys));
                }
            }
        }
    }

    /// <summary>Whether a message type (an array's element type) is declared outside the assembly being built.</summary>
    private static bool DeclaredElsewhere(ITypeSymbol? type, IAssemblySymbol own)
    {
        var element = type is IArrayTypeSymbol array ? array.ElementType : type;
        return element is null || !SymbolEqualityComparer.Default.Equals(element.ContainingAssembly, own);
    }

    /// <summary>The method a handler model was read from (overloads are told apart by their message type).</summary>
    private static IMethodSymbol? HandlerMethod(INamedTypeSymbol type, HandlerModel handler) =>
        ConsumerParser.HandlerCandidates(type).FirstOrDefault(m =>
            m.Name == handler.MethodName
            && ConsumerParser.MessageType(m)?.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) == handler.Message.TypeName);

    /// <summary>
    /// The attribute that declares a binding; the method for a default binding; the consumer class for a method of a
    /// referenced base class (declared elsewhere, not only without syntax: in the IDE a referenced project's methods have
    /// syntax in that project's files).
    /// </summary>
    private static Location Where(INamedTypeSymbol type, IMethodSymbol? method, BindingModel binding)
    {
        if (method is null)
        {
            return Location.None;
        }

        if (!SymbolEqualityComparer.Default.Equals(method.ContainingAssembly, type.ContainingAssembly))
        {
            return Locations.Of(type);
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

    private static string Text(string typeName) => typeName.Split('.').Last().Replace("global::", string.Empty);
}

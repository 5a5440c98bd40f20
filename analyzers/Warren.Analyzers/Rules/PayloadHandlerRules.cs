using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Warren.Generators.Model;
using Warren.Generators.Parsing;

namespace Warren.Analyzers.Rules;

/// <summary>
/// Text and byte handlers beside other handlers of one queue. Such a handler has no contract name, so the generated
/// dispatcher reaches it only through its bindings, trying the queue's handlers in name order and taking the first whose
/// binding matches where the message was published (a message with a type the queue knows goes to that type's handler).
/// WRN032: a text or byte handler without any binding among other handlers is never called. WRN033: its bindings
/// overlap another handler's, so an untyped message both match goes to the first by name only.
/// </summary>
internal static class PayloadHandlerRules
{
    public static void Analyze(SymbolAnalysisContext context, INamedTypeSymbol type, ConsumerModel consumer)
    {
        if (consumer.Handlers.Count < 2 || consumer.Handlers.All(h => h.Message.Payload == PayloadKind.Json))
        {
            return;
        }

        // The dispatcher's order: consumer.Handlers as parsed (by method name, then declaration).
        var exchangeTypes = ExchangeTypes(consumer);
        var handlers = consumer.Handlers.ToList();
        for (var i = 0; i < handlers.Count; i++)
        {
            var handler = handlers[i];
            if (handler.Message.Payload == PayloadKind.Json)
            {
                continue;
            }

            var location = Location(type, handler);
            if (handler.Bindings.Count == 0)
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.UnreachablePayloadHandler, location, Display(handler), Describe(handler.Message.Payload), consumer.Queue.Name));
                continue;
            }

            for (var j = 0; j < handlers.Count; j++)
            {
                // Two text or byte handlers: reported once, at the later one, which is never chosen.
                var other = handlers[j];
                if (j == i || other.Message.Payload != PayloadKind.Json && j > i || Overlap(handler, other, exchangeTypes) is not { } shared)
                {
                    continue;
                }

                var (first, never) = i < j ? (handler, other) : (other, handler);
                context.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.AmbiguousPayloadHandler,
                    location,
                    Display(handler),
                    Describe(handler.Message.Payload),
                    Display(other),
                    consumer.Queue.Name,
                    shared,
                    Display(first),
                    Display(never)));
                break;
            }
        }
    }

    /// <summary>Where both handlers' bindings let one published message through, in words, or null.</summary>
    private static string? Overlap(HandlerModel a, HandlerModel b, Dictionary<string, string> exchangeTypes)
    {
        foreach (var x in a.Bindings)
        {
            foreach (var y in b.Bindings.Where(y => y.Exchange == x.Exchange))
            {
                var type = exchangeTypes.TryGetValue(x.Exchange, out var t) ? t : "topic";
                var overlaps = type switch
                {
                    "fanout" => true,
                    "direct" => x.RoutingKey == y.RoutingKey,
                    "topic" => PatternsOverlap(x.RoutingKey, y.RoutingKey),

                    // Headers bindings are compared only when identical: overlapping header sets are left to the user.
                    _ => x.Headers.SequenceEqual(y.Headers) && x.HeadersMatch == y.HeadersMatch,
                };
                if (overlaps)
                {
                    return type == "fanout" ? $"fanout exchange '{x.Exchange}'" : $"exchange '{x.Exchange}' ('{x.RoutingKey}' and '{y.RoutingKey}')";
                }
            }
        }

        return null;
    }

    /// <summary>
    /// True when some routing key matches both topic patterns (<c>*</c> one word, <c>#</c> zero or more). Decided over
    /// the suffixes of both patterns, from their ends back, so the work is one pattern's words times the other's however
    /// many <c>#</c> they have (trying each way the <c>#</c>s could share a key would take exponential time).
    /// </summary>
    public static bool PatternsOverlap(string a, string b)
    {
        var x = a.Length == 0 ? [] : a.Split('.');
        var y = b.Length == 0 ? [] : b.Split('.');

        // overlap[i, j]: some key matches both x[i..] and y[j..].
        var overlap = new bool[x.Length + 1, y.Length + 1];
        for (var i = x.Length; i >= 0; i--)
        {
            for (var j = y.Length; j >= 0; j--)
            {
                if (i == x.Length && j == y.Length)
                {
                    overlap[i, j] = true;
                }
                else if (i < x.Length && x[i] == "#")
                {
                    // A '#' matches nothing, or takes the other side's next word (a word, or what the other '#' matches).
                    overlap[i, j] = overlap[i + 1, j] || (j < y.Length && overlap[i, j + 1]);
                }
                else if (j < y.Length && y[j] == "#")
                {
                    overlap[i, j] = overlap[i, j + 1] || (i < x.Length && overlap[i + 1, j]);
                }
                else
                {
                    overlap[i, j] = i < x.Length && j < y.Length && (x[i] == "*" || y[j] == "*" || x[i] == y[j]) && overlap[i + 1, j + 1];
                }
            }
        }

        return overlap[0, 0];
    }

    private static Dictionary<string, string> ExchangeTypes(ConsumerModel consumer)
    {
        var types = new Dictionary<string, string>();
        foreach (var exchange in consumer.Handlers.Select(h => h.Message.Exchange ?? consumer.DefaultExchange))
        {
            if (exchange is not null && !types.ContainsKey(exchange.Name))
            {
                types.Add(exchange.Name, exchange.Type);
            }
        }

        return types;
    }

    private static string Describe(PayloadKind payload) => payload switch
    {
        PayloadKind.Text => "text (string)",
        PayloadKind.Bytes => "bytes (byte[])",
        _ => "bytes (ReadOnlyMemory<byte>)",
    };

    /// <summary>A handler as the message names it: its method and message type, <c>Handle(string)</c>.</summary>
    private static string Display(HandlerModel handler) =>
        $"{handler.MethodName}({handler.Message.TypeName.Split('.').Last().Replace("global::", string.Empty)})";

    /// <summary>The handler method when the class declares it (the overload taking its message); the class for an inherited handler.</summary>
    private static Location Location(INamedTypeSymbol type, HandlerModel handler) =>
        type.GetMembers(handler.MethodName).OfType<IMethodSymbol>()
            .Where(m => ConsumerParser.IsHandlerCandidate(m) && ConsumerParser.MessageType(m)?.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) == handler.Message.TypeName)
            .Select(Locations.Of)
            .FirstOrDefault(l => l != Microsoft.CodeAnalysis.Location.None)
        ?? Locations.Of(type);
}

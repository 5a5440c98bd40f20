using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Warren.Generators.Model;

namespace Warren.Generators.Parsing;

/// <summary>Reads a consumer class: its queue (<c>[Queue]</c>, <c>[Priority(Max)]</c>, <c>[DeadLetter]</c>) and handler methods.</summary>
internal static class ConsumerParser
{
    private static readonly string[] OverflowNames = ["drop-head", "reject-publish", "reject-publish-dlx"];

    public static ConsumerModel? TryParse(INamedTypeSymbol type)
    {
        if (type.TypeKind != TypeKind.Class || !MessageParser.IsConsumer(type))
        {
            return null;
        }

        var typeName = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        var defaultExchange = MessageParser.ReadExchange(type);
        var queue = ReadQueue(type);
        var handlers = new List<HandlerModel>();
        foreach (var member in type.GetMembers().OrderBy(m => m.Name, System.StringComparer.Ordinal))
        {
            if (member is IMethodSymbol method && ReadHandler(method, defaultExchange, queue) is { } handler)
            {
                handlers.Add(handler);
            }
        }

        return new ConsumerModel(typeName, Names.Identifier(typeName), queue, defaultExchange, handlers.ToEquatableArray());
    }

    /// <summary>A method is a handler when it has <c>[Topic]</c>/<c>[Headers]</c> or a handler name, and takes a message.</summary>
    public static bool IsHandlerCandidate(IMethodSymbol method) =>
        method.MethodKind == MethodKind.Ordinary
        && (AttributeReader.Has(method, KnownNames.TopicAttribute)
            || AttributeReader.Has(method, KnownNames.HeadersAttribute)
            || (method.DeclaredAccessibility == Accessibility.Public && KnownNames.HandlerMethodNames.Contains(method.Name)));

    /// <summary>The message parameter: the first one that is neither a MessageContext nor a CancellationToken.</summary>
    public static IParameterSymbol? MessageParameter(IMethodSymbol method) =>
        method.Parameters.FirstOrDefault(p => Kind(p) == ParameterKind.Message);

    public static ParameterKind Kind(IParameterSymbol parameter) =>
        parameter.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) switch
        {
            KnownNames.MessageContext => ParameterKind.Context,
            KnownNames.CancellationToken => ParameterKind.CancellationToken,
            _ => ParameterKind.Message,
        };

    private static HandlerModel? ReadHandler(IMethodSymbol method, ExchangeModel? defaultExchange, QueueModel queue)
    {
        if (!IsHandlerCandidate(method) || method.IsStatic || method.IsGenericMethod || MessageParameter(method) is not { } parameter)
        {
            return null;
        }

        var message = MessageParser.Parse(parameter.Type);
        var returns = method.ReturnsVoid ? ReturnKind.Void
            : method.ReturnType.OriginalDefinition.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat).StartsWith(KnownNames.ValueTask) ? ReturnKind.ValueTask
            : ReturnKind.Task;
        return new HandlerModel(
            method.Name,
            message,
            method.Parameters.Select(Kind).ToEquatableArray(),
            returns,
            ReadBindings(method, message, defaultExchange).ToEquatableArray(),
            AttributeReader.Find(method, KnownNames.DeadLetterAttribute) is { } dl
                ? ReadDeadLetter(dl, queue.Name, queue.DeadLetter, $"{queue.Name}.{message.ContractName}")
                : null);
    }

    /// <summary>A retry and dead-letter policy; a handler's own keeps the class's dead-letter exchange and queue.</summary>
    private static DeadLetterModel ReadDeadLetter(AttributeData dl, string queue, DeadLetterModel? classLevel, string retryQueuePrefix)
    {
        var maxRetries = AttributeReader.Named(dl, "MaxRetries", 0);
        var delays = AttributeReader.NamedStrings(dl, "RetryDelays").Select(Durations.ToMilliseconds).Where(d => d is > 0).Select(d => d!.Value).ToList();
        if (maxRetries > 0 && delays.Count == 0)
        {
            delays.Add(5000);
        }

        return new DeadLetterModel(
            classLevel?.Exchange ?? AttributeReader.Named<string>(dl, "Exchange") ?? queue + ".dlx",
            classLevel?.Queue ?? AttributeReader.Named<string>(dl, "Queue") ?? queue + ".dlq",
            queue,
            AttributeReader.Named(dl, "ImmediateRetries", 0),
            maxRetries,
            delays.Take(System.Math.Max(1, System.Math.Min(maxRetries, delays.Count))).ToEquatableArray(),
            AttributeReader.NamedTypes(dl, "DoNotRetry").ToEquatableArray(),
            retryQueuePrefix);
    }

    private static IEnumerable<BindingModel> ReadBindings(IMethodSymbol method, MessageModel message, ExchangeModel? defaultExchange)
    {
        var exchange = message.Exchange ?? defaultExchange;
        if (exchange is null)
        {
            yield break;
        }

        var headers = AttributeReader.FindAll(method, KnownNames.HeadersAttribute).ToList();
        if (exchange.Type == "headers" || headers.Count > 0)
        {
            foreach (var attribute in headers)
            {
                var pairs = AttributeReader.ParamsStrings(attribute)
                    .Select(text => text.Split(new[] { '=' }, 2))
                    .Select(kv => new HeaderArgument(kv[0].Trim(), kv.Length > 1 ? kv[1].Trim() : string.Empty))
                    .ToEquatableArray();
                var match = AttributeReader.Named(attribute, "Mode", 0) == 1 ? "any" : "all";
                yield return new BindingModel(exchange.Name, string.Empty, pairs, match);
            }

            yield break;
        }

        if (exchange.Type == "fanout")
        {
            yield return new BindingModel(exchange.Name, string.Empty, EquatableArray<HeaderArgument>.Empty, null);
            yield break;
        }

        var topics = AttributeReader.FindAll(method, KnownNames.TopicAttribute).Select(a => AttributeReader.Argument<string>(a, 0)).Where(t => t is not null).ToList();
        if (topics.Count == 0 && message.RoutingTemplate is not null)
        {
            topics.Add(RoutingTemplates.ToBindingPattern(message.RoutingParts));
        }

        foreach (var topic in topics)
        {
            yield return new BindingModel(exchange.Name, topic!, EquatableArray<HeaderArgument>.Empty, null);
        }
    }

    private static QueueModel ReadQueue(INamedTypeSymbol type)
    {
        var attribute = AttributeReader.Find(type, KnownNames.QueueAttribute);
        var name = attribute is null ? Names.KebabCase(type.Name) : AttributeReader.Argument<string>(attribute, 0) ?? Names.KebabCase(type.Name);
        var arguments = new List<QueueArgument>();
        if (attribute is not null)
        {
            if (AttributeReader.Named(attribute, "Type", 0) == 1)
            {
                arguments.Add(Text("x-queue-type", "quorum"));
            }

            if (Durations.ToMilliseconds(AttributeReader.Named<string>(attribute, "MessageTtl")) is { } ttl)
            {
                arguments.Add(Number("x-message-ttl", ttl));
            }

            if (AttributeReader.Named(attribute, "MaxLength", 0) is > 0 and var maxLength)
            {
                arguments.Add(Number("x-max-length", maxLength));
            }

            if (AttributeReader.Named(attribute, "MaxLengthBytes", 0L) is > 0 and var maxBytes)
            {
                arguments.Add(Number("x-max-length-bytes", maxBytes));
            }

            var overflow = AttributeReader.Named(attribute, "Overflow", 0);
            if (overflow > 0 && overflow < OverflowNames.Length)
            {
                arguments.Add(Text("x-overflow", OverflowNames[overflow]));
            }

            if (AttributeReader.Named(attribute, "DeliveryLimit", 0) is > 0 and var deliveryLimit)
            {
                arguments.Add(Number("x-delivery-limit", deliveryLimit));
            }

            if (AttributeReader.Named(attribute, "SingleActiveConsumer", false))
            {
                arguments.Add(new QueueArgument("x-single-active-consumer", "true", "true"));
            }
        }

        if (AttributeReader.Find(type, KnownNames.PriorityAttribute) is { } priority && AttributeReader.Named(priority, "Max", 0) is > 0 and var max)
        {
            arguments.Add(Number("x-max-priority", max));
        }

        DeadLetterModel? deadLetter = null;
        if (AttributeReader.Find(type, KnownNames.DeadLetterAttribute) is { } dl)
        {
            deadLetter = ReadDeadLetter(dl, name, null, name);
            arguments.Add(Text("x-dead-letter-exchange", deadLetter.Exchange));
            arguments.Add(Text("x-dead-letter-routing-key", deadLetter.RoutingKey));
        }

        return new QueueModel(
            name,
            attribute is null || AttributeReader.Named(attribute, "Durable", true),
            attribute is not null && AttributeReader.Named(attribute, "Exclusive", false),
            attribute is not null && AttributeReader.Named(attribute, "AutoDelete", false),
            arguments.OrderBy(a => a.Name, System.StringComparer.Ordinal).ToEquatableArray(),
            attribute is null ? 0 : AttributeReader.Named(attribute, "Prefetch", 0),
            attribute is null ? 0 : AttributeReader.Named(attribute, "Concurrency", 0),
            attribute is null ? 0 : Durations.ToMilliseconds(AttributeReader.Named<string>(attribute, "HandlerTimeout")) ?? 0,
            deadLetter);
    }

    private static QueueArgument Text(string name, string value) =>
        new(name, Literals.String(value), Literals.JsonString(value));

    private static QueueArgument Number(string name, long value) =>
        new(name, value.ToString(CultureInfo.InvariantCulture) + "L", value.ToString(CultureInfo.InvariantCulture));
}

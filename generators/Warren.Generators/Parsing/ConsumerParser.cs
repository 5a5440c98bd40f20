using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Warren.Generators.Model;

namespace Warren.Generators.Parsing;

/// <summary>Reads a consumer class: its queue (<c>[Queue]</c>, <c>[Priority(Max)]</c>, <c>[DeadLetter]</c>) and handler methods.</summary>
internal static class ConsumerParser
{
    /// <summary>
    /// The consumer model of a concrete class, or null. Abstract classes are no queue of their own: their handlers are
    /// inherited by the concrete classes. A class the rules reject, or without one valid handler, gets no code.
    /// </summary>
    public static ConsumerModel? TryParse(INamedTypeSymbol type) =>
        ParseUnchecked(type) is { } consumer && !Rules.NameRules.ConsumerProblems(consumer).Any() ? consumer : null;

    /// <summary>
    /// The consumer model before its names are judged (<see cref="Rules.NameRules.ConsumerProblems"/>): for the analyzers,
    /// which report those names; the generator uses <see cref="TryParse"/>.
    /// </summary>
    public static ConsumerModel? ParseUnchecked(INamedTypeSymbol type)
    {
        if (type.TypeKind != TypeKind.Class || type.IsAbstract || !MessageParser.IsConsumer(type) || Rules.ShapeRules.ConsumerClassProblem(type) is not null)
        {
            return null;
        }

        var typeName = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        var defaultExchange = MessageParser.ReadExchange(type);
        var queue = ReadQueue(type);
        if (Rules.TopologyRules.SettingsProblem(queue.Prefetch, queue.Concurrency) is not null)
        {
            return null;
        }

        var handlers = new List<HandlerModel>();
        foreach (var method in HandlerCandidates(type).OrderBy(m => m.Name, System.StringComparer.Ordinal))
        {
            if (Rules.ShapeRules.HandlerProblem(method) is null && !Rules.UndefinedTypes.In(method) && ReadHandler(method, defaultExchange, queue, type.ContainingAssembly) is { } handler)
            {
                handlers.Add(handler);
            }
        }

        return handlers.Count == 0 ? null : new ConsumerModel(typeName, Names.Identifier(typeName), queue, defaultExchange, handlers.ToEquatableArray());
    }

    /// <summary>
    /// True when the pipeline step for attributed handler methods parses this class: it has no <c>[Queue]</c> (that step
    /// finds it) and <paramref name="method"/> is its first method with <c>[Topic]</c> or <c>[Headers]</c>, so a class
    /// with several is parsed once.
    /// </summary>
    public static bool FindsByHandler(INamedTypeSymbol type, IMethodSymbol method) =>
        !AttributeReader.Has(type, KnownNames.QueueAttribute)
        && SymbolEqualityComparer.Default.Equals(type.GetMembers().OfType<IMethodSymbol>().FirstOrDefault(HasBindingAttribute), method);

    /// <summary>
    /// True for a class that is a consumer only through handlers it inherits: no <c>[Queue]</c>, no attributed method of
    /// its own. Its base classes are asked first: their attributes are bound once for every class deriving from them, so
    /// the class's own attributes and methods are bound only when a base class has handlers.
    /// </summary>
    public static bool FindsByBaseClass(INamedTypeSymbol type) =>
        type.TypeKind == TypeKind.Class
        && !type.IsAbstract
        && type.BaseType is { SpecialType: not SpecialType.System_Object } baseType
        && MessageParser.DeclaresHandlers(baseType)
        && !AttributeReader.Has(type, KnownNames.QueueAttribute)
        && !type.GetMembers().OfType<IMethodSymbol>().Any(HasBindingAttribute);

    private static bool HasBindingAttribute(IMethodSymbol method) =>
        AttributeReader.Has(method, KnownNames.TopicAttribute) || AttributeReader.Has(method, KnownNames.HeadersAttribute);

    /// <summary>Handler candidates of a class and its base classes; an override counts once, as the most derived.</summary>
    public static IEnumerable<IMethodSymbol> HandlerCandidates(INamedTypeSymbol type)
    {
        var overridden = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
        for (var current = type; current is not null && current.SpecialType != SpecialType.System_Object; current = current.BaseType)
        {
            foreach (var member in current.GetMembers())
            {
                if (member is not IMethodSymbol method || overridden.Contains(method.OriginalDefinition))
                {
                    continue;
                }

                for (var o = method.OverriddenMethod; o is not null; o = o.OverriddenMethod)
                {
                    overridden.Add(o.OriginalDefinition);
                }

                if (IsHandlerCandidate(method))
                {
                    yield return method;
                }
            }
        }
    }

    /// <summary>A method is a handler when it has <c>[Topic]</c>/<c>[Headers]</c> or a handler name, and takes a message.</summary>
    public static bool IsHandlerCandidate(IMethodSymbol method) =>
        method.MethodKind == MethodKind.Ordinary
        && (HasBindingAttribute(BindingSource(method))
            || (method.DeclaredAccessibility == Accessibility.Public && KnownNames.HandlerMethodNames.Contains(method.Name)));

    /// <summary>
    /// The declaration whose <c>[Topic]</c>, <c>[Headers]</c> and <c>[DeadLetter]</c> a handler uses: its own, or, for an
    /// override that repeats none of them, those of the nearest method it overrides that has them (attributes are not
    /// inherited by overrides, and a handler must not silently lose its bindings when a subclass overrides it).
    /// </summary>
    public static IMethodSymbol BindingSource(IMethodSymbol method)
    {
        for (var current = method; current is not null; current = current.OverriddenMethod)
        {
            if (HasBindingAttribute(current) || AttributeReader.Has(current, KnownNames.DeadLetterAttribute))
            {
                return current;
            }
        }

        return method;
    }

    /// <summary>The message parameter: the first one that is neither a MessageContext nor a CancellationToken.</summary>
    public static IParameterSymbol? MessageParameter(IMethodSymbol method) =>
        method.Parameters.FirstOrDefault(p => Kind(p) == ParameterKind.Message);

    /// <summary>
    /// The message type a handler handles: the message parameter's type, or <c>T</c> of the <c>IReadOnlyList&lt;T&gt;</c>
    /// a <c>[Batch]</c> handler takes (its routes, bindings and JSON metadata are those of <c>T</c>).
    /// </summary>
    public static ITypeSymbol? MessageType(IMethodSymbol method) =>
        MessageParameter(method) is not { } parameter ? null
        : Rules.BatchRules.IsBatch(method) ? Rules.BatchRules.ElementType(parameter.Type) ?? parameter.Type
        : parameter.Type;

    public static ParameterKind Kind(IParameterSymbol parameter) =>
        KnownNames.Is(parameter.Type, KnownNames.MessageContextType) ? ParameterKind.Context
        : KnownNames.Is(parameter.Type, KnownNames.CancellationTokenType) ? ParameterKind.CancellationToken
        : ParameterKind.Message;

    private static HandlerModel? ReadHandler(IMethodSymbol method, ExchangeModel? defaultExchange, QueueModel queue, IAssemblySymbol own)
    {
        if (!IsHandlerCandidate(method) || method.IsStatic || method.IsGenericMethod || MessageType(method) is not { } messageType)
        {
            return null;
        }

        // The consumer's assembly is the one being built (or, read from a reference, the one that was).
        var message = MessageParser.Parse(messageType, own);
        if (message.Exchange is { } exchange && MessageParser.DeclaredIn(messageType, own) && Rules.NameRules.ExchangeProblem(exchange.Name, exchange.Type) is not null)
        {
            // The message's [Exchange] cannot be used (WRN034, reported on the message): no binding to it, no handler.
            // A message type from a referenced assembly was judged when that assembly was built.
            return null;
        }

        if (MessageParser.DeclaredIn(messageType, own) && Rules.ContractKeyRules.Problem(message) is not null)
        {
            // The contract name cannot be the routing key it would be bound with (WRN001, WRN002, reported on the message).
            return null;
        }

        var returns = method.ReturnsVoid ? ReturnKind.Void
            : method.ReturnType.OriginalDefinition.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat).StartsWith(KnownNames.ValueTask) ? ReturnKind.ValueTask
            : ReturnKind.Task;
        return new HandlerModel(
            method.Name,
            message,
            method.Parameters.Select(Kind).ToEquatableArray(),
            returns,
            ReadBindings(method, message, defaultExchange).ToEquatableArray(),
            AttributeReader.Find(BindingSource(method), KnownNames.DeadLetterAttribute) is { } dl && IsEnabled(dl)
                ? queue.StreamStart is null
                    ? ReadDeadLetter(dl, queue.Name, queue.DeadLetter, $"{queue.Name}.{message.ContractName}")
                    : WithoutDelayedRetries(ReadDeadLetter(dl, queue.Name, queue.DeadLetter, $"{queue.Name}.{message.ContractName}"))
                : null,
            Rules.BatchRules.IsBatch(method) && Rules.BatchRules.Read(method) is var (size, timeout) ? new BatchModel(size, timeout ?? 0) : null);
    }

    /// <summary>A retry and dead-letter policy; a handler's own keeps the class's dead-letter exchange and queue.</summary>
    private static DeadLetterModel ReadDeadLetter(AttributeData dl, string queue, DeadLetterModel? classLevel, string retryQueuePrefix)
    {
        var maxRetries = AttributeReader.Named(dl, AttributeNames.DeadLetter.MaxRetries, 0);
        var delays = AttributeReader.NamedStrings(dl, AttributeNames.DeadLetter.RetryDelays).Select(Durations.ToMilliseconds).Where(d => d is > 0).Select(d => d!.Value).ToList();
        if (maxRetries > 0 && delays.Count == 0)
        {
            delays.Add(FailurePolicyDefaults.RetryDelay);
        }

        return new DeadLetterModel(
            classLevel?.Exchange ?? AttributeReader.Named<string>(dl, AttributeNames.DeadLetter.Exchange) ?? queue + FailurePolicyDefaults.ExchangeSuffix,
            classLevel?.Queue ?? AttributeReader.Named<string>(dl, AttributeNames.DeadLetter.Queue) ?? queue + FailurePolicyDefaults.QueueSuffix,
            queue,
            AttributeReader.Named(dl, AttributeNames.DeadLetter.ImmediateRetries, 0),
            maxRetries,
            delays.Take(System.Math.Max(1, System.Math.Min(maxRetries, delays.Count))).ToEquatableArray(),
            AttributeReader.NamedTypes(dl, AttributeNames.DeadLetter.DoNotRetry).ToEquatableArray(),
            retryQueuePrefix);
    }

    /// <summary>
    /// A stream's policy: immediate retries, then the dead-letter copy. A stream takes no delayed retries (a retry copy
    /// would be appended for every reader; WRN031 reports an explicit <c>MaxRetries</c>), so it gets no retry queues and
    /// the runtime nothing to ignore.
    /// </summary>
    private static DeadLetterModel WithoutDelayedRetries(DeadLetterModel deadLetter) =>
        deadLetter with { MaxRetries = 0, RetryDelays = EquatableArray<long>.Empty };

    /// <summary>The policy of a class without <c>[DeadLetter]</c> (see <see cref="FailurePolicyDefaults"/>).</summary>
    public static DeadLetterModel DefaultDeadLetter(string queue) => new(
        queue + FailurePolicyDefaults.ExchangeSuffix,
        queue + FailurePolicyDefaults.QueueSuffix,
        queue,
        0,
        FailurePolicyDefaults.MaxRetries,
        FailurePolicyDefaults.RetryDelays.ToEquatableArray(),
        EquatableArray<string>.Empty,
        queue,
        IsDefault: true);

    /// <summary>False for <c>[DeadLetter(Enabled = false)]</c>: no dead-letter queue, no retries.</summary>
    public static bool IsEnabled(AttributeData deadLetter) => AttributeReader.Named(deadLetter, AttributeNames.DeadLetter.Enabled, true);

    private static IEnumerable<BindingModel> ReadBindings(IMethodSymbol method, MessageModel message, ExchangeModel? defaultExchange)
    {
        var exchange = message.Exchange ?? defaultExchange;
        if (exchange is null)
        {
            yield break;
        }

        method = BindingSource(method);
        var headers = AttributeReader.FindAll(method, KnownNames.HeadersAttribute).ToList();
        if (exchange.Type == "headers" || headers.Count > 0)
        {
            foreach (var attribute in headers)
            {
                var entries = AttributeReader.ParamsStrings(attribute);
                if (Rules.HeaderRules.Problems(entries).Any())
                {
                    // An entry the broker would not match as written (WRN041): the attribute binds nothing.
                    continue;
                }

                var pairs = entries
                    .Select(Rules.HeaderRules.Parse)
                    .Select(kv => new HeaderArgument(kv.Name, kv.Value))
                    .ToEquatableArray();
                var match = AttributeReader.Named(attribute, AttributeNames.Headers.Mode, 0) == AttributeEnums.HeadersMatchAny ? "any" : "all";
                yield return new BindingModel(exchange.Name, string.Empty, pairs, match);
            }

            yield break;
        }

        if (exchange.Type == "fanout")
        {
            // A fanout binding takes no key: it is always the default binding, never written on the handler.
            yield return new BindingModel(exchange.Name, string.Empty, EquatableArray<HeaderArgument>.Empty, null, FromMessage: true);
            yield break;
        }

        var topics = AttributeReader.FindAll(method, KnownNames.TopicAttribute).Select(a => AttributeReader.Argument<string>(a, 0)).Where(t => t is not null).ToList();
        if (topics.Count == 0 && message.RoutingTemplate is not null)
        {
            yield return new BindingModel(exchange.Name, RoutingTemplates.ToBindingPattern(message.RoutingParts), EquatableArray<HeaderArgument>.Empty, null, FromMessage: true);
        }
        else if (topics.Count == 0 && message.Exchange is not null && message.Payload == PayloadKind.Json)
        {
            // Without [Topic] a message is published to its exchange with its contract name as the key (ContractsEmitter,
            // PublisherEmitter): bind that key. ModelNames.WithFinalMessage follows the name when WRN035 qualifies it.
            yield return new BindingModel(exchange.Name, message.ContractName, EquatableArray<HeaderArgument>.Empty, null, FromMessage: true);
        }

        foreach (var topic in topics)
        {
            yield return new BindingModel(exchange.Name, topic!, EquatableArray<HeaderArgument>.Empty, null);
        }
    }

    private static QueueModel ReadQueue(INamedTypeSymbol type)
    {
        var attribute = AttributeReader.Find(type, KnownNames.QueueAttribute);
        var name = QueueName(type);
        var arguments = new List<QueueArgument>();
        if (attribute is not null)
        {
            var queueType = AttributeReader.Named(attribute, AttributeNames.Queue.Type, 0);
            if (queueType == AttributeEnums.QuorumQueue)
            {
                arguments.Add(Text("x-queue-type", "quorum"));
            }
            else if (queueType == AttributeEnums.StreamQueue)
            {
                arguments.Add(Text("x-queue-type", "stream"));
                if (AttributeReader.Named<string>(attribute, AttributeNames.Queue.MaxAge) is { Length: > 0 } maxAge)
                {
                    arguments.Add(Text("x-max-age", maxAge));
                }

                if (AttributeReader.Named(attribute, AttributeNames.Queue.MaxSegmentSizeBytes, 0L) is > 0 and var segment)
                {
                    arguments.Add(Number("x-stream-max-segment-size-bytes", segment));
                }
            }

            if (Durations.ToMilliseconds(AttributeReader.Named<string>(attribute, AttributeNames.Queue.MessageTtl)) is { } ttl)
            {
                arguments.Add(Number("x-message-ttl", ttl));
            }

            if (AttributeReader.Named(attribute, AttributeNames.Queue.MaxLength, 0) is > 0 and var maxLength)
            {
                arguments.Add(Number("x-max-length", maxLength));
            }

            if (AttributeReader.Named(attribute, AttributeNames.Queue.MaxLengthBytes, 0L) is > 0 and var maxBytes)
            {
                arguments.Add(Number("x-max-length-bytes", maxBytes));
            }

            var overflow = AttributeReader.Named(attribute, AttributeNames.Queue.Overflow, 0);
            if (overflow > 0 && overflow < AttributeEnums.OverflowNames.Length)
            {
                arguments.Add(Text("x-overflow", AttributeEnums.OverflowNames[overflow]));
            }

            if (AttributeReader.Named(attribute, AttributeNames.Queue.DeliveryLimit, 0) is > 0 and var deliveryLimit)
            {
                arguments.Add(Number("x-delivery-limit", deliveryLimit));
            }

            if (AttributeReader.Named(attribute, AttributeNames.Queue.SingleActiveConsumer, false))
            {
                arguments.Add(new QueueArgument("x-single-active-consumer", "true", "true"));
            }
        }

        if (AttributeReader.Find(type, KnownNames.PriorityAttribute) is { } priority && AttributeReader.Named(priority, AttributeNames.Priority.Max, 0) is > 0 and var max)
        {
            arguments.Add(Number("x-max-priority", max));
        }

        // Every queue has somewhere to put what cannot be processed, unless the class opts out explicitly.
        var deadLetterAttribute = AttributeReader.Find(type, KnownNames.DeadLetterAttribute);
        var deadLetter = deadLetterAttribute is null ? DefaultDeadLetter(name)
            : IsEnabled(deadLetterAttribute) ? ReadDeadLetter(deadLetterAttribute, name, null, name)
            : null;

        // A queue named like a dead-letter queue is one (of a queue in another service, perhaps): it is declared as
        // the dead-letter queue is, without arguments, so both declarations agree.
        var isDeadLetterQueue = name.EndsWith(FailurePolicyDefaults.QueueSuffix, System.StringComparison.Ordinal);
        // A stream has no broker-side dead-lettering: Warren copies its failed messages to the dead-letter exchange.
        var isStream = attribute is not null && AttributeReader.Named(attribute, AttributeNames.Queue.Type, 0) == AttributeEnums.StreamQueue;
        if (isStream && deadLetter is not null)
        {
            deadLetter = WithoutDelayedRetries(deadLetter);
        }
        if (deadLetter is not null && !isStream && !(isDeadLetterQueue && deadLetter.IsDefault) && (attribute is null || AttributeReader.Named(attribute, AttributeNames.Queue.DeadLetterArguments, true)))
        {
            arguments.AddRange(DeadLetterArguments(deadLetter));
        }

        return new QueueModel(
            name,
            attribute is null || AttributeReader.Named(attribute, AttributeNames.Queue.Durable, true),
            attribute is not null && AttributeReader.Named(attribute, AttributeNames.Queue.Exclusive, false),
            attribute is not null && AttributeReader.Named(attribute, AttributeNames.Queue.AutoDelete, false),
            arguments.OrderBy(a => a.Name, System.StringComparer.Ordinal).ToEquatableArray(),
            attribute is null ? 0 : AttributeReader.Named(attribute, AttributeNames.Queue.Prefetch, 0),
            attribute is null ? 0 : AttributeReader.Named(attribute, AttributeNames.Queue.Concurrency, 0),
            attribute is null ? 0 : Durations.ToMilliseconds(AttributeReader.Named<string>(attribute, AttributeNames.Queue.HandlerTimeout)) ?? 0,
            deadLetter,
            isDeadLetterQueue,
            isStream ? ReadStreamStart(type) : null);
    }

    /// <summary>The <c>[ConsumeFrom]</c> of a stream consumer (Next without it); an offset or time wins over the keyword.</summary>
    private static StreamStartModel ReadStreamStart(INamedTypeSymbol type)
    {
        if (AttributeReader.Find(type, Rules.StreamRules.ConsumeFromAttribute) is not { } from)
        {
            return new StreamStartModel("Next", 0, false);
        }

        var stored = AttributeReader.Named(from, AttributeNames.ConsumeFrom.StoredOffset, false);
        if (AttributeReader.Named<string>(from, AttributeNames.ConsumeFrom.Timestamp) is { } text && Rules.StreamRules.TryParseTimestamp(text, out var timestamp))
        {
            return new StreamStartModel("After", timestamp.ToUnixTimeSeconds(), stored);
        }

        if (AttributeReader.Named(from, AttributeNames.ConsumeFrom.Offset, -1L) is >= 0 and var offset)
        {
            return new StreamStartModel("At", offset, stored);
        }

        var index = AttributeReader.Argument(from, 0, 0);
        var kind = index > 0 && index < AttributeEnums.StreamFromNames.Length ? AttributeEnums.StreamFromNames[index] : AttributeEnums.StreamFromNames[0];
        return new StreamStartModel(kind, 0, stored);
    }

    /// <summary>The queue of a consumer class: <c>[Queue(name)]</c>, else the class name in kebab-case.</summary>
    public static string QueueName(INamedTypeSymbol type) =>
        AttributeReader.Find(type, KnownNames.QueueAttribute) is { } attribute && AttributeReader.Argument<string>(attribute, 0) is { } name
            ? name
            : Names.KebabCase(type.Name);

    /// <summary><c>x-dead-letter-exchange</c> and <c>x-dead-letter-routing-key</c> for a policy.</summary>
    public static IEnumerable<QueueArgument> DeadLetterArguments(DeadLetterModel deadLetter)
    {
        yield return Text("x-dead-letter-exchange", deadLetter.Exchange);
        yield return Text("x-dead-letter-routing-key", deadLetter.RoutingKey);
    }

    private static QueueArgument Text(string name, string value) =>
        new(name, Literals.String(value), Literals.JsonString(value));

    private static QueueArgument Number(string name, long value) =>
        new(name, value.ToString(CultureInfo.InvariantCulture) + "L", value.ToString(CultureInfo.InvariantCulture));
}

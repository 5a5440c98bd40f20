using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Warren.Generators.Model;
using Warren.Generators.Parsing;
using Warren.Generators.Rules;

namespace Warren.Analyzers.Rules;

/// <summary>A consumer class: handler signatures, one handler per message type, binding patterns and queue options.</summary>
internal static class ConsumerRules
{
    public static void Analyze(SymbolAnalysisContext context, INamedTypeSymbol type)
    {
        var queueName = ConsumerParser.QueueName(type);
        if (!type.IsAbstract && ShapeRules.ConsumerClassProblem(type) is { } classProblem)
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.UnreachableType, Locations.Of(type), type.Name, "is a consumer class that " + classProblem.Replace("'" + type.Name + "' ", string.Empty)));
        }

        var handled = new Dictionary<string, IMethodSymbol>();
        var handlers = 0;
        var malformed = 0;
        foreach (var method in type.GetMembers().OfType<IMethodSymbol>().Where(ConsumerParser.IsHandlerCandidate))
        {
            foreach (var topic in AttributeReader.FindAll(method, KnownNames.TopicAttribute))
            {
                if (AttributeReader.Argument<string>(topic, 0) is { } pattern && TopicRules.BindingProblem(pattern) is { } problem)
                {
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InvalidTopic, Locations.OfFirstArgument(topic, method), problem));
                }
            }

            foreach (var headers in AttributeReader.FindAll(method, KnownNames.HeadersAttribute))
            {
                var entries = AttributeReader.ParamsStrings(headers);
                foreach (var (index, problem) in HeaderRules.Problems(entries))
                {
                    context.ReportDiagnostic(Diagnostic.Create(
                        DiagnosticDescriptors.MalformedHeadersEntry, Locations.OfPositionalArgument(headers, index, entries.Length, method), entries[index], method.Name, problem));
                }
            }

            if (AttributeReader.Find(method, KnownNames.DeadLetterAttribute) is { } methodPolicy)
            {
                DurationRules.CheckAll(context, methodPolicy, method, AttributeNames.DeadLetter.RetryDelays);
                UnusedRetryDelays(context, methodPolicy, method, $"[DeadLetter] of handler '{method.Name}'");
            }

            if (ShapeRules.HandlerProblem(method) is { } signature)
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.UnsupportedHandler, Locations.Of(method), method.Name, signature));
                malformed++;
                continue;
            }

            handlers++;
            var message = ConsumerParser.MessageType(method)!;
            MessageRules.CheckContractKeyAt(context, message.WithNullableAnnotation(NullableAnnotation.NotAnnotated), Locations.Of(method));
            var key = message.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
            if (handled.TryGetValue(key, out var first))
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.DuplicateHandler, Locations.Of(method), new[] { Locations.Of(first) }, method.Name, message.Name, first.Name));
            }
            else
            {
                handled.Add(key, method);
            }
        }

        HiddenHandlers(context, type);

        // Parsed once: its names are reported here, and a consumer with none the rules reject is what the generator emits.
        if (!type.IsAbstract && ConsumerParser.ParseUnchecked(type) is { } consumer && !NameChecks.Consumer(context, type, consumer))
        {
            PayloadHandlerRules.Analyze(context, type, consumer);
        }

        // A handler that is there but malformed is reported by WRN005 (here, or at the consumer base class it is declared
        // in): "no handler, add one" would send the reader looking for a method that exists.
        var queue = AttributeReader.Find(type, KnownNames.QueueAttribute);
        if (queue is not null && handlers == 0 && malformed == 0 && !ConsumerParser.HandlerCandidates(type).Any(m => ShapeRules.HandlerProblem(m) is null || ReportedAsUnsupported(m, type)))
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.QueueWithoutHandlers, Locations.Of(type), type.Name, queueName));
        }

        var priority = AttributeReader.Find(type, KnownNames.PriorityAttribute);
        var max = priority is null ? 0 : AttributeReader.Named(priority, AttributeNames.Priority.Max, 0);
        if (priority is not null && priority.NamedArguments.Any(a => a.Key == AttributeNames.Priority.Max))
        {
            Priorities.Check(context, priority, type, max, $"x-max-priority of queue '{queueName}'", Locations.OfArgument(priority, AttributeNames.Priority.Max, type));
        }

        if (queue is not null)
        {
            QueueOptions(context, type, queue, queueName, priority);
        }

        BatchAbovePrefetch(context, type, queue, queueName);

        foreach (var problem in StreamRules.Problems(queue, priority, AttributeReader.Find(type, KnownNames.DeadLetterAttribute), AttributeReader.Find(type, StreamRules.ConsumeFromAttribute)))
        {
            var location = problem.Argument is null ? Locations.Of(problem.Attribute, type) : Locations.OfArgument(problem.Attribute, problem.Argument, type);
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.StreamIncompatible, location, queueName, problem.Problem));
        }

        if (AttributeReader.Find(type, KnownNames.DeadLetterAttribute) is { } deadLetter)
        {
            DurationRules.CheckAll(context, deadLetter, type, AttributeNames.DeadLetter.RetryDelays);
            UnusedRetryDelays(context, deadLetter, type, $"[DeadLetter] of '{type.Name}'");
            if (AttributeReader.Named<string>(deadLetter, AttributeNames.DeadLetter.Queue) == queueName)
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.DeadLetterLoop, Locations.OfArgument(deadLetter, AttributeNames.DeadLetter.Queue, type), queueName, queueName));
            }

            if (queue is not null && AttributeReader.Named(queue, AttributeNames.Queue.Type, 0) == AttributeEnums.QuorumQueue && AttributeReader.Named(queue, AttributeNames.Queue.DeliveryLimit, 0) is > 0 and var limit)
            {
                var attempts = 1 + AttributeReader.Named(deadLetter, AttributeNames.DeadLetter.ImmediateRetries, 0) + AttributeReader.Named(deadLetter, AttributeNames.DeadLetter.MaxRetries, 0);
                if (attempts > limit)
                {
                    // The code fix raises DeliveryLimit to the attempts.
                    var properties = System.Collections.Immutable.ImmutableDictionary<string, string?>.Empty
                        .Add(AttributeNames.Queue.DeliveryLimit, attempts.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    context.ReportDiagnostic(Diagnostic.Create(
                        DiagnosticDescriptors.RetriesOverDeliveryLimit, Locations.OfArgument(queue, AttributeNames.Queue.DeliveryLimit, type), properties, queueName, limit, attempts));
                }
            }
        }
    }

    /// <summary>
    /// Whether WRN005 is reported for a handler candidate <paramref name="type"/> inherits: it has a problem and is declared
    /// in a consumer class of this compilation, which is analyzed as itself (a plain base class, or one of a referenced
    /// assembly, is not: then the consumer is the only place the missing handler is reported).
    /// </summary>
    private static bool ReportedAsUnsupported(IMethodSymbol method, INamedTypeSymbol type) =>
        ShapeRules.HandlerProblem(method) is not null
        && SymbolEqualityComparer.Default.Equals(method.ContainingAssembly, type.ContainingAssembly)
        && MessageParser.IsConsumer(method.ContainingType);

    /// <summary>
    /// WRN042: an enabled <c>[DeadLetter]</c> listing more <c>RetryDelays</c> than <c>MaxRetries</c> (0 when the attribute
    /// leaves it out): the delays past the count are never used (the generator keeps the first MaxRetries; the runtime
    /// repeats the last delay when there are fewer). A stream's policy takes no delayed retries (WRN031). The fix sets
    /// MaxRetries to the number of delays.
    /// </summary>
    private static void UnusedRetryDelays(SymbolAnalysisContext context, AttributeData deadLetter, ISymbol owner, string what)
    {
        var queue = AttributeReader.Find(owner as INamedTypeSymbol ?? owner.ContainingType, KnownNames.QueueAttribute);
        if (!ConsumerParser.IsEnabled(deadLetter)
            || queue is not null && AttributeReader.Named(queue, AttributeNames.Queue.Type, 0) == AttributeEnums.StreamQueue)
        {
            return;
        }

        var delays = AttributeReader.NamedStrings(deadLetter, AttributeNames.DeadLetter.RetryDelays).Count(d => Generators.Parsing.Durations.ToMilliseconds(d) is > 0);
        var maxRetries = AttributeReader.Named(deadLetter, AttributeNames.DeadLetter.MaxRetries, 0);
        if (delays <= maxRetries || maxRetries < 0)
        {
            return;
        }

        var consequence = maxRetries == 0
            ? "a failed message gets no delayed retry, so no delay is used (MaxRetries is 0 unless set, also when RetryDelays is)"
            : $"only the first {maxRetries} {(maxRetries == 1 ? "is" : "are")} used, the other {delays - maxRetries} never";
        var properties = System.Collections.Immutable.ImmutableDictionary<string, string?>.Empty
            .Add(AttributeNames.DeadLetter.MaxRetries, delays.ToString(System.Globalization.CultureInfo.InvariantCulture));
        context.ReportDiagnostic(Diagnostic.Create(
            DiagnosticDescriptors.UnusedRetryDelays, Locations.OfArgument(deadLetter, AttributeNames.DeadLetter.RetryDelays, owner), properties, what, delays, maxRetries, consequence));
    }

    /// <summary>
    /// WRN039: a method meant as a handler that generated code does not call because it is not public
    /// (<see cref="ShapeRules.HiddenHandlerProblem"/>), unless a handler the dispatcher calls takes its message type (then
    /// it is a helper of that handler). The class's own methods are reported where they are; those inherited from a base
    /// class that is not a consumer analyzed on its own (a plain base class, or one in a referenced assembly) at the class;
    /// of a referenced base class, only the methods the class can reach (a compiled library carries no others).
    /// </summary>
    private static void HiddenHandlers(SymbolAnalysisContext context, INamedTypeSymbol type)
    {
        var handled = new HashSet<string>(
            ConsumerParser.HandlerCandidates(type).Where(m => ShapeRules.HandlerProblem(m) is null).Select(m => ConsumerParser.MessageType(m)!.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)),
            System.StringComparer.Ordinal);
        var overridden = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
        for (var current = type; current is not null && current.SpecialType != SpecialType.System_Object; current = current.BaseType)
        {
            var own = SymbolEqualityComparer.Default.Equals(current, type);

            // A consumer base class of this compilation is analyzed as itself: its methods are reported there.
            // Declared in this compilation, not only with syntax: in the IDE a referenced project's types have syntax too.
            var reported = own || !(SymbolEqualityComparer.Default.Equals(current.ContainingAssembly, type.ContainingAssembly) && MessageParser.IsConsumer(current));
            foreach (var method in current.GetMembers().OfType<IMethodSymbol>())
            {
                if (overridden.Contains(method.OriginalDefinition))
                {
                    continue;
                }

                for (var o = method.OverriddenMethod; o is not null; o = o.OverriddenMethod)
                {
                    overridden.Add(o.OriginalDefinition);
                }

                // A method of a referenced base class the class cannot reach (private, internal without InternalsVisibleTo) is
                // left out: an assembly image does not carry it, so the IDE, which reads the library's source, agrees with
                // the command line.
                if (reported
                    && (own || SymbolEqualityComparer.Default.Equals(current.ContainingAssembly, type.ContainingAssembly) || context.Compilation.IsSymbolAccessibleWithin(method, type))
                    && ShapeRules.HiddenHandlerProblem(method) is { } problem
                    && ConsumerParser.MessageType(method) is { } message
                    && !handled.Contains(message.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)))
                {
                    var name = own ? method.Name : $"{current.Name}.{method.Name}";
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.HiddenHandler, own ? Locations.Of(method) : Locations.Of(type), name, message.Name, problem));
                }
            }
        }
    }

    private static void QueueOptions(SymbolAnalysisContext context, INamedTypeSymbol type, AttributeData queue, string queueName, AttributeData? priority)
    {
        DurationRules.Check(context, queue, type, AttributeNames.Queue.MessageTtl);
        DurationRules.Check(context, queue, type, AttributeNames.Queue.HandlerTimeout);
        ConsumerSettings.Check(context, queue, type, "Queue", queueName, AttributeNames.Queue.Prefetch, AttributeNames.Queue.Concurrency);
        if (AttributeReader.Named(queue, AttributeNames.Queue.Type, 0) != AttributeEnums.QuorumQueue)
        {
            return;
        }

        if (AttributeReader.Named(queue, AttributeNames.Queue.Exclusive, false))
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.QuorumIncompatible, Locations.OfArgument(queue, AttributeNames.Queue.Exclusive, type), queueName, "exclusive"));
        }

        if (AttributeReader.Named(queue, AttributeNames.Queue.AutoDelete, false))
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.QuorumIncompatible, Locations.OfArgument(queue, AttributeNames.Queue.AutoDelete, type), queueName, "auto-delete"));
        }

        if (!AttributeReader.Named(queue, AttributeNames.Queue.Durable, true))
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.QuorumIncompatible, Locations.OfArgument(queue, AttributeNames.Queue.Durable, type), queueName, "non-durable"));
        }

        if (priority is not null && AttributeReader.Named(priority, AttributeNames.Priority.Max, 0) > 0)
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.QuorumIncompatible, Locations.Of(priority, type), queueName, "prioritized (x-max-priority)"));
        }

        if (AttributeReader.Named(queue, AttributeNames.Queue.Overflow, 0) == AttributeEnums.RejectPublishDlx)
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.QuorumRejectPublishDlx, Locations.OfArgument(queue, AttributeNames.Queue.Overflow, type), queueName));
        }
    }

    /// <summary>WRN030: a batch handler whose Size is above the queue's explicit Prefetch; the fix raises Prefetch to the Size.</summary>
    private static void BatchAbovePrefetch(SymbolAnalysisContext context, INamedTypeSymbol type, AttributeData? queue, string queueName)
    {
        var prefetch = queue is null ? 0 : AttributeReader.Named(queue, AttributeNames.Queue.Prefetch, 0);
        if (queue is null || prefetch <= 0)
        {
            return;
        }

        foreach (var method in type.GetMembers().OfType<IMethodSymbol>().Where(ConsumerParser.IsHandlerCandidate))
        {
            if (!BatchRules.IsBatch(method) || ShapeRules.HandlerProblem(method) is not null || BatchRules.Read(method).Size is var size && !BatchRules.AbovePrefetch(prefetch, size))
            {
                continue;
            }

            var properties = System.Collections.Immutable.ImmutableDictionary<string, string?>.Empty
                .Add(ConsumerSettings.PrefetchProperty, size.ToString(System.Globalization.CultureInfo.InvariantCulture));
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.BatchAbovePrefetch, Locations.OfArgument(queue, AttributeNames.Queue.Prefetch, type), properties, method.Name, size, queueName, prefetch));
        }
    }
}

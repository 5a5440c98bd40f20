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
        foreach (var method in type.GetMembers().OfType<IMethodSymbol>().Where(ConsumerParser.IsHandlerCandidate))
        {
            foreach (var topic in AttributeReader.FindAll(method, KnownNames.TopicAttribute))
            {
                if (AttributeReader.Argument<string>(topic, 0) is { } pattern && TopicRules.BindingProblem(pattern) is { } problem)
                {
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InvalidTopic, Locations.OfFirstArgument(topic, method), problem));
                }
            }

            if (AttributeReader.Find(method, KnownNames.DeadLetterAttribute) is { } methodPolicy)
            {
                DurationRules.CheckAll(context, methodPolicy, method, AttributeNames.DeadLetter.RetryDelays);
            }

            if (ShapeRules.HandlerProblem(method) is { } signature)
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.UnsupportedHandler, Locations.Of(method), method.Name, signature));
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

        // Parsed once: its names are reported here, and a consumer with none the rules reject is what the generator emits.
        if (!type.IsAbstract && ConsumerParser.ParseUnchecked(type) is { } consumer && !NameChecks.Consumer(context, type, consumer))
        {
            PayloadHandlerRules.Analyze(context, type, consumer);
        }

        var queue = AttributeReader.Find(type, KnownNames.QueueAttribute);
        if (queue is not null && handlers == 0 && !ConsumerParser.HandlerCandidates(type).Any(m => ShapeRules.HandlerProblem(m) is null))
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

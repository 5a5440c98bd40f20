using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Warren.Generators.Model;
using Warren.Generators.Parsing;
using Warren.Generators.Rules;

namespace Warren.Analyzers.Rules;

/// <summary>WRN034: queue and exchange names RabbitMQ cannot use (<see cref="NameRules"/>), at the attribute that gives them.</summary>
internal static class NameChecks
{
    /// <summary>
    /// A consumer's queue, <c>[Exchange]</c> and dead-letter and retry names, each problem once; true when there was one
    /// (the generator emits nothing for the consumer then).
    /// </summary>
    public static bool Consumer(SymbolAnalysisContext context, INamedTypeSymbol type, ConsumerModel consumer)
    {
        // One problem per place: a long queue name makes every derived name too long, and the first says enough.
        var reported = new HashSet<Location>();
        foreach (var problem in NameRules.ConsumerProblems(consumer))
        {
            var location = Where(type, problem);
            if (reported.Add(location))
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.UnusableName, location, $"Consumer '{type.Name}'", problem.Problem));
            }
        }

        return reported.Count > 0;
    }

    /// <summary>The <c>[Exchange]</c> of a message type or publisher interface.</summary>
    public static void Exchange(SymbolAnalysisContext context, INamedTypeSymbol type, string owner)
    {
        if (AttributeReader.Find(type, KnownNames.ExchangeAttribute) is { } attribute && MessageParser.ReadExchange(type) is { } exchange
            && NameRules.ExchangeProblem(exchange.Name, exchange.Type) is { } problem)
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.UnusableName, Locations.OfFirstArgument(attribute, type), $"{owner} '{type.Name}'", $"exchange '{NameRules.Show(exchange.Name)}' {problem}"));
        }
    }

    /// <summary>The queue of an <c>[RpcService]</c>: its <c>Queue</c>, else <c>rpc.{name}</c>.</summary>
    public static void RpcService(SymbolAnalysisContext context, INamedTypeSymbol type, AttributeData service, string name)
    {
        if (NameRules.RpcQueueProblem(RpcParser.QueueName(service, name)) is { } problem)
        {
            var location = service.NamedArguments.Any(a => a.Key == AttributeNames.RpcService.Queue)
                ? Locations.OfArgument(service, AttributeNames.RpcService.Queue, type)
                : Locations.OfFirstArgument(service, type);
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.UnusableName, location, $"RPC service '{name}'", problem));
        }
    }

    private static Location Where(INamedTypeSymbol type, NameProblem problem)
    {
        switch (problem.Source)
        {
            case NameSource.Exchange when AttributeReader.Find(type, KnownNames.ExchangeAttribute) is { } exchange:
                return Locations.OfFirstArgument(exchange, type);
            case NameSource.DeadLetter when AttributeReader.Find(type, KnownNames.DeadLetterAttribute) is { } deadLetter:
                return OfPolicy(deadLetter, problem.Problem, type) ?? OfQueue(type);
            case NameSource.HandlerDeadLetter:
                var method = ConsumerParser.HandlerCandidates(type).FirstOrDefault(m => m.Name == problem.Handler);
                return method is not null && AttributeReader.Find(ConsumerParser.BindingSource(method), KnownNames.DeadLetterAttribute) is { } own
                    ? OfPolicy(own, problem.Problem, method) ?? Locations.Of(own, method)
                    : OfQueue(type);
            default:
                return OfQueue(type);
        }
    }

    private static Location OfQueue(INamedTypeSymbol type) =>
        AttributeReader.Find(type, KnownNames.QueueAttribute) is { } queue ? Locations.OfFirstArgument(queue, type) : Locations.Of(type);

    /// <summary>
    /// The <c>Exchange</c> or <c>Queue</c> argument of a <c>[DeadLetter]</c> the problem is about, or null when the name
    /// is not written there (derived from the queue's name).
    /// </summary>
    private static Location? OfPolicy(AttributeData deadLetter, string problem, ISymbol owner)
    {
        var argument = problem.StartsWith("dead-letter exchange", System.StringComparison.Ordinal) ? AttributeNames.DeadLetter.Exchange
            : problem.StartsWith("dead-letter queue", System.StringComparison.Ordinal) ? AttributeNames.DeadLetter.Queue
            : null;
        return argument is not null && deadLetter.NamedArguments.Any(a => a.Key == argument) ? Locations.OfArgument(deadLetter, argument, owner) : null;
    }
}

using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Warren.Generators.Parsing;
using Warren.Generators.Rules;

namespace Warren.Analyzers.Rules;

/// <summary><c>Prefetch</c> and <c>Concurrency</c> of a queue or RPC service: in range (WRN029), and not working against each other (WRN024).</summary>
internal static class ConsumerSettings
{
    /// <summary>Diagnostic property with the prefetch the WRN024 code fix sets.</summary>
    public const string PrefetchProperty = "Prefetch";

    public static void Check(SymbolAnalysisContext context, AttributeData attribute, ISymbol owner, string what, string name, string prefetchName, string concurrencyName)
    {
        var prefetch = AttributeReader.Named(attribute, prefetchName, 0);
        var concurrency = AttributeReader.Named(attribute, concurrencyName, 0);
        if (TopologyRules.SettingsProblem(prefetch, concurrency) is { } problem)
        {
            var argument = prefetch < 0 || prefetch > TopologyRules.MaxPrefetch ? prefetchName : concurrencyName;
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.SettingOutOfRange, Locations.OfArgument(attribute, argument, owner), what, name, problem));
        }
        else if (TopologyRules.ConcurrencyAbovePrefetch(prefetch, concurrency))
        {
            var properties = System.Collections.Immutable.ImmutableDictionary<string, string?>.Empty
                .Add(PrefetchProperty, concurrency.ToString(System.Globalization.CultureInfo.InvariantCulture));
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.ConcurrencyAbovePrefetch, Locations.OfArgument(attribute, concurrencyName, owner), properties, what, name, concurrency, prefetch));
        }
    }
}

using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Warren.Analyzers.Rules;

/// <summary>Duration strings in attributes must parse the way the generator reads them.</summary>
internal static class DurationRules
{
    /// <summary>WRN020 for a duration argument: at the argument, or at <paramref name="at"/> when given (an attribute of a referenced assembly's code).</summary>
    public static void Check(SymbolAnalysisContext context, AttributeData attribute, ISymbol owner, string name, Location? at = null)
    {
        var text = Generators.Parsing.AttributeReader.Named<string>(attribute, name);
        if (text is not null && Generators.Parsing.Durations.ToMilliseconds(text) is null or <= 0)
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InvalidDuration, at ?? Locations.OfArgument(attribute, name, owner), text));
        }
    }

    public static void CheckAll(SymbolAnalysisContext context, AttributeData attribute, ISymbol owner, string name)
    {
        foreach (var text in Generators.Parsing.AttributeReader.NamedStrings(attribute, name))
        {
            if (Generators.Parsing.Durations.ToMilliseconds(text) is null or <= 0)
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InvalidDuration, Locations.OfArgument(attribute, name, owner), text));
            }
        }
    }
}

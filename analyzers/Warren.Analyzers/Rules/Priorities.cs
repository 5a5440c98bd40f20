using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Warren.Analyzers.Rules;

/// <summary>AMQP priorities are 1–255; RabbitMQ advises at most 10.</summary>
internal static class Priorities
{
    /// <summary>The most priority levels RabbitMQ advises (WRN011); the WRN011 and WRN012 code fixes use it.</summary>
    public const int AdvisedMaximum = 10;

    public static void Check(SymbolAnalysisContext context, AttributeData attribute, ISymbol owner, int value, string what, Location location)
    {
        if (value < 1 || value > 255)
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.PriorityOutOfRange, location, what, value));
        }
        else if (value > AdvisedMaximum)
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.PriorityAboveTen, location, what, value));
        }
    }
}

using Microsoft.CodeAnalysis;

namespace Warren.Generators;

/// <summary>
/// The diagnostics the generator reports itself rather than leaving to the analyzers: those whose cause, unreported,
/// is a silent loss at run time, which a build with analyzers off (<c>RunAnalyzers=false</c>) must still show. Ids
/// continue the analyzers' catalogue (<c>Warren.Analyzers.DiagnosticDescriptors</c>); each has a docs page and is
/// release-tracked in this project's <c>AnalyzerReleases.Unshipped.md</c>.
/// </summary>
public static class GeneratorDiagnostics
{
    /// <summary>The docs pages: the help link of WRNxxx is <c>{HelpLinkBase}WRNxxx.md</c>, as for the analyzers' diagnostics.</summary>
    public const string HelpLinkBase = "https://github.com/warren-messaging/warren/blob/main/docs/diagnostics/";

    /// <summary>WRN043: a call of <c>AddGeneratedHandlers()</c> that an assembly built by an older Warren takes over.</summary>
    public static readonly DiagnosticDescriptor OlderRegistration = new(
        "WRN043",
        "AddGeneratedHandlers() taken over by a library built with an older Warren",
        "'{0}' gives this project its internals and was built with an older Warren, whose generated AddGeneratedHandlers() extends WarrenBuilder itself: this call of AddGeneratedHandlers() {1}. Rebuild '{0}' with the Warren version this project uses (update its Warren package reference).",
        "Warren.Registration",
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + "WRN043.md");

    /// <summary>Every diagnostic the generator reports.</summary>
    public static readonly DiagnosticDescriptor[] All = [OlderRegistration];
}

using System.Collections.Generic;
using System.Linq;
using Warren.Generators.Model;

namespace Warren.Generators.Rules;

/// <summary>
/// Which call of <c>AddGeneratedHandlers()</c> binds where when an assembly an older Warren built gives a project its
/// internals (WRN043). That assembly's generated method extends <c>WarrenBuilder</c> itself: the identity conversion of
/// the receiver beats the <c>IRegistrationRank</c> receiver of a project that gives its internals too, so the call
/// silently registers the other assembly instead of the project; beside a project's own plain method, an older plain
/// one makes the call ambiguous (CS0121), and one with a <c>params</c> array or an optional parameter loses.
/// </summary>
internal static class RegistrationRules
{
    /// <summary>
    /// A call of <c>AddGeneratedHandlers()</c> as an extension, <c>builder.AddGeneratedHandlers()</c>, which an older
    /// registration can take over; a call through a class (<c>Warren.WarrenGeneratedRegistration_X.AddGeneratedHandlers(builder)</c>)
    /// names the one it calls.
    /// </summary>
    public static bool IsExtensionCall(Microsoft.CodeAnalysis.CSharp.Syntax.InvocationExpressionSyntax invocation) =>
        invocation.ArgumentList.Arguments.Count == 0 && Parsing.UsageParser.InvokedName(invocation) == "AddGeneratedHandlers";

    /// <summary>
    /// The older registrations a call of <c>AddGeneratedHandlers()</c> in a project whose own has depth
    /// <paramref name="ownDepth"/> (<see cref="ModuleModel.Depth"/>) binds to or is ambiguous with, each with what
    /// happens (completing "this call of AddGeneratedHandlers() …").
    /// </summary>
    public static IEnumerable<(OlderRegistrationModel Older, string Outcome)> Winning(IEnumerable<OlderRegistrationModel> older, int ownDepth) =>
        older
            .Where(o => ownDepth != ModuleModel.Plain || o.Plain)
            .Select(o => (o, ownDepth != ModuleModel.Plain
                ? $"binds to the registration of '{o.Assembly}', not to this project's own: this project's consumers, publishers and RPC clients are never registered"
                : $"is ambiguous between this project's registration and that of '{o.Assembly}' (CS0121)"));
}

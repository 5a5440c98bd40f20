using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Warren.Generators.Parsing;
using Warren.Generators.Rules;

namespace Warren.Analyzers;

/// <summary>
/// WRN038 at the calls of <c>IPublisher</c> that publish to an exchange RabbitMQ refuses publishes to
/// (<see cref="NameRules.PublishProblem"/>): <c>PublishAsync</c> and <c>PublishBatchAsync</c> of a message type whose
/// <c>[Exchange]</c> is one, and the calls that name their exchange (<c>PublishTextAsync</c>, <c>PublishBytesAsync</c>,
/// <c>SendAsync</c>) with a constant that is one. A call passing <c>PublishOptions</c> may name another exchange at run
/// time and is judged only by its exchange argument. Also WRN023 at <c>PublishAsync</c> and <c>PublishBatchAsync</c> of
/// an attributed message type of a referenced assembly that this project cannot use (<see cref="ShapeRules.TypeProblem"/>
/// judged with this compilation's options, e.g. an <c>[Experimental]</c> whose diagnostic the project does not
/// suppress): Warren generates no contract for it here, as for such a type declared in the project (reported there at
/// its declaration), so the call would fail at run time.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class PublishTargetAnalyzer : DiagnosticAnalyzer
{
    private const string PublisherInterface = "Warren.IPublisher";

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.PublishRefused, DiagnosticDescriptors.UnreachableType);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (start.Compilation.GetTypeByMetadataName(PublisherInterface) is not { } publisher)
            {
                return;
            }

            start.RegisterOperationAction(operation => Analyze(operation, publisher), OperationKind.Invocation);
        });
    }

    private static void Analyze(OperationAnalysisContext context, INamedTypeSymbol publisher)
    {
        var invocation = (IInvocationOperation)context.Operation;
        var method = invocation.TargetMethod;
        if (!IsPublisherMethod(method, publisher))
        {
            return;
        }

        if (invocation.Arguments.FirstOrDefault(a => a.Parameter?.Name == "exchange") is { } named)
        {
            if (named.Value.ConstantValue is { HasValue: true, Value: string exchange } && NameRules.PublishProblem(exchange) is { } problem)
            {
                Report(context, invocation, method, exchange, problem);
            }

            return;
        }

        if (method.Name is not ("PublishAsync" or "PublishBatchAsync") || method.TypeArguments.Length != 1)
        {
            return;
        }

        if (method.TypeArguments[0] is INamedTypeSymbol referenced && !MessageParser.DeclaredIn(referenced, context.Compilation.Assembly)
            && ReferencedAssemblies.IsAttributedMessage(referenced)
            && ShapeRules.TypeProblem(referenced, context.ContainingSymbol) is { } unusable)
        {
            var prefix = "'" + referenced.Name + "' ";
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.UnreachableType,
                invocation.Syntax.GetLocation(),
                referenced.Name,
                $"(assembly {referenced.ContainingAssembly?.Name}) is published by this call of {method.Name}, so Warren generates no contract for it in this project: it " + (unusable.StartsWith(prefix, System.StringComparison.Ordinal) ? unusable.Substring(prefix.Length) : unusable)));
            return;
        }

        if (PassesOptions(invocation))
        {
            return;
        }

        if (method.TypeArguments[0] is INamedTypeSymbol message && MessageParser.ReadExchange(message) is { } declared && NameRules.PublishProblem(declared.Name) is { } refused)
        {
            Report(context, invocation, method, declared.Name, refused);
        }
    }

    private static void Report(OperationAnalysisContext context, IInvocationOperation invocation, IMethodSymbol method, string exchange, string problem) =>
        context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.PublishRefused, invocation.Syntax.GetLocation(), $"This call of {method.Name}", NameRules.Show(exchange), problem));

    /// <summary>A method of <c>IPublisher</c>, called on the interface or on a class implementing it.</summary>
    private static bool IsPublisherMethod(IMethodSymbol method, INamedTypeSymbol publisher)
    {
        var original = method.OriginalDefinition;
        if (SymbolEqualityComparer.Default.Equals(original.ContainingType, publisher))
        {
            return true;
        }

        return original.ContainingType is { } type
            && type.AllInterfaces.Contains(publisher, SymbolEqualityComparer.Default)
            && publisher.GetMembers(original.Name).Any(m => SymbolEqualityComparer.Default.Equals(type.FindImplementationForInterfaceMember(m), original));
    }

    /// <summary>Whether the call passes <c>PublishOptions</c> other than a literal null (they may name the exchange).</summary>
    private static bool PassesOptions(IInvocationOperation invocation) =>
        invocation.Arguments.Any(a => a.Parameter?.Name == "options" && a.ArgumentKind == ArgumentKind.Explicit && !(a.Value.ConstantValue is { HasValue: true, Value: null }));
}

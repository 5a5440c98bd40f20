using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Warren.Generators.Parsing;
using Warren.Generators.Rules;

namespace Warren.Analyzers;

/// <summary>
/// The public <c>[Publisher]</c> interfaces of referenced assemblies built against Warren, which the generator
/// implements and registers in this project as if declared here (<see cref="ReferenceParser.TryParsePublisher"/>). One
/// it cannot implement here (WRN021, WRN023, WRN034: an invalid method, a member or type generated code cannot reach, a
/// diagnostic the project does not suppress) or whose methods publish nowhere (WRN026, WRN038) is judged by the rules of
/// a local publisher interface and reported where the user's code names the interface: it has no source here, and an
/// interface left unimplemented would otherwise fail only at run time, when it is resolved.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ReferencedPublisherAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.UnsupportedPublisherMethod,
        DiagnosticDescriptors.UnreachableType,
        DiagnosticDescriptors.UnusableName,
        DiagnosticDescriptors.HeadersMessageThroughPublisher,
        DiagnosticDescriptors.PublishRefused);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            var problems = new Dictionary<INamedTypeSymbol, List<(DiagnosticDescriptor Descriptor, object[] Arguments)>>(SymbolEqualityComparer.Default);
            foreach (var assembly in ReferencedAssemblies.UsingWarren(start.Compilation))
            {
                foreach (var type in ReferencedAssemblies.PublicTypes(assembly).Where(ReferenceParser.IsReferencedPublisher))
                {
                    var found = Problems(type, start.Compilation);
                    if (found.Count > 0)
                    {
                        problems.Add(type, found);
                    }
                }
            }

            if (problems.Count == 0)
            {
                return;
            }

            var names = new HashSet<string>(problems.Keys.Select(t => t.Name), System.StringComparer.Ordinal);
            start.RegisterSyntaxNodeAction(
                node =>
                {
                    var name = (SimpleNameSyntax)node.Node;
                    if (!names.Contains(name.Identifier.ValueText)
                        || node.SemanticModel.GetSymbolInfo(name, node.CancellationToken).Symbol is not INamedTypeSymbol type
                        || !problems.TryGetValue(type.OriginalDefinition, out var found))
                    {
                        return;
                    }

                    foreach (var (descriptor, arguments) in found)
                    {
                        node.ReportDiagnostic(Diagnostic.Create(descriptor, name.GetLocation(), arguments));
                    }
                },
                SyntaxKind.IdentifierName,
                SyntaxKind.GenericName);
        });
    }

    /// <summary>What stops or breaks the implementation of a referenced publisher interface here, as the rules of a local one say.</summary>
    private static List<(DiagnosticDescriptor, object[])> Problems(INamedTypeSymbol type, Compilation compilation)
    {
        var found = new List<(DiagnosticDescriptor, object[])>();
        var owner = $"(assembly {type.ContainingAssembly.Name})";
        var unsuppressed = new SortedSet<string>(System.StringComparer.Ordinal);
        var deferred = new SortedSet<string>(System.StringComparer.Ordinal);
        if (ShapeRules.InterfaceProblem(type, deferred) is { } interfaceProblem)
        {
            found.Add((DiagnosticDescriptors.UnreachableType, [type.Name, $"{owner} is a publisher that {interfaceProblem}, so Warren implements it in no project"]));
        }

        if (MessageParser.ExchangeProblem(type) is { } exchangeProblem && MessageParser.ReadExchange(type) is { } exchange)
        {
            found.Add((DiagnosticDescriptors.UnusableName, [$"Publisher '{type.Name}' {owner}", $"exchange '{NameRules.Show(exchange.Name)}' {exchangeProblem}"]));
        }

        foreach (var method in ShapeRules.InterfaceMethods(type))
        {
            var display = $"{method.ContainingType.Name}.{method.Name}";
            if (ShapeRules.PublisherMethodProblem(method, deferred) is { } problem)
            {
                found.Add((DiagnosticDescriptors.UnsupportedPublisherMethod, [display, $"{owner} {problem}"]));
                continue;
            }

            var message = method.Parameters.First(p => PublisherParser.Kind(p) == PublisherParameter.Message);
            var takesOptions = method.Parameters.Any(p => PublisherParser.Kind(p) == PublisherParameter.Options);
            if (AttributeReader.Has(method, KnownNames.TopicAttribute) && takesOptions)
            {
                found.Add((DiagnosticDescriptors.UnsupportedPublisherMethod, [display, $"{owner} has [Topic] and takes PublishOptions: set PublishOptions.RoutingKey instead"]));
            }

            var target = Payloads.IsRaw(message.Type) ? MessageParser.ReadExchange(method.ContainingType) : MessageParser.ReadExchange(message.Type);
            if (!takesOptions && target is not null && NameRules.PublishProblem(target.Name) is { } refused)
            {
                found.Add((DiagnosticDescriptors.PublishRefused, [$"Publisher method '{display}' {owner}", NameRules.Show(target.Name), refused]));
            }

            if (!takesOptions && MessageParser.ReadExchange(message.Type) is { Type: "headers" } headers)
            {
                found.Add((DiagnosticDescriptors.HeadersMessageThroughPublisher, [display, message.Type.Name, headers.Name]));
            }
        }

        // Nothing else stops it: the ids its types or members need suppressed, judged with this project's options.
        var blocked = found.Any(f => f.Item1 == DiagnosticDescriptors.UnreachableType || f.Item1 == DiagnosticDescriptors.UnusableName || f.Item1 == DiagnosticDescriptors.UnsupportedPublisherMethod);
        if (!blocked && ReferenceParser.TryParsePublisher(type, compilation, unsuppressed) is null && unsuppressed.Count == 0)
        {
            // Stopped by what this project does not see of it (a type from an assembly it does not reference) or by a rule
            // its own assembly's build reports: the service must not find out at run time that it has no implementation.
            found.Add((DiagnosticDescriptors.UnreachableType, [
                type.Name,
                $"{owner} is a publisher Warren cannot implement in this project: a type it uses comes from an assembly this project does not reference, "
                + "or its assembly's build reports an error on it; reference that assembly or fix the error there"]));
        }
        else if (!blocked && unsuppressed.Count > 0)
        {
            var ids = string.Join(", ", unsuppressed);
            found.Add((DiagnosticDescriptors.UnreachableType, [
                type.Name,
                $"{owner} is a publisher whose types or members are [Experimental] or [Obsolete] under {ids}, and the code Warren generates for it would report {ids} in generated files, "
                + $"so Warren does not implement it in this project: suppress {ids} for the project (<NoWarn>{string.Join(";", unsuppressed)}</NoWarn>) to use it"]));
        }

        return found;
    }
}

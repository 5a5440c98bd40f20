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
/// The public <c>[Publisher]</c> and <c>[RpcService]</c> interfaces of referenced assemblies built against Warren, which
/// the generator implements (publishers) or proxies (RPC services) and registers in this project as if declared here
/// (<see cref="ReferenceParser.TryParsePublisher"/>, <see cref="ReferenceParser.TryParseService"/>). One it cannot
/// generate here (a method the rules reject, WRN018 or WRN021; a member or type generated code cannot reach or a
/// diagnostic the project does not suppress, WRN023; a name RabbitMQ refuses, WRN034; prefetch or concurrency out of
/// range, WRN029; two methods of one contract name, WRN022) or whose methods publish nowhere (WRN026, WRN038) is judged
/// by the rules of a local interface and reported where the user's code names the interface: it has no source here, and
/// an interface left without an implementation would otherwise fail only at run time, when it is resolved. Internal
/// interfaces of a library are generated in that library only, and the project cannot name them.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ReferencedInterfaceAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.UnsupportedPublisherMethod,
        DiagnosticDescriptors.UnsupportedRpcMethod,
        DiagnosticDescriptors.DuplicateContract,
        DiagnosticDescriptors.SettingOutOfRange,
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
                foreach (var type in ReferencedAssemblies.PublicTypes(assembly))
                {
                    var found = ReferenceParser.IsReferencedRpcService(type) ? ServiceProblems(type, start.Compilation)
                        : ReferenceParser.IsReferencedPublisher(type) ? PublisherProblems(type, start.Compilation)
                        : [];
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
    private static List<(DiagnosticDescriptor, object[])> PublisherProblems(INamedTypeSymbol type, Compilation compilation)
    {
        var found = new List<(DiagnosticDescriptor, object[])>();
        var owner = Owner(type);
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
        var unsuppressed = new SortedSet<string>(System.StringComparer.Ordinal);
        if (!blocked)
        {
            Unusable(found, type, owner, "a publisher", "implement", ReferenceParser.TryParsePublisher(type, compilation, unsuppressed) is not null, unsuppressed);
        }

        return found;
    }

    /// <summary>What stops the client (and a server here) of a referenced RPC service, as the rules of a local one say (RpcRules).</summary>
    private static List<(DiagnosticDescriptor, object[])> ServiceProblems(INamedTypeSymbol type, Compilation compilation)
    {
        var found = new List<(DiagnosticDescriptor, object[])>();
        var owner = Owner(type);
        var deferred = new SortedSet<string>(System.StringComparer.Ordinal);
        var attribute = AttributeReader.Find(type, KnownNames.RpcServiceAttribute)!;
        if (ShapeRules.InterfaceProblem(type, deferred) is { } interfaceProblem)
        {
            found.Add((DiagnosticDescriptors.UnreachableType, [type.Name, $"{owner} is an RPC service that {interfaceProblem}, so Warren generates its client in no project"]));
        }

        var name = RpcParser.ServiceName(type, attribute);
        if (NameRules.RpcQueueProblem(RpcParser.QueueName(attribute, name)) is { } queueProblem)
        {
            found.Add((DiagnosticDescriptors.UnusableName, [$"RPC service '{name}' {owner}", queueProblem]));
        }

        var prefetch = AttributeReader.Named(attribute, AttributeNames.RpcService.Prefetch, 0);
        var concurrency = AttributeReader.Named(attribute, AttributeNames.RpcService.Concurrency, 0);
        if (TopologyRules.SettingsProblem(prefetch, concurrency) is { } settingsProblem)
        {
            found.Add((DiagnosticDescriptors.SettingOutOfRange, ["RPC service", name, $"{settingsProblem} {owner}"]));
        }

        var contracts = new Dictionary<string, IMethodSymbol>(System.StringComparer.Ordinal);
        foreach (var method in ShapeRules.InterfaceMethods(type))
        {
            var display = $"{method.ContainingType.Name}.{method.Name}";
            if (ShapeRules.RpcMethodProblem(method, deferred) is { } problem)
            {
                found.Add((DiagnosticDescriptors.UnsupportedRpcMethod, [display, $"{owner} {problem}"]));
                continue;
            }

            var contract = RpcParser.ContractName(method, name);
            if (contracts.TryGetValue(contract, out var first))
            {
                found.Add((DiagnosticDescriptors.DuplicateContract, [$"RPC method '{display}' {owner}", $"'{first.ContainingType.Name}.{first.Name}'", contract]));
            }
            else
            {
                contracts.Add(contract, method);
            }
        }

        if (found.Count == 0)
        {
            var unsuppressed = new SortedSet<string>(System.StringComparer.Ordinal);
            Unusable(found, type, owner, "an RPC service", "generate a client for", ReferenceParser.TryParseService(type, compilation, unsuppressed) is not null, unsuppressed);
        }

        return found;
    }

    private static string Owner(INamedTypeSymbol type) => $"(assembly {type.ContainingAssembly.Name})";

    /// <summary>
    /// WRN023 for an interface no rule rejects that the generator still leaves out here (<paramref name="generated"/> false):
    /// for the ids of <c>[Experimental]</c> or <c>[Obsolete]</c> members the project does not suppress, or, with none, for
    /// what this project does not see of it. <paramref name="what"/> is the kind of interface, <paramref name="verb"/> what
    /// Warren does with one ("implement").
    /// </summary>
    private static void Unusable(List<(DiagnosticDescriptor, object[])> found, INamedTypeSymbol type, string owner, string what, string verb, bool generated, SortedSet<string> unsuppressed)
    {
        if (generated)
        {
            return;
        }

        if (unsuppressed.Count == 0)
        {
            // Stopped by what this project does not see of it (a type from an assembly it does not reference) or by a rule
            // its own assembly's build reports: the service must not find out at run time that it has no implementation.
            found.Add((DiagnosticDescriptors.UnreachableType, [
                type.Name,
                $"{owner} is {what} Warren cannot {verb} in this project: a type it uses comes from an assembly this project does not reference, "
                + "or its assembly's build reports an error on it; reference that assembly or fix the error there"]));
            return;
        }

        var ids = string.Join(", ", unsuppressed);
        found.Add((DiagnosticDescriptors.UnreachableType, [
            type.Name,
            $"{owner} is {what} whose types or members are [Experimental] or [Obsolete] under {ids}, and the code Warren generates for it would report {ids} in generated files, "
            + $"so Warren does not {verb} it in this project: suppress {ids} for the project (<NoWarn>{string.Join(";", unsuppressed)}</NoWarn>) to use it"]));
    }
}

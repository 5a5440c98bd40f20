using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Warren.Generators.Model;

namespace Warren.Generators.Parsing;

/// <summary>Reads the Warren declarations of referenced assemblies from metadata (see <see cref="ReferencedModel"/>).</summary>
internal static class ReferenceParser
{
    // A compilation is new on every edit, but the symbol of an unchanged metadata reference is shared between its
    // versions: reading each referenced assembly once per symbol keeps typing in a service from walking its references.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IAssemblySymbol, AssemblyDeclarations> Cache = new();

    // The cache serves compilations with different options, so a message type that needs a diagnostic suppressed
    // ([Experimental], [Obsolete] with a DiagnosticId) is read with those ids, and each compilation judges them.
    private sealed record AssemblyDeclarations(
        ReferencedMessage[] Messages, ReferencedService[] Services, ReferencedPublisher[] Publishers, JsonContextModel[] Contexts, string? Module, DeadLetterQueueModel[] DeadLetterQueues);

    /// <summary>A referenced message and the diagnostic ids a project must suppress (<c>&lt;NoWarn&gt;</c>) to use it.</summary>
    private sealed record ReferencedMessage(MessageModel Model, string[] Suppressions);

    /// <summary>A referenced <c>[RpcService]</c> interface and the diagnostic ids a project must suppress to generate its client.</summary>
    private sealed record ReferencedService(RpcServiceModel Model, string[] Suppressions);

    /// <summary>A referenced <c>[Publisher]</c> interface and the diagnostic ids a project must suppress to implement it.</summary>
    private sealed record ReferencedPublisher(PublisherModel Model, string[] Suppressions);

    public static ReferencedModel Read(Compilation compilation, CancellationToken cancellationToken)
    {
        var hasWarren = compilation.GetTypeByMetadataName(KnownNames.WarrenBuilder) is not null;
        if (!hasWarren)
        {
            return ReferencedModel.None;
        }

        var messages = new System.Collections.Generic.List<MessageModel>();
        var services = new System.Collections.Generic.List<RpcServiceModel>();
        var publishers = new System.Collections.Generic.List<PublisherModel>();
        var contexts = new System.Collections.Generic.List<JsonContextModel>();
        var modules = new System.Collections.Generic.List<string>();
        var deadLetterQueues = new System.Collections.Generic.List<DeadLetterQueueModel>();
        var giverDepth = ModuleModel.Plain;
        foreach (var assembly in ReferencedAssemblies.UsingWarren(compilation))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (assembly.GivesAccessTo(compilation.Assembly))
            {
                giverDepth = System.Math.Max(giverDepth, RegistrationDepth(assembly));
                // Its internal JSON contexts are this project's to use as well as its public ones.
                contexts.AddRange(InternalContexts(assembly, compilation));
            }

            var declarations = Cache.GetValue(assembly, ReadAssembly);
            // A message this project cannot use (its diagnostic would be reported in generated files) gets no code here;
            // the user's code using it is reported (WRN005, WRN018, WRN021, and WRN023 at a PublishAsync call), as for such
            // a type declared locally.
            messages.AddRange(declarations.Messages.Where(m => Usable(compilation, m.Suppressions)).Select(m => m.Model));
            // An RPC interface this project cannot proxy is reported where the user's code names it, as a publisher is.
            services.AddRange(declarations.Services.Where(s => Usable(compilation, s.Suppressions)).Select(s => s.Model));
            // A public [Publisher] interface is implemented here as if declared here (the library's own implementation
            // is internal); one this project cannot implement is reported where the user's code names it.
            publishers.AddRange(declarations.Publishers.Where(p => Usable(compilation, p.Suppressions)).Select(p => p.Model));
            contexts.AddRange(declarations.Contexts);
            deadLetterQueues.AddRange(declarations.DeadLetterQueues);
            if (declarations.Module is { } module)
            {
                modules.Add(module);
            }
        }

        return new ReferencedModel(
            messages.OrderBy(m => m.TypeName, System.StringComparer.Ordinal).ToEquatableArray(),
            services.OrderBy(s => s.InterfaceName, System.StringComparer.Ordinal).ToEquatableArray(),
            contexts.OrderBy(c => c.ContextName, System.StringComparer.Ordinal).ToEquatableArray(),
            new ModuleModel(
                true,
                GeneratedScope.Of(compilation.AssemblyName),
                modules.Distinct().OrderBy(m => m, System.StringComparer.Ordinal).ToEquatableArray(),
                MessageParser.GivesInternals(compilation.Assembly) ? giverDepth + 1 : ModuleModel.Plain),
            deadLetterQueues.GroupBy(d => d.Queue).Select(g => new DeadLetterQueueModel(g.Key, g.Any(d => d.Quorum))).OrderBy(d => d.Queue, System.StringComparer.Ordinal).ToEquatableArray(),
            publishers.OrderBy(p => p.InterfaceName, System.StringComparer.Ordinal).ToEquatableArray());
    }

    /// <summary>
    /// The JSON contexts of <paramref name="assembly"/>, which gives <paramref name="compilation"/> its internals, that
    /// only its internals make visible (the public ones are read with its declarations) and that the compilation can
    /// reach (not private ones).
    /// </summary>
    private static System.Collections.Generic.IEnumerable<JsonContextModel> InternalContexts(IAssemblySymbol assembly, Compilation compilation)
    {
        foreach (var type in ReferencedAssemblies.PublicTypes(assembly, publicOnly: false))
        {
            var visibleToAll = true;
            for (var t = type; t is not null; t = t.ContainingType)
            {
                visibleToAll &= t.DeclaredAccessibility == Accessibility.Public;
            }

            if (!visibleToAll && compilation.IsSymbolAccessibleWithin(type, compilation.Assembly) && JsonContextParser.TryParse(type) is { } json)
            {
                yield return json;
            }
        }
    }

    /// <summary>
    /// The depth of the generated <c>AddGeneratedHandlers()</c> of <paramref name="assembly"/> (<see cref="ModuleModel.Depth"/>),
    /// read from the receiver of its declaration: <see cref="ModuleModel.Plain"/> when it extends
    /// <c>WarrenBuilder</c> itself or has none.
    /// </summary>
    private static int RegistrationDepth(IAssemblySymbol assembly)
    {
        var registration = assembly.GetTypeByMetadataName("Warren." + GeneratedScope.Of(assembly.Name).RegistrationClass);
        var method = registration?.GetMembers("AddGeneratedHandlers").OfType<IMethodSymbol>().FirstOrDefault(m => m.IsExtensionMethod);
        if (method?.Parameters[0].Type is not INamedTypeSymbol { Name: "IRegistrationRank", TypeArguments.Length: 1 } receiver)
        {
            return ModuleModel.Plain;
        }

        var depth = 0;
        for (var level = receiver.TypeArguments[0] as INamedTypeSymbol; level is { Name: "IRegistrationDepth", TypeArguments.Length: 1 }; level = level.TypeArguments[0] as INamedTypeSymbol)
        {
            depth++;
        }

        return depth;
    }

    /// <summary>
    /// The model of a public message type of a referenced assembly as <paramref name="compilation"/> may use it, or null:
    /// also null when using it needs a diagnostic the project does not suppress.
    /// </summary>
    public static MessageModel? TryParseMessage(INamedTypeSymbol type, Compilation compilation)
    {
        var suppressions = new System.Collections.Generic.SortedSet<string>(System.StringComparer.Ordinal);
        return MessageParser.TryParseAttributed(type, compilation.Assembly, suppressions) is { } message && Usable(compilation, suppressions) ? message with { Referenced = true } : null;
    }

    /// <summary>
    /// The model of a public <c>[Publisher]</c> interface of a referenced assembly as <paramref name="compilation"/> may
    /// implement it, or null (invalid, or needing a diagnostic the project does not suppress): the ids it needs are
    /// added to <paramref name="unsuppressed"/> when those alone stop it.
    /// </summary>
    public static PublisherModel? TryParsePublisher(INamedTypeSymbol type, Compilation compilation, System.Collections.Generic.ISet<string>? unsuppressed = null)
    {
        var suppressions = new System.Collections.Generic.SortedSet<string>(System.StringComparer.Ordinal);
        if (PublisherParser.TryParse(type, suppressions, compilation.Assembly) is not { } publisher)
        {
            return null;
        }

        foreach (var id in suppressions.Where(id => !Rules.ShapeRules.Suppressed(compilation, id)))
        {
            unsuppressed?.Add(id);
        }

        return Usable(compilation, suppressions) ? publisher : null;
    }

    /// <summary>
    /// The model of an <c>[RpcService]</c> interface of a referenced assembly as <paramref name="compilation"/> may
    /// generate its client (and serve it), or null (invalid, or needing a diagnostic the project does not suppress): the
    /// ids it needs are added to <paramref name="unsuppressed"/> when those alone stop it.
    /// </summary>
    public static RpcServiceModel? TryParseService(INamedTypeSymbol type, Compilation compilation, System.Collections.Generic.ISet<string>? unsuppressed = null)
    {
        var suppressions = new System.Collections.Generic.SortedSet<string>(System.StringComparer.Ordinal);
        if (RpcParser.TryParseService(type, suppressions) is not { } service)
        {
            return null;
        }

        foreach (var id in suppressions.Where(id => !Rules.ShapeRules.Suppressed(compilation, id)))
        {
            unsuppressed?.Add(id);
        }

        return Usable(compilation, suppressions) ? service : null;
    }

    /// <summary>A public <c>[RpcService]</c> interface of a referenced assembly: one this project proxies (or is told why not).</summary>
    public static bool IsReferencedRpcService(INamedTypeSymbol type) =>
        type.TypeKind == TypeKind.Interface && type.DeclaredAccessibility == Accessibility.Public && AttributeReader.Has(type, KnownNames.RpcServiceAttribute);

    /// <summary>A public <c>[Publisher]</c> interface of a referenced assembly: one this project implements (or is told why not).</summary>
    public static bool IsReferencedPublisher(INamedTypeSymbol type) =>
        type.TypeKind == TypeKind.Interface && type.DeclaredAccessibility == Accessibility.Public && AttributeReader.Has(type, KnownNames.PublisherAttribute);

    private static bool Usable(Compilation compilation, System.Collections.Generic.IEnumerable<string> suppressions) =>
        suppressions.All(id => Rules.ShapeRules.Suppressed(compilation, id));

    private static AssemblyDeclarations ReadAssembly(IAssemblySymbol assembly)
    {
        var messages = new System.Collections.Generic.List<ReferencedMessage>();
        var services = new System.Collections.Generic.List<ReferencedService>();
        var publishers = new System.Collections.Generic.List<ReferencedPublisher>();
        var contexts = new System.Collections.Generic.List<JsonContextModel>();
        foreach (var type in ReferencedAssemblies.PublicTypes(assembly))
        {
            if (JsonContextParser.TryParse(type) is { } json)
            {
                contexts.Add(json);
            }
            else if (type.TypeKind == TypeKind.Interface)
            {
                if (AttributeReader.Has(type, KnownNames.RpcServiceAttribute))
                {
                    var suppressions = new System.Collections.Generic.SortedSet<string>(System.StringComparer.Ordinal);
                    if (RpcParser.TryParseService(type, suppressions) is { } service)
                    {
                        services.Add(new ReferencedService(service, suppressions.ToArray()));
                    }
                }
                else if (AttributeReader.Has(type, KnownNames.PublisherAttribute))
                {
                    var suppressions = new System.Collections.Generic.SortedSet<string>(System.StringComparer.Ordinal);
                    if (PublisherParser.TryParse(type, suppressions, null) is { } publisher)
                    {
                        publishers.Add(new ReferencedPublisher(publisher with { Referenced = true }, suppressions.ToArray()));
                    }
                }
            }
            else if (ReferencedAssemblies.IsAttributedMessage(type) || AttributeReader.Has(type, KnownNames.PriorityAttribute))
            {
                var suppressions = new System.Collections.Generic.SortedSet<string>(System.StringComparer.Ordinal);
                if (MessageParser.TryParseAttributed(type, null, suppressions) is { } message)
                {
                    messages.Add(new ReferencedMessage(message with { Referenced = true }, suppressions.ToArray()));
                }
            }
        }

        // The dead-letter queues the assembly's own topology declares, consumers internal or public: a class here that
        // reads one is declared the same way and gets no default bindings (DeadLetterConsumers).
        var consumers = ReferencedAssemblies.PublicTypes(assembly, publicOnly: false).Select(ConsumerParser.TryParse).Where(c => c is not null).Select(c => c!);
        var deadLetterQueues = DeadLetterConsumers.DeadLetterQueues(DeadLetterConsumers.Mark(consumers.ToList())).ToArray();
        return new AssemblyDeclarations(messages.ToArray(), services.ToArray(), publishers.ToArray(), contexts.ToArray(), ReferencedAssemblies.ModuleOf(assembly), deadLetterQueues);
    }
}

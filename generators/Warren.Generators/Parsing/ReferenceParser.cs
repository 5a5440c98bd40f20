using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Warren.Generators.Model;

namespace Warren.Generators.Parsing;

/// <summary>Reads the Warren declarations of referenced assemblies from metadata (see <see cref="ReferencedModel"/>).</summary>
internal static class ReferenceParser
{
    // A compilation is new on every edit, but the symbol of an unchanged metadata reference is shared between its
    // versions: reading each referenced assembly once per symbol keeps typing in a service from walking its references
    // (its public types, and its internal ones for its consumers' dead-letter queues and for the JSON contexts a friend uses).
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IAssemblySymbol, AssemblyDeclarations> Cache = new();

    /// <summary>Raised when the types of a referenced assembly are walked, that is when they are not in the cache: for tests.</summary>
    internal static event System.Action<IAssemblySymbol>? Walked;

    // The cache serves compilations with different options, so a message type that needs a diagnostic suppressed
    // ([Experimental], [Obsolete] with a DiagnosticId) is read with those ids, and each compilation judges them.
    // InternalContexts are the JSON contexts only an assembly given the internals can name (InternalContext).
    private sealed record AssemblyDeclarations(
        ReferencedMessage[] Messages,
        ReferencedService[] Services,
        ReferencedPublisher[] Publishers,
        JsonContextModel[] Contexts,
        string? Module,
        DeadLetterQueueModel[] DeadLetterQueues,
        JsonContextModel[] InternalContexts,
        RegistrationShape Registration);

    /// <summary>
    /// The generated <c>AddGeneratedHandlers()</c> of a referenced assembly: the depth of its receiver
    /// (<see cref="ModuleModel.Depth"/>), and whether an older Warren generated one extending <c>WarrenBuilder</c> itself
    /// (<see cref="Older"/>, plain when it takes no other parameter).
    /// </summary>
    private sealed record RegistrationShape(int Depth, bool? Older)
    {
        public static readonly RegistrationShape None = new(ModuleModel.Plain, null);
    }

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
        var older = new System.Collections.Generic.List<OlderRegistrationModel>();
        var giverDepth = ModuleModel.Plain;
        foreach (var assembly in ReferencedAssemblies.UsingWarren(compilation))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var declarations = Cache.GetValue(assembly, ReadAssembly);
            if (assembly.GivesAccessTo(compilation.Assembly))
            {
                giverDepth = System.Math.Max(giverDepth, declarations.Registration.Depth);
                // Its internal JSON contexts are this project's to use as well as its public ones.
                contexts.AddRange(declarations.InternalContexts);
                // Its internal AddGeneratedHandlers() is a candidate of this project's calls (RegistrationRules).
                if (declarations.Registration.Older is { } plain)
                {
                    older.Add(new OlderRegistrationModel(assembly.Name, plain));
                }
            }

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
            publishers.OrderBy(p => p.InterfaceName, System.StringComparer.Ordinal).ToEquatableArray(),
            older.OrderBy(o => o.Assembly, System.StringComparer.Ordinal).ToEquatableArray());
    }

    /// <summary>
    /// Whether an assembly given the internals of the assembly declaring <paramref name="type"/> can name it, but not every
    /// assembly can: it or a containing type is internal (or protected internal), and none is private or protected only.
    /// </summary>
    private static bool InternalToFriends(INamedTypeSymbol type)
    {
        var visibleToAll = true;
        for (var t = type; t is not null; t = t.ContainingType)
        {
            switch (t.DeclaredAccessibility)
            {
                case Accessibility.Public:
                    break;
                case Accessibility.Internal or Accessibility.ProtectedOrInternal:
                    visibleToAll = false;
                    break;
                default:
                    return false;
            }
        }

        return !visibleToAll;
    }

    /// <summary>
    /// The generated <c>AddGeneratedHandlers()</c> of <paramref name="assembly"/> (<see cref="RegistrationShape"/>), read
    /// from the receiver of its declaration in a class <c>Warren.WarrenGeneratedRegistration…</c>: this Warren's
    /// (<c>WarrenGeneratedRegistration_{assembly}</c>, <c>IRegistrationRank&lt;IRegistrationDepth&lt;…&gt;&gt;</c> when the
    /// assembly gives its internals), or an older one's (<c>WarrenGeneratedRegistration</c>, extending
    /// <c>WarrenBuilder</c>, with a <c>params</c> array or an optional parameter when it gave its internals).
    /// </summary>
    private static RegistrationShape RegistrationOf(IAssemblySymbol assembly)
    {
        var depth = ModuleModel.Plain;
        bool? older = null;
        foreach (var ns in assembly.GlobalNamespace.GetNamespaceMembers().Where(n => n.Name == "Warren"))
        {
            foreach (var type in ns.GetTypeMembers().Where(t => t.Name.StartsWith("WarrenGeneratedRegistration", System.StringComparison.Ordinal)))
            {
                foreach (var method in type.GetMembers("AddGeneratedHandlers").OfType<IMethodSymbol>().Where(m => m.IsExtensionMethod))
                {
                    switch (method.Parameters[0].Type)
                    {
                        case INamedTypeSymbol { Name: "IRegistrationRank", TypeArguments.Length: 1 } receiver:
                            var levels = 0;
                            for (var level = receiver.TypeArguments[0] as INamedTypeSymbol; level is { Name: "IRegistrationDepth", TypeArguments.Length: 1 }; level = level.TypeArguments[0] as INamedTypeSymbol)
                            {
                                levels++;
                            }

                            depth = System.Math.Max(depth, levels);
                            break;
                        case INamedTypeSymbol receiver when KnownNames.Is(receiver, KnownNames.WarrenBuilder) && type.Name == "WarrenGeneratedRegistration":
                            older = (older ?? false) || method.Parameters.Length == 1;
                            break;
                    }
                }
            }
        }

        return depth == ModuleModel.Plain && older is null ? RegistrationShape.None : new RegistrationShape(depth, older);
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
        Walked?.Invoke(assembly);
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
        // reads one is declared the same way and gets no default bindings (DeadLetterConsumers). The same walk finds the
        // JSON contexts only its friends can name, theirs to use too.
        var consumers = new System.Collections.Generic.List<ConsumerModel>();
        var internalContexts = new System.Collections.Generic.List<JsonContextModel>();
        foreach (var type in ReferencedAssemblies.PublicTypes(assembly, publicOnly: false))
        {
            if (ConsumerParser.TryParse(type) is { } consumer)
            {
                consumers.Add(consumer);
            }

            if (InternalToFriends(type) && JsonContextParser.TryParse(type) is { } json)
            {
                internalContexts.Add(json);
            }
        }

        var deadLetterQueues = DeadLetterConsumers.DeadLetterQueues(DeadLetterConsumers.Mark(consumers)).ToArray();
        return new AssemblyDeclarations(
            messages.ToArray(), services.ToArray(), publishers.ToArray(), contexts.ToArray(), ReferencedAssemblies.ModuleOf(assembly), deadLetterQueues, internalContexts.ToArray(), RegistrationOf(assembly));
    }
}

using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Warren.Generators.Emitting;
using Warren.Generators.Model;
using Warren.Generators.Parsing;
using Warren.Generators.Rules;

namespace Warren.Generators;

/// <summary>
/// Turns Warren's attributes into topology, message contracts, consumer dispatchers, publisher implementations and
/// <c>AddGeneratedHandlers()</c>. Parse (symbols → equatable models, each type once) → Model (merged, named uniquely,
/// sorted) → Emit: one pipeline per output, so an edit re-emits only the files whose input changed.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class WarrenGenerator : IIncrementalGenerator
{
    /// <summary>Tracking names of the pipeline steps, for caching tests.</summary>
    public static class Steps
    {
        public const string Messages = "Warren.Messages";
        public const string Consumers = "Warren.Consumers";
        public const string Publishers = "Warren.Publishers";
        public const string JsonContexts = "Warren.JsonContexts";
        public const string RpcServices = "Warren.RpcServices";
        public const string RpcServers = "Warren.RpcServers";
        public const string References = "Warren.References";
        public const string Model = "Warren.Model";
        public const string Contracts = "Warren.Output.Contracts";
        public const string ContractNames = "Warren.Output.ContractNames";
        public const string Topology = "Warren.Output.Topology";
        public const string Registration = "Warren.Output.Registration";
        public const string Module = "Warren.Output.Module";
        public const string Dispatchers = "Warren.Output.Dispatchers";
        public const string PublisherClasses = "Warren.Output.Publishers";
        public const string RpcClients = "Warren.Output.RpcClients";
        public const string RpcServerClasses = "Warren.Output.RpcServers";
        public const string Usages = "Warren.Usages";
        public const string Manifest = "Warren.Output.Manifest";
        public const string RegistrationCalls = "Warren.RegistrationCalls";
    }

    /// <summary>The attributes that make a type a message, in the order that decides which step parses a type carrying several.</summary>
    private static readonly string[] MessageAttributes = [KnownNames.ExchangeAttribute, KnownNames.TopicAttribute, KnownNames.MessageAttribute, KnownNames.PriorityAttribute];

    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var messages = MessageAttributes
            .Select(attribute => Types(context, attribute, type => MessageParser.FirstAttribute(type, MessageAttributes) == attribute ? MessageParser.TryParseAttributed(type, type.ContainingAssembly) : null))
            .Aggregate(Concat)
            .WithTrackingName(Steps.Messages);

        // A consumer is found by its [Queue], else by its first attributed handler, else (handlers inherited from a base
        // class) by its base list; each finder leaves the classes an earlier one finds alone.
        var byQueue = Types(context, KnownNames.QueueAttribute, ConsumerParser.TryParse);
        var byHandler = Concat(Handlers(context, KnownNames.TopicAttribute), Handlers(context, KnownNames.HeadersAttribute));
        // Classes are found in each file's declarations only (no walk through method bodies), cached per unchanged file;
        // those found are bound whenever the compilation changes, as a syntax provider's would be.
        var derived = context.CompilationProvider
            .SelectMany(static (compilation, _) => compilation.SyntaxTrees)
            .Select(static (tree, ct) => DerivedClass.Candidates(tree.GetRoot(ct)))
            .Where(static candidates => candidates.Length > 0)
            .Combine(context.CompilationProvider)
            .SelectMany(static (x, ct) => DerivedClass.Parse(x.Left, x.Right, ct))
            .Collect();
        var consumers = Concat(Concat(byQueue, byHandler), derived.Select(static (classes, _) => classes.Where(c => c.Consumer is not null).Select(c => c.Consumer!).ToImmutableArray()))
            .WithTrackingName(Steps.Consumers);
        var rpcServers = derived.Select(static (classes, _) => classes.Where(c => c.Server is not null).Select(c => c.Server!).ToImmutableArray())
            .WithTrackingName(Steps.RpcServers);

        var publishers = Types(context, KnownNames.PublisherAttribute, PublisherParser.TryParse).WithTrackingName(Steps.Publishers);
        var contexts = Types(context, KnownNames.JsonSerializableAttribute, JsonContextParser.TryParse).WithTrackingName(Steps.JsonContexts);
        var rpcServices = Types(context, KnownNames.RpcServiceAttribute, RpcParser.TryParseService).WithTrackingName(Steps.RpcServices);

        // Referenced assemblies built against Warren, read from metadata (see ReferenceParser): an equatable model, so
        // edits that change no reference leave the steps after it cached. The model reads their declarations, the
        // registration their modules.
        var references = context.CompilationProvider.Select(ReferenceParser.Read).WithTrackingName(Steps.References);
        var referencedDeclarations = references.Select(static (r, _) => r with { Module = ModuleModel.None, OlderRegistrations = EquatableArray<OlderRegistrationModel>.Empty });
        var module = references.Select(static (r, _) => r.Module);

        var model = messages
            .Combine(consumers)
            .Combine(publishers)
            .Combine(contexts)
            .Combine(rpcServices)
            .Combine(rpcServers)
            .Combine(referencedDeclarations)
            .Select(static (inputs, _) =>
            {
                var ((((((messageModels, consumerModels), publisherModels), contextModels), serviceModels), serverModels), referenced) = inputs;
                return GenerationModel.Create(messageModels, consumerModels, publisherModels, contextModels, serviceModels, serverModels, referenced);
            })
            .WithTrackingName(Steps.Model);

        // The names of this assembly's generated internal types (GeneratedScope): unique to it, read from its name only.
        var scope = context.CompilationProvider.Select(static (c, _) => GeneratedScope.Of(c.AssemblyName));

        // Files shared by the whole assembly, each from the part of the model it reads.
        var contracts = model.Select(static (m, _) => m.IsEmpty ? null : ContractsModel.From(m)).WithTrackingName(Steps.Contracts);
        context.RegisterSourceOutput(contracts.Combine(scope), static (output, x) => Add(output, x.Left, ContractsEmitter.HintName, m => ContractsEmitter.Emit(m, x.Right)));
        // The contract names decided here, for the assemblies referencing this one (DeclaredContractNames).
        var contractNames = contracts.Select(static (c, _) => c is null ? null : ContractNamesEmitter.From(c)).WithTrackingName(Steps.ContractNames);
        context.RegisterSourceOutput(contractNames, static (output, m) => Add(output, m, ContractNamesEmitter.HintName, ContractNamesEmitter.Emit));
        var topology = model.Select(static (m, _) => m.IsEmpty ? null : TopologyPlan.From(m)).WithTrackingName(Steps.Topology);
        context.RegisterSourceOutput(topology.Combine(scope), static (output, x) => Add(output, x.Left, TopologyEmitter.HintName, plan => TopologyEmitter.Emit(plan, x.Right)));

        // AddGeneratedHandlers() exists in every assembly referencing Warren; an assembly with consumers or servers also
        // exposes a public module registration that the assemblies referencing it call.
        var registration = model.Combine(module)
            .Select(static (x, _) => x.Right.HasWarren || !x.Left.IsEmpty ? RegistrationModel.From(x.Left, x.Right) : null)
            .WithTrackingName(Steps.Registration);
        context.RegisterSourceOutput(registration, static (output, m) => Add(output, m, RegistrationEmitter.HintName, RegistrationEmitter.Emit));
        var moduleClass = registration.Select(static (r, _) => r is not null && ModuleEmitter.HasModule(r) ? r.Module : null).WithTrackingName(Steps.Module);
        context.RegisterSourceOutput(moduleClass, static (output, m) => Add(output, m, ModuleEmitter.HintName, ModuleEmitter.Emit));

        // One file per group of consumers (DispatcherGroup), publisher, service and server, each cached on its own.
        var dispatchers = model.SelectMany(static (m, _) => DispatcherGroup.From(m.Consumers)).WithTrackingName(Steps.Dispatchers);
        context.RegisterSourceOutput(dispatchers.Combine(scope), static (output, x) => Add(output, x.Left.Consumers.Count == 0 ? null : x.Left, DispatcherEmitter.HintName(x.Left), g => DispatcherEmitter.Emit(g, x.Right)));
        var publisherClasses = model.SelectMany(static (m, _) => m.Publishers).WithTrackingName(Steps.PublisherClasses);
        context.RegisterSourceOutput(publisherClasses.Combine(scope), static (output, x) => output.AddSource(PublisherEmitter.HintName(x.Left), PublisherEmitter.Emit(x.Left, x.Right)));
        var rpcClients = model.SelectMany(static (m, _) => m.RpcServices).WithTrackingName(Steps.RpcClients);
        context.RegisterSourceOutput(rpcClients.Combine(scope), static (output, x) => output.AddSource(RpcEmitter.ProxyHintName(x.Left), RpcEmitter.EmitProxy(x.Left, x.Right)));
        var rpcServerClasses = model
            .SelectMany(static (m, _) => m.RpcServers.SelectMany(server => server.Services.Select(service => new RpcServerOutput(server.TypeName, server.Identifier, service))))
            .WithTrackingName(Steps.RpcServerClasses);
        context.RegisterSourceOutput(rpcServerClasses.Combine(scope), static (output, x) => output.AddSource(RpcEmitter.ServerHintName(x.Left), RpcEmitter.EmitServer(x.Left, x.Right)));

        // The manifest as assembly metadata, read after the build by the package's tool (docs/system-check.md): the
        // topology, and what the code publishes through IPublisher and which RPC services it calls.
        // Usages are found by name first (syntax only, so no edit binds the invocations of every file), then the few
        // invocations named PublishAsync, PublishBatchAsync or like a method of a known [RpcService] interface are bound.
        var invocations = context.SyntaxProvider
            .CreateSyntaxProvider(static (node, _) => UsageParser.IsCandidate(node), static (ctx, _) => (InvocationExpressionSyntax)ctx.Node)
            .Collect();
        var rpcMethodNames = rpcServices.Combine(referencedDeclarations)
            .Select(static (x, _) => x.Left.Concat(x.Right.RpcServices).SelectMany(s => s.Methods).Select(m => m.Name)
                .Concat(x.Right.Publishers.SelectMany(p => p.Methods).Select(m => m.Name))
                .Distinct().OrderBy(n => n, System.StringComparer.Ordinal).ToEquatableArray());
        // A library an older Warren built that gives this project its internals can take over its AddGeneratedHandlers()
        // calls (RegistrationRules): reported here, not by an analyzer, since what it costs is silent (WRN043). Only
        // calls are found (syntax), and nothing is bound: the compilation the generator sees lacks this project's own.
        var registrationCalls = invocations
            .Select(static (list, _) => list.Where(RegistrationRules.IsExtensionCall).Select(CallSiteModel.Of).ToEquatableArray())
            .WithTrackingName(Steps.RegistrationCalls);
        var olderRegistrations = references.Select(static (r, _) => (Older: r.OlderRegistrations, r.Module.Depth));
        context.RegisterSourceOutput(registrationCalls.Combine(olderRegistrations), static (output, x) => ReportOlderRegistrations(output, x.Left, x.Right.Older, x.Right.Depth));

        var usages = invocations.Combine(rpcMethodNames).Combine(context.CompilationProvider)
            .Select(static (x, ct) => UsageParser.Find(x.Left.Left, x.Left.Right, x.Right, ct)
                .Distinct().OrderBy(u => u.TypeName, System.StringComparer.Ordinal).ThenBy(u => u.IsRpc).ThenBy(u => u.PublisherMethod, System.StringComparer.Ordinal).ToEquatableArray())
            .WithTrackingName(Steps.Usages);
        var manifest = model.Combine(usages)
            .Select(static (x, _) => x.Left.IsEmpty ? null : ManifestModel.From(x.Left, x.Right))
            .WithTrackingName(Steps.Manifest);
        context.RegisterImplementationSourceOutput(manifest, static (output, m) => Add(output, m, ManifestEmitter.HintName, ManifestEmitter.Emit));
    }

    private static void ReportOlderRegistrations(SourceProductionContext output, EquatableArray<CallSiteModel> calls, EquatableArray<OlderRegistrationModel> older, int ownDepth)
    {
        foreach (var (registration, outcome) in RegistrationRules.Winning(older, ownDepth))
        {
            foreach (var call in calls)
            {
                output.ReportDiagnostic(Diagnostic.Create(GeneratorDiagnostics.OlderRegistration, call.ToLocation(), registration.Assembly, outcome));
            }
        }
    }

    private static void Add<T>(SourceProductionContext output, T? model, string hintName, System.Func<T, string> emit)
        where T : class
    {
        if (model is not null)
        {
            output.AddSource(hintName, emit(model));
        }
    }

    private static IncrementalValueProvider<ImmutableArray<T>> Concat<T>(IncrementalValueProvider<ImmutableArray<T>> first, IncrementalValueProvider<ImmutableArray<T>> second) =>
        first.Combine(second).Select(static (pair, _) => pair.Left.AddRange(pair.Right));

    private static IncrementalValueProvider<ImmutableArray<T>> Types<T>(IncrementalGeneratorInitializationContext context, string attribute, System.Func<INamedTypeSymbol, T?> parse)
        where T : class =>
        context.SyntaxProvider
            .ForAttributeWithMetadataName(
                attribute,
                static (node, _) => node is TypeDeclarationSyntax,
                (ctx, _) => ctx.TargetSymbol is INamedTypeSymbol type ? parse(type) : null)
            .Where(static m => m is not null)
            .Select(static (m, _) => m!)
            .Collect();

    /// <summary>Consumer classes without <c>[Queue]</c>, found through their first attributed handler method.</summary>
    private static IncrementalValueProvider<ImmutableArray<ConsumerModel>> Handlers(IncrementalGeneratorInitializationContext context, string attribute) =>
        context.SyntaxProvider
            .ForAttributeWithMetadataName(
                attribute,
                static (node, _) => node is MethodDeclarationSyntax,
                static (ctx, _) => ctx.TargetSymbol is IMethodSymbol { ContainingType: { } type } method && ConsumerParser.FindsByHandler(type, method) ? ConsumerParser.TryParse(type) : null)
            .Where(static m => m is not null)
            .Select(static (m, _) => m!)
            .Collect();

    /// <summary>What a class with a base list is to Warren: a consumer through inherited handlers, an RPC server, or both.</summary>
    private sealed record DerivedClass(ConsumerModel? Consumer, RpcServerModel? Server)
    {
        /// <summary>The classes with a base list declared in a file, nested ones included: types are declared in namespaces and types only.</summary>
        public static ImmutableArray<ClassDeclarationSyntax> Candidates(SyntaxNode root)
        {
            var found = ImmutableArray.CreateBuilder<ClassDeclarationSyntax>();
            Visit(root is CompilationUnitSyntax unit ? unit.Members : default);
            return found.ToImmutable();

            void Visit(SyntaxList<MemberDeclarationSyntax> members)
            {
                foreach (var member in members)
                {
                    switch (member)
                    {
                        case BaseNamespaceDeclarationSyntax ns:
                            Visit(ns.Members);
                            break;
                        case TypeDeclarationSyntax type:
                            if (type is ClassDeclarationSyntax { BaseList: not null } candidate)
                            {
                                found.Add(candidate);
                            }

                            Visit(type.Members);
                            break;
                    }
                }
            }
        }

        public static ImmutableArray<DerivedClass> Parse(ImmutableArray<ClassDeclarationSyntax> candidates, Compilation compilation, System.Threading.CancellationToken ct)
        {
            var model = compilation.GetSemanticModel(candidates[0].SyntaxTree);
            var parsed = ImmutableArray.CreateBuilder<DerivedClass>();
            foreach (var candidate in candidates)
            {
                if (model.GetDeclaredSymbol(candidate, ct) is INamedTypeSymbol type && Parse(type) is { } derived)
                {
                    parsed.Add(derived);
                }
            }

            return parsed.ToImmutable();
        }

        private static DerivedClass? Parse(INamedTypeSymbol type)
        {
            var consumer = ConsumerParser.FindsByBaseClass(type) ? ConsumerParser.TryParse(type) : null;
            var server = RpcParser.TryParseServer(type);
            return consumer is null && server is null ? null : new DerivedClass(consumer, server);
        }
    }
}

using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Warren.Generators.Emitting;
using Warren.Generators.Model;
using Warren.Generators.Parsing;

namespace Warren.Generators;

/// <summary>
/// Turns Warren's attributes into topology, message contracts, consumer dispatchers, publisher implementations and
/// <c>AddGeneratedHandlers()</c>. Parse (symbols → equatable models) → Model (merged, sorted) → Emit (text).
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
    }

    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var messages = Types(context, KnownNames.ExchangeAttribute, MessageParser.TryParseAttributed)
            .Combine(Types(context, KnownNames.TopicAttribute, MessageParser.TryParseAttributed))
            .Combine(Types(context, KnownNames.MessageAttribute, MessageParser.TryParseAttributed))
            .Combine(Types(context, KnownNames.PriorityAttribute, MessageParser.TryParseAttributed))
            .Select(static (x, _) => x.Left.Left.Left.AddRange(x.Left.Left.Right).AddRange(x.Left.Right).AddRange(x.Right))
            .WithTrackingName(Steps.Messages);

        // Consumers without [Queue] are found through their attributed handlers, or through a base class declaring them.
        var inheritingConsumers = context.SyntaxProvider
            .CreateSyntaxProvider(
                static (node, _) => node is ClassDeclarationSyntax { BaseList: not null },
                static (ctx, _) => ctx.SemanticModel.GetDeclaredSymbol(ctx.Node) is INamedTypeSymbol type ? ConsumerParser.TryParse(type) : null)
            .Where(static c => c is not null)
            .Select(static (c, _) => c!)
            .Collect();
        var consumers = Types(context, KnownNames.QueueAttribute, ConsumerParser.TryParse)
            .Combine(Methods(context, KnownNames.TopicAttribute))
            .Combine(Methods(context, KnownNames.HeadersAttribute))
            .Combine(inheritingConsumers)
            .Select(static (x, _) => x.Left.Left.Left.AddRange(x.Left.Left.Right).AddRange(x.Left.Right).AddRange(x.Right))
            .WithTrackingName(Steps.Consumers);

        var publishers = Types(context, KnownNames.PublisherAttribute, PublisherParser.TryParse).WithTrackingName(Steps.Publishers);
        var contexts = Types(context, KnownNames.JsonSerializableAttribute, JsonContextParser.TryParse).WithTrackingName(Steps.JsonContexts);

        var rpcServices = Types(context, KnownNames.RpcServiceAttribute, RpcParser.TryParseService).WithTrackingName(Steps.RpcServices);

        // A server is any class implementing an [RpcService] interface: found through its base list, no attribute needed.
        var rpcServers = context.SyntaxProvider
            .CreateSyntaxProvider(
                static (node, _) => node is ClassDeclarationSyntax { BaseList: not null },
                static (ctx, _) => ctx.SemanticModel.GetDeclaredSymbol(ctx.Node) is INamedTypeSymbol type ? RpcParser.TryParseServer(type) : null)
            .Where(static s => s is not null)
            .Select(static (s, _) => s!)
            .Collect()
            .WithTrackingName(Steps.RpcServers);

        // Referenced assemblies built against Warren, read from metadata (see ReferenceParser): an equatable model, so
        // edits that change no reference leave the steps after it cached.
        var references = context.CompilationProvider.Select(ReferenceParser.Read).WithTrackingName(Steps.References);

        var model = messages.Combine(consumers).Combine(publishers).Combine(contexts).Combine(rpcServices).Combine(rpcServers).Combine(references)
            .Select(static (x, _) => GenerationModel.Create(
                x.Left.Left.Left.Left.Left.Left,
                x.Left.Left.Left.Left.Left.Right,
                x.Left.Left.Left.Left.Right,
                x.Left.Left.Left.Right,
                x.Left.Left.Right,
                x.Left.Right,
                x.Right))
            .WithTrackingName(Steps.Model);

        // AddGeneratedHandlers() exists in every assembly referencing Warren; an assembly with consumers or servers also
        // exposes a public module registration that the assemblies referencing it call.
        context.RegisterSourceOutput(model.Combine(references.Select(static (r, _) => r.Registration)), static (output, pair) =>
        {
            var (model, registration) = pair;
            if (registration.HasWarren || !model.IsEmpty)
            {
                output.AddSource(RegistrationEmitter.HintName, RegistrationEmitter.Emit(model, registration));
            }

            if (ModuleEmitter.HasModule(model, registration))
            {
                output.AddSource(ModuleEmitter.HintName, ModuleEmitter.Emit(registration));
            }
        });

        context.RegisterSourceOutput(model, static (output, model) =>
        {
            if (model.IsEmpty)
            {
                return;
            }

            output.AddSource(ContractsEmitter.HintName, ContractsEmitter.Emit(model));
            output.AddSource(TopologyEmitter.HintName, TopologyEmitter.Emit(model));
            foreach (var consumer in model.Consumers)
            {
                output.AddSource(DispatcherEmitter.HintName(consumer), DispatcherEmitter.Emit(consumer));
            }

            foreach (var publisher in model.Publishers)
            {
                output.AddSource(PublisherEmitter.HintName(publisher), PublisherEmitter.Emit(publisher));
            }

            foreach (var service in model.RpcServices)
            {
                output.AddSource(RpcEmitter.ProxyHintName(service), RpcEmitter.EmitProxy(service));
            }

            foreach (var server in model.RpcServers)
            {
                foreach (var service in server.Services)
                {
                    output.AddSource(RpcEmitter.ServerHintName(server, service), RpcEmitter.EmitServer(server, service));
                }
            }
        });
    }

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

    /// <summary>Consumer classes found through attributed handler methods (classes without <c>[Queue]</c>).</summary>
    private static IncrementalValueProvider<ImmutableArray<ConsumerModel>> Methods(IncrementalGeneratorInitializationContext context, string attribute) =>
        context.SyntaxProvider
            .ForAttributeWithMetadataName(
                attribute,
                static (node, _) => node is MethodDeclarationSyntax,
                static (ctx, _) => ctx.TargetSymbol.ContainingType is { } type ? ConsumerParser.TryParse(type) : null)
            .Where(static m => m is not null)
            .Select(static (m, _) => m!)
            .Collect();
}

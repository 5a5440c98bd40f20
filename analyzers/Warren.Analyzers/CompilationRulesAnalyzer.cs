using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Warren.Analyzers.Rules;
using Warren.Generators.Model;
using Warren.Generators.Parsing;

namespace Warren.Analyzers;

/// <summary>
/// Rules that need the whole compilation: the same exchange or queue declared twice differently (the broker's
/// PRECONDITION_FAILED), priorities no queue honours, published messages nobody binds, message types missing from
/// every JsonSerializerContext, bindings that dead-letter queues or direct exchanges make useless, and RPC services
/// with two servers. Facts are gathered per type as the compiler goes and judged once, at compilation end.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class CompilationRulesAnalyzer : DiagnosticAnalyzer
{
    /// <summary>Diagnostic property with the fully qualified type the WRN019 code fix adds.</summary>
    public const string TypeNameProperty = "TypeName";

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.ConflictingExchange,
        DiagnosticDescriptors.ConflictingQueue,
        DiagnosticDescriptors.PriorityIgnored,
        DiagnosticDescriptors.Unreceived,
        DiagnosticDescriptors.NotSerializable,
        DiagnosticDescriptors.DuplicateMessageContract,
        DiagnosticDescriptors.WildcardOnDirectExchange,
        DiagnosticDescriptors.DeadLetterConsumerBoundToWork,
        DiagnosticDescriptors.RpcServiceServedTwice,
        DiagnosticDescriptors.QualifiedContractName,
        DiagnosticDescriptors.InvalidQualifiedContractName,
        DiagnosticDescriptors.QueueConsumedTwice,
        DiagnosticDescriptors.ConsumerInheritsConsumer,
        DiagnosticDescriptors.BindingNeverMatchesItsMessage,
        DiagnosticDescriptors.UnreachableTypeInJson);

    /// <summary>Diagnostic property with the contract name the WRN035 code fix pins with <c>[Message]</c>.</summary>
    public const string ContractNameProperty = "ContractName";

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            var facts = new Facts();
            facts.CollectReferences(start.Compilation);
            start.RegisterSymbolAction(symbol => facts.Collect((INamedTypeSymbol)symbol.Symbol), SymbolKind.NamedType);
            var publisher = start.Compilation.GetTypeByMetadataName("Warren.IPublisher");
            start.RegisterOperationAction(operation => facts.CollectCall((IInvocationOperation)operation.Operation, publisher, start.Compilation.Assembly), OperationKind.Invocation);
            start.RegisterOperationAction(operation => facts.CollectRoutingKeyOverride(operation.Operation), OperationKind.SimpleAssignment, OperationKind.CoalesceAssignment, OperationKind.Invocation, OperationKind.ObjectCreation);
            start.RegisterCompilationEndAction(end => facts.Judge(end));
        });
    }

    private sealed class Facts
    {
        private readonly ConcurrentBag<(string Name, string Shape, Location Location, string Owner)> _exchanges = new();
        private readonly ConcurrentBag<(string Name, string Shape, Location Location, string Owner)> _queues = new();
        private readonly ConcurrentBag<(string TypeName, string Display, Location Location)> _messageUses = new();
        private readonly ConcurrentBag<string> _serializable = new();
        private readonly Dictionary<string, string> _internallySerializable = new();
        private readonly ConcurrentBag<(string Name, Location Location)> _jsonContexts = new();
        private readonly ConcurrentBag<(ITypeSymbol Type, bool IncludeFields, Location Location)> _listed = new();
        private readonly ConcurrentBag<(string TypeName, string Display, Location Location)> _prioritized = new();
        private readonly ConcurrentBag<(string TypeName, string Queue, string Consumer, bool HasMaxPriority, Location Location)> _receivers = new();
        private readonly ConcurrentBag<(string TypeName, string Display)> _referencedPrioritized = new();
        private readonly ConcurrentBag<Published> _published = new();
        private readonly ConcurrentBag<(MessageModel Message, string Display, Location Location)> _contracts = new();
        private readonly ConcurrentBag<(ConsumerModel Model, INamedTypeSymbol Type)> _consumers = new();
        private readonly ConcurrentBag<(INamedTypeSymbol Server, INamedTypeSymbol Service)> _servers = new();
        private readonly List<(ConsumerModel Model, string Owner)> _referencedConsumers = new();
        private readonly ConcurrentBag<Rules.QueueOwnerRules.Owner> _owners = new();
        private readonly ConcurrentBag<(string TypeName, string Display, Location Location)> _declarations = new();
        private readonly ConcurrentBag<(string TypeName, Location Location)> _unattributedUses = new();
        private readonly ConcurrentBag<Published> _referencedPublished = new();
        private Compilation? _compilation;
        private int _localConsumers;
        private int _routingKeyOverrides;

        /// <summary>
        /// Declarations of referenced assemblies built against Warren, read from metadata: their exchanges and queues
        /// (conflicts are reported at the local declaration, naming the assembly), contracts, bindings and public JSON
        /// contexts. They have no source location, so nothing is reported at them.
        /// </summary>
        public void CollectReferences(Compilation compilation)
        {
            _compilation = compilation;
            foreach (var assembly in ReferencedAssemblies.UsingWarren(compilation))
            {
                foreach (var type in ReferencedAssemblies.PublicTypes(assembly, publicOnly: false))
                {
                    var owner = $"{type.Name} (assembly {assembly.Name})";
                    if (JsonContextParser.TryParse(type) is { } json)
                    {
                        foreach (var name in json.TypeNames)
                        {
                            // A public context, or an internal one of an assembly giving this one its internals.
                            if (compilation.IsSymbolAccessibleWithin(type, compilation.Assembly))
                            {
                                _serializable.Add(name);
                            }
                            else if (!_internallySerializable.ContainsKey(name))
                            {
                                // Not visible here: WRN019 names it, so the fix (make it public) is plain.
                                _internallySerializable.Add(name, owner);
                            }
                        }

                        continue;
                    }

                    if (MessageParser.ReadExchange(type) is { } declared)
                    {
                        _exchanges.Add((declared.Name, ExchangeShape(declared), Location.None, owner));
                    }

                    if (ConsumerParser.TryParse(type) is { } consumer)
                    {
                        _referencedConsumers.Add((consumer, owner));
                        _queues.Add((consumer.Queue.Name, QueueShape(consumer.Queue), Location.None, owner));
                        _owners.Add(new Rules.QueueOwnerRules.Owner(consumer.Queue.Name, Rules.QueueOwnerRules.KeyOf(type), $"'{owner}'", Location.None, IsStream(consumer.Queue)));
                        var hasMax = consumer.Queue.Arguments.Any(a => a.Name == "x-max-priority");
                        foreach (var handler in consumer.Handlers)
                        {
                            _receivers.Add((handler.Message.TypeName, consumer.Queue.Name, consumer.TypeName, hasMax, Location.None));
                        }
                    }
                    else if (type.DeclaredAccessibility == Accessibility.Public && ReferencedAssemblies.IsAttributedMessage(type) && ReferenceParser.TryParseMessage(type, compilation) is { } message)
                    {
                        _contracts.Add((message, owner, Location.None));
                    }
                    else if (ReferenceParser.IsReferencedPublisher(type) && ReferenceParser.TryParsePublisher(type, compilation) is { } publisher)
                    {
                        // Implemented here (ReferencedInterfaceAnalyzer): the generator names its messages with the local ones.
                        foreach (var method in publisher.Methods.Where(m => m.Message.Payload == PayloadKind.Json))
                        {
                            _contracts.Add((method.Message, owner, Location.None));
                            if (method.RoutingTemplate is not null && (method.Exchange ?? method.Message.Exchange) is { } target)
                            {
                                // Publishes of this compilation, with no source to report at: WRN040 reads their keys.
                                _referencedPublished.Add(new Published(method.Message.TypeName, owner, target, method.RoutingTemplate, method.RoutingParts, Location.None));
                            }
                        }
                    }
                }
            }
        }

        private static string ExchangeShape(ExchangeModel declared) =>
            $"{declared.Type} ({(declared.Durable ? "durable" : "transient")}{(declared.AutoDelete ? ", auto-delete" : string.Empty)})";

        private static string QueueShape(QueueModel queue) =>
            $"{(queue.Durable ? "durable" : "transient")}{(queue.Exclusive ? ", exclusive" : string.Empty)}{(queue.AutoDelete ? ", auto-delete" : string.Empty)}, arguments {{{string.Join(", ", queue.Arguments.Select(a => a.Name + "=" + a.JsonValue))}}}";

        public void Collect(INamedTypeSymbol type)
        {
            if (JsonContextParser.TryParse(type) is { } json)
            {
                _jsonContexts.Add((json.ContextName, Locations.Of(type)));
                var includeFields = JsonMemberRules.IncludesFields(type);
                foreach (var attribute in AttributeReader.FindAll(type, KnownNames.JsonSerializableAttribute))
                {
                    if (AttributeReader.Argument<ITypeSymbol>(attribute, 0) is { } listed)
                    {
                        _listed.Add((listed, includeFields, Locations.Of(attribute, type)));
                    }
                }

                foreach (var name in json.TypeNames)
                {
                    _serializable.Add(name);
                }

                return;
            }

            if (AttributeReader.Find(type, KnownNames.ExchangeAttribute) is { } exchange && MessageParser.ReadExchange(type) is { } declared)
            {
                _exchanges.Add((declared.Name, ExchangeShape(declared), Locations.Of(exchange, type), type.Name));
            }

            foreach (var service in RpcParser.ServedInterfaces(type))
            {
                _servers.Add((type, service));
                if (!SymbolEqualityComparer.Default.Equals(service.ContainingAssembly, type.ContainingAssembly))
                {
                    // A referenced service served here: the server class is where the service first needs the JSON metadata
                    // of its requests and responses (a call of the interface's methods, if any, may come first).
                    var location = Locations.Of(type);
                    foreach (var use in Generators.Rules.ShapeRules.InterfaceMethods(service).SelectMany(RpcMessageTypes))
                    {
                        _messageUses.Add((use.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), Display(use), location));
                    }
                }
            }

            if (ConsumerParser.TryParse(type) is { } consumer)
            {
                CollectConsumer(type, consumer);
            }
            else if (MessageParser.TryParseAttributed(type, type.ContainingAssembly) is { } message && IsAttributedMessage(type))
            {
                var location = Locations.Of(type);
                _contracts.Add((message, type.Name, location));
                _messageUses.Add((message.TypeName, type.Name, location));
                Declared(type);
                if (message.Priority is not null && AttributeReader.Find(type, KnownNames.PriorityAttribute) is { } priority)
                {
                    _prioritized.Add((message.TypeName, type.Name, Locations.Of(priority, type)));
                }

                if (message.Exchange is { } route)
                {
                    // Without [Topic] the contract publishes with its contract name as the routing key (ContractsEmitter).
                    _published.Add(new Published(message.TypeName, type.Name, route, message.RoutingTemplate, message.RoutingParts, location));
                }
            }
            else if (type.TypeKind is TypeKind.Class or TypeKind.Struct && !MessageParser.IsConsumer(type) && AttributeReader.Find(type, KnownNames.PriorityAttribute) is { ConstructorArguments.Length: 1 } level
                && MessageParser.TryParseAttributed(type, type.ContainingAssembly) is { Priority: not null } plain)
            {
                // A message with a default priority and no other Warren attribute (published with IPublisher, received by
                // type): its [Priority(n)] is a contract of its own, honoured only by queues with x-max-priority (WRN012).
                _prioritized.Add((plain.TypeName, type.Name, Locations.Of(level, type)));
            }
            else if (PublisherParser.TryParse(type) is { } publisher && AttributeReader.Has(type, KnownNames.PublisherAttribute))
            {
                foreach (var method in type.GetMembers().OfType<IMethodSymbol>())
                {
                    // The publisher's own classification: a delay (TimeSpan, DateTimeOffset) or options parameter is no message.
                    // Text and bytes need no JSON metadata.
                    if (method.Parameters.FirstOrDefault(p => PublisherParser.Kind(p) == PublisherParameter.Message) is { } parameter && !Payloads.IsRaw(parameter.Type))
                    {
                        _messageUses.Add((parameter.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), Display(parameter.Type), Locations.Of(parameter)));
                        Declared(parameter.Type);
                        UsedUnattributed(parameter.Type.WithNullableAnnotation(NullableAnnotation.NotAnnotated), Locations.Of(method));
                    }
                }

                // The generator names the messages of publishers too (ModelNames.Messages): so do the contract rules.
                foreach (var method in publisher.Methods.Where(m => m.Message.Payload == PayloadKind.Json))
                {
                    _contracts.Add((method.Message, Display(method.Message.TypeName), Locations.Of(type)));
                }

                // A method with its own [Topic] publishes with that key: to its message's exchange, or for text and bytes
                // to the interface's (the default exchange, which routes by queue name, is left out). A message declared in
                // a referenced assembly is published and bound by other services too: WRN013 leaves it to the system
                // check (WRS003), WRN040 still reads the key.
                foreach (var method in publisher.Methods.Where(m => m.RoutingTemplate is not null))
                {
                    if ((method.Exchange ?? method.Message.Exchange) is { } target)
                    {
                        var source = Generators.Rules.ShapeRules.InterfaceMethods(type).FirstOrDefault(m => m.Name == method.Name && m.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) == method.DeclaringInterface);
                        var sent = source?.Parameters.FirstOrDefault(p => PublisherParser.Kind(p) == PublisherParameter.Message)?.Type;
                        var referenced = method.Message.Payload == PayloadKind.Json && (sent is IArrayTypeSymbol array ? array.ElementType : sent) is { } element && !MessageParser.DeclaredIn(element, type.ContainingAssembly);
                        // A method inherited from a referenced interface is reported at the interface: its own syntax, when the
                        // reference is another project's compilation (the IDE), is in a file of that project.
                        var location = source is null || !MessageParser.DeclaredIn(source, type.ContainingAssembly) ? Locations.Of(type)
                            : AttributeReader.Find(source, KnownNames.TopicAttribute) is { } topic && Locations.Of(topic, source) is { IsInSource: true } at ? at
                            : Locations.Of(source) is { IsInSource: true } site ? site
                            : Locations.Of(type);
                        _published.Add(new Published(method.Message.TypeName, Display(method.Message.TypeName), target, method.RoutingTemplate, method.RoutingParts, location, referenced));
                    }
                }
            }
            else if (RpcParser.TryParseService(type) is not null)
            {
                foreach (var method in type.GetMembers().OfType<IMethodSymbol>())
                {
                    foreach (var parameter in method.Parameters.Where(p => ConsumerParser.Kind(p) == ParameterKind.Message && !Payloads.IsRaw(p.Type)))
                    {
                        _messageUses.Add((parameter.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), Display(parameter.Type), Locations.Of(parameter)));
                    }

                    if (method.ReturnType is INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } returns && !Payloads.IsRaw(returns.TypeArguments[0]))
                    {
                        var response = returns.TypeArguments[0];
                        _messageUses.Add((response.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), Display(response), Locations.Of(method)));
                    }
                }
            }
        }

        /// <summary>
        /// The messages a call sends or receives through code generated here from a referenced assembly's declarations:
        /// <c>IPublisher.PublishAsync</c> or <c>PublishBatchAsync</c> of a referenced attributed message, a method of a
        /// referenced <c>[Publisher]</c> or <c>[RpcService]</c> interface. Such a type has no declaration in this compilation
        /// to report WRN019 at (a local one is reported where it is declared), so the call is where the service first needs
        /// its JSON metadata, for instance when its library lists it in an internal context only.
        /// </summary>
        public void CollectCall(IInvocationOperation invocation, INamedTypeSymbol? publisher, IAssemblySymbol own)
        {
            var method = invocation.TargetMethod;
            var location = invocation.Syntax.GetLocation();
            if (method.ContainingType is not { TypeKind: TypeKind.Interface } type)
            {
                return;
            }

            if (publisher is not null && type.Equals(publisher, SymbolEqualityComparer.Default))
            {
                if (method.Name is "PublishAsync" or "PublishBatchAsync" && method.TypeArguments.Length == 1 && method.TypeArguments[0] is INamedTypeSymbol message
                    && !SymbolEqualityComparer.Default.Equals(message.ContainingAssembly, own) && ReferencedAssemblies.IsAttributedMessage(message) && !Payloads.IsRaw(message))
                {
                    _messageUses.Add((message.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), Display(message), location));
                }

                return;
            }

            if (SymbolEqualityComparer.Default.Equals(type.ContainingAssembly, own))
            {
                return;
            }

            if (AttributeReader.Has(type, KnownNames.RpcServiceAttribute))
            {
                foreach (var use in RpcMessageTypes(method))
                {
                    _messageUses.Add((use.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), Display(use), location));
                }
            }
            else if ((AttributeReader.Has(type, KnownNames.PublisherAttribute) || invocation.Instance?.Type is INamedTypeSymbol receiver && AttributeReader.Has(receiver, KnownNames.PublisherAttribute))
                && method.Parameters.FirstOrDefault(p => PublisherParser.Kind(p) == PublisherParameter.Message) is { } parameter && !Payloads.IsRaw(parameter.Type))
            {
                _messageUses.Add((parameter.Type.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), Display(parameter.Type), location));
            }
        }

        /// <summary>The JSON types an RPC method sends and receives: its request and its response, text and bytes left out.</summary>
        private static IEnumerable<ITypeSymbol> RpcMessageTypes(IMethodSymbol method)
        {
            var uses = method.Parameters.Where(p => ConsumerParser.Kind(p) == ParameterKind.Message).Select(p => p.Type).ToList();
            if (method.ReturnType is INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } returns)
            {
                uses.Add(returns.TypeArguments[0]);
            }

            return uses.Where(u => !Payloads.IsRaw(u)).Select(u => u.WithNullableAnnotation(NullableAnnotation.NotAnnotated));
        }

        /// <summary>
        /// Remembers that this compilation publishes with a key of its own choosing, which WRN040 cannot tell apart by
        /// message: it sets <c>PublishOptions.RoutingKey</c> (an assignment or an object initializer), or it calls (or
        /// constructs, an exception aside) a member of Warren that takes a <c>routingKey</c> argument
        /// (<c>IPublisher.PublishTextAsync</c>, <c>PublishBytesAsync</c>, <c>SendAsync</c>, a <c>MessageContract</c>
        /// with a key). Generated code is not analyzed, so the calls generated publishers make do not count.
        /// </summary>
        public void CollectRoutingKeyOverride(IOperation operation)
        {
            var target = operation switch
            {
                ISimpleAssignmentOperation assignment => assignment.Target,
                ICoalesceAssignmentOperation coalesce => coalesce.Target,
                _ => null,
            };
            var called = operation switch
            {
                IInvocationOperation invocation => invocation.TargetMethod,
                IObjectCreationOperation creation when !IsException(creation.Type) => creation.Constructor,
                _ => null,
            };
            if (target is IPropertyReferenceOperation { Property: { Name: "RoutingKey" } property } && KnownNames.Is(property.ContainingType, KnownNames.PublishOptionsType)
                || called is not null && IsWarren(called.ContainingAssembly) && called.Parameters.Any(p => p.Name == "routingKey"))
            {
                System.Threading.Interlocked.Increment(ref _routingKeyOverrides);
            }
        }

        private static bool IsWarren(IAssemblySymbol? assembly) => assembly?.Name is { } name && (name == "Warren" || name.StartsWith("Warren.", System.StringComparison.Ordinal));

        private static bool IsException(ITypeSymbol? type)
        {
            for (var current = type; current is not null; current = current.BaseType)
            {
                if (current.ToDisplayString() == "System.Exception")
                {
                    return true;
                }
            }

            return false;
        }

        public void Judge(CompilationAnalysisContext context)
        {
            // The contract names the generator gives (colliding default names are qualified): any collision left is an error.
            var final = ModelNames.Messages(_contracts.Select(c => c.Message), new Dictionary<string, string>());
            foreach (var group in _contracts.GroupBy(c => final[c.Message.TypeName].ContractName).Where(g => g.Select(c => c.Message.TypeName).Distinct().Count() > 1))
            {
                // A referenced type used by a consumer or publisher here is reported there (two referenced assemblies may
                // each have given a type the name).
                var uses = group.GroupBy(c => c.Message.TypeName).Select(g => g.OrderBy(c => c.Location.IsInSource ? 0 : 1).ThenBy(c => c.Location.SourceTree?.FilePath, System.StringComparer.Ordinal).ThenBy(c => c.Location.SourceSpan.Start).First()).OrderBy(c => c.Message.TypeName, System.StringComparer.Ordinal).ToList();
                foreach (var use in uses.Where(u => u.Location.IsInSource))
                {
                    var other = uses.First(u => u.Message.TypeName != use.Message.TypeName);
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.DuplicateMessageContract, use.Location, $"'{use.Display}'", $"'{other.Display}'", group.Key));
                }
            }

            Qualified(context, final);
            var referencedConsumers = DeadLetterConsumers.Mark(_referencedConsumers.Select(c => c.Model).ToList());
            BindingRules.Judge(context, _consumers.ToList(), DeadLetterConsumers.DeadLetterQueues(referencedConsumers));
            if (_routingKeyOverrides == 0)
            {
                BindingRules.JudgeUnmatched(context, _consumers.ToList(), DeadLetterConsumers.DeadLetterQueues(referencedConsumers), final, PublishKeys(final));
            }
            QuorumDeadLetterQueuesConsumedElsewhere(context, referencedConsumers);
            RpcServerRules.Judge(context, _servers.ToList());
            Rules.QueueOwnerRules.Judge(context, _owners.Concat(Rules.QueueOwnerRules.Services(_servers)));
            Rules.QueueOwnerRules.JudgeInheritance(context, _consumers.Select(c => (c.Model.Queue.Name, c.Type)).ToList());
            Conflicts(context, _exchanges, DiagnosticDescriptors.ConflictingExchange);
            Conflicts(context, _queues, DiagnosticDescriptors.ConflictingQueue);

            var serializable = new HashSet<string>(_serializable);

            // The code fix adds the missing type to the first context, by name.
            var jsonContext = _jsonContexts.OrderBy(c => c.Name, System.StringComparer.Ordinal).Select(c => c.Location).Where(l => l.IsInSource).Take(1).ToList();
            foreach (var use in _messageUses.GroupBy(u => u.TypeName).Select(g => g.OrderBy(u => u.Location.SourceTree?.FilePath).ThenBy(u => u.Location.SourceSpan.Start).First()))
            {
                if (!serializable.Contains(use.TypeName) && use.Location.IsInSource)
                {
                    var properties = ImmutableDictionary<string, string?>.Empty.Add(TypeNameProperty, use.TypeName);
                    var hidden = _internallySerializable.TryGetValue(use.TypeName, out var listing)
                        ? $" Its assembly lists it in {listing} only, which is not public, so this project cannot use it: make that context public, or list the type in a context of this project."
                        : string.Empty;
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.NotSerializable, use.Location, jsonContext, properties, use.Display, hidden));
                }
            }

            JsonMembers(context);
            var receivers = _receivers.ToLookup(r => r.TypeName);
            foreach (var message in _prioritized)
            {
                var queues = receivers[message.TypeName].ToList();
                if (queues.Count > 0 && queues.All(q => !q.HasMaxPriority))
                {
                    var first = queues.OrderBy(q => q.Location == Location.None).ThenBy(q => q.Queue, System.StringComparer.Ordinal).First();
                    // The code fix gives the consumer class (the additional location) x-max-priority.
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.PriorityIgnored, message.Location, new[] { first.Location }, message.Display, first.Queue, first.Consumer.Split('.').Last()));
                }
            }

            // A prioritized message of a referenced assembly (a contracts library): reported at each consumer class of this
            // compilation whose queue receives it without x-max-priority, when no queue that receives it has one.
            var local = new HashSet<string>(_prioritized.Select(p => p.TypeName), System.StringComparer.Ordinal);
            foreach (var message in _referencedPrioritized.GroupBy(m => m.TypeName).Select(g => g.First()).Where(m => !local.Contains(m.TypeName)).OrderBy(m => m.TypeName, System.StringComparer.Ordinal))
            {
                var queues = receivers[message.TypeName].ToList();
                if (queues.Count == 0 || queues.Any(q => q.HasMaxPriority))
                {
                    continue;
                }

                foreach (var queue in queues.Where(q => q.Location.IsInSource).GroupBy(q => (q.Queue, q.Consumer)).Select(g => g.First()))
                {
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.PriorityIgnored, queue.Location, new[] { queue.Location }, message.Display, queue.Queue, queue.Consumer.Split('.').Last()));
                }
            }

            Unreceived(context, final, receivers);
        }

        /// <summary>
        /// WRN023 at the <c>[JsonSerializable]</c> of a message (a type this compilation sends or receives, or a contract)
        /// whose serialized members reach a type the JSON generator's code cannot name here (<see cref="JsonMemberRules"/>):
        /// without it the build fails in System.Text.Json's generated files only.
        /// </summary>
        private void JsonMembers(CompilationAnalysisContext context)
        {
            var messages = new HashSet<string>(_messageUses.Select(u => u.TypeName).Concat(_contracts.Select(c => c.Message.TypeName)), System.StringComparer.Ordinal);
            foreach (var listed in _listed.Where(l => l.Location.IsInSource).GroupBy(l => l.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)))
            {
                var first = listed.OrderBy(l => l.Location.SourceTree?.FilePath, System.StringComparer.Ordinal).ThenBy(l => l.Location.SourceSpan.Start).First();
                if (messages.Contains(listed.Key) && JsonMemberRules.Problem(first.Type, first.IncludeFields, context.Compilation) is { } problem)
                {
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.UnreachableTypeInJson, first.Location, Display(first.Type), problem));
                }
            }
        }

        /// <summary>
        /// WRN013 for a message published (by its route, or a publisher method's own key) to a topic or direct exchange
        /// with a key that no binding of this compilation or of its referenced libraries of consumers accepts
        /// (<see cref="Generators.Rules.RouteMatching"/>; bindings as the generator declares them: dead-letter consumers
        /// without default bindings, default bindings with the final contract names). On a fanout or headers exchange the
        /// key decides nothing (header values are known at run time): any binding there, or a handler of the type, will do.
        /// Whether a published message is bound is a question for the whole system: an assembly without consumers (a
        /// contracts library, a publisher-only service) cannot answer it and says nothing. Nor is a message declared in a
        /// referenced assembly judged, by whatever path this compilation publishes it: other services, which this build
        /// cannot see, publish and bind it too (as WRN040 reasons); the system check's WRS003 judges it across services.
        /// </summary>
        private void Unreceived(CompilationAnalysisContext context, Dictionary<string, MessageModel> final, ILookup<string, (string TypeName, string Queue, string Consumer, bool HasMaxPriority, Location Location)> receivers)
        {
            if (_localConsumers == 0)
            {
                return;
            }

            var consumers = DeadLetterConsumers.Mark(_consumers.Select(c => c.Model).Concat(_referencedConsumers.Select(c => c.Model)).GroupBy(m => m.TypeName).Select(g => g.First()).ToList());
            var bindings = consumers
                .SelectMany(c => c.Handlers)
                .SelectMany(h => (final.TryGetValue(h.Message.TypeName, out var named) ? ModelNames.WithFinalMessage(h, named) : h).Bindings)
                .ToLookup(b => b.Exchange);
            var reported = new HashSet<(string, string, string, Location)>();
            foreach (var published in _published.Where(p => !p.Referenced && p.Location.IsInSource && !KeyInError(p, final)))
            {
                var key = published.Template ?? (final.TryGetValue(published.TypeName, out var message) ? message.ContractName : string.Empty);
                var bound = bindings[published.Exchange.Name];
                var received = published.Exchange.Type is "fanout" or "headers"
                    ? bound.Any() || receivers[published.TypeName].Any()
                    : bound.Any(b => b.HeadersMatch is null && Generators.Rules.RouteMatching.CanReach(published.Exchange.Type, Generators.Rules.RouteMatching.KeyWords(published.Template, published.Parts, key), b.RoutingKey));
                if (!received && reported.Add((published.TypeName, published.Exchange.Name, key, published.Location)))
                {
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.Unreceived, published.Location, published.Display, published.Exchange.Name, key));
                }
            }
        }

        /// <summary>
        /// The keys each message of this compilation's consumers is published with, by message type and exchange: its
        /// contract's own (its template, or its final contract name) and its publisher methods' own keys, of this
        /// compilation and of the referenced publisher interfaces it implements. A message with a key in error has none
        /// (its keys are not known: WRN040 stays quiet about it).
        /// </summary>
        private Dictionary<(string TypeName, string Exchange), List<BindingRules.PublishKey>> PublishKeys(Dictionary<string, MessageModel> final)
        {
            var keys = new Dictionary<(string, string), List<BindingRules.PublishKey>>();
            var inError = new HashSet<(string, string)>();
            var own = final.Values.Where(m => m.Payload == PayloadKind.Json && m.Exchange is not null)
                .Select(m => new Published(m.TypeName, m.TypeName, m.Exchange!, m.RoutingTemplate, m.RoutingParts, Location.None));
            foreach (var published in own.Concat(_published).Concat(_referencedPublished))
            {
                var at = (published.TypeName, published.Exchange.Name);
                if (KeyInError(published, final))
                {
                    inError.Add(at);
                    continue;
                }

                var text = published.Template ?? (final.TryGetValue(published.TypeName, out var message) ? message.ContractName : string.Empty);
                if (!keys.TryGetValue(at, out var list))
                {
                    keys.Add(at, list = new List<BindingRules.PublishKey>());
                }

                list.Add(new BindingRules.PublishKey(text, Generators.Rules.RouteMatching.KeyWords(published.Template, published.Parts, text)));
            }

            foreach (var at in inError)
            {
                keys.Remove(at);
            }

            return keys;
        }

        /// <summary>
        /// Whether the key of a publish is reported as invalid already, so that WRN013 does not report it a second time: a
        /// template WRN001 or WRN002 rejects, a placeholder WRN003 or WRN004 rejects, or (without a template) a final
        /// contract name that cannot be the key (WRN001, WRN002; a name qualified by WRN035 over 255 bytes included).
        /// </summary>
        private static bool KeyInError(Published published, Dictionary<string, MessageModel> final) =>
            published.Template is { } template
                ? TopicRules.TemplateProblem(template) is not null || TopicRules.Wildcard(template) is not null
                    || published.Parts.Any(p => p.IsProperty && p.Format is PropertyFormat.None or PropertyFormat.Unsupported)
                : final.TryGetValue(published.TypeName, out var message) && Generators.Rules.ContractKeyRules.Problem(message) is not null;

        /// <summary>
        /// A publish this compilation makes: a message's route, or a publisher method with its own key;
        /// <paramref name="Referenced"/> when the message is declared in a referenced assembly (WRN013 leaves it alone).
        /// </summary>
        private sealed record Published(string TypeName, string Display, ExchangeModel Exchange, string? Template, EquatableArray<RoutingPart> Parts, Location Location, bool Referenced = false);

        /// <summary>
        /// WRN009 for a dead-letter queue this assembly declares as a quorum queue (a stream's or a quorum queue's) that a
        /// consumer of a referenced library declares otherwise: that library cannot know the queue's type, and the two
        /// topologies, registered together here, differ (a start-up error, or 406 on the broker). Reported at the class
        /// whose dead-letter queue it is; the library's consumer should name <c>Type = QueueType.Quorum</c>.
        /// </summary>
        private void QuorumDeadLetterQueuesConsumedElsewhere(CompilationAnalysisContext context, List<ConsumerModel> referencedConsumers)
        {
            var owners = _referencedConsumers.GroupBy(c => c.Model.TypeName).ToDictionary(g => g.Key, g => g.First().Owner);
            var referencedQueues = referencedConsumers.GroupBy(c => c.Queue.Name).ToDictionary(g => g.Key, g => g.First());
            foreach (var (consumer, type) in _consumers)
            {
                foreach (var deadLetter in DeadLetterConsumers.DeadLetterQueues(new[] { consumer }).Where(d => d.Quorum))
                {
                    if (referencedQueues.TryGetValue(deadLetter.Queue, out var other)
                        && !other.Queue.Arguments.Any(a => a.Name == "x-queue-type" && a.JsonValue == "\"quorum\""))
                    {
                        var location = AttributeReader.Find(type, KnownNames.DeadLetterAttribute) is { } attribute ? Locations.Of(attribute, type) : Locations.Of(type);
                        context.ReportDiagnostic(Diagnostic.Create(
                            DiagnosticDescriptors.ConflictingQueue, location, deadLetter.Queue, "durable, arguments {x-queue-type=\"quorum\"} (the dead-letter queue of '" + consumer.Queue.Name + "')", QueueShape(other.Queue), owners[other.TypeName]));
                    }
                }
            }
        }

        /// <summary>
        /// WRN035 at each message type declared here whose default contract name was qualified by its namespace because
        /// another type shares its short name: adding or removing that type renames this one's contract.
        /// </summary>
        private void Qualified(CompilationAnalysisContext context, Dictionary<string, MessageModel> final)
        {
            var declarations = _declarations.GroupBy(d => d.TypeName).ToDictionary(g => g.Key, g => g.First());
            var unusable = ModelNames.UnusableQualifiedNames(final.Values);
            var uses = _unattributedUses.ToLookup(u => u.TypeName);
            foreach (var message in _contracts.Select(c => c.Message).GroupBy(m => m.TypeName).Select(g => g.First()))
            {
                var named = final[message.TypeName];
                if (message.QualifiedContractName is null || named.ContractName == message.ContractName)
                {
                    continue;
                }

                var others = _contracts.Select(c => c.Message)
                    .Where(m => m.TypeName != message.TypeName && m.ContractName == message.ContractName)
                    .Select(m => $"'{Display(m.TypeName)}'")
                    .Distinct()
                    .OrderBy(n => n, System.StringComparer.Ordinal)
                    .ToList();
                if (unusable.Contains(message.TypeName) && Generators.Rules.ContractKeyRules.Problem(named) is { } problem)
                {
                    // The generator emits nothing for it (ModelNames.UnusableQualifiedNames): WRN001 (a namespace and a type
                    // name hold no wildcard, so never WRN002) where a name over 255 bytes is reported, at the message and, for a type without attributes, at its handlers and publisher
                    // methods; WRN035's advice to pin the name would pin one the broker refuses.
                    var text = $"The default contract name of '{Display(message.TypeName)}' is qualified by its namespace because {string.Join(" and ", others)} also has the short name '{message.ContractName}'. {problem.Problem}";
                    var sites = declarations.TryGetValue(message.TypeName, out var at) ? new[] { at.Location } : new Location[0];
                    foreach (var site in sites.Concat(uses[message.TypeName].Select(u => u.Location)).Where(l => l.IsInSource).Distinct())
                    {
                        context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InvalidQualifiedContractName, site, text));
                    }

                    continue;
                }

                if (!declarations.TryGetValue(message.TypeName, out var declaration))
                {
                    continue;
                }

                var properties = ImmutableDictionary<string, string?>.Empty.Add(ContractNameProperty, named.ContractName);
                context.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.QualifiedContractName, declaration.Location, new[] { declaration.Location }, properties,
                    declaration.Display, named.ContractName, message.ContractName, string.Join(" and ", others)));
            }
        }

        /// <summary>
        /// Remembers a handler or publisher method of this compilation taking a message without Warren attributes: a
        /// contract name of such a type that cannot be used is reported there, as the type has no attribute to point at.
        /// </summary>
        private void UsedUnattributed(ITypeSymbol type, Location location)
        {
            if (!(type is INamedTypeSymbol named && (IsAttributedMessage(named) || AttributeReader.Has(named, KnownNames.PriorityAttribute))))
            {
                _unattributedUses.Add((type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), location));
            }
        }

        /// <summary>Remembers where a message type is declared in this compilation (WRN035 is reported there).</summary>
        private void Declared(ITypeSymbol type)
        {
            // Declared in this compilation, not only with syntax: a referenced project's types have syntax in the IDE.
            if (type is INamedTypeSymbol named && MessageParser.DeclaredIn(named, _compilation?.Assembly) && Locations.Of(named) is { IsInSource: true } location)
            {
                _declarations.Add((named.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), named.ToDisplayString(), location));
            }
        }

        /// <summary>A type as C# code names it (<c>OrderPlaced[]</c>, <c>int?</c>), without a nullable reference annotation.</summary>
        private static string Display(ITypeSymbol type) => type.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);

        /// <summary>A fully qualified type name as C# shows it: <c>global::App.Users.Created</c> → <c>App.Users.Created</c>.</summary>
        private static string Display(string typeName) => typeName.StartsWith("global::", System.StringComparison.Ordinal) ? typeName.Substring(8) : typeName;

        private static bool IsStream(QueueModel queue) => queue.Arguments.Any(a => a.Name == "x-queue-type" && a.JsonValue == "\"stream\"");

        private static bool IsAttributedMessage(INamedTypeSymbol type) =>
            AttributeReader.Has(type, KnownNames.ExchangeAttribute) || AttributeReader.Has(type, KnownNames.TopicAttribute) || AttributeReader.Has(type, KnownNames.MessageAttribute);

        private void CollectConsumer(INamedTypeSymbol type, ConsumerModel consumer)
        {
            var queue = consumer.Queue;
            var shape = QueueShape(queue);
            System.Threading.Interlocked.Increment(ref _localConsumers);
            var location = AttributeReader.Find(type, KnownNames.QueueAttribute) is { } attribute ? Locations.Of(attribute, type) : Locations.Of(type);
            _queues.Add((queue.Name, shape, location, type.Name));
            _owners.Add(new Rules.QueueOwnerRules.Owner(queue.Name, Rules.QueueOwnerRules.KeyOf(type), $"'{type.Name}'", location, IsStream(queue)));
            _consumers.Add((consumer, type));
            var hasMax = queue.Arguments.Any(a => a.Name == "x-max-priority");
            foreach (var method in type.GetMembers().OfType<IMethodSymbol>().Where(ConsumerParser.IsHandlerCandidate))
            {
                // A [Batch] handler of IReadOnlyList<T> needs metadata for T, not for the list; text and bytes need none.
                if (ConsumerParser.MessageParameter(method) is { } parameter && ConsumerParser.MessageType(method) is { } messageType && !Payloads.IsRaw(messageType))
                {
                    _messageUses.Add((messageType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), Display(messageType), Locations.Of(parameter)));
                    Declared(messageType);
                    UsedUnattributed(messageType.WithNullableAnnotation(NullableAnnotation.NotAnnotated), Locations.Of(method));
                }
            }

            // Messages of referenced assemblies with a default priority: WRN012 has no declaration of theirs here to report
            // at, so it is reported at this consumer class. Inherited handlers count too (a base class of the library).
            for (var declaring = type; declaring is not null && declaring.SpecialType != SpecialType.System_Object; declaring = declaring.BaseType)
            {
                foreach (var method in declaring.GetMembers().OfType<IMethodSymbol>().Where(ConsumerParser.IsHandlerCandidate))
                {
                    if (ConsumerParser.MessageType(method) is INamedTypeSymbol received && !MessageParser.DeclaredIn(received.OriginalDefinition, _compilation?.Assembly)
                        && AttributeReader.Find(received, KnownNames.PriorityAttribute) is { ConstructorArguments.Length: 1 })
                    {
                        _referencedPrioritized.Add((received.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), $"{Display(received)} (assembly {received.ContainingAssembly.Name})"));
                    }
                }
            }

            foreach (var handler in consumer.Handlers)
            {
                if (handler.Message.Payload == PayloadKind.Json)
                {
                    // Text and byte handlers have no contract name to collide.
                    _contracts.Add((handler.Message, Display(handler.Message.TypeName), Locations.Of(type)));
                }

                _receivers.Add((handler.Message.TypeName, queue.Name, consumer.TypeName, hasMax, Locations.Of(type)));
            }
        }

        private static void Conflicts(CompilationAnalysisContext context, IEnumerable<(string Name, string Shape, Location Location, string Owner)> declarations, DiagnosticDescriptor descriptor)
        {
            foreach (var group in declarations.GroupBy(d => d.Name))
            {
                // A declaration in a referenced assembly is reported at each local declaration that differs from it,
                // naming the assembly; the order of the referenced declarations is by owner, not by what a type is called.
                var referenced = group.Where(d => !d.Location.IsInSource).GroupBy(d => d.Shape).Select(g => g.OrderBy(d => d.Owner, System.StringComparer.Ordinal).First()).OrderBy(d => d.Owner, System.StringComparer.Ordinal).ToList();
                var local = group.Where(d => d.Location.IsInSource).ToList();
                foreach (var declaration in local)
                {
                    foreach (var other in referenced.Where(r => r.Shape != declaration.Shape))
                    {
                        context.ReportDiagnostic(Diagnostic.Create(descriptor, declaration.Location, declaration.Name, declaration.Shape, other.Shape, other.Owner));
                    }
                }

                if (local.Count == 0)
                {
                    continue;
                }

                var ordered = local.OrderBy(d => d.Location.SourceTree?.FilePath, System.StringComparer.Ordinal).ThenBy(d => d.Location.SourceSpan.Start).ToList();
                var first = ordered[0];
                foreach (var other in ordered.Skip(1).Where(d => d.Shape != first.Shape))
                {
                    context.ReportDiagnostic(Diagnostic.Create(descriptor, other.Location, new[] { first.Location }, other.Name, other.Shape, first.Shape, first.Owner));
                    context.ReportDiagnostic(Diagnostic.Create(descriptor, first.Location, new[] { other.Location }, first.Name, first.Shape, other.Shape, other.Owner));
                }
            }
        }
    }
}

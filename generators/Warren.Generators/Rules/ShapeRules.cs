using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Warren.Generators.Model;
using Warren.Generators.Parsing;

namespace Warren.Generators.Rules;

/// <summary>
/// What the generator can emit code for. The generator emits nothing these rules reject, and the analyzers report
/// every rejection as an error on the user's code: generated code either compiles cleanly or Warren says why not.
/// Each method returns the problem in words (completing "Handler 'X' …"), or null.
/// </summary>
internal static class ShapeRules
{
    /// <summary>Why a handler candidate cannot be called by a dispatcher, or null.</summary>
    public static string? HandlerProblem(IMethodSymbol method)
    {
        if (method.IsStatic)
        {
            return "is static";
        }

        if (method.DeclaredAccessibility != Accessibility.Public)
        {
            return "is not public";
        }

        return HandlerShapeProblem(method);
    }

    /// <summary>
    /// Why generated code does not call a method that is meant as a handler, or null. Meant as one: named like a
    /// handler (<see cref="KnownNames.HandlerMethodNames"/>), an ordinary instance method, a handler in every other
    /// respect (message, parameters, return type), and its message a Warren message: a type with <c>[Message]</c>,
    /// <c>[Exchange]</c>, <c>[Topic]</c> or <c>[Priority]</c> (a helper overload taking a plain entity is no handler).
    /// Such a method that is not public is no handler candidate (<see cref="ConsumerParser.IsHandlerCandidate"/>): the
    /// dispatcher ignores it, and the analyzers report it (WRN039). One with <c>[Topic]</c> or <c>[Headers]</c> is a
    /// candidate, reported as not public by WRN005. An explicit interface implementation is never meant as one: it is
    /// how a class keeps a method of another framework's interface (a MediatR handler, say) out of Warren, and no
    /// interface of Warren has a method named like a handler.
    /// </summary>
    public static string? HiddenHandlerProblem(IMethodSymbol method)
    {
        if (method.MethodKind != MethodKind.Ordinary || method.IsStatic || !KnownNames.HandlerMethodNames.Contains(method.Name) || ConsumerParser.IsHandlerCandidate(method)
            || HandlerShapeProblem(method) is not null || ConsumerParser.MessageType(method) is not { } message || !IsWarrenMessage(message))
        {
            return null;
        }

        return method.DeclaredAccessibility switch
        {
            Accessibility.Private => "is private",
            Accessibility.Internal => "is internal",
            Accessibility.Protected => "is protected",
            Accessibility.ProtectedOrInternal => "is protected internal",
            Accessibility.ProtectedAndInternal => "is private protected",
            _ => "is not public",
        };
    }

    /// <summary>A type declared as a Warren message: it (or, for a batch or an array, its element type) carries a message attribute.</summary>
    private static bool IsWarrenMessage(ITypeSymbol type)
    {
        var element = type is IArrayTypeSymbol array ? array.ElementType : type;
        return AttributeReader.Has(element, KnownNames.MessageAttribute) || AttributeReader.Has(element, KnownNames.ExchangeAttribute)
            || AttributeReader.Has(element, KnownNames.TopicAttribute) || AttributeReader.Has(element, KnownNames.PriorityAttribute);
    }

    /// <summary>
    /// What is wrong with a handler taking more than one parameter that is not a <c>MessageContext</c> or a
    /// <c>CancellationToken</c>. The message is the parameter whose type is a Warren message (the first one when that is
    /// not one type); the others are named. When they are all messages, the handler takes two messages; otherwise the
    /// extra parameters are most often services (an <c>ILogger&lt;T&gt;</c>), which come through the constructor.
    /// </summary>
    private static string ExtraParameterProblem(IMethodSymbol method)
    {
        var candidates = method.Parameters.Where(p => ConsumerParser.Kind(p) == ParameterKind.Message).ToList();
        var attributed = candidates.Where(p => IsWarrenMessage(p.Type) || IsWarrenMessage(BatchElement(p.Type))).ToList();
        var message = attributed.Count == 1 ? attributed[0] : candidates[0];
        var extra = candidates.Where(p => !SymbolEqualityComparer.Default.Equals(p, message)).ToList();
        var named = string.Join(", ", extra.Select(p => $"'{p.Type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)} {p.Name}'"));
        if (attributed.Count > 1 && extra.All(p => attributed.Contains(p, SymbolEqualityComparer.Default)))
        {
            return $"takes more than one message ('{message.Type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)} {message.Name}' and {named}): "
                + "each delivery carries one message, so write one handler per message type";
        }

        return $"takes {named} besides its message '{message.Type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)} {message.Name}', "
            + $"and {(extra.Count == 1 ? "that is" : "those are")} not a MessageContext or a CancellationToken, the only other parameters Warren passes: "
            + "take services (an ILogger<T>, a repository) through the consumer class's constructor, which Warren resolves from dependency injection";
    }

    /// <summary>The element type of a <c>[Batch]</c> handler's <c>IReadOnlyList&lt;T&gt;</c>, or the type itself.</summary>
    private static ITypeSymbol BatchElement(ITypeSymbol type) =>
        type is INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } list && list.OriginalDefinition.ToDisplayString() == "System.Collections.Generic.IReadOnlyList<T>" ? list.TypeArguments[0] : type;

    /// <summary>Why an instance method cannot be a handler, its accessibility aside, or null.</summary>
    private static string? HandlerShapeProblem(IMethodSymbol method)
    {
        if (method.IsGenericMethod)
        {
            return "is generic";
        }

        if (method.IsAbstract)
        {
            return "is abstract";
        }

        if (UseProblem(method, method) is { } use)
        {
            return use;
        }

        var messages = method.Parameters.Count(p => ConsumerParser.Kind(p) == ParameterKind.Message);
        if (messages == 0)
        {
            return "takes no message";
        }

        if (messages > 1)
        {
            return ExtraParameterProblem(method);
        }

        if (method.Parameters.Any(p => p.RefKind != RefKind.None || p.IsParams))
        {
            return "has ref, out, in or params parameters";
        }

        if (ConsumerParser.MessageParameter(method) is { } message && TypeProblem(message.Type, method) is { } problem)
        {
            return "takes a message that " + problem;
        }

        if (BatchRules.Problem(method) is { } batch)
        {
            return batch;
        }

        if (method.ReturnsVoid)
        {
            return method.IsAsync ? "is async void, so it would be acknowledged before it finishes: return Task" : null;
        }

        var returns = method.ReturnType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        return returns == KnownNames.Task || returns == KnownNames.ValueTask ? null : $"returns {method.ReturnType.ToDisplayString()}";
    }

    /// <summary>Why a class cannot be a consumer (generated code must name it and DI must create it), or null.</summary>
    public static string? ConsumerClassProblem(INamedTypeSymbol type)
    {
        if (type.IsStatic)
        {
            return "is static: a consumer is created per message from dependency injection; make the class non-static";
        }

        if (type.IsGenericType)
        {
            return "is generic: a consumer class must be a closed, non-generic class";
        }

        return TypeProblem(type, type);
    }

    /// <summary>Why a type with message attributes cannot be a message (generated contracts name it as a type argument), or null.</summary>
    /// <remarks>
    /// With <paramref name="deferred"/> (a type read from a referenced assembly, whose cached model serves compilations
    /// with different options), the diagnostic ids the project must suppress to use it are added there instead of being
    /// judged: the compilation that uses the type judges them (<see cref="Suppressed(Compilation, string)"/>).
    /// </remarks>
    public static string? MessageTypeProblem(INamedTypeSymbol type, ISet<string>? deferred = null) =>
        type.IsStatic ? "is static: a message is an instance that is published and received; remove the attribute or the static modifier"
        : type.IsGenericType ? "is generic: attribute a closed type's messages through a publisher or handler instead"
        : TypeProblem(type, type, deferred);

    /// <summary>
    /// Why generated code cannot name a type (private or protected nesting, a file-local type, a ref struct, an
    /// error-level <c>[Obsolete]</c> or an <c>[Experimental]</c> whose diagnostic the project does not suppress), or
    /// null. <paramref name="site"/> is the user's declaration the generated code serves (its compilation's options
    /// say which diagnostics the project suppresses).
    /// </summary>
    public static string? TypeProblem(ITypeSymbol type, ISymbol? site = null, ISet<string>? deferred = null)
    {
        if (type.IsRefLikeType)
        {
            return $"'{type.ToDisplayString()}' is a ref struct, which cannot be a type argument or be kept across an await: take ReadOnlyMemory<byte>, byte[] or string instead";
        }

        switch (type)
        {
            case IArrayTypeSymbol array:
                return TypeProblem(array.ElementType, site, deferred);
            case ITypeParameterSymbol:
                return "is a type parameter";
            case IPointerTypeSymbol or IFunctionPointerTypeSymbol:
                return "is a pointer";
            case INamedTypeSymbol named:
                if (named.IsAnonymousType || named.IsTupleType && named.TupleElements.Any(e => e.IsExplicitlyNamedTupleElement))
                {
                    return named.IsAnonymousType ? "is anonymous" : "is a named tuple";
                }

                if (IsFileLocal(named))
                {
                    return $"'{named.Name}' is a file-local type, which generated code in other files cannot name";
                }

                for (var current = named; current is not null; current = current.ContainingType)
                {
                    if (current.DeclaredAccessibility is Accessibility.Private or Accessibility.Protected or Accessibility.ProtectedAndInternal)
                    {
                        return $"'{current.Name}' is {Describe(current.DeclaredAccessibility)}, which generated code cannot reach: make it internal or public";
                    }

                    if (UseProblem(current, site ?? named, deferred) is { } use)
                    {
                        return $"'{current.Name}' " + use;
                    }
                }

                foreach (var argument in named.TypeArguments)
                {
                    if (TypeProblem(argument, site, deferred) is { } problem)
                    {
                        return problem;
                    }
                }

                return null;
            default:
                return null;
        }
    }

    /// <summary>Why an RPC method cannot be proxied and served, or null (<paramref name="deferred"/>: see <see cref="MessageTypeProblem"/>).</summary>
    public static string? RpcMethodProblem(IMethodSymbol method, ISet<string>? deferred = null)
    {
        if (method.IsGenericMethod)
        {
            return "is generic";
        }

        if (UseProblem(method, method, deferred) is { } use)
        {
            return use;
        }

        var requests = method.Parameters.Count(p => ConsumerParser.Kind(p) == ParameterKind.Message);
        if (requests != 1)
        {
            return requests == 0 ? "takes no request message" : "takes more than one request message";
        }

        if (method.Parameters.Any(p => ConsumerParser.Kind(p) == ParameterKind.Context))
        {
            return "takes a MessageContext, which only handlers receive";
        }

        if (method.Parameters.Any(p => p.RefKind != RefKind.None || p.IsParams))
        {
            return "has ref, out, in or params parameters";
        }

        var request = method.Parameters.First(p => ConsumerParser.Kind(p) == ParameterKind.Message);
        if (TypeProblem(request.Type, method, deferred) is { } requestProblem)
        {
            return "takes a request that " + requestProblem;
        }

        if (method.ReturnType is INamedTypeSymbol { IsGenericType: true } returns && TypeProblem(returns.TypeArguments[0], method, deferred) is { } responseProblem)
        {
            return "returns a result that " + responseProblem;
        }

        var definition = method.ReturnType.OriginalDefinition.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        return definition is KnownNames.TaskOfT or KnownNames.ValueTaskOfT or KnownNames.Task or KnownNames.ValueTask
            ? null
            : $"returns {method.ReturnType.ToDisplayString()}";
    }

    /// <summary>Why a <c>[Publisher]</c> method cannot be implemented, or null (<paramref name="deferred"/>: see <see cref="MessageTypeProblem"/>).</summary>
    public static string? PublisherMethodProblem(IMethodSymbol method, ISet<string>? deferred = null)
    {
        if (method.IsGenericMethod)
        {
            return "is generic";
        }

        if (UseProblem(method, method, deferred) is { } use)
        {
            return use;
        }

        var messages = method.Parameters.Count(p => PublisherParser.Kind(p) == PublisherParameter.Message);
        if (messages != 1)
        {
            return messages == 0 ? "takes no message" : "takes more than one message";
        }

        var delays = method.Parameters.Count(p => PublisherParser.Kind(p) == PublisherParameter.Delay);
        var times = method.Parameters.Count(p => PublisherParser.Kind(p) == PublisherParameter.DeliverAt);
        if (delays > 1 || times > 1)
        {
            return delays > 1
                ? "takes more than one TimeSpan, so which one delays the message is ambiguous: take one TimeSpan (the delay)"
                : "takes more than one DateTimeOffset, so which one is the delivery time is ambiguous: take one DateTimeOffset (deliver at)";
        }

        if (delays + times > 1)
        {
            return "takes both a TimeSpan (delay) and a DateTimeOffset (deliver at): a message is delayed by one or the other, take one";
        }

        if (delays + times > 0 && method.Parameters.Any(p => PublisherParser.Kind(p) == PublisherParameter.Options))
        {
            return $"takes a {(delays > 0 ? "TimeSpan (delay)" : "DateTimeOffset (deliver at)")} and a PublishOptions, which also has Delay and DeliverAt: set {(delays > 0 ? "Delay" : "DeliverAt")} on the options and drop the {(delays > 0 ? "TimeSpan" : "DateTimeOffset")} parameter";
        }

        if (method.Parameters.GroupBy(PublisherParser.Kind).Any(g => g.Count() > 1))
        {
            return "takes more than one CancellationToken or PublishOptions";
        }

        if (method.Parameters.Any(p => PublisherParser.Kind(p) == PublisherParameter.Context))
        {
            return "takes a MessageContext, which only handlers receive";
        }

        if (method.Parameters.Any(p => p.RefKind != RefKind.None || p.IsParams))
        {
            return "has ref, out, in or params parameters";
        }

        var message = method.Parameters.First(p => PublisherParser.Kind(p) == PublisherParameter.Message);
        if (TypeProblem(message.Type, method, deferred) is { } problem)
        {
            return "takes a message that " + problem;
        }

        if (Payloads.IsRaw(message.Type) && RawPublisherProblem(method) is { } raw)
        {
            return raw;
        }

        var returns = method.ReturnType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        return returns == KnownNames.Task || returns == KnownNames.ValueTask ? null : $"returns {method.ReturnType.ToDisplayString()}";
    }

    /// <summary>
    /// Why a publisher method taking text or bytes cannot be implemented, or null. Such a body has no contract to say
    /// where it goes: the declaring interface's <c>[Exchange]</c> (else the default exchange) and the method's
    /// <c>[Topic]</c>, a literal key, or <c>PublishOptions.RoutingKey</c>; a fanout exchange needs no key.
    /// </summary>
    private static string? RawPublisherProblem(IMethodSymbol method)
    {
        var template = AttributeReader.Find(method, KnownNames.TopicAttribute) is { } topic ? AttributeReader.Argument<string>(topic, 0) : null;
        if (template is not null && (template.IndexOf('{') >= 0 || template.IndexOf('}') >= 0))
        {
            return $"takes text or bytes, which have no properties for the placeholders of [Topic(\"{template}\")]: write the routing key literally, or take PublishOptions and set RoutingKey";
        }

        var takesOptions = method.Parameters.Any(p => PublisherParser.Kind(p) == PublisherParameter.Options);
        if (template is null && !takesOptions && MessageParser.ReadExchange(method.ContainingType) is not { Type: "fanout" })
        {
            return MessageParser.ReadExchange(method.ContainingType) is { } exchange
                ? $"publishes text or bytes to exchange '{exchange.Name}' without a routing key: put [Topic(\"key\")] on the method, or take PublishOptions and set RoutingKey"
                : "publishes text or bytes to the default exchange without a routing key: put [Topic(\"queue-name\")] on the method (the key names the queue), [Exchange] on the interface, or take PublishOptions and set RoutingKey";
        }

        return null;
    }

    /// <summary>The methods an interface obliges an implementation to have: its own and every inherited one.</summary>
    public static System.Collections.Generic.IEnumerable<IMethodSymbol> InterfaceMethods(INamedTypeSymbol type) =>
        new[] { type }.Concat(type.AllInterfaces)
            .SelectMany(i => i.GetMembers().OfType<IMethodSymbol>())
            .Where(m => m.MethodKind == MethodKind.Ordinary && m.IsAbstract && !m.IsStatic);

    /// <summary>
    /// Why generated code cannot implement an interface (properties, events, static abstracts, generic, unreachable), or
    /// null (<paramref name="deferred"/>: see <see cref="MessageTypeProblem"/>).
    /// </summary>
    public static string? InterfaceProblem(INamedTypeSymbol type, ISet<string>? deferred = null)
    {
        foreach (var member in new[] { type }.Concat(type.AllInterfaces).SelectMany(i => i.GetMembers()))
        {
            if (member.IsAbstract && member is not IMethodSymbol { MethodKind: MethodKind.Ordinary })
            {
                if (member is IMethodSymbol { AssociatedSymbol: not null })
                {
                    continue;
                }

                return $"has the member '{member.Name}', which Warren cannot implement (only methods)";
            }

            if (member.IsAbstract && member.IsStatic)
            {
                return $"has the static abstract member '{member.Name}'";
            }
        }

        if (type.IsGenericType)
        {
            return "is generic";
        }

        return TypeProblem(type, type, deferred);
    }

    /// <summary>
    /// Why generated code cannot refer to a type or member the user declared or used (completing "'X' …"), or null:
    /// an <c>[Obsolete]</c> that is an error (CS0619, which nothing can suppress), or an <c>[Experimental]</c> whose
    /// diagnostic the project does not suppress (<c>&lt;NoWarn&gt;</c>): a <c>#pragma</c> in the user's file does not
    /// reach the generated files. Warning-level <c>[Obsolete]</c> is fine (generated files disable CS0612 and CS0618)
    /// unless it has a <c>DiagnosticId</c>, under which it is reported instead: like <c>[Experimental]</c>, that id must be
    /// suppressed for the project. With <paramref name="deferred"/>, those suppressible ids are added there rather than
    /// judged (see <see cref="MessageTypeProblem"/>).
    /// </summary>
    public static string? UseProblem(ISymbol symbol, ISymbol site, ISet<string>? deferred = null)
    {
        foreach (var attribute in symbol.GetAttributes())
        {
            var name = attribute.AttributeClass?.ToDisplayString();
            if (name == "System.ObsoleteAttribute" && attribute.ConstructorArguments.Length == 2 && attribute.ConstructorArguments[1].Value is true)
            {
                return "is [Obsolete] as an error, so the code Warren generates for it could not compile (CS0619): keep it a warning while Warren still consumes, publishes or calls it";
            }

            // An [Obsolete] with a DiagnosticId is reported under that id, not CS0612/CS0618, which generated files disable.
            if (name == "System.ObsoleteAttribute" && ObsoleteId(attribute) is { } obsoleteId && !Defer(deferred, obsoleteId) && !Suppressed(site, obsoleteId))
            {
                return $"is [Obsolete(DiagnosticId = \"{obsoleteId}\")], and the code Warren generates for it would report {obsoleteId} in generated files: suppress {obsoleteId} for the project (<NoWarn>{obsoleteId}</NoWarn>) to use it";
            }

            if (name == "System.Diagnostics.CodeAnalysis.ExperimentalAttribute"
                && attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is string id
                && !Defer(deferred, id) && !Suppressed(site, id))
            {
                return $"is [Experimental(\"{id}\")], and the code Warren generates for it would report {id} in generated files: suppress {id} for the project (<NoWarn>{id}</NoWarn>) to use it";
            }
        }

        return null;
    }

    private static string? ObsoleteId(AttributeData attribute)
    {
        foreach (var argument in attribute.NamedArguments)
        {
            if (argument.Key == "DiagnosticId" && argument.Value.Value is string { Length: > 0 } id)
            {
                return id;
            }
        }

        return null;
    }

    private static bool Defer(ISet<string>? deferred, string id)
    {
        deferred?.Add(id);
        return deferred is not null;
    }

    /// <summary>Whether the project suppresses a diagnostic everywhere: <c>&lt;NoWarn&gt;</c>, or a global analyzer config.</summary>
    private static bool Suppressed(ISymbol site, string id) =>
        site.ContainingAssembly is ISourceAssemblySymbol source && Suppressed(source.Compilation, id);

    /// <summary>
    /// Whether <paramref name="compilation"/>'s project keeps a diagnostic from failing the build everywhere
    /// (<c>&lt;NoWarn&gt;</c>, or a severity in a global analyzer config): suppressed, or lowered to a warning, a
    /// suggestion or hidden, as the compiler then compiles a use of an <c>[Experimental]</c> type.
    /// </summary>
    public static bool Suppressed(Compilation compilation, string id)
    {
        var options = compilation.Options;
        return options.SpecificDiagnosticOptions.TryGetValue(id, out var option) ? Lowered(option)
            : options.SyntaxTreeOptionsProvider?.TryGetGlobalDiagnosticValue(id, default, out var global) == true && Lowered(global);
    }

    private static bool Lowered(ReportDiagnostic option) =>
        option is ReportDiagnostic.Suppress or ReportDiagnostic.Warn or ReportDiagnostic.Info or ReportDiagnostic.Hidden;

    private static bool IsFileLocal(INamedTypeSymbol type)
    {
        foreach (var reference in type.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax() is MemberDeclarationSyntax declaration && declaration.Modifiers.Any(m => m.Text == "file"))
            {
                return true;
            }
        }

        return false;
    }

    private static string Describe(Accessibility accessibility) => accessibility switch
    {
        Accessibility.Private => "private",
        Accessibility.Protected => "protected",
        _ => "private protected",
    };
}

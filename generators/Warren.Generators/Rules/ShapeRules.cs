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

        if (method.IsGenericMethod)
        {
            return "is generic";
        }

        if (method.IsAbstract)
        {
            return "is abstract";
        }

        var messages = method.Parameters.Count(p => ConsumerParser.Kind(p) == ParameterKind.Message);
        if (messages == 0)
        {
            return "takes no message";
        }

        if (messages > 1)
        {
            return "takes more than one message";
        }

        if (method.Parameters.Any(p => p.RefKind != RefKind.None || p.IsParams))
        {
            return "has ref, out, in or params parameters";
        }

        if (ConsumerParser.MessageParameter(method) is { } message && TypeProblem(message.Type) is { } problem)
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

        return TypeProblem(type);
    }

    /// <summary>Why a type with message attributes cannot be a message (generated contracts name it as a type argument), or null.</summary>
    public static string? MessageTypeProblem(INamedTypeSymbol type) =>
        type.IsStatic ? "is static: a message is an instance that is published and received; remove the attribute or the static modifier"
        : type.IsGenericType ? "is generic: attribute a closed type's messages through a publisher or handler instead"
        : TypeProblem(type);

    /// <summary>Why generated code cannot name a type (private or protected nesting, a file-local type), or null.</summary>
    public static string? TypeProblem(ITypeSymbol type)
    {
        switch (type)
        {
            case IArrayTypeSymbol array:
                return TypeProblem(array.ElementType);
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
                }

                foreach (var argument in named.TypeArguments)
                {
                    if (TypeProblem(argument) is { } problem)
                    {
                        return problem;
                    }
                }

                return null;
            default:
                return null;
        }
    }

    /// <summary>Why an RPC method cannot be proxied and served, or null.</summary>
    public static string? RpcMethodProblem(IMethodSymbol method)
    {
        if (method.IsGenericMethod)
        {
            return "is generic";
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
        if (TypeProblem(request.Type) is { } requestProblem)
        {
            return "takes a request that " + requestProblem;
        }

        if (method.ReturnType is INamedTypeSymbol { IsGenericType: true } returns && TypeProblem(returns.TypeArguments[0]) is { } responseProblem)
        {
            return "returns a result that " + responseProblem;
        }

        var definition = method.ReturnType.OriginalDefinition.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        return definition is KnownNames.TaskOfT or KnownNames.ValueTaskOfT or KnownNames.Task or KnownNames.ValueTask
            ? null
            : $"returns {method.ReturnType.ToDisplayString()}";
    }

    /// <summary>Why a <c>[Publisher]</c> method cannot be implemented, or null.</summary>
    public static string? PublisherMethodProblem(IMethodSymbol method)
    {
        if (method.IsGenericMethod)
        {
            return "is generic";
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
        if (TypeProblem(message.Type) is { } problem)
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

    /// <summary>True when an interface has members generated code cannot implement (properties, events, static abstracts).</summary>
    public static string? InterfaceProblem(INamedTypeSymbol type)
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

        return TypeProblem(type);
    }

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

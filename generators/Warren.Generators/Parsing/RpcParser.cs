using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Warren.Generators.Model;
using Warren.Generators.Rules;

namespace Warren.Generators.Parsing;

/// <summary>Reads <c>[RpcService]</c> interfaces and the classes that implement them.</summary>
internal static class RpcParser
{
    private const long DefaultTimeout = 30_000;

    /// <summary>The service's model, or null when it is none or has a method the rules reject (the analyzers say which).</summary>
    public static RpcServiceModel? TryParseService(INamedTypeSymbol type) => TryParseService(type, null);

    /// <inheritdoc cref="TryParseService(INamedTypeSymbol)"/>
    /// <remarks>
    /// With <paramref name="deferred"/> (an interface read from a referenced assembly), the diagnostic ids a project must
    /// suppress to use it are added there rather than judged (see <see cref="ShapeRules.MessageTypeProblem"/>).
    /// </remarks>
    public static RpcServiceModel? TryParseService(INamedTypeSymbol type, ISet<string>? deferred)
    {
        if (type.TypeKind != TypeKind.Interface || AttributeReader.Find(type, KnownNames.RpcServiceAttribute) is not { } attribute || ShapeRules.InterfaceProblem(type, deferred) is not null || UndefinedTypes.InInterface(type))
        {
            return null;
        }

        var prefetch = AttributeReader.Named(attribute, AttributeNames.RpcService.Prefetch, 0);
        var concurrency = AttributeReader.Named(attribute, AttributeNames.RpcService.Concurrency, 0);
        if (TopologyRules.SettingsProblem(prefetch, concurrency) is not null)
        {
            return null;
        }

        var name = ServiceName(type, attribute);
        if (NameRules.RpcQueueProblem(QueueName(attribute, name)) is not null)
        {
            return null;
        }

        var timeout = Durations.ToMilliseconds(AttributeReader.Named<string>(attribute, AttributeNames.RpcService.Timeout)) ?? DefaultTimeout;
        var typeName = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        var symbols = ShapeRules.InterfaceMethods(type).ToList();
        if (symbols.Any(m => ShapeRules.RpcMethodProblem(m, deferred) is not null))
        {
            return null;
        }

        var methods = symbols
            .OrderBy(m => m.Name, System.StringComparer.Ordinal)
            .ThenBy(m => m.ContainingType.ToDisplayString(), System.StringComparer.Ordinal)
            .Select(m => ParseMethod(m, name, timeout))
            .ToEquatableArray();
        if (methods.GroupBy(m => m.ContractName).Any(g => g.Count() > 1))
        {
            // Overloads, or an X / XAsync pair: one contract name for two methods (WRN022).
            return null;
        }

        return new RpcServiceModel(
            typeName,
            Names.Identifier(typeName),
            name,
            QueueName(attribute, name),
            AttributeReader.Named(attribute, AttributeNames.RpcService.QueueType, 0) == AttributeEnums.QuorumQueue,
            prefetch,
            concurrency,
            methods,
            AttributeReader.Named(attribute, AttributeNames.RpcService.Durable, true));
    }

    public static string ServiceName(INamedTypeSymbol type, AttributeData attribute) =>
        AttributeReader.Argument<string>(attribute, 0) ?? Names.KebabCase(type.Name);

    /// <summary>The queue of a service: <c>[RpcService(Queue = ...)]</c>, else <c>rpc.{name}</c>.</summary>
    public static string QueueName(AttributeData attribute, string serviceName) =>
        AttributeReader.Named<string>(attribute, AttributeNames.RpcService.Queue) ?? "rpc." + serviceName;

    /// <summary>The contract name of an RPC method: <c>[Rpc(Name)]</c>, else <c>{service}.{method-in-kebab-case}</c> without <c>Async</c>.</summary>
    public static string ContractName(IMethodSymbol method, string service)
    {
        var rpc = AttributeReader.Find(method, KnownNames.RpcAttribute);
        return (rpc is null ? null : AttributeReader.Named<string>(rpc, AttributeNames.Rpc.Name)) ?? service + "." + Names.KebabCase(TrimAsync(method.Name));
    }

    /// <summary>The <c>[RpcService]</c> interfaces a class serves: all it implements, when generated code can create it.</summary>
    public static IEnumerable<INamedTypeSymbol> ServedInterfaces(INamedTypeSymbol type) =>
        type.TypeKind != TypeKind.Class || type.IsAbstract || type.IsGenericType || type.AllInterfaces.Length == 0
            ? Enumerable.Empty<INamedTypeSymbol>()
            : type.AllInterfaces.Where(i => AttributeReader.Has(i, KnownNames.RpcServiceAttribute) && ShapeRules.TypeProblem(type) is null);

    /// <summary>
    /// A class serving RPC services, or null. Services declared in this compilation are named only (their own step
    /// parses them); those from referenced assemblies are parsed here, as nothing else reads them.
    /// </summary>
    public static RpcServerModel? TryParseServer(INamedTypeSymbol type)
    {
        var served = ServedInterfaces(type).ToList();
        if (served.Count == 0)
        {
            return null;
        }

        // Declared in this assembly, or referenced (also when the reference is another project's compilation, whose types
        // have syntax): a referenced one is judged with this compilation's options, as its proxy is.
        var inSource = served.Where(i => SymbolEqualityComparer.Default.Equals(i.ContainingAssembly, type.ContainingAssembly)).ToList();
        var compilation = (type.ContainingAssembly as ISourceAssemblySymbol)?.Compilation;
        var referenced = served.Except(inSource, SymbolEqualityComparer.Default).OfType<INamedTypeSymbol>()
            .Select(i => compilation is null ? TryParseService(i) : ReferenceParser.TryParseService(i, compilation))
            .Where(s => s is not null)
            .Select(s => s!)
            .OrderBy(s => s.InterfaceName, System.StringComparer.Ordinal)
            .ToEquatableArray();
        var sourceNames = inSource.Select(i => i.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)).OrderBy(n => n, System.StringComparer.Ordinal).ToEquatableArray();
        if (referenced.Count == 0 && sourceNames.Count == 0)
        {
            return null;
        }

        var typeName = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        return new RpcServerModel(typeName, Names.Identifier(typeName), referenced, sourceNames);
    }

    private static RpcMethodModel ParseMethod(IMethodSymbol method, string service, long serviceTimeout)
    {
        var request = method.Parameters.First(p => ConsumerParser.Kind(p) == ParameterKind.Message);
        var token = method.Parameters.FirstOrDefault(p => ConsumerParser.Kind(p) == ParameterKind.CancellationToken);
        var returns = (INamedTypeSymbol)method.ReturnType;
        var kind = returns.OriginalDefinition.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) switch
        {
            KnownNames.TaskOfT => RpcReturnKind.TaskOfT,
            KnownNames.ValueTaskOfT => RpcReturnKind.ValueTaskOfT,
            KnownNames.Task => RpcReturnKind.Task,
            _ => RpcReturnKind.ValueTask,
        };
        var response = kind is RpcReturnKind.TaskOfT or RpcReturnKind.ValueTaskOfT ? returns.TypeArguments[0] : null;
        var rpc = AttributeReader.Find(method, KnownNames.RpcAttribute);
        var timeout = (rpc is null ? null : Durations.ToMilliseconds(AttributeReader.Named<string>(rpc, AttributeNames.Rpc.Timeout))) ?? serviceTimeout;
        var requestType = request.Type.WithNullableAnnotation(NullableAnnotation.NotAnnotated);
        var responseType = response?.WithNullableAnnotation(NullableAnnotation.NotAnnotated);
        var requestPayload = Payloads.Of(requestType);
        var responsePayload = responseType is null ? PayloadKind.Json : Payloads.Of(responseType);
        return new RpcMethodModel(
            method.Name,
            method.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            ContractName(method, service),
            requestType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            request.Type.ToDisplayString(PublisherParser.DeclaredFormat),
            requestPayload == PayloadKind.Json ? Names.Identifier(requestType) : string.Empty,
            responseType?.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            response?.ToDisplayString(PublisherParser.DeclaredFormat),
            responseType is null ? null : responsePayload == PayloadKind.Json ? Names.Identifier(responseType) : string.Empty,
            kind,
            request.Name,
            token?.Name,
            timeout,
            requestPayload,
            responsePayload);
    }

    private static string TrimAsync(string name) => name.EndsWith("Async") && name.Length > 5 ? name.Substring(0, name.Length - 5) : name;
}

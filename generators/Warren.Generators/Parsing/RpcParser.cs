using System.Linq;
using Microsoft.CodeAnalysis;
using Warren.Generators.Model;

namespace Warren.Generators.Parsing;

/// <summary>Reads <c>[RpcService]</c> interfaces and the classes that implement them.</summary>
internal static class RpcParser
{
    private const long DefaultTimeout = 30_000;

    public static RpcServiceModel? TryParseService(INamedTypeSymbol type)
    {
        if (type.TypeKind != TypeKind.Interface || AttributeReader.Find(type, KnownNames.RpcServiceAttribute) is not { } attribute)
        {
            return null;
        }

        var name = AttributeReader.Argument<string>(attribute, 0) ?? Names.KebabCase(type.Name);
        var timeout = Durations.ToMilliseconds(AttributeReader.Named<string>(attribute, "Timeout")) ?? DefaultTimeout;
        var typeName = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        var methods = type.GetMembers()
            .OfType<IMethodSymbol>()
            .Where(m => m.MethodKind == MethodKind.Ordinary && m.IsAbstract && !m.IsStatic)
            .OrderBy(m => m.Name, System.StringComparer.Ordinal)
            .Select(m => ParseMethod(m, name, timeout))
            .Where(m => m is not null)
            .Select(m => m!)
            .ToEquatableArray();
        return new RpcServiceModel(
            typeName,
            Names.Identifier(typeName),
            name,
            AttributeReader.Named<string>(attribute, "Queue") ?? "rpc." + name,
            AttributeReader.Named(attribute, "QueueType", 0) == 1,
            AttributeReader.Named(attribute, "Prefetch", 0),
            AttributeReader.Named(attribute, "Concurrency", 0),
            methods);
    }

    public static RpcServerModel? TryParseServer(INamedTypeSymbol type)
    {
        if (type.TypeKind != TypeKind.Class || type.IsAbstract || type.IsGenericType)
        {
            return null;
        }

        var services = type.AllInterfaces
            .Select(TryParseService)
            .Where(s => s is not null)
            .Select(s => s!)
            .OrderBy(s => s.InterfaceName, System.StringComparer.Ordinal)
            .ToEquatableArray();
        if (services.Count == 0)
        {
            return null;
        }

        var typeName = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        return new RpcServerModel(typeName, Names.Identifier(typeName), services);
    }

    private static RpcMethodModel? ParseMethod(IMethodSymbol method, string service, long serviceTimeout)
    {
        var request = method.Parameters.FirstOrDefault(p => ConsumerParser.Kind(p) == ParameterKind.Message);
        var token = method.Parameters.FirstOrDefault(p => ConsumerParser.Kind(p) == ParameterKind.CancellationToken);
        if (request is null || method.Parameters.Length > (token is null ? 1 : 2) || method.ReturnType is not INamedTypeSymbol returns)
        {
            return null;
        }

        var definition = returns.OriginalDefinition.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        RpcReturnKind kind;
        ITypeSymbol? response = null;
        switch (definition)
        {
            case "global::System.Threading.Tasks.Task<TResult>":
                kind = RpcReturnKind.TaskOfT;
                response = returns.TypeArguments[0];
                break;
            case "global::System.Threading.Tasks.ValueTask<TResult>":
                kind = RpcReturnKind.ValueTaskOfT;
                response = returns.TypeArguments[0];
                break;
            case KnownNames.Task:
                kind = RpcReturnKind.Task;
                break;
            case KnownNames.ValueTask:
                kind = RpcReturnKind.ValueTask;
                break;
            default:
                return null;
        }

        var rpc = AttributeReader.Find(method, KnownNames.RpcAttribute);
        var contract = (rpc is null ? null : AttributeReader.Named<string>(rpc, "Name")) ?? service + "." + Names.KebabCase(TrimAsync(method.Name));
        var timeout = (rpc is null ? null : Durations.ToMilliseconds(AttributeReader.Named<string>(rpc, "Timeout"))) ?? serviceTimeout;
        var requestType = request.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        var responseType = response?.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        return new RpcMethodModel(
            method.Name,
            contract,
            requestType,
            Names.Identifier(requestType),
            responseType,
            responseType is null ? null : Names.Identifier(responseType),
            kind,
            request.Name,
            token?.Name,
            timeout);
    }

    private static string TrimAsync(string name) => name.EndsWith("Async") && name.Length > 5 ? name.Substring(0, name.Length - 5) : name;
}

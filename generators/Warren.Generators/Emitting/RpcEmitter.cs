using System.Globalization;
using Warren.Generators.Model;
using Warren.Generators.Parsing;

namespace Warren.Generators.Emitting;

/// <summary>Emits RPC client proxies (one per <c>[RpcService]</c> interface) and server dispatchers (one per implementing class and service).</summary>
internal static class RpcEmitter
{
    public static string ProxyHintName(RpcServiceModel service) => $"{service.Identifier}.RpcClient.g.cs";

    public static string ProxyClassName(RpcServiceModel service) => service.Identifier + "RpcClient";

    public static string ServerHintName(RpcServerModel server, RpcServiceModel service) => $"{server.Identifier}.{service.Identifier}.RpcServer.g.cs";

    public static string ServerClassName(RpcServerModel server, RpcServiceModel service) => $"{server.Identifier}_{service.Identifier}RpcServer";

    public static string EmitProxy(RpcServiceModel service)
    {
        var w = new SourceWriter();
        w.Open("namespace Warren.Generated");
        w.Line($"/// <summary>Calls service <c>{service.Name}</c> over RabbitMQ (queue <c>{service.Queue}</c>, replies by direct reply-to).</summary>");
        w.Line(SourceWriter.GeneratedCode);
        w.Open($"internal sealed class {ProxyClassName(service)} : {service.InterfaceName}");
        w.Line("private readonly global::Warren.RpcClient _client;");
        w.Line();
        w.Open($"public {ProxyClassName(service)}(global::Warren.RpcClient client)");
        w.Line("_client = client;");
        w.Close();
        foreach (var method in service.Methods)
        {
            w.Line();
            var token = method.CancellationTokenName ?? "default";
            var parameters = method.CancellationTokenName is null
                ? $"{method.RequestType} {method.ParameterName}"
                : $"{method.RequestType} {method.ParameterName}, global::System.Threading.CancellationToken {method.CancellationTokenName}";
            var timeout = $"global::System.TimeSpan.FromMilliseconds({method.TimeoutMilliseconds.ToString(CultureInfo.InvariantCulture)})";
            var common = $"{Literals.String(service.Name)}, {Literals.String(service.Queue)}, {Literals.String(method.ContractName)}, {method.ParameterName}, global::Warren.Generated.WarrenJsonTypes.{method.RequestIdentifier}";
            var call = method.ResponseType is null
                ? $"_client.CallAsync({common}, {timeout}, {token})"
                : $"_client.CallAsync({common}, global::Warren.Generated.WarrenJsonTypes.{method.ResponseIdentifier}, {timeout}, {token})";
            var (returns, body) = method.Returns switch
            {
                RpcReturnKind.TaskOfT => ($"global::System.Threading.Tasks.Task<{method.ResponseType}>", call),
                RpcReturnKind.ValueTaskOfT => ($"global::System.Threading.Tasks.ValueTask<{method.ResponseType}>", $"new({call})"),
                RpcReturnKind.Task => ("global::System.Threading.Tasks.Task", call),
                _ => ("global::System.Threading.Tasks.ValueTask", $"new({call})"),
            };
            w.Line($"/// <summary>Request type <c>{method.ContractName}</c>, timeout {method.TimeoutMilliseconds.ToString(CultureInfo.InvariantCulture)} ms.</summary>");
            w.Line($"public {returns} {method.Name}({parameters}) => {body};");
        }

        w.Close();
        w.Close();
        return w.ToString();
    }

    public static string EmitServer(RpcServerModel server, RpcServiceModel service)
    {
        var w = new SourceWriter();
        w.Open("namespace Warren.Generated");
        w.Line($"/// <summary>Serves <see cref=\"{service.InterfaceName}\"/> with <see cref=\"{server.TypeName}\"/> on queue <c>{service.Queue}</c>.</summary>");
        w.Line(SourceWriter.GeneratedCode);
        w.Open($"internal sealed class {ServerClassName(server, service)} : global::Warren.IMessageDispatcher");
        w.Open("public global::System.Threading.Tasks.ValueTask<global::Warren.DispatchOutcome> DispatchAsync(global::Warren.MessageContext context)");
        w.Open("switch (context.MessageType)");
        for (var i = 0; i < service.Methods.Count; i++)
        {
            w.Line($"case {Literals.String(service.Methods[i].ContractName)}:");
            w.Line($"    return Call{i}(context);");
        }

        w.Line("default:");
        w.Line($"    return global::Warren.RpcServer.UnknownMethodAsync(context, {Literals.String(service.Name)});");
        w.Close();
        w.Close();
        for (var i = 0; i < service.Methods.Count; i++)
        {
            var method = service.Methods[i];
            w.Line();
            var serve = method.Returns switch
            {
                RpcReturnKind.TaskOfT => "ServeAsync",
                RpcReturnKind.ValueTaskOfT => "ServeValueAsync",
                RpcReturnKind.Task => "ServeCommandAsync",
                _ => "ServeValueCommandAsync",
            };
            var infos = method.ResponseIdentifier is null
                ? $"global::Warren.Generated.WarrenJsonTypes.{method.RequestIdentifier}"
                : $"global::Warren.Generated.WarrenJsonTypes.{method.RequestIdentifier}, global::Warren.Generated.WarrenJsonTypes.{method.ResponseIdentifier}";
            var arguments = method.CancellationTokenName is null ? "request" : "request, ct";
            w.Line($"/// <summary><c>{method.ContractName}</c> → {ContractsEmitter.Short(server.TypeName)}.{method.Name}</summary>");
            w.Line($"private static global::System.Threading.Tasks.ValueTask<global::Warren.DispatchOutcome> Call{i}(global::Warren.MessageContext context) =>");
            w.Line($"    global::Warren.RpcServer.{serve}(context, {infos}, static (ctx, request, ct) => (({service.InterfaceName})global::Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<{server.TypeName}>(ctx.Services)).{method.Name}({arguments}));");
        }

        w.Close();
        w.Close();
        return w.ToString();
    }
}

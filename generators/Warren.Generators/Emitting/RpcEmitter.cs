using System.Globalization;
using System.Linq;
using Warren.Generators.Model;
using Warren.Generators.Parsing;

namespace Warren.Generators.Emitting;

/// <summary>Emits RPC client proxies (one per <c>[RpcService]</c> interface) and server dispatchers (one per implementing class and service).</summary>
internal static class RpcEmitter
{
    public static string ProxyHintName(RpcServiceModel service) => $"{service.Identifier}.RpcClient.g.cs";

    public static string ProxyClassName(RpcServiceModel service) => service.Identifier + "RpcClient";

    public static string ServerHintName(RpcServerOutput server) => $"{server.ServerIdentifier}.{server.Service.Identifier}.RpcServer.g.cs";

    public static string ServerClassName(string serverIdentifier, RpcServiceModel service) => $"{serverIdentifier}_{service.Identifier}RpcServer";

    public static string EmitProxy(RpcServiceModel service, GeneratedScope scope)
    {
        var w = new SourceWriter();
        w.Open("namespace " + scope.Namespace);
        w.Summary($"Calls service <c>{Text.Xml(service.Name)}</c> over RabbitMQ (queue <c>{Text.Xml(service.Queue)}</c>, replies by direct reply-to).");
        w.GeneratedType();
        w.Open($"internal sealed class {ProxyClassName(service)} : {service.InterfaceName}");
        w.Line("private readonly global::Warren.Infrastructure.RpcClient _client;");
        w.Line();
        w.Open($"public {ProxyClassName(service)}(global::Warren.Infrastructure.RpcClient client)");
        w.Line("_client = client;");
        w.Close();
        foreach (var method in service.Methods)
        {
            w.Line();
            var request = Identifiers.Escape(method.ParameterName);
            var token = method.CancellationTokenName is null ? "default" : Identifiers.Escape(method.CancellationTokenName);
            string[] parameters = method.CancellationTokenName is null
                ? [$"{method.RequestDeclared} {request}"]
                : [$"{method.RequestDeclared} {request}", $"global::System.Threading.CancellationToken {token}"];
            var timeout = RetryPolicies.TimeSpan(method.TimeoutMilliseconds);
            var argument = method.RequestDeclared == method.RequestType ? request : request + "!";
            var infos = Formats(method, scope.Qualifier + "WarrenJsonTypes.");

            // A nullable-annotated result: the call's Task<T> stands for the declared Task<T?>.
            var arguments = new[] { Literals.String(service.Name), Literals.String(service.Queue), Literals.String(method.ContractName), argument }
                .Concat(infos)
                .Concat([timeout, token])
                .ToArray();
            var suppress = method.ResponseDeclared != method.ResponseType ? "!" : string.Empty;
            var (returns, wrap) = method.Returns switch
            {
                RpcReturnKind.TaskOfT => ($"global::System.Threading.Tasks.Task<{method.ResponseDeclared}>", false),
                RpcReturnKind.ValueTaskOfT => ($"global::System.Threading.Tasks.ValueTask<{method.ResponseDeclared}>", true),
                RpcReturnKind.Task => ("global::System.Threading.Tasks.Task", false),
                _ => ("global::System.Threading.Tasks.ValueTask", true),
            };
            w.Summary($"Request type <c>{Text.Xml(method.ContractName)}</c>, timeout {method.TimeoutMilliseconds.ToString(CultureInfo.InvariantCulture)} ms.");
            w.List($"{returns} {method.DeclaringInterface}.{Identifiers.Escape(method.Name)}(", parameters, ") =>");
            w.List(wrap ? "    new(this._client.CallAsync(" : "    this._client.CallAsync(", arguments, $"){suppress}{(wrap ? ")" : string.Empty)};");
        }

        w.Close();
        w.Close();
        return w.ToString();
    }

    public static string EmitServer(RpcServerOutput output, GeneratedScope scope)
    {
        var service = output.Service;
        var names = new Identifiers.Unique("DispatchAsync", "ByRoutingKey", "Methods");
        var methods = service.Methods.Select(m => (Model: m, Name: names.Take(Identifiers.Escape(TrimAsync(m.Name)) + "Async"))).ToList();
        var w = new SourceWriter();
        w.Open("namespace " + scope.Namespace);
        w.Line("using global::Microsoft.Extensions.DependencyInjection;");
        w.Line("using global::System.Threading.Tasks;");
        w.Line("using global::Warren.Infrastructure;");
        w.Line();
        w.Summary($"Serves {Text.TypeReference(service.InterfaceName)} with {Text.TypeReference(output.ServerType)} on queue <c>{Text.Xml(service.Queue)}</c>.");
        w.GeneratedType();
        w.Open($"internal sealed class {ServerClassName(output.ServerIdentifier, service)} : IMessageDispatcher");
        w.Line("/// <summary>The method contracts, for the fault a request for another method gets.</summary>");
        w.Line($"private static readonly string[] Methods = {{ {string.Join(", ", methods.Select(m => Literals.String(m.Model.ContractName)))} }};");
        w.Line();
        w.Line("/// <summary>By method contract in the <c>type</c> property; otherwise by routing key.</summary>");
        w.Line("public ValueTask<DispatchOutcome> DispatchAsync(MessageContext context) => context.MessageType switch");
        w.Open(string.Empty);
        foreach (var (model, name) in methods)
        {
            w.Line($"{Literals.String(model.ContractName)} => {name}(context),");
        }

        w.Line("_ => ByRoutingKey(context),");
        w.Close(";");
        w.Line();
        w.Summary($"Requests routed by method contract through <c>{RpcRouting.Exchange}</c>{(methods.Count == 1 ? ", or sent straight to the queue without a type" : string.Empty)}.");
        w.Line("private static ValueTask<DispatchOutcome> ByRoutingKey(MessageContext context) => context.RoutingKey switch");
        w.Open(string.Empty);
        foreach (var (model, name) in methods)
        {
            w.Line($"{Literals.String(model.ContractName)} => {name}(context),");
        }

        if (methods.Count == 1)
        {
            // The tutorials' RPC client: no type, the queue's name as routing key on the default exchange.
            w.Line($"_ when context.Exchange.Length == 0 && string.IsNullOrEmpty(context.MessageType) => {methods[0].Name}(context),");
        }

        w.Line($"_ => RpcServer.UnknownMethodAsync(context, {Literals.String(service.Name)}, Methods),");
        w.Close(";");
        foreach (var (method, name) in methods)
        {
            w.Line();
            var serve = method.Returns switch
            {
                RpcReturnKind.TaskOfT => "ServeAsync",
                RpcReturnKind.ValueTaskOfT => "ServeValueAsync",
                RpcReturnKind.Task => "ServeCommandAsync",
                _ => "ServeValueCommandAsync",
            };
            var infos = Formats(method, "WarrenJsonTypes.");
            var arguments = method.CancellationTokenName is null ? "request" : "request, ct";
            w.Summary($"<c>{Text.Xml(method.ContractName)}</c> → <c>{Text.Xml(Text.Short(output.ServerType))}.{Text.Xml(method.Name)}</c>");
            w.Line($"private static ValueTask<DispatchOutcome> {name}(MessageContext context) =>");
            var suppress = method.ResponseDeclared != method.ResponseType || method.RequestDeclared != method.RequestType ? "!" : string.Empty;
            var wrapped = w.List($"    RpcServer.{serve}(", ["context", .. infos, "static (ctx, request, ct) =>"], string.Empty);
            w.Line($"{(wrapped ? "            " : "        ")}Service(ctx).{Identifiers.Escape(method.Name)}({arguments}){suppress}, {Literals.String(service.Name)}, {Literals.String(method.ContractName)});");
        }

        w.Line();
        w.Line("/// <summary>The implementation, through the interface (its methods may be implemented explicitly).</summary>");
        w.Line($"private static {service.InterfaceName} Service(MessageContext context) =>");
        w.Line($"    context.Services.GetRequiredService<{output.ServerType}>();");
        w.Close();
        w.Close();
        return w.ToString();
    }

    /// <summary>
    /// The request's and response's type information when both are JSON; otherwise their payload formats (text and
    /// bytes as they are, the JSON side through <c>PayloadFormat.Json</c>), which the runtime's format overloads take.
    /// </summary>
    private static string[] Formats(RpcMethodModel method, string jsonTypes)
    {
        var raw = method.RequestPayload != PayloadKind.Json || method.ResponseType is not null && method.ResponsePayload != PayloadKind.Json;
        string Side(PayloadKind payload, string identifier) =>
            payload != PayloadKind.Json ? Payloads.Format(payload)
            : raw ? $"global::Warren.PayloadFormat.Json({jsonTypes}{identifier})"
            : jsonTypes + identifier;
        var request = Side(method.RequestPayload, method.RequestIdentifier);
        return method.ResponseIdentifier is null ? [request] : [request, Side(method.ResponsePayload, method.ResponseIdentifier)];
    }

    private static string TrimAsync(string name) => name.EndsWith("Async", System.StringComparison.Ordinal) && name.Length > 5 ? name.Substring(0, name.Length - 5) : name;
}

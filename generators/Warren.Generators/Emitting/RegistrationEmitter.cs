using System.Collections.Generic;
using System.Linq;
using System.Globalization;
using Warren.Generators.Model;
using Warren.Generators.Parsing;

namespace Warren.Generators.Emitting;

/// <summary>Emits <c>AddGeneratedHandlers()</c>: contracts, topology, consumers and publishers registered without reflection.</summary>
internal static class RegistrationEmitter
{
    public const string HintName = "Warren.Registration.g.cs";

    public static string Emit(RegistrationModel model)
    {
        var scope = model.Module.Scope;
        var statements = new List<System.Action<SourceWriter>>();
        foreach (var group in model.Consumers.Where(DefaultRetryConsumer.Is).Select(c => DispatcherGroup.Of(c.Identifier)).Distinct().OrderBy(n => n))
        {
            var list = $"{scope.Qualifier}{DispatcherEmitter.RuntimeDispatchersName(group)}.{DispatcherEmitter.DefaultRetryListName}";
            statements.Add(w => w.Line($"ConsumersWithDefaultRetry(builder, {list});"));
        }

        foreach (var consumer in model.Consumers.Where(c => !DefaultRetryConsumer.Is(c)))
        {
            statements.Add(w => Consumer(w, consumer, scope));
        }

        foreach (var publisher in model.Publishers)
        {
            statements.Add(w => Singleton(w, publisher.InterfaceName, scope.Qualifier + PublisherEmitter.ClassName(publisher)));
        }

        foreach (var service in model.RpcServices)
        {
            statements.Add(w => Singleton(w, service.InterfaceName, scope.Qualifier + RpcEmitter.ProxyClassName(service)));
        }

        foreach (var server in model.RpcServers)
        {
            statements.Add(w => Server(w, server, scope));
        }

        var w = new SourceWriter();
        w.Open("namespace Warren");
        w.Line("using global::Microsoft.Extensions.DependencyInjection.Extensions;");
        if (model.Consumers.Any(c => c.JsonContext is null && DefaultRetryConsumer.HasDefaultRetry(c)))
        {
            w.Line("using global::System.Diagnostics.CodeAnalysis;");
        }

        if (model.Consumers.Any(DefaultRetryConsumer.Is))
        {
            w.Line("using global::Warren.Infrastructure;");
        }

        w.Line();
        w.Line("/// <summary>Registers what Warren generated for this assembly.</summary>");
        w.GeneratedType();
        w.Open("internal static class " + scope.RegistrationClass);
        w.Line("/// <summary>");
        w.Line("/// Registers the message contracts (for <see cref=\"global::Warren.IPublisher\"/>), the topology,");
        w.Line("/// every consumer class (scoped, one instance per message) with its queue and dispatcher, and every");
        w.Line("/// <c>[Publisher]</c> interface.");
        w.Line("/// </summary>");
        w.Line("/// <remarks>");
        w.Line("/// Then calls the module registration of every referenced assembly with consumers or RPC servers.");
        w.Line("/// </remarks>");
        if (model.Module.Depth == ModuleModel.Plain)
        {
            w.Open("public static global::Warren.WarrenBuilder AddGeneratedHandlers(this global::Warren.WarrenBuilder builder)");
        }
        else
        {
            // IRegistrationRank<IRegistrationDepth<...WarrenBuilder...>>: see ModuleModel.Depth.
            var receiver = "global::Warren.WarrenBuilder";
            for (var level = 0; level < model.Module.Depth; level++)
            {
                receiver = $"global::Warren.Infrastructure.IRegistrationDepth<{receiver}>";
            }

            w.Line("/// <param name=\"builder\">");
            w.Line("/// The builder. This assembly gives its internals to other assemblies: the receiver is a");
            w.Line("/// <see cref=\"global::Warren.Infrastructure.IRegistrationRank{T}\"/> that only");
            w.Line("/// <see cref=\"global::Warren.WarrenBuilder\"/> implements, of a depth above that of the assemblies giving this");
            w.Line("/// one their internals, so that a call in any of these assemblies binds to that assembly's own.");
            w.Line("/// </param>");
            w.Line("public static global::Warren.WarrenBuilder AddGeneratedHandlers(");
            w.Line($"    this global::Warren.Infrastructure.IRegistrationRank<{receiver}> builder) =>");
            w.Line("    RegisterAll((global::Warren.WarrenBuilder)builder);");
            w.Line();
            w.Line("/// <summary>What <c>AddGeneratedHandlers()</c> registers.</summary>");
            w.Open("private static global::Warren.WarrenBuilder RegisterAll(global::Warren.WarrenBuilder builder)");
        }

        w.Line("RegisterAssembly(builder);");
        foreach (var module in model.Module.ReferencedModules)
        {
            w.Line($"{module}.Register(builder);");
        }

        w.Line("return builder;");
        w.Close();
        w.Line();
        w.Line("/// <summary>Registers what this assembly declares, and nothing of its references.</summary>");
        string[] first = model.DeclaresAnything
            ? [$"{scope.Qualifier}WarrenContracts.Register(builder);", $"builder.AddTopology({scope.Qualifier}WarrenTopology.Create());"]
            : [];
        Chunks.Emit(
            w,
            "internal static void RegisterAssembly(global::Warren.WarrenBuilder builder)",
            "Register",
            "global::Warren.WarrenBuilder builder",
            "builder",
            statements,
            first: first);
        if (model.Consumers.Any(DefaultRetryConsumer.Is))
        {
            w.Line();
            w.Line("/// <summary>");
            w.Line("/// Registers the handler class of each of <paramref name=\"dispatchers\"/> (scoped, one instance per");
            w.Line("/// message) and the consumer of its queue, with its prefetch and concurrency and the default failure");
            w.Line("/// policy: dead-letter exchange <c>{queue}.dlx</c>.");
            w.Line("/// </summary>");
            w.Open("private static void ConsumersWithDefaultRetry(global::Warren.WarrenBuilder builder, HandlerDispatcher[] dispatchers)");
            w.Open("foreach (var dispatcher in dispatchers)");
            w.Line("dispatcher.AddHandlerTo(builder.Services);");
            w.Line("builder.AddConsumer(new global::Warren.ConsumerDefinition(dispatcher.Queue, dispatcher)");
            w.Line("{");
            w.Line("    Prefetch = dispatcher.Prefetch,");
            w.Line("    Concurrency = dispatcher.Concurrency,");
            w.Line("    Retry = DefaultRetry(dispatcher.Queue + \".dlx\", dispatcher.Queue),");
            w.Line("});");
            w.Close();
            w.Close();
        }

        if (model.Consumers.Any(c => c.JsonContext is null && DefaultRetryConsumer.HasDefaultRetry(c)))
        {
            w.Line();
            w.Line("/// <summary>");
            w.Line("/// Registers <typeparamref name=\"THandler\"/> (scoped, one instance per message) and the consumer of");
            w.Line("/// <paramref name=\"queue\"/> with the default failure policy: dead-letter exchange <c>{queue}.dlx</c>.");
            w.Line("/// </summary>");
            w.Line("private static void ConsumerWithDefaultRetry<");
            w.Line("    [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler>(");
            w.Line("    global::Warren.WarrenBuilder builder,");
            w.Line("    string queue,");
            w.Line("    global::Warren.Infrastructure.IMessageDispatcher dispatcher,");
            w.Line("    ushort? prefetch = null,");
            w.Line("    int? concurrency = null)");
            w.Line("    where THandler : class");
            w.Open(string.Empty);
            w.Line("builder.Services.TryAddScoped<THandler>();");
            w.Line("builder.AddConsumer(new global::Warren.ConsumerDefinition(queue, dispatcher)");
            w.Line("{");
            w.Line("    Prefetch = prefetch,");
            w.Line("    Concurrency = concurrency,");
            w.Line("    Retry = DefaultRetry(queue + \".dlx\", queue),");
            w.Line("});");
            w.Close();
        }

        if (model.Consumers.Any(c => c.Queue.DeadLetter is { IsDefault: true, MaxRetries: FailurePolicyDefaults.MaxRetries }))
        {
            w.Line();
            w.Summary("The default failure policy: three delayed retries (5 s, 30 s, 2 min), then the dead-letter queue.");
            w.Line("private static global::Warren.RetryPolicy DefaultRetry(string deadLetterExchange, string routingKey) =>");
            var policy = new DeadLetterModel(
                "deadLetterExchange",
                string.Empty,
                "routingKey",
                0,
                FailurePolicyDefaults.MaxRetries,
                FailurePolicyDefaults.RetryDelays.ToEquatableArray(),
                EquatableArray<string>.Empty,
                "routingKey");
            RetryPolicies.Emit(w, policy, ";", "    ", verbatimNames: true);
        }

        w.Close();
        w.Close();
        return w.ToString();
    }

    private static void Consumer(SourceWriter w, ConsumerModel consumer, GeneratedScope scope)
    {
        if (DefaultRetryConsumer.HasDefaultRetry(consumer))
        {
            var arguments = new List<string> { "builder", Literals.String(consumer.Queue.Name), DispatcherEmitter.Reference(consumer, scope) };
            if (consumer.Queue.Prefetch > 0)
            {
                arguments.Add($"prefetch: {Number(consumer.Queue.Prefetch)}");
            }

            if (consumer.Queue.Concurrency > 0)
            {
                arguments.Add($"concurrency: {Number(consumer.Queue.Concurrency)}");
            }

            w.Call($"ConsumerWithDefaultRetry<{consumer.TypeName}>(", arguments, ");");
            return;
        }

        var settings = new List<string>();
        if (consumer.Queue.Prefetch > 0)
        {
            settings.Add($"Prefetch = {Number(consumer.Queue.Prefetch)}");
        }

        if (consumer.Queue.Concurrency > 0)
        {
            settings.Add($"Concurrency = {Number(consumer.Queue.Concurrency)}");
        }

        if (consumer.Queue.HandlerTimeoutMilliseconds > 0)
        {
            settings.Add($"HandlerTimeout = {RetryPolicies.TimeSpan(consumer.Queue.HandlerTimeoutMilliseconds)}");
        }

        if (consumer.Queue.StreamStart is { } start)
        {
            var offset = start.Kind switch
            {
                "At" => $"global::Warren.StreamOffset.At({start.Value}L)",
                "After" => $"global::Warren.StreamOffset.After(global::System.DateTimeOffset.FromUnixTimeSeconds({start.Value}L))",
                _ => "global::Warren.StreamOffset." + start.Kind,
            };
            settings.Add($"Stream = new global::Warren.StreamConsumer({offset}{(start.Stored ? ", StoreOffsets: true" : string.Empty)})");
        }

        w.Line($"builder.Services.TryAddScoped<{consumer.TypeName}>();");
        AddConsumer(w, Literals.String(consumer.Queue.Name), DispatcherEmitter.Reference(consumer, scope));
        w.Line("{");
        foreach (var setting in settings)
        {
            w.Line($"    {setting},");
        }

        // A stream's default policy has no delayed retries: it is written out, not the shared DefaultRetry.
        if (consumer.Queue.DeadLetter is { IsDefault: true } standard
            && standard.RetryQueuePrefix == standard.RoutingKey
            && standard.MaxRetries == FailurePolicyDefaults.MaxRetries)
        {
            w.Line($"    Retry = DefaultRetry({Literals.String(standard.Exchange)}, {Literals.String(standard.RoutingKey)}),");
        }
        else if (consumer.Queue.DeadLetter is { } dl)
        {
            RetryPolicies.Emit(w, dl, ",", "    Retry = ");
        }
        else
        {
            w.Line("    Retry = global::Warren.RetryPolicy.Disabled,");
        }

        w.Line("});");
    }

    private static void Server(SourceWriter w, RpcServerModel server, GeneratedScope scope)
    {
        w.Line($"builder.Services.TryAddScoped<{server.TypeName}>();");
        foreach (var service in server.Services)
        {
            var settings = new List<string>();
            if (service.Prefetch > 0)
            {
                settings.Add($"Prefetch = {Number(service.Prefetch)}");
            }

            if (service.Concurrency > 0)
            {
                settings.Add($"Concurrency = {Number(service.Concurrency)}");
            }

            // A failing RPC method is answered with a fault and acknowledged: nothing is retried or dead-lettered.
            settings.Add("Retry = global::Warren.RetryPolicy.Disabled");
            var queue = Literals.String(service.Queue);
            var dispatcher = $"new {scope.Qualifier}{RpcEmitter.ServerClassName(server.Identifier, service)}()";
            var single = $"builder.AddConsumer(new global::Warren.ConsumerDefinition({queue}, {dispatcher}) {{ {string.Join(", ", settings)} }});";
            if (w.Fits(single))
            {
                w.Line(single);
                continue;
            }

            AddConsumer(w, queue, dispatcher);
            w.Line("{");
            foreach (var setting in settings)
            {
                w.Line($"    {setting},");
            }

            w.Line("});");
        }
    }

    /// <summary>
    /// <c>builder.AddConsumer(new ConsumerDefinition(queue, dispatcher)</c>, the arguments on the next line (or a line
    /// each) when the line would not fit; the object initializer follows.
    /// </summary>
    private static void AddConsumer(SourceWriter w, string queue, string dispatcher) =>
        w.Call("builder.AddConsumer(new global::Warren.ConsumerDefinition(", [queue, dispatcher], ")");

    /// <summary><c>builder.Services.TryAddSingleton&lt;TService, TImplementation&gt;()</c>, wrapped when it does not fit.</summary>
    private static void Singleton(SourceWriter w, string service, string implementation) =>
        w.Call("builder.Services.TryAddSingleton<", [service, implementation], ">();");

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}

using System.Collections.Generic;
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
        var w = new SourceWriter();
        w.Open("namespace Warren");
        w.Line("using global::Microsoft.Extensions.DependencyInjection.Extensions;");
        w.Line();
        w.Line("/// <summary>Registers what Warren generated for this assembly.</summary>");
        w.GeneratedType();
        w.Open("internal static class WarrenGeneratedRegistration");
        w.Line("/// <summary>");
        w.Line("/// Registers the message contracts (for <see cref=\"global::Warren.IPublisher\"/>), the topology, every consumer");
        w.Line("/// class (scoped, one instance per message) with its queue and dispatcher, and every <c>[Publisher]</c> interface.");
        w.Line("/// </summary>");
        w.Line("/// <remarks>Then calls the module registration of every referenced assembly with consumers or RPC servers.</remarks>");
        w.Open("public static global::Warren.WarrenBuilder AddGeneratedHandlers(this global::Warren.WarrenBuilder builder)");
        w.Line("RegisterAssembly(builder);");
        foreach (var module in model.Module.ReferencedModules)
        {
            w.Line($"{module}.Register(builder);");
        }

        w.Line("return builder;");
        w.Close();
        w.Line();
        w.Line("/// <summary>Registers what this assembly declares, and nothing of its references.</summary>");
        w.Open("internal static void RegisterAssembly(global::Warren.WarrenBuilder builder)");
        if (!model.DeclaresAnything)
        {
            w.Close();
            w.Close();
            w.Close();
            return w.ToString();
        }

        w.Line("global::Warren.Generated.WarrenContracts.Register(builder);");
        w.Line("builder.AddTopology(global::Warren.Generated.WarrenTopology.Create());");
        foreach (var consumer in model.Consumers)
        {
            w.Line();
            w.Line($"builder.Services.TryAddScoped<{consumer.TypeName}>();");
            w.Line($"builder.AddConsumer(new global::Warren.ConsumerDefinition({Literals.String(consumer.Queue.Name)}, new global::Warren.Generated.{DispatcherEmitter.ClassName(consumer)}())");
            w.Line("{");
            if (consumer.Queue.Prefetch > 0)
            {
                w.Line($"    Prefetch = {Number(consumer.Queue.Prefetch)},");
            }

            if (consumer.Queue.Concurrency > 0)
            {
                w.Line($"    Concurrency = {Number(consumer.Queue.Concurrency)},");
            }

            if (consumer.Queue.HandlerTimeoutMilliseconds > 0)
            {
                w.Line($"    HandlerTimeout = {RetryPolicies.TimeSpan(consumer.Queue.HandlerTimeoutMilliseconds)},");
            }

            if (consumer.Queue.DeadLetter is { } dl)
            {
                RetryPolicies.Emit(w, dl, ",", "    Retry = ");
            }
            else
            {
                w.Line("    Retry = global::Warren.RetryPolicy.Disabled,");
            }

            w.Line("});");
        }

        if (model.Publishers.Count + model.RpcServices.Count > 0)
        {
            w.Line();
        }

        foreach (var publisher in model.Publishers)
        {
            w.Line($"builder.Services.TryAddSingleton<{publisher.InterfaceName}, global::Warren.Generated.{PublisherEmitter.ClassName(publisher)}>();");
        }

        foreach (var service in model.RpcServices)
        {
            w.Line($"builder.Services.TryAddSingleton<{service.InterfaceName}, global::Warren.Generated.{RpcEmitter.ProxyClassName(service)}>();");
        }

        foreach (var server in model.RpcServers)
        {
            w.Line();
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
                var definition = $"new global::Warren.ConsumerDefinition({Literals.String(service.Queue)}, new global::Warren.Generated.{RpcEmitter.ServerClassName(server.Identifier, service)}())";
                w.Line(settings.Count == 0 ? $"builder.AddConsumer({definition});" : $"builder.AddConsumer({definition} {{ {string.Join(", ", settings)} }});");
            }
        }

        w.Close();
        w.Close();
        w.Close();
        return w.ToString();
    }

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}

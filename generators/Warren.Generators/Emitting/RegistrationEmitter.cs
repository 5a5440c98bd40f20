using System.Linq;
using Warren.Generators.Model;
using Warren.Generators.Parsing;

namespace Warren.Generators.Emitting;

/// <summary>Emits <c>AddGeneratedHandlers()</c>: contracts, topology, consumers and publishers registered without reflection.</summary>
internal static class RegistrationEmitter
{
    public const string HintName = "Warren.Registration.g.cs";

    public static string Emit(GenerationModel model)
    {
        var w = new SourceWriter();
        w.Open("namespace Warren");
        w.Line("/// <summary>Registers what Warren generated for this assembly.</summary>");
        w.Line(SourceWriter.GeneratedCode);
        w.Open("internal static class WarrenGeneratedRegistration");
        w.Line("/// <summary>");
        w.Line("/// Registers the message contracts (for <see cref=\"global::Warren.IPublisher\"/>), the topology, every consumer class");
        w.Line("/// (scoped, one instance per message) with its queue and dispatcher, and every <c>[Publisher]</c> interface.");
        w.Line("/// </summary>");
        w.Open("public static global::Warren.WarrenBuilder AddGeneratedHandlers(this global::Warren.WarrenBuilder builder)");
        w.Line("global::Warren.Generated.WarrenContracts.Register();");
        w.Line("builder.AddTopology(global::Warren.Generated.WarrenTopology.Create());");
        foreach (var consumer in model.Consumers)
        {
            w.Line($"global::Microsoft.Extensions.DependencyInjection.Extensions.ServiceCollectionDescriptorExtensions.TryAddScoped<{consumer.TypeName}>(builder.Services);");
            var parts = new System.Collections.Generic.List<string>();
            if (consumer.Queue.Prefetch > 0)
            {
                parts.Add($"Prefetch = {consumer.Queue.Prefetch}");
            }

            if (consumer.Queue.Concurrency > 0)
            {
                parts.Add($"Concurrency = {consumer.Queue.Concurrency}");
            }

            if (consumer.Queue.HandlerTimeoutMilliseconds > 0)
            {
                parts.Add($"HandlerTimeout = global::System.TimeSpan.FromMilliseconds({consumer.Queue.HandlerTimeoutMilliseconds})");
            }

            if (consumer.Queue.DeadLetter is { } dl)
            {
                parts.Add(RetryPolicy(dl));
            }

            var settings = parts.Count == 0 ? string.Empty : " { " + string.Join(", ", parts) + " }";

            w.Line($"builder.AddConsumer(new global::Warren.ConsumerDefinition({Literals.String(consumer.Queue.Name)}, new global::Warren.Generated.{DispatcherEmitter.ClassName(consumer)}()){settings});");
        }

        foreach (var publisher in model.Publishers)
        {
            w.Line($"global::Microsoft.Extensions.DependencyInjection.Extensions.ServiceCollectionDescriptorExtensions.TryAddSingleton<{publisher.InterfaceName}, global::Warren.Generated.{PublisherEmitter.ClassName(publisher)}>(builder.Services);");
        }

        foreach (var service in model.RpcServices)
        {
            w.Line($"global::Microsoft.Extensions.DependencyInjection.Extensions.ServiceCollectionDescriptorExtensions.TryAddSingleton<{service.InterfaceName}, global::Warren.Generated.{RpcEmitter.ProxyClassName(service)}>(builder.Services);");
        }

        foreach (var server in model.RpcServers)
        {
            w.Line($"global::Microsoft.Extensions.DependencyInjection.Extensions.ServiceCollectionDescriptorExtensions.TryAddScoped<{server.TypeName}>(builder.Services);");
            foreach (var service in server.Services)
            {
                var parts = new System.Collections.Generic.List<string>();
                if (service.Prefetch > 0)
                {
                    parts.Add($"Prefetch = {service.Prefetch}");
                }

                if (service.Concurrency > 0)
                {
                    parts.Add($"Concurrency = {service.Concurrency}");
                }

                var settings = parts.Count == 0 ? string.Empty : " { " + string.Join(", ", parts) + " }";
                w.Line($"builder.AddConsumer(new global::Warren.ConsumerDefinition({Literals.String(service.Queue)}, new global::Warren.Generated.{RpcEmitter.ServerClassName(server, service)}()){settings});");
            }
        }

        w.Line("return builder;");
        w.Close();
        w.Close();
        w.Close();
        return w.ToString();
    }

    private static string RetryPolicy(DeadLetterModel dl) => "Retry = " + RetryPolicyExpression(dl);

    /// <summary>A <c>new RetryPolicy { … }</c> expression for a dead-letter model.</summary>
    public static string RetryPolicyExpression(DeadLetterModel dl)
    {
        var delays = string.Join(", ", dl.RetryDelays.Select(d => $"global::System.TimeSpan.FromMilliseconds({d})"));
        var nonRetryable = dl.DoNotRetry.Count == 0
            ? string.Empty
            : ", IsNonRetryable = static exception => " + string.Join(" || ", dl.DoNotRetry.Select(t => $"exception is {t}"));
        var prefix = dl.RetryQueuePrefix == dl.RoutingKey ? string.Empty : $", RetryQueuePrefix = {Literals.String(dl.RetryQueuePrefix)}";
        return $"new global::Warren.RetryPolicy {{ ImmediateRetries = {dl.ImmediateRetries}, MaxRetries = {dl.MaxRetries}, Delays = new global::System.TimeSpan[] {{ {delays} }}, DeadLetterExchange = {Literals.String(dl.Exchange)}, DeadLetterRoutingKey = {Literals.String(dl.RoutingKey)}{prefix}{nonRetryable} }}";
    }
}

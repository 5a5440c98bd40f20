using System;
using System.Collections.Concurrent;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RabbitMQ.Client;
using Warren.Generators.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Warren.Generators.Tests.Broker;

/// <summary>
/// A message without <c>[Topic]</c> is published with its contract name as the routing key, and its handler's queue is
/// bound with that key: published through a <c>[Publisher]</c> interface and through <c>IPublisher</c>, to a direct and
/// a topic exchange, with a default, a <c>[Message]</c> and a qualified (WRN035) contract name, every message reaches
/// its handler (before, none was bound and every publish failed as unroutable).
/// </summary>
[Collection(BrokerNode.Collection)]
public sealed class DefaultBindingBrokerTests(BrokerNodeFixture broker, ITestOutputHelper output)
{
    [Fact]
    public async Task Messages_without_topic_reach_their_handlers_through_a_publisher_interface_and_the_runtime_publisher()
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        var source = $$"""
            using System.Text.Json.Serialization;
            using System.Threading.Tasks;
            using Warren;

            namespace Users
            {
                [Exchange("d{{id}}.users", ExchangeKind.Direct)]
                public sealed record Created(string Text);
            }

            namespace Billing
            {
                [Exchange("d{{id}}.billing", ExchangeKind.Topic)]
                public sealed record Created(string Text);
            }

            namespace App
            {
                [Exchange("d{{id}}.local", ExchangeKind.Direct)]
                public sealed record LocalAlert(string Text);

                [Exchange("d{{id}}.events", ExchangeKind.Topic)]
                public sealed record TopicAlert(string Text);

                [Exchange("d{{id}}.events", ExchangeKind.Topic)]
                [Message("alert.named")]
                public sealed record NamedAlert(string Text);

                [Queue("d{{id}}.alerts2")]
                public sealed class A2 { public Task Handle(LocalAlert a) { Probing.Probe.Record("local", a.Text); return Task.CompletedTask; } }

                [Queue("d{{id}}.topic")]
                public sealed class TopicAlerts { public Task Handle(TopicAlert a) { Probing.Probe.Record("topic", a.Text); return Task.CompletedTask; } }

                [Queue("d{{id}}.named")]
                public sealed class NamedAlerts { public Task Handle(NamedAlert a) { Probing.Probe.Record("named", a.Text); return Task.CompletedTask; } }

                [Queue("d{{id}}.users")]
                public sealed class UsersCreated { public Task Handle(Users.Created c) { Probing.Probe.Record("users", c.Text); return Task.CompletedTask; } }

                [Queue("d{{id}}.billing")]
                public sealed class BillingCreated { public Task Handle(Billing.Created c) { Probing.Probe.Record("billing", c.Text); return Task.CompletedTask; } }

                [Publisher]
                public partial interface IAlerts
                {
                    ValueTask Local(LocalAlert alert);
                    ValueTask Topic(TopicAlert alert);
                    ValueTask Named(NamedAlert alert);
                    ValueTask Users(Users.Created created);
                    ValueTask Billing(Billing.Created created);
                }

                [JsonSerializable(typeof(LocalAlert))]
                [JsonSerializable(typeof(TopicAlert))]
                [JsonSerializable(typeof(NamedAlert))]
                [JsonSerializable(typeof(Users.Created), TypeInfoPropertyName = "UsersCreated")]
                [JsonSerializable(typeof(Billing.Created), TypeInfoPropertyName = "BillingCreated")]
                internal sealed partial class Json : JsonSerializerContext;
            }
            """;
        var app = Build(GeneratorHarness.Run(GeneratedApp.ProbeSource, source));
        var messages = new (string Method, string Type, string Probe)[]
        {
            ("Local", "App.LocalAlert", "local"),
            ("Topic", "App.TopicAlert", "topic"),
            ("Named", "App.NamedAlert", "named"),
            ("Users", "Users.Created", "users"),
            ("Billing", "Billing.Created", "billing"),
        };
        var provider = await StartAsync(app);
        try
        {
            var alerts = app.GetType("App.IAlerts", throwOnError: true)!;
            var publisher = provider.GetRequiredService(alerts);
            var runtime = provider.GetRequiredService<IPublisher>();
            foreach (var (method, type, _) in messages)
            {
                var messageType = app.GetType(type, throwOnError: true)!;
                await (ValueTask)alerts.GetMethod(method)!.Invoke(publisher, [Activator.CreateInstance(messageType, "interface")])!;
                await (ValueTask)typeof(IPublisher).GetMethods().Single(m => m.Name == nameof(IPublisher.PublishAsync) && m.GetParameters().Length == 2)
                    .MakeGenericMethod(messageType).Invoke(runtime, [Activator.CreateInstance(messageType, "runtime"), CancellationToken.None])!;
            }

            var expected = messages.SelectMany(m => new[] { m.Probe + ":interface", m.Probe + ":runtime" }).Order(StringComparer.Ordinal).ToArray();
            await WaitUntilAsync(() => Probe(app).Length >= expected.Length, $"{expected.Length} deliveries");
            Assert.Equal(expected, Probe(app).Order(StringComparer.Ordinal));
        }
        catch
        {
            output.WriteLine("calls: " + string.Join(", ", Probe(app)));
            throw;
        }
        finally
        {
            await StopAsync(provider);
            await using var channel = await broker.Connection.CreateChannelAsync();
            foreach (var queue in new[] { "alerts2", "topic", "named", "users", "billing" })
            {
                foreach (var suffix in new[] { string.Empty, ".dlq", ".retry.1", ".retry.2", ".retry.3" })
                {
                    await channel.QueueDeleteAsync($"d{id}.{queue}{suffix}");
                }

                await channel.ExchangeDeleteAsync($"d{id}.{queue}.dlx");
            }

            foreach (var exchange in new[] { "users", "billing", "local", "events" })
            {
                await channel.ExchangeDeleteAsync($"d{id}.{exchange}");
            }
        }
    }

    private static Assembly Build(GeneratorRun run)
    {
        var errors = run.CompileDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, "the application does not compile:\n" + string.Join("\n", errors));
        using var image = new MemoryStream();
        var emitted = run.Output.Emit(image);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
        return Assembly.Load(image.ToArray());
    }

    /// <summary>The generated application as its host runs it: AddWarren, the generated registration, the hosted services.</summary>
    private async Task<ServiceProvider> StartAsync(Assembly app)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        var builder = services.AddWarren(o =>
        {
            o.Url = broker.Url;
            o.ClientName = "default-binding";
            o.StartMode = WarrenStartMode.FailFast;
        });
        GeneratedNames.AddGeneratedHandlers(app)
            .Invoke(null, [builder]);
        var provider = services.BuildServiceProvider();
        foreach (var hosted in provider.GetServices<IHostedService>())
        {
            await hosted.StartAsync(CancellationToken.None);
        }

        return provider;
    }

    private static async Task StopAsync(ServiceProvider provider)
    {
        foreach (var hosted in provider.GetServices<IHostedService>().Reverse())
        {
            await hosted.StopAsync(CancellationToken.None);
        }

        await provider.DisposeAsync();
    }

    private static string[] Probe(Assembly app) =>
        ((ConcurrentQueue<string>)app.GetType("Probing.Probe", throwOnError: true)!.GetField("Calls")!.GetValue(null)!).ToArray();

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"no {what} within 30 s");
            }

            await Task.Delay(50);
        }
    }
}

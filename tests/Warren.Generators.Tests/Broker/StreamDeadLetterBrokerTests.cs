using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Warren.Generators.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Warren.Generators.Tests.Broker;

/// <summary>
/// A stream's dead-letter queue is a quorum queue, and a class consuming it (in the same assembly as the stream's
/// consumer) declares it so too (<c>DeadLetterConsumers</c>). On the broker: the stream's service and the service with
/// the dead-letter consumer, each a generated application with its own connection, start in either order with no
/// <c>406 PRECONDITION_FAILED</c>, the dead-letter queue is a quorum queue, and a message the stream's handler refuses
/// reaches the dead-letter consumer (and nothing else does).
/// </summary>
[Collection(BrokerNode.Collection)]
public sealed class StreamDeadLetterBrokerTests(BrokerNodeFixture broker, ITestOutputHelper output)
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_streams_service_and_its_dead_letter_consumer_start_in_either_order_and_the_dead_letter_arrives(bool streamServiceFirst)
    {
        var stream = $"audit-{Guid.NewGuid():N}"[..14];
        var dlq = stream + ".dlq";
        var readings = $$"""
            using System;
            using System.Text.Json.Serialization;
            using Warren;
            namespace App;
            public sealed record Reading(string Id, bool Poison = false);
            [JsonSerializable(typeof(Reading))]
            internal sealed partial class Json : JsonSerializerContext;
            """;
        var streamConsumer = $$"""
            namespace App;
            [Warren.Queue("{{stream}}", Type = Warren.QueueType.Stream)]
            public sealed class Audit
            {
                public void Handle(Reading r)
                {
                    Probing.Probe.Record("stream", r.Id);
                    if (r.Poison) { throw new System.InvalidOperationException("a poison reading"); }
                }
            }
            """;
        // Written before the stream's consumer: its declaration of the queue comes first in the generated topology.
        var deadLetterConsumer = $$"""
            namespace App;
            [Warren.Queue("{{dlq}}")]
            public sealed class AuditFailures { public void Handle(Reading r) => Probing.Probe.Record("dlq", r.Id); }
            """;
        var streamService = Build(GeneratorHarness.Run(GeneratedApp.ProbeSource, readings, streamConsumer));
        var deadLetterService = Build(GeneratorHarness.Run(GeneratedApp.ProbeSource, readings, deadLetterConsumer, streamConsumer));
        var logs = new LogCollector();
        var services = new List<RunningService>();
        try
        {
            foreach (var (name, assembly) in streamServiceFirst ? [("stream service", streamService), ("dead-letter service", deadLetterService)] : new[] { ("dead-letter service", deadLetterService), ("stream service", streamService) })
            {
                // Fail fast: a declaration the broker refuses (406) fails the start.
                services.Add(await RunningService.StartAsync(assembly, broker.Url, name, logs));
                output.WriteLine($"{name} started");
            }

            // The broker holds the dead-letter queue as a quorum queue: redeclaring it so is equivalent (a classic queue
            // would answer 406).
            await using (var channel = await broker.Connection.CreateChannelAsync())
            {
                await channel.QueueDeclareAsync(dlq, durable: true, exclusive: false, autoDelete: false, new Dictionary<string, object?> { ["x-queue-type"] = "quorum" });
            }

            await using (var channel = await broker.Connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true)))
            {
                foreach (var (id, poison) in new[] { ("good-1", false), ("poison", true), ("good-2", false) })
                {
                    var body = Encoding.UTF8.GetBytes($$"""{"Id":"{{id}}","Poison":{{(poison ? "true" : "false")}}}""");
                    await channel.BasicPublishAsync(string.Empty, stream, mandatory: true, new BasicProperties { ContentType = "application/json", Persistent = true }, body);
                }
            }

            // Both services read the stream (the dead-letter service has the stream's consumer too, which is how its
            // generator knows the queue is a stream's): each sends its own copy of the poison reading.
            await WaitUntilAsync(
                () => Probe(deadLetterService).Count(c => c == "dlq:poison") == 2 && Probe(streamService).Contains("stream:good-2") && Probe(deadLetterService).Contains("stream:good-2"),
                "both copies of the poison reading at the dead-letter consumer, and the last reading at both stream consumers");
            Assert.Equal(["stream:good-1", "stream:poison", "stream:good-2"], Probe(streamService));
            Assert.Equal(["dlq:poison", "dlq:poison"], Probe(deadLetterService).Where(c => c.StartsWith("dlq:", StringComparison.Ordinal)));
            Assert.DoesNotContain(logs.Entries, e => e.Contains("PRECONDITION_FAILED", StringComparison.Ordinal) || e.Contains("code=406", StringComparison.Ordinal));
        }
        catch
        {
            output.WriteLine($"stream service calls: {string.Join(", ", Probe(streamService))}; dead-letter service calls: {string.Join(", ", Probe(deadLetterService))}");
            try
            {
                await using var channel = await broker.Connection.CreateChannelAsync();
                var state = await channel.QueueDeclarePassiveAsync(dlq);
                output.WriteLine($"{dlq}: {state.MessageCount} ready, {state.ConsumerCount} consumers");
            }
            catch (Exception exception)
            {
                // The queue may not exist when a start failed: the failure being reported is the test's, not this one.
                output.WriteLine($"{dlq}: not readable ({exception.GetType().Name}: {exception.Message})");
            }

            foreach (var entry in logs.Entries)
            {
                output.WriteLine(entry);
            }

            throw;
        }
        finally
        {
            for (var i = services.Count - 1; i >= 0; i--)
            {
                await services[i].DisposeAsync();
            }

            await using var cleanup = await broker.Connection.CreateChannelAsync();
            foreach (var queue in new[] { stream, dlq, dlq + ".dlq", dlq + ".retry.1", dlq + ".retry.2", dlq + ".retry.3" })
            {
                await cleanup.QueueDeleteAsync(queue);
            }

            foreach (var exchange in new[] { stream + ".dlx", dlq + ".dlx" })
            {
                await cleanup.ExchangeDeleteAsync(exchange);
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

    /// <summary>A generated application run as its host runs it: AddWarren, the generated registration, the hosted services.</summary>
    private sealed class RunningService : IAsyncDisposable
    {
        private readonly ServiceProvider _provider;
        private readonly List<IHostedService> _started = [];

        private RunningService(ServiceProvider provider) => _provider = provider;

        public static async Task<RunningService> StartAsync(Assembly app, string url, string name, LogCollector logs)
        {
            var services = new ServiceCollection();
            services.AddLogging(l => l.AddProvider(new LogProvider(logs, name)));
            var builder = services.AddWarren(o =>
            {
                o.Url = url;
                o.ClientName = name;
                o.StartMode = WarrenStartMode.FailFast;
            });
            app.GetType("Warren.WarrenGeneratedRegistration", throwOnError: true)!
                .GetMethod("AddGeneratedHandlers", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)!
                .Invoke(null, [builder]);
            var running = new RunningService(services.BuildServiceProvider());
            try
            {
                foreach (var hosted in running._provider.GetServices<IHostedService>())
                {
                    await hosted.StartAsync(CancellationToken.None);
                    running._started.Add(hosted);
                }
            }
            catch
            {
                await running.DisposeAsync();
                throw;
            }

            return running;
        }

        public async ValueTask DisposeAsync()
        {
            for (var i = _started.Count - 1; i >= 0; i--)
            {
                await _started[i].StopAsync(CancellationToken.None);
            }

            await _provider.DisposeAsync();
        }
    }

    private sealed class LogCollector
    {
        public ConcurrentQueue<string> Entries { get; } = new();
    }

    private sealed class LogProvider(LogCollector logs, string service) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(logs, $"{service} {categoryName}");

        public void Dispose()
        {
        }

        private sealed class Logger(LogCollector logs, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                logs.Entries.Enqueue($"{logLevel} {category}: {formatter(state, exception)}{(exception is null ? string.Empty : " " + exception.Message)}");
        }
    }
}

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
            await StopAndDeleteAsync(services, stream, dlq);
        }
    }

    /// <summary>
    /// The shared-library layout: the stream's consumer lives in a library; the dead-letter service references it and
    /// declares the consumer of the dead-letter queue in its own assembly. Its generator reads the library's dead-letter
    /// queues from metadata, so both declare the dead-letter queue as a quorum queue, in either start order.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_dead_letter_consumer_in_another_assembly_than_the_stream_declares_the_same_queue_in_either_order(bool streamServiceFirst)
    {
        var stream = $"audit-{Guid.NewGuid():N}"[..14];
        var dlq = stream + ".dlq";
        var library = GeneratorHarness.Run("Audit.Library" + stream[6..], [], GeneratedApp.ProbeSource, $$"""
            using System.Text.Json.Serialization;
            namespace Audit.Library;
            public sealed record Reading(string Id, bool Poison = false);
            [JsonSerializable(typeof(Reading))]
            public sealed partial class AuditJson : JsonSerializerContext;
            [Warren.Queue("{{stream}}", Type = Warren.QueueType.Stream)]
            public sealed class Audit
            {
                public void Handle(Reading r)
                {
                    Probing.Probe.Record("stream", r.Id);
                    if (r.Poison) { throw new System.InvalidOperationException("a poison reading"); }
                }
            }
            """);
        var libraryImage = Image(library);
        var host = GeneratorHarness.Run("Audit.Host" + stream[6..], [MetadataReference.CreateFromImage(libraryImage)], $$"""
            namespace Audit.Host;
            [Warren.Queue("{{dlq}}")]
            public sealed class AuditFailures { public void Handle(Audit.Library.Reading r) => Probing.Probe.Record("dlq", r.Id); }
            """);
        var hostImage = Image(host);

        // Each service in its own load context: the library (with its probe) once per service.
        var streamContext = new ServiceContext("stream service");
        var streamService = streamContext.Add(libraryImage);
        var deadLetterContext = new ServiceContext("dead-letter service");
        var deadLetterLibrary = deadLetterContext.Add(libraryImage);
        var deadLetterService = deadLetterContext.Add(hostImage);
        await RunBothAsync(
            streamServiceFirst,
            stream,
            ("stream service", streamService, () => Probe(streamService)),
            ("dead-letter service", deadLetterService, () => Probe(deadLetterLibrary)));
    }

    /// <summary>
    /// A quorum work queue with a hand-written <c>[DeadLetter]</c>: its dead-letter and retry queues are quorum queues
    /// (what the runtime's default policy declares beside a quorum queue), a failing message goes through the retry queue
    /// back to the work queue and then to the dead-letter queue, and a class consuming that queue declares it the same way.
    /// </summary>
    [Fact]
    public async Task A_quorum_queues_dead_letter_and_retry_queues_are_quorum_queues_and_the_dead_letter_arrives()
    {
        var queue = $"orders-{Guid.NewGuid():N}"[..15];
        var run = GeneratorHarness.Run(GeneratedApp.ProbeSource, $$"""
            using System.Text.Json.Serialization;
            namespace App;
            public sealed record Order(string Id, bool Poison = false);
            [JsonSerializable(typeof(Order))]
            internal sealed partial class Json : JsonSerializerContext;
            [Warren.Queue("{{queue}}", Type = Warren.QueueType.Quorum)]
            [Warren.DeadLetter(MaxRetries = 1, RetryDelays = new[] { "1s" })]
            public sealed class Orders
            {
                public void Handle(Order o)
                {
                    Probing.Probe.Record("work", o.Id);
                    if (o.Poison) { throw new System.InvalidOperationException("a poison order"); }
                }
            }
            [Warren.Queue("{{queue}}.dlq")]
            public sealed class OrderFailures { public void Handle(Order o) => Probing.Probe.Record("dlq", o.Id); }
            """);
        var app = Build(run);
        var logs = new LogCollector();
        RunningService? service = null;
        try
        {
            service = await RunningService.StartAsync(app, broker.Url, "orders service", logs);
            Assert.Equal("quorum", await QueueTypeAsync(queue + ".dlq"));
            Assert.Equal("quorum", await QueueTypeAsync(queue + ".retry.1", new() { ["x-dead-letter-exchange"] = string.Empty, ["x-dead-letter-routing-key"] = queue, ["x-message-ttl"] = 1000L }));
            await using (var channel = await broker.Connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true)))
            {
                foreach (var (id, poison) in new[] { ("good", false), ("poison", true) })
                {
                    var body = Encoding.UTF8.GetBytes($$"""{"Id":"{{id}}","Poison":{{(poison ? "true" : "false")}}}""");
                    await channel.BasicPublishAsync(string.Empty, queue, mandatory: true, new BasicProperties { ContentType = "application/json", Persistent = true }, body);
                }
            }

            await WaitUntilAsync(() => Probe(app).Contains("dlq:poison"), "the poison order at the dead-letter consumer");
            // One delayed retry: the poison order is handled twice, then dead-lettered once.
            Assert.Equal(["dlq:poison", "work:good", "work:poison", "work:poison"], Probe(app).Order(StringComparer.Ordinal));
            Assert.DoesNotContain(logs.Entries, e => e.Contains("PRECONDITION_FAILED", StringComparison.Ordinal) || e.Contains("code=406", StringComparison.Ordinal));
        }
        catch
        {
            output.WriteLine($"calls: {string.Join(", ", Probe(app))}");
            output.WriteLine(run.Sources["Warren.Topology.g.cs"]);
            foreach (var entry in logs.Entries)
            {
                output.WriteLine(entry);
            }

            throw;
        }
        finally
        {
            if (service is not null)
            {
                await service.DisposeAsync();
            }

            await using var cleanup = await broker.Connection.CreateChannelAsync();
            foreach (var name in new[] { queue, queue + ".dlq", queue + ".retry.1", queue + ".dlq.dlq", queue + ".dlq.retry.1", queue + ".dlq.retry.2", queue + ".dlq.retry.3" })
            {
                await cleanup.QueueDeleteAsync(name);
            }

            foreach (var exchange in new[] { queue + ".dlx", queue + ".dlq.dlx" })
            {
                await cleanup.ExchangeDeleteAsync(exchange);
            }
        }
    }

    /// <summary>
    /// The type a queue has on the broker: redeclared (with the <paramref name="arguments"/> it was declared with) as a
    /// quorum queue, then as a classic one, on throwaway channels; the broker answers 406 to the type it does not have.
    /// </summary>
    private async Task<string> QueueTypeAsync(string queue, Dictionary<string, object?>? arguments = null)
    {
        var refusals = new List<string>();
        foreach (var type in new[] { "quorum", "classic" })
        {
            try
            {
                await using var channel = await broker.Connection.CreateChannelAsync();
                var declared = new Dictionary<string, object?>(arguments ?? []);
                if (type != "classic")
                {
                    declared["x-queue-type"] = type;
                }

                await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, declared);
                return type;
            }
            catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 406)
            {
                refusals.Add(e.ShutdownReason.ReplyText);
            }
        }

        return "neither quorum nor classic: " + string.Join("; ", refusals);
    }

    /// <summary>
    /// Starts the two services in the order asked, publishes three readings to the stream (one poison), and checks that
    /// both stream consumers read all three and that both copies of the poison reading reach the dead-letter consumer.
    /// </summary>
    private async Task RunBothAsync(bool streamServiceFirst, string stream, (string Name, Assembly App, Func<string[]> Calls) streamService, (string Name, Assembly App, Func<string[]> Calls) deadLetterService)
    {
        var dlq = stream + ".dlq";
        var logs = new LogCollector();
        var services = new List<RunningService>();
        try
        {
            foreach (var (name, assembly, _) in streamServiceFirst ? [streamService, deadLetterService] : new[] { deadLetterService, streamService })
            {
                services.Add(await RunningService.StartAsync(assembly, broker.Url, name, logs));
                output.WriteLine($"{name} started");
            }

            Assert.Equal("quorum", await QueueTypeAsync(dlq));
            await using (var channel = await broker.Connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true)))
            {
                foreach (var (id, poison) in new[] { ("good-1", false), ("poison", true), ("good-2", false) })
                {
                    var body = Encoding.UTF8.GetBytes($$"""{"Id":"{{id}}","Poison":{{(poison ? "true" : "false")}}}""");
                    await channel.BasicPublishAsync(string.Empty, stream, mandatory: true, new BasicProperties { ContentType = "application/json", Persistent = true }, body);
                }
            }

            await WaitUntilAsync(
                () => deadLetterService.Calls().Count(c => c == "dlq:poison") == 2 && streamService.Calls().Contains("stream:good-2") && deadLetterService.Calls().Contains("stream:good-2"),
                "both copies of the poison reading at the dead-letter consumer, and the last reading at both stream consumers");
            Assert.Equal(["stream:good-1", "stream:poison", "stream:good-2"], streamService.Calls());
            Assert.Equal(["dlq:poison", "dlq:poison"], deadLetterService.Calls().Where(c => c.StartsWith("dlq:", StringComparison.Ordinal)));
            Assert.DoesNotContain(logs.Entries, e => e.Contains("PRECONDITION_FAILED", StringComparison.Ordinal) || e.Contains("code=406", StringComparison.Ordinal));
        }
        catch
        {
            output.WriteLine($"stream service calls: {string.Join(", ", streamService.Calls())}; dead-letter service calls: {string.Join(", ", deadLetterService.Calls())}");
            foreach (var entry in logs.Entries)
            {
                output.WriteLine(entry);
            }

            throw;
        }
        finally
        {
            await StopAndDeleteAsync(services, stream, dlq);
        }
    }

    /// <summary>Stops the services, last started first, and deletes what a run declares for <paramref name="stream"/> and its <paramref name="dlq"/>.</summary>
    private async Task StopAndDeleteAsync(List<RunningService> services, string stream, string dlq)
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

    private static byte[] Image(GeneratorRun run)
    {
        var errors = run.CompileDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, "the assembly does not compile:\n" + string.Join("\n", errors));
        using var image = new MemoryStream();
        var emitted = run.Output.Emit(image);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
        return image.ToArray();
    }

    /// <summary>A service's assemblies, loaded apart from every other service's (Warren and the framework are shared).</summary>
    private sealed class ServiceContext(string name) : System.Runtime.Loader.AssemblyLoadContext(name)
    {
        private readonly Dictionary<string, Assembly> _loaded = new(StringComparer.Ordinal);

        public Assembly Add(byte[] image)
        {
            var assembly = LoadFromStream(new MemoryStream(image));
            _loaded[assembly.GetName().Name!] = assembly;
            return assembly;
        }

        protected override Assembly? Load(AssemblyName assemblyName) => _loaded.GetValueOrDefault(assemblyName.Name!);
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
            GeneratedNames.AddGeneratedHandlers(app)
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

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;

namespace Warren.Generators.Tests.Infrastructure;

/// <summary>
/// A user compilation with everything generated, emitted and loaded: its consumers, topology and dispatchers as the
/// application would register them, driven with hand-made deliveries. Handlers in test sources record their calls
/// in <c>Probe.Calls</c> (see <see cref="ProbeSource"/>).
/// </summary>
internal sealed class GeneratedApp
{
    /// <summary>Add to a test's sources: handlers call <c>Probe.Record("name", message)</c>.</summary>
    public const string ProbeSource = """
        namespace Probing
        {
            public static class Probe
            {
                public static readonly System.Collections.Concurrent.ConcurrentQueue<string> Calls = new();

                public static readonly System.Collections.Concurrent.ConcurrentQueue<System.Type> Types = new();

                public static void Record(string handler, object? message) => Calls.Enqueue(handler + ":" + message);

                public static void RecordType(object? message) => Types.Enqueue(message?.GetType() ?? typeof(void));
            }
        }
        """;

    private readonly Assembly _assembly;

    private GeneratedApp(Assembly assembly, ServiceProvider services)
    {
        _assembly = assembly;
        Services = services;
        Consumers = services.GetServices<ConsumerDefinition>().ToList();
        Topology = new Topology();
        foreach (var topology in services.GetServices<Topology>())
        {
            Topology.Add(topology);
        }
    }

    public ServiceProvider Services { get; }

    public IReadOnlyList<ConsumerDefinition> Consumers { get; }

    public Topology Topology { get; }

    public static GeneratedApp Load(GeneratorRun run)
    {
        var errors = run.CompileDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (errors.Count > 0)
        {
            throw new InvalidOperationException("the generated application does not compile:\n" + string.Join("\n", errors));
        }

        using var stream = new MemoryStream();
        var emitted = run.Output.Emit(stream);
        if (!emitted.Success)
        {
            throw new InvalidOperationException(string.Join("\n", emitted.Diagnostics));
        }

        var assembly = Assembly.Load(stream.ToArray());
        var services = new ServiceCollection();
        services.AddLogging();
        // A URL is required by validation; nothing here connects.
        var builder = services.AddWarren(o => o.Url = "amqp://guest:guest@127.0.0.1:1/");
        var register = GeneratedNames.AddGeneratedHandlers(assembly);
        register.Invoke(null, [builder]);
        return new GeneratedApp(assembly, services.BuildServiceProvider());
    }

    /// <summary>A generated type of the application, by its full name.</summary>
    public Type Type(string fullName) => _assembly.GetType(fullName, throwOnError: true)!;

    /// <summary>A generated internal type of the application, by its name in the application's generated namespace.</summary>
    public Type GeneratedType(string name) => Type(GeneratedNames.Of(_assembly, name));

    public ConsumerDefinition Consumer(string queue) =>
        Consumers.SingleOrDefault(c => c.Queue == queue) ?? throw new InvalidOperationException($"no consumer of queue {queue}; there are: {string.Join(", ", Consumers.Select(c => c.Queue))}");

    /// <summary>Dispatches one delivery to the consumer of <paramref name="queue"/>; returns the outcome and the handler calls it made.</summary>
    public async Task<(DispatchOutcome Outcome, string[] Calls)> DispatchAsync(
        string queue, string body, string? type = null, string exchange = "", string? routingKey = null, IDictionary<string, object?>? headers = null)
    {
        var calls = Calls();
        while (calls.TryDequeue(out _))
        {
        }

        await using var scope = Services.CreateAsyncScope();
        var context = new MessageContext(queue, Encoding.UTF8.GetBytes(body), scope.ServiceProvider, CancellationToken.None)
        {
            Exchange = exchange,
            RoutingKey = routingKey ?? queue,
            MessageType = type,
            RawHeaders = headers,
        };
        var outcome = await Consumer(queue).Dispatcher.DispatchAsync(context);
        return (outcome, calls.ToArray());
    }

    /// <summary>Dispatches one delivery with a type; returns the outcome and the runtime types of the messages handlers received.</summary>
    public async Task<(DispatchOutcome Outcome, Type[] Received)> DispatchTypedAsync(ConsumerDefinition consumer, string body, string type)
    {
        var types = (System.Collections.Concurrent.ConcurrentQueue<Type>)_assembly.GetType("Probing.Probe", throwOnError: true)!.GetField("Types")!.GetValue(null)!;
        while (types.TryDequeue(out _))
        {
        }

        await using var scope = Services.CreateAsyncScope();
        var context = new MessageContext(consumer.Queue, Encoding.UTF8.GetBytes(body), scope.ServiceProvider, CancellationToken.None)
        {
            Exchange = string.Empty,
            RoutingKey = consumer.Queue,
            MessageType = type,
        };
        var outcome = await consumer.Dispatcher.DispatchAsync(context);
        return (outcome, types.ToArray());
    }

    private System.Collections.Concurrent.ConcurrentQueue<string> Calls() =>
        (System.Collections.Concurrent.ConcurrentQueue<string>)_assembly.GetType("Probing.Probe", throwOnError: true)!.GetField("Calls")!.GetValue(null)!;
}

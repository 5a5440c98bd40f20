using System;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RabbitMQ.Client;
using Warren.IntegrationTests.Generated;
using Warren.IntegrationTests.Reliability;
using Warren.IntegrationTests.Rpc;
using Warren.IntegrationTests.Runtime;
using Warren.Testing;

namespace Warren.IntegrationTests.Conformance;

/// <summary>The application of this assembly, started on one of the two transports the suite compares.</summary>
internal abstract class ConformanceRun : IAsyncDisposable
{
    public Recorder Recorder { get; } = new();

    public Gates Gates { get; } = new();

    public Attempts Attempts { get; } = new();

    /// <summary>What the text and byte handlers received, as <c>queue: value</c>.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> Payloads { get; } = new();

    public abstract string Name { get; }

    public abstract IServiceProvider Services { get; }

    public T Get<T>()
        where T : notnull => Services.GetRequiredService<T>();

    /// <summary>Runs an action that may wait on the clock (an RPC deadline): the in-memory run lets virtual time pass meanwhile.</summary>
    public abstract Task<Exception?> RunAsync(Func<Task> action);

    /// <summary>Waits until <paramref name="condition"/> holds (in memory: letting virtual time pass when nothing else happens).</summary>
    public abstract Task WaitUntilAsync(Func<bool> condition, string what);

    /// <summary>Waits until <paramref name="queue"/> holds at least <paramref name="count"/> ready messages.</summary>
    public abstract Task WaitForMessagesAsync(string queue, int count);

    /// <summary>Waits until nothing more happens that the suite can observe.</summary>
    public abstract Task SettleAsync();

    public async Task<IConnection> ConnectionAsync() => await Get<WarrenConnections>().GetConsumeConnectionAsync();

    public abstract ValueTask DisposeAsync();

    protected void Register(WarrenBuilder warren)
    {
        warren.Services.AddSingleton(Recorder);
        warren.Services.AddSingleton(Gates);
        warren.Services.AddSingleton(Attempts);
        warren.Services.AddSingleton(new ServerName("conformance"));
        warren.Services.AddSingleton<NoteBook>();
        warren.AddGeneratedHandlers();

        // The stalled service's queue exists without a server; the lonely exchange exists without a binding.
        warren.AddTopology(new Topology()
            .Add(new ExchangeDeclaration("conf.lonely", ExchangeTypes.Direct))
            .Add(new QueueDeclaration("rpc.conf-stalled"))
            .Add(new QueueDeclaration("conf.text", Durable: false))
            .Add(new QueueDeclaration("conf.bytes", Durable: false))
            .Add(new QueueDeclaration("rpc.conf-text", Durable: false)));

        // Text and byte handlers, and a service taking and returning text.
        warren.AddConsumer(new ConsumerDefinition("conf.text", MessageDispatcher.Create(PayloadFormat.Text, (text, context) =>
        {
            Payloads.Enqueue($"conf.text: {text} (content-type {context.ContentType})");
            return ValueTask.CompletedTask;
        })));
        warren.AddConsumer(new ConsumerDefinition("conf.bytes", MessageDispatcher.Create(PayloadFormat.Bytes, (bytes, context) =>
        {
            Payloads.Enqueue($"conf.bytes: {Convert.ToHexString(bytes)} (content-type {context.ContentType})");
            return ValueTask.CompletedTask;
        })));
        warren.AddConsumer(new ConsumerDefinition("rpc.conf-text", new UpperCaseServer()) { Retry = RetryPolicy.Disabled });
    }

    private sealed class UpperCaseServer : IMessageDispatcher
    {
        public ValueTask<DispatchOutcome> DispatchAsync(MessageContext context) =>
            RpcServer.ServeAsync(context, PayloadFormat.Text, PayloadFormat.Text, static (_, text, _) => Task.FromResult(text.ToUpperInvariant()));
    }
}

internal sealed class InMemoryRun : ConformanceRun
{
    private WarrenTestHarness _harness = null!;

    public override string Name => "in-memory";

    public override IServiceProvider Services => _harness.Services;

    public WarrenTestHarness Harness => _harness;

    public static async Task<InMemoryRun> StartAsync()
    {
        var run = new InMemoryRun();
        run._harness = await WarrenTestHarness.StartAsync(services => run.Register(services.AddWarren(o => o.ClientName = "warren-tests")), o => o.JsonContexts.Add(ConformanceJson.Default));
        return run;
    }

    public override async Task<Exception?> RunAsync(Func<Task> action) => (await _harness.TryRunAsync(action)).Exception;

    public override async Task WaitUntilAsync(Func<bool> condition, string what) => await _harness.WaitUntilAsync(condition);

    public override async Task SettleAsync() => await _harness.WaitForQuietAsync();

    public override async Task WaitForMessagesAsync(string queue, int count) => await _harness.WaitUntilAsync(() => _harness.Broker.MessageCount(queue) >= count);

    public override ValueTask DisposeAsync() => _harness.DisposeAsync();
}

internal sealed class BrokerRun : ConformanceRun
{
    private TestApp _app = null!;

    public override string Name => "RabbitMQ";

    public override IServiceProvider Services => _app.Services;

    public static async Task<BrokerRun> StartAsync(string url)
    {
        var run = new BrokerRun();
        run._app = await TestApp.StartAsync(url, run.Register);
        return run;
    }

    public override async Task<Exception?> RunAsync(Func<Task> action)
    {
        try
        {
            await action();
            return null;
        }
        catch (Exception ex)
        {
            return ex;
        }
    }

    public override Task WaitUntilAsync(Func<bool> condition, string what) => Broker.WaitUntilAsync(condition, TimeSpan.FromSeconds(20), what);

    public override async Task WaitForMessagesAsync(string queue, int count)
    {
        var connection = await ConnectionAsync();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (await Broker.ReadyCountAsync(connection, queue) < count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Queue '{queue}' did not reach {count} messages within 20 s.");
            }

            await Task.Delay(20);
        }
    }

    public override async Task SettleAsync()
    {
        // Nothing observable to wait for on a real broker but acknowledgements: give them a moment.
        await Task.Delay(150);
    }

    public override ValueTask DisposeAsync() => _app.DisposeAsync();
}

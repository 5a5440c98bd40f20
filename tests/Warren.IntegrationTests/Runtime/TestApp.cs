using System;
using System.Text.Json.Serialization;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;

namespace Warren.IntegrationTests.Runtime;

public sealed record Numbered(int N, string? Note = null);

[JsonSerializable(typeof(Numbered))]
internal sealed partial class RuntimeTestJson : JsonSerializerContext;

/// <summary>An application using Warren against the test broker: a generic host with AddWarren.</summary>
internal sealed class TestApp : IAsyncDisposable
{
    private readonly IHost _host;
    private bool _stopped;

    private TestApp(IHost host) => _host = host;

    public IServiceProvider Services => _host.Services;

    public IPublisher Publisher => _host.Services.GetRequiredService<IPublisher>();

    public IMessageSender Sender => _host.Services.GetRequiredService<IMessageSender>();

    public WarrenConnections Connections => _host.Services.GetRequiredService<WarrenConnections>();

    public WarrenConsumers Consumers => _host.Services.GetRequiredService<WarrenConsumers>();

    public static async Task<TestApp> StartAsync(string url, Action<WarrenBuilder>? configure = null, Action<WarrenOptions>? options = null, LogSink? logs = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
        }

        var warren = builder.Services.AddWarren(o =>
        {
            o.Url = url;
            o.ClientName = "warren-tests";
            o.NetworkRecoveryInterval = TimeSpan.FromMilliseconds(500);
            options?.Invoke(o);
        });
        configure?.Invoke(warren);
        var host = builder.Build();
        await host.StartAsync();
        return new TestApp(host);
    }

    public async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            await _host.StopAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _host.Dispose();
    }
}

/// <summary>Keeps every log line written through it, with level and exception.</summary>
internal sealed class LogSink : ILoggerProvider
{
    public System.Collections.Concurrent.ConcurrentQueue<(LogLevel Level, string Category, string Message, Exception? Exception)> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Sink(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Sink(LogSink owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Entries.Enqueue((logLevel, category, formatter(state, exception), exception));
    }
}

internal static class Names
{
    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..10]}";
}

internal static class Broker
{
    /// <summary>Ready (not yet delivered) messages in a queue, read with a passive declare on a throwaway channel.</summary>
    public static async Task<uint> ReadyCountAsync(IConnection connection, string queue)
    {
        await using var channel = await connection.CreateChannelAsync();
        var ok = await channel.QueueDeclarePassiveAsync(queue);
        return ok.MessageCount;
    }

    public static async Task DeleteQueueAsync(IConnection connection, string queue)
    {
        await using var channel = await connection.CreateChannelAsync();
        await channel.QueueDeleteAsync(queue);
    }

    public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (!condition())
        {
            if (cts.IsCancellationRequested)
            {
                throw new TimeoutException($"Timed out after {timeout} waiting for {what}.");
            }

            await Task.Delay(10);
        }
    }
}

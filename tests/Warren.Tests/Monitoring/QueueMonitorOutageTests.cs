using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using Warren.Infrastructure;
using Warren.Testing;
using Warren.Tests.Support;
using Xunit;

namespace Warren.Tests.Monitoring;

/// <summary>
/// The periodic queue-depth reading while the broker cannot be reached: one warning for the outage (not one per queue
/// and reading), the depths dropped, and one line when the readings resume. The broker is the in-memory one: what is
/// tested is Warren's bookkeeping, not the broker.
/// </summary>
public sealed class QueueMonitorOutageTests
{
    private static readonly string[] Queues = ["billing", "billing.dlq", "shipping"];

    [Fact]
    public async Task A_broker_that_cannot_be_reached_is_logged_once_for_all_watched_queues_and_the_return_once()
    {
        var broker = new InMemoryBroker();
        await using (var declaring = broker.Connect())
        {
            await using var channel = await declaring.CreateChannelAsync();
            foreach (var queue in Queues)
            {
                await channel.QueueDeclareAsync(queue, durable: false, exclusive: false, autoDelete: false);
            }
        }

        var source = new FakeSource(broker);
        await using var connections = new WarrenConnections(Options.Create(new WarrenOptions()), NullLogger<WarrenConnections>.Instance, source);
        var options = new WarrenMonitoringOptions();
        foreach (var queue in Queues)
        {
            options.Queues.Add(queue);
        }

        var logger = new ListLogger();
        var monitor = new WarrenQueueMonitor(connections, Options.Create(options), logger);

        // Down before the first connection: two readings, one warning naming the cause, no line per queue.
        broker.RefuseConnections = true;
        await monitor.SampleAsync(CancellationToken.None);
        await monitor.SampleAsync(CancellationToken.None);
        var down = Assert.Single(logger.Lines);
        Assert.StartsWith("Warning: Could not read the depth of the 3 watched queue(s): ", down, StringComparison.Ordinal);
        Assert.Contains("Could not open the consume connection", down, StringComparison.Ordinal);
        Assert.Empty(monitor.Depths);

        // Back: one line, every queue read.
        broker.RefuseConnections = false;
        await monitor.SampleAsync(CancellationToken.None);
        await monitor.SampleAsync(CancellationToken.None);
        Assert.Equal(2, logger.Lines.Count);
        Assert.Equal("Information: Reading the depth of the 3 watched queue(s) again", logger.Lines[1]);
        Assert.Equal(Queues, monitor.Depths.Select(d => d.Queue));
        Assert.All(monitor.Depths, d => Assert.True(d.Exists));

        // The open connection recovering (as RabbitMQ.Client's automatic recovery keeps it): again once, with the
        // connection's close reason, and the depths dropped rather than left stale.
        source.Fake!.Closed = true;
        await monitor.SampleAsync(CancellationToken.None);
        await monitor.SampleAsync(CancellationToken.None);
        Assert.Equal(3, logger.Lines.Count);
        Assert.Equal("Warning: Could not read the depth of the 3 watched queue(s): the connection is closed (INTERNAL_ERROR - recovering); the queue gauges are empty until the connection is back", logger.Lines[2]);
        Assert.Empty(monitor.Depths);

        source.Fake.Closed = false;
        await monitor.SampleAsync(CancellationToken.None);
        Assert.Equal(4, logger.Lines.Count);
        Assert.Equal("Information: Reading the depth of the 3 watched queue(s) again", logger.Lines[3]);
        Assert.Equal(3, monitor.Depths.Count);
    }

    [Fact]
    public async Task A_queue_that_cannot_be_read_on_an_open_connection_is_still_logged_by_name()
    {
        var broker = new InMemoryBroker();
        var source = new FakeSource(broker);
        await using var connections = new WarrenConnections(Options.Create(new WarrenOptions()), NullLogger<WarrenConnections>.Instance, source);
        var options = new WarrenMonitoringOptions();
        options.Queues.Add("orders");
        var logger = new ListLogger();
        var monitor = new WarrenQueueMonitor(connections, Options.Create(options), logger);
        await connections.GetConsumeConnectionAsync();
        source.Fake!.FailChannels = true;

        await monitor.SampleAsync(CancellationToken.None);

        var line = Assert.Single(logger.Lines);
        Assert.StartsWith("Warning: Could not read the depth of queue 'orders': ", line, StringComparison.Ordinal);
    }

    /// <summary>Opens in-memory connections wrapped in a <see cref="FakeConnection"/> the test can mark closed.</summary>
    private sealed class FakeSource(InMemoryBroker broker) : IConnectionSource
    {
        public FakeConnection? Fake { get; private set; }

        public Task<IConnection> ConnectAsync(ConnectionRole role, string clientName, CancellationToken cancellationToken)
        {
            var (connection, fake) = FakeConnection.Create(broker.Connect(clientName));
            Fake = fake;
            return Task.FromResult(connection);
        }
    }

    private sealed class ListLogger : ILogger<WarrenQueueMonitor>
    {
        private readonly List<string> _lines = [];

        public IReadOnlyList<string> Lines
        {
            get
            {
                lock (_lines)
                {
                    return [.. _lines];
                }
            }
        }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_lines)
            {
                _lines.Add($"{logLevel}: {formatter(state, exception)}");
            }
        }
    }
}

using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Warren.Infrastructure;
using Warren.Testing;
using Xunit;

namespace Warren.Tests.Rpc;

/// <summary>
/// The RPC server's fault lines (events 140, 141 and the failed-method lines) are bounded per queue on the clock
/// registered in DI, as everything else of the runtime: a test clock opens the next window when it is moved, whatever
/// the system clock does, and the count of suppressed lines (event 62) is measured on it.
/// </summary>
public sealed class RpcServerFaultLogClockTests
{
    [Fact]
    public async Task The_fault_log_limit_runs_on_the_registered_clock()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2031, 3, 4, 5, 6, 7, TimeSpan.Zero));
        var options = Options.Create(new WarrenOptions());
        await using var connections = new WarrenConnections(options, NullLogger<WarrenConnections>.Instance, new InMemoryBroker(), clock);
        var logger = new ListLogger();
        await using var server = new RpcServer(connections, options, logger, new WarrenMetrics(null, connections));
        var limiter = server.Limiter("rpc.orders");

        for (var i = 0; i < 10; i++)
        {
            Assert.True(limiter.TryLog(), $"line {i + 1} of the window");
        }

        Assert.False(limiter.TryLog());
        clock.Advance(TimeSpan.FromSeconds(3));
        Assert.False(limiter.TryLog());

        // Ten seconds on the registered clock (none on the system's): the next window opens and the count is written.
        clock.Advance(TimeSpan.FromSeconds(7));
        Assert.True(limiter.TryLog());
        var suppressed = Assert.Single(logger.Lines, line => line.Event == 62);
        Assert.Contains("2 failure or lost-channel log line(s) were suppressed in the last 00:00:10", suppressed.Text);
    }

    private sealed class ListLogger : ILogger<RpcServer>
    {
        private readonly List<(int Event, string Text)> _lines = [];

        public IReadOnlyList<(int Event, string Text)> Lines
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
                _lines.Add((eventId.Id, formatter(state, exception)));
            }
        }
    }
}

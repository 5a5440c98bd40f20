using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using Microsoft.Extensions.Logging;

namespace Warren.Testing;

/// <summary>Keeps the warnings and errors logged while the harness runs, to print them with a failing flow.</summary>
internal sealed class HarnessLog : ILoggerProvider
{
    private const int MaxLines = 2_000;
    private readonly ConcurrentQueue<(long Sequence, string Line)> _lines = new();
    private long _sequence;

    public long Position => System.Threading.Interlocked.Read(ref _sequence);

    public IReadOnlyList<string> Since(long position) => [.. _lines.Where(l => l.Sequence > position).Select(l => l.Line)];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private void Add(string line)
    {
        _lines.Enqueue((System.Threading.Interlocked.Increment(ref _sequence), line));
        while (_lines.Count > MaxLines && _lines.TryDequeue(out _))
        {
        }
    }

    private sealed class Logger(HarnessLog owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var text = formatter(state, exception);
            if (exception is not null)
            {
                text += $" ({exception.GetType().Name}: {exception.Message})";
            }

            owner.Add($"{logLevel} {category}: {text}");
        }
    }
}

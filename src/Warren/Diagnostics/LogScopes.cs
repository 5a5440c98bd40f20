using System.Collections.Generic;
using System.Linq;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Warren;

/// <summary>
/// Whether the application's logging keeps scopes at all, so that the per-delivery scope objects
/// (<see cref="MessageLogScope"/>, <see cref="BatchLogScope"/>) are made only when some logger could read them. They are
/// not when logging is off (no logger factory, <see cref="NullLoggerFactory"/>, or Microsoft.Extensions.Logging's own
/// factory with no logger provider registered) or when that factory is told not to capture scopes (<see cref="LoggerFilterOptions.CaptureScopes"/> false, read at each
/// delivery so a reloaded setting applies): its <c>BeginScope</c> then opens nothing for any provider, Warren's or the
/// handler's. Any other logger factory (Serilog's, NLog's …) decides itself, so the scope is always opened for it.
/// </summary>
internal sealed class LogScopes
{
    /// <summary>Scopes always opened (a logger factory Warren knows nothing about).</summary>
    public static readonly LogScopes Always = new(null, off: false);

    private readonly IOptionsMonitor<LoggerFilterOptions>? _filters;
    private readonly bool _off;

    private LogScopes(IOptionsMonitor<LoggerFilterOptions>? filters, bool off)
    {
        _filters = filters;
        _off = off;
    }

    /// <summary>
    /// What <paramref name="factory"/> (the application's, null without logging) does with scopes. <paramref name="providers"/>:
    /// the logger providers registered in the same container, which Microsoft.Extensions.Logging's factory is made with;
    /// none at all (a host built without its defaults and no provider added) means no logger reads a scope.
    /// </summary>
    public static LogScopes Of(ILoggerFactory? factory, IOptionsMonitor<LoggerFilterOptions>? filters, IEnumerable<ILoggerProvider>? providers = null) => factory switch
    {
        null or NullLoggerFactory => new LogScopes(null, off: true),
        LoggerFactory when providers is not null && !providers.Any() => new LogScopes(null, off: true),
        LoggerFactory when filters is not null => new LogScopes(filters, off: false),
        _ => Always,
    };

    /// <summary>True when a scope opened now may reach a logger; false when <c>BeginScope</c> would open nothing.</summary>
    public bool AreKept => !_off && (_filters is null || _filters.CurrentValue.CaptureScopes);

    /// <summary>The scope of one delivery (see <see cref="MessageLogScope"/>), or null when scopes are not kept: nothing is made then.</summary>
    public System.IDisposable? BeginMessage(ILogger logger, string? messageId, string? contract, string queue, string? correlationId) =>
        AreKept ? logger.BeginScope(new MessageLogScope(messageId, contract, queue, correlationId)) : null;

    /// <summary>The scope of one batch (see <see cref="BatchLogScope"/>), or null when scopes are not kept.</summary>
    public System.IDisposable? BeginBatch(ILogger logger, string queue, int size, string? contract) =>
        AreKept ? logger.BeginScope(new BatchLogScope(queue, size, contract)) : null;
}

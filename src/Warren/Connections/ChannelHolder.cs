using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Warren;

/// <summary>
/// One long-lived channel, opened on first use and replaced when it can no longer be used. RabbitMQ.Client's automatic
/// recovery reopens a channel lost with its connection, but never one the broker closed (a channel error such as
/// 404 or 406) or one closed locally: those are disposed and a new channel is opened on the next
/// <see cref="GetAsync"/>. Every channel it opens has its callback exceptions logged.
/// </summary>
/// <typeparam name="T">What the holder keeps per channel: the channel itself or a wrapper owning its state.</typeparam>
internal sealed class ChannelHolder<T> : IAsyncDisposable
    where T : class
{
    /// <summary>How long (in polls) a channel may lag behind its recovered connection before it is replaced: 2 s.</summary>
    private const int RecoveryGracePolls = 40;

    private static readonly TimeSpan RecoveryPoll = TimeSpan.FromMilliseconds(50);

    private readonly string _purpose;
    private readonly Func<CancellationToken, ValueTask<IConnection>> _connect;
    private readonly Func<IConnection, CancellationToken, Task<T>> _open;
    private readonly Func<T, IChannel> _channelOf;
    private readonly Func<T, ValueTask> _close;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private T? _current;
    private bool _disposed;

    /// <param name="purpose">What the channel is for, as logs name it ("publishing", "RPC reply").</param>
    /// <param name="connect">Returns the connection to open channels on.</param>
    /// <param name="open">Opens and sets up a channel (consumers, event handlers) on the connection.</param>
    /// <param name="channelOf">The channel inside <typeparamref name="T"/>.</param>
    /// <param name="close">Closes and disposes a <typeparamref name="T"/>; must not throw for a channel that is already gone.</param>
    /// <param name="logger">Where replacements and callback exceptions are logged.</param>
    public ChannelHolder(string purpose, Func<CancellationToken, ValueTask<IConnection>> connect, Func<IConnection, CancellationToken, Task<T>> open, Func<T, IChannel> channelOf, Func<T, ValueTask> close, ILogger logger)
    {
        _purpose = purpose;
        _connect = connect;
        _open = open;
        _channelOf = channelOf;
        _close = close;
        _logger = logger;
    }

    /// <summary>The channel held right now, open or not; null before first use and after disposal.</summary>
    public T? Current => _current;

    /// <summary>
    /// The open channel. A channel lost with its connection is waited for while automatic recovery restores it; a channel
    /// the broker or the application closed is replaced by a new one.
    /// </summary>
    public async ValueTask<T> GetAsync(CancellationToken cancellationToken)
    {
        if (_current is { } open && _channelOf(open).IsOpen)
        {
            return open;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var connection = await _connect(cancellationToken).ConfigureAwait(false);
            if (_current is { } current)
            {
                var channel = _channelOf(current);
                if (!channel.IsOpen && !ChannelErrors.IsClosedForGood(channel.CloseReason))
                {
                    // Lost with its connection: automatic recovery reopens this same channel once the connection is
                    // back. Should the channel not come back shortly after its connection, it is replaced.
                    await WaitForConnectionAsync(connection, cancellationToken).ConfigureAwait(false);
                    for (var i = 0; i < RecoveryGracePolls && !channel.IsOpen; i++)
                    {
                        await Task.Delay(RecoveryPoll, cancellationToken).ConfigureAwait(false);
                    }
                }

                if (channel.IsOpen)
                {
                    return current;
                }

                _current = null;
                await _close(current).ConfigureAwait(false);
            }

            await WaitForConnectionAsync(connection, cancellationToken).ConfigureAwait(false);
            var opened = await _open(connection, cancellationToken).ConfigureAwait(false);
            Observe(_channelOf(opened));
            _current = opened;
            return opened;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Closes the channel held right now; the next <see cref="GetAsync"/> opens a new one.</summary>
    public async ValueTask CloseCurrentAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_current is { } current)
            {
                _current = null;
                await _close(current).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Closes the channel held; later calls to <see cref="GetAsync"/> fail.</summary>
    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            if (_current is { } current)
            {
                _current = null;
                await _close(current).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private static async ValueTask WaitForConnectionAsync(IConnection connection, CancellationToken cancellationToken)
    {
        while (!connection.IsOpen)
        {
            await Task.Delay(RecoveryPoll, cancellationToken).ConfigureAwait(false);
        }
    }

    private void Observe(IChannel channel)
    {
        channel.CallbackExceptionAsync += OnCallbackExceptionAsync;
        channel.ChannelShutdownAsync += OnShutdownAsync;
    }

    private Task OnCallbackExceptionAsync(object sender, CallbackExceptionEventArgs e)
    {
        Log.ChannelCallbackFailed(_logger, e.Exception, _purpose, e.Detail is { Count: > 0 } detail ? string.Join(", ", detail.Keys) : string.Empty);
        return Task.CompletedTask;
    }

    private Task OnShutdownAsync(object sender, ShutdownEventArgs reason)
    {
        if (ChannelErrors.IsChannelError(reason))
        {
            Log.ChannelClosedByBroker(_logger, _purpose, $"{reason.ReplyCode} {reason.ReplyText}");
        }

        return Task.CompletedTask;
    }
}

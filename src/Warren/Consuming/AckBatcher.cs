using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Warren;

/// <summary>
/// Acknowledges handled deliveries with <c>multiple</c> acks: one frame settles every handled tag below the oldest
/// one still in flight. An ack is sent once a quarter of the prefetch window is waiting, or by the flush timer, so
/// the broker's window never stalls on acks that are merely pending. Rejections are sent at once, one by one.
/// </summary>
internal sealed class AckBatcher : IAsyncDisposable
{
    private static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(10);

    private readonly IChannel _channel;
    private readonly int _threshold;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly object _gate = new();
    private readonly SortedSet<ulong> _inFlight = [];
    private readonly Timer _timer;
    private ulong _handledUpTo;
    private ulong _ackedUpTo;
    private int _waiting;

    public AckBatcher(IChannel channel, ushort prefetch)
    {
        _channel = channel;
        _threshold = Math.Max(1, prefetch / 4);
        _timer = new Timer(_ => _ = FlushAsync(), null, FlushInterval, FlushInterval);
    }

    /// <summary>Records that a delivery is being handled: no multiple ack may cover it until it is settled.</summary>
    public void Started(ulong deliveryTag)
    {
        lock (_gate)
        {
            _inFlight.Add(deliveryTag);
        }
    }

    /// <summary>Records a handled delivery; sends the ack when enough are waiting.</summary>
    public Task AckAsync(ulong deliveryTag)
    {
        bool flush;
        lock (_gate)
        {
            _inFlight.Remove(deliveryTag);
            _handledUpTo = Math.Max(_handledUpTo, deliveryTag);
            flush = ++_waiting >= _threshold;
        }

        return flush ? FlushAsync() : Task.CompletedTask;
    }

    /// <summary>Rejects a delivery now (requeue or dead-letter).</summary>
    public async Task RejectAsync(ulong deliveryTag, bool requeue)
    {
        await _sendLock.WaitAsync().ConfigureAwait(false);
        try
        {
            await _channel.BasicNackAsync(deliveryTag, multiple: false, requeue).ConfigureAwait(false);
        }
        finally
        {
            lock (_gate)
            {
                _inFlight.Remove(deliveryTag);
            }

            _sendLock.Release();
        }
    }

    /// <summary>Forgets a delivery that was neither acked nor rejected (the broker redelivers it when the channel closes).</summary>
    public void Abandoned(ulong deliveryTag)
    {
        lock (_gate)
        {
            _inFlight.Remove(deliveryTag);
        }
    }

    /// <summary>Acks everything handled that no in-flight delivery precedes.</summary>
    public async Task FlushAsync()
    {
        if (!await _sendLock.WaitAsync(0).ConfigureAwait(false))
        {
            await _sendLock.WaitAsync().ConfigureAwait(false);
        }

        try
        {
            ulong upTo;
            lock (_gate)
            {
                upTo = _inFlight.Count == 0 ? _handledUpTo : Math.Min(_handledUpTo, _inFlight.Min - 1);
                if (upTo <= _ackedUpTo)
                {
                    return;
                }

                _waiting = 0;
            }

            if (!_channel.IsOpen)
            {
                return;
            }

            try
            {
                await _channel.BasicAckAsync(upTo, multiple: true).ConfigureAwait(false);
                _ackedUpTo = upTo;
            }
            catch (Exception ex) when (ex is OperationInterruptedException or IOException or ObjectDisposedException)
            {
                // The channel went with its connection: the broker redelivers what was not acked (at-least-once).
            }
        }
        finally
        {
            _sendLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _timer.DisposeAsync().ConfigureAwait(false);
        await FlushAsync().ConfigureAwait(false);
    }
}

using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace Warren;

/// <summary>
/// A publishing channel in confirm mode that tracks confirmations itself. Publishes are written one at a time, in
/// call order (so a batch keeps its order on the broker), while their confirmations are awaited concurrently: the
/// broker's acks (often <c>multiple</c>) complete every publish up to their tag. Returns of mandatory messages are
/// matched by a sequence header; a lost channel fails every pending publish with the shutdown reason.
/// </summary>
internal sealed class ConfirmChannel : IAsyncDisposable
{
    /// <summary>Carries the publish sequence number so a returned message can be matched to its publish.</summary>
    public const string SequenceHeader = "x-warren-publish-seq";

    private readonly IChannel _channel;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly object _gate = new();
    private readonly Dictionary<ulong, Pending> _pending = [];
    private ulong _lowestPending = 1;

    private ConfirmChannel(IChannel channel)
    {
        _channel = channel;
        channel.BasicAcksAsync += OnAckAsync;
        channel.BasicNacksAsync += OnNackAsync;
        channel.BasicReturnAsync += OnReturnAsync;
        channel.ChannelShutdownAsync += OnShutdownAsync;
    }

    public IChannel Channel => _channel;

    public static async Task<ConfirmChannel> OpenAsync(IConnection connection, CancellationToken cancellationToken)
    {
        var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(
                publisherConfirmationsEnabled: true,
                publisherConfirmationTrackingEnabled: false,
                outstandingPublisherConfirmationsRateLimiter: null,
                consumerDispatchConcurrency: null),
            cancellationToken).ConfigureAwait(false);
        return new ConfirmChannel(channel);
    }

    /// <summary>Writes the message and waits for its confirmation. Fails with the typed publish exceptions, or
    /// <see cref="PublishInterruptedException"/> when the channel goes before the broker answered.</summary>
    public async Task PublishAsync(string exchange, string routingKey, bool mandatory, BasicProperties properties, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var pending = new Pending(exchange, routingKey);
        ulong sequence = 0;
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            sequence = await _channel.GetNextPublishSequenceNumberAsync(cancellationToken).ConfigureAwait(false);
            if (mandatory)
            {
                properties.Headers ??= new Dictionary<string, object?>(1);
                properties.Headers[SequenceHeader] = (long)sequence;
            }

            lock (_gate)
            {
                // The shutdown handler runs after the channel reports closed and fails what is registered by then:
                // registering on a channel already closed would leave this publish waiting for nothing.
                if (!_channel.IsOpen)
                {
                    sequence = 0;
                    throw new AlreadyClosedException(_channel.CloseReason ?? new ShutdownEventArgs(ShutdownInitiator.Library, 0, "channel closed"));
                }

                _pending[sequence] = pending;
            }

            await _channel.BasicPublishAsync(exchange, routingKey, mandatory, properties, body, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Forget(sequence);
            throw;
        }
        finally
        {
            _sendLock.Release();
        }

        // Cancellation completes the pending publish itself: no extra waiting task per publish.
        using var registration = cancellationToken.UnsafeRegister(static (state, token) => ((Pending)state!).TrySetCanceled(token), pending);
        try
        {
            await pending.Task.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Forget(sequence);
            throw;
        }
    }

    /// <summary>Closes the channel. The send lock is left undisposed: publishes still waiting for it must get it and
    /// fail on the closed channel (and be retried), not wait forever.</summary>
    public ValueTask DisposeAsync() => ChannelClosing.CloseQuietlyAsync(_channel);

    private void Forget(ulong sequence)
    {
        if (sequence == 0)
        {
            return;
        }

        lock (_gate)
        {
            _pending.Remove(sequence);
        }
    }

    private Task OnAckAsync(object sender, BasicAckEventArgs e)
    {
        foreach (var pending in Take(e.DeliveryTag, e.Multiple))
        {
            if (pending.Returned is { } returned)
            {
                pending.Fail(new UnroutableMessageException(pending.Exchange, pending.RoutingKey, returned));
            }
            else
            {
                pending.Succeed();
            }
        }

        return Task.CompletedTask;
    }

    private Task OnNackAsync(object sender, BasicNackEventArgs e)
    {
        foreach (var pending in Take(e.DeliveryTag, e.Multiple))
        {
            pending.Fail(new PublishRejectedException(pending.Exchange, pending.RoutingKey));
        }

        return Task.CompletedTask;
    }

    private Task OnReturnAsync(object sender, BasicReturnEventArgs e)
    {
        // The broker sends basic.return before the ack of the same message: remember it for the ack.
        var sequence = AmqpHeaders.ReadLong(e.BasicProperties.Headers, SequenceHeader);
        lock (_gate)
        {
            if (sequence > 0 && _pending.TryGetValue((ulong)sequence, out var pending))
            {
                pending.Returned = $"{e.ReplyCode} {e.ReplyText}";
            }
        }

        return Task.CompletedTask;
    }

    private Task OnShutdownAsync(object sender, ShutdownEventArgs reason)
    {
        List<Pending> failed;
        lock (_gate)
        {
            failed = [.. _pending.Values];
            _pending.Clear();

            // A recovered channel numbers its publishes from 1 again.
            _lowestPending = 1;
        }

        foreach (var pending in failed)
        {
            pending.Fail(new PublishInterruptedException(reason));
        }

        return Task.CompletedTask;
    }

    private List<Pending> Take(ulong tag, bool multiple)
    {
        var taken = new List<Pending>(multiple ? 8 : 1);
        lock (_gate)
        {
            if (multiple)
            {
                for (var sequence = _lowestPending; sequence <= tag; sequence++)
                {
                    if (_pending.Remove(sequence, out var pending))
                    {
                        taken.Add(pending);
                    }
                }

                _lowestPending = Math.Max(_lowestPending, tag + 1);
            }
            else if (_pending.Remove(tag, out var pending))
            {
                // The watermark moves with multiple acks only; singles already acked are skipped then.
                taken.Add(pending);
            }
        }

        return taken;
    }

    /// <summary>One publish awaiting its confirmation: the completion itself, with what a failure names.</summary>
    private sealed class Pending(string exchange, string routingKey) : TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public string Exchange { get; } = exchange;

        public string RoutingKey { get; } = routingKey;

        public string? Returned { get; set; }

        public void Succeed() => TrySetResult();

        public void Fail(Exception exception) => TrySetException(exception);
    }
}

/// <summary>
/// The publishing channel closed after the message was sent and before the broker confirmed it; <see cref="Reason"/> says
/// why. The broker may or may not have routed the message. (A publish that could not be sent at all fails with
/// RabbitMQ.Client's <c>AlreadyClosedException</c> instead.)
/// </summary>
internal sealed class PublishInterruptedException(ShutdownEventArgs reason)
    : Exception($"The publishing channel closed before the broker confirmed the message: {reason.ReplyCode} {reason.ReplyText}")
{
    public ShutdownEventArgs Reason { get; } = reason;
}

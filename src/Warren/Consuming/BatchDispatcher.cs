using System;
using System.Collections.Generic;
using System.Text.Json.Serialization.Metadata;
using System.Threading;
using System.Threading.Tasks;

namespace Warren;

/// <summary>A dispatcher that gathers deliveries into batches; the consumer runs at least <see cref="Size"/> deliveries at once for it and flushes it when it stops.</summary>
public interface IBatchDispatcher : IMessageDispatcher
{
    /// <summary>The most messages in one batch.</summary>
    int Size { get; }

    /// <summary>Hands the partial batch to the handler now (graceful stop).</summary>
    void Flush();
}

/// <summary>
/// Gathers deliveries of one queue into batches of up to <c>size</c> messages, or what arrived within <c>timeout</c> of the
/// batch's first message, and calls the handler once per batch. Each delivery's dispatch waits for its batch, so every
/// delivery is still settled on its own by the consumer: success acknowledges the whole batch. When the handler throws,
/// the batch is split in halves and each half handled again, down to single messages, so only the message that fails on
/// its own is failed (and goes through the queue's retry policy to its dead-letter queue); the others are acknowledged.
/// A handler of a batch that fails is therefore called again with messages it already saw: batch handlers must be
/// idempotent, as every at-least-once handler.
/// </summary>
public sealed class BatchDispatcher<T> : IBatchDispatcher
{
    private readonly JsonTypeInfo<T> _typeInfo;
    private readonly Func<IReadOnlyList<T>, IServiceProvider, CancellationToken, ValueTask> _handler;
    private readonly TimeSpan _timeout;
    private readonly object _gate = new();
    private Batch? _open;

    /// <summary>Creates a batch dispatcher.</summary>
    public BatchDispatcher(JsonTypeInfo<T> typeInfo, int size, TimeSpan timeout, Func<IReadOnlyList<T>, CancellationToken, ValueTask> handler)
        : this(typeInfo, size, timeout, handler is null ? null! : (messages, _, cancellationToken) => handler(messages, cancellationToken))
    {
    }

    /// <summary>
    /// Creates a batch dispatcher whose handler also receives a service provider: the DI scope of the batch's first
    /// message, which lives until the whole batch is handled (every message's dispatch waits for its batch). Generated
    /// batch consumers resolve their handler class from it.
    /// </summary>
    public BatchDispatcher(JsonTypeInfo<T> typeInfo, int size, TimeSpan timeout, Func<IReadOnlyList<T>, IServiceProvider, CancellationToken, ValueTask> handler)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        _typeInfo = typeInfo;
        _handler = handler;
        _timeout = timeout;
        Size = size;
    }

    /// <inheritdoc />
    public int Size { get; }

    /// <inheritdoc />
    public async ValueTask<DispatchOutcome> DispatchAsync(MessageContext context)
    {
        if (!MessageDispatcher.TryDeserialize(context, _typeInfo, out var message, out var error))
        {
            return DispatchOutcome.DeadLetter(error!);
        }

        Batch batch;
        int index;
        var full = false;
        lock (_gate)
        {
            if (_open is null)
            {
                _open = new Batch(this, context.Services, context.CancellationToken);
            }

            batch = _open;
            index = batch.Messages.Count;
            batch.Messages.Add(message!);
            if (batch.Messages.Count >= Size)
            {
                _open = null;
                full = true;
            }
        }

        if (full)
        {
            batch.Start();
        }
        else if (index == 0)
        {
            batch.StartAfter(_timeout);
        }

        var outcomes = await batch.Done.ConfigureAwait(false);
        return outcomes[index];
    }

    /// <inheritdoc />
    public void Flush()
    {
        Batch? batch;
        lock (_gate)
        {
            batch = _open;
            _open = null;
        }

        batch?.Start();
    }

    private void Close(Batch batch)
    {
        lock (_gate)
        {
            if (ReferenceEquals(_open, batch))
            {
                _open = null;
            }
        }
    }

    /// <summary>Handles <paramref name="messages"/>[from..to) as one call; on failure splits, down to single messages.</summary>
    private async Task HandleAsync(List<T> messages, int from, int to, DispatchOutcome[] outcomes, IServiceProvider services, CancellationToken cancellationToken)
    {
        try
        {
            await _handler(messages.GetRange(from, to - from), services, cancellationToken).ConfigureAwait(false);
            for (var i = from; i < to; i++)
            {
                outcomes[i] = DispatchOutcome.Ack;
            }
        }
        catch (Exception ex)
        {
            if (to - from == 1)
            {
                outcomes[from] = DispatchOutcome.Failed($"The batch handler failed on this message alone: {ex.Message}", ex, null);
                return;
            }

            var middle = from + ((to - from) / 2);
            await HandleAsync(messages, from, middle, outcomes, services, cancellationToken).ConfigureAwait(false);
            await HandleAsync(messages, middle, to, outcomes, services, cancellationToken).ConfigureAwait(false);
        }
    }

    private sealed class Batch(BatchDispatcher<T> owner, IServiceProvider services, CancellationToken cancellationToken)
    {
        private readonly TaskCompletionSource<DispatchOutcome[]> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _started;

        public List<T> Messages { get; } = [];

        public Task<DispatchOutcome[]> Done => _done.Task;

        public void StartAfter(TimeSpan timeout) => _ = Task.Delay(timeout, CancellationToken.None).ContinueWith(_ => Start(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

        public void Start()
        {
            if (Interlocked.Exchange(ref _started, 1) == 1)
            {
                return;
            }

            owner.Close(this);
            _ = Task.Run(RunAsync, CancellationToken.None);
        }

        private async Task RunAsync()
        {
            List<T> messages;
            lock (owner._gate)
            {
                messages = [.. Messages];
            }

            var outcomes = new DispatchOutcome[messages.Count];
            try
            {
                await owner.HandleAsync(messages, 0, messages.Count, outcomes, services, cancellationToken).ConfigureAwait(false);
                _done.TrySetResult(outcomes);
            }
            catch (Exception ex)
            {
                _done.TrySetException(ex);
            }
        }
    }
}

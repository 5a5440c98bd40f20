using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
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
/// <remarks>
/// A batch runs in a context of its own, not that of the delivery that opened or filled it: its handler's log lines
/// carry a scope naming the queue, the batch size and this dispatcher's contract (the one registered for <typeparamref name="T"/>,
/// whatever name, alias or none its deliveries carry; <see cref="BatchLogScope"/>), never one message's
/// id, and when Warren's activity source is listened to it runs in a <c>process {queue}</c> span (kind Consumer) of a
/// new trace, linked to every message's producer context (the semantic conventions' batch processing).
/// </remarks>
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

        // The producer's context, for the batch span's links: read only while someone listens.
        var producer = WarrenTracing.Source.HasListeners() ? TraceContext.Extract(context.RawHeaders) : default;
        Batch batch;
        int index;
        var full = false;
        lock (_gate)
        {
            if (_open is null)
            {
                _open = new Batch(this, context.Services, context.CancellationToken, context.Queue);
            }

            batch = _open;
            // The batch's contract for its log scope and span when no contract is registered for T: the first delivery
            // that names one (the opening delivery's type may be missing, as from a client that sends none).
            batch.Contract ??= string.IsNullOrEmpty(context.MessageType) ? null : context.MessageType;
            index = batch.Messages.Count;
            batch.Messages.Add(message!);
            if (producer != default)
            {
                (batch.Links ??= []).Add(new ActivityLink(producer));
            }
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

    /// <summary>The logger whose scope a batch's handler runs in (any logger of the factory shares the scope stack).</summary>
    private ILogger? _logger;

    /// <summary>The name of the contract registered for <typeparamref name="T"/>, once found.</summary>
    private string? _contract;

    /// <summary>
    /// The contract a batch's log scope and span name: the one registered for <typeparamref name="T"/> (the dispatcher's
    /// own), not a name a delivery carries, which may be an alias the dispatcher also accepts.
    /// </summary>
    private string? OwnContract(IServiceProvider services) =>
        _contract ??= services.GetService<Infrastructure.MessageContracts>()?.Find<T>()?.Name;

    private LogScopes? _logScopes;

    private ILogger Logger(IServiceProvider services) =>
        _logger ??= services.GetService<ILoggerFactory>()?.CreateLogger("Warren.Batch") ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    private LogScopes Scopes(IServiceProvider services) =>
        _logScopes ??= LogScopes.Of(services.GetService<ILoggerFactory>(), services.GetService<Microsoft.Extensions.Options.IOptionsMonitor<LoggerFilterOptions>>(), services.GetService<IEnumerable<ILoggerProvider>>());

    private sealed class Batch(BatchDispatcher<T> owner, IServiceProvider services, CancellationToken cancellationToken, string queue)
    {
        private readonly TaskCompletionSource<DispatchOutcome[]> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _started;

        public List<T> Messages { get; } = [];

        /// <summary>The contract named by the first of its deliveries that names one (guarded by the owner's gate): the fallback when none is registered for T.</summary>
        public string? Contract { get; set; }

        public Task<DispatchOutcome[]> Done => _done.Task;

        /// <summary>The producer contexts of the messages that carry one (guarded by the owner's gate); null when nobody listens.</summary>
        public List<ActivityLink>? Links { get; set; }

        public void StartAfter(TimeSpan timeout)
        {
            // Not the execution context of the delivery that opened the batch: its log scope and process span are one
            // message's, and the batch is all of them.
            using (ExecutionContext.SuppressFlow())
            {
                _ = Task.Delay(timeout, CancellationToken.None).ContinueWith(_ => Start(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }

        public void Start()
        {
            if (Interlocked.Exchange(ref _started, 1) == 1)
            {
                return;
            }

            owner.Close(this);
            if (ExecutionContext.IsFlowSuppressed())
            {
                _ = Task.Run(RunAsync, CancellationToken.None);
                return;
            }

            // Likewise for the delivery that filled the batch (or the flush of a stopping consumer).
            using (ExecutionContext.SuppressFlow())
            {
                _ = Task.Run(RunAsync, CancellationToken.None);
            }
        }

        private async Task RunAsync()
        {
            List<T> messages;
            List<ActivityLink>? links;
            string? contract;
            lock (owner._gate)
            {
                messages = [.. Messages];
                links = Links;
                contract = Contract;
            }

            contract = owner.OwnContract(services) ?? contract;

            var outcomes = new DispatchOutcome[messages.Count];
            using var scope = owner.Scopes(services).BeginBatch(owner.Logger(services), queue, messages.Count, contract);
            using var activity = WarrenTracing.StartBatchProcess(queue, links);
            if (activity is { IsAllDataRequested: true })
            {
                WarrenTracing.DescribeBatchProcess(activity, queue, messages.Count, contract);
            }

            try
            {
                await owner.HandleAsync(messages, 0, messages.Count, outcomes, services, cancellationToken).ConfigureAwait(false);
                if (activity is not null && Array.FindIndex(outcomes, o => o.Action != DispatchAction.Ack) is >= 0 and var failed)
                {
                    WarrenTracing.Fail(activity, outcomes[failed].Exception is { } ex ? WarrenTracing.ErrorTypeOf(ex) : "handler_failed", outcomes[failed].Reason, outcomes[failed].Exception);
                }

                _done.TrySetResult(outcomes);
            }
            catch (Exception ex)
            {
                WarrenTracing.Fail(activity, WarrenTracing.ErrorTypeOf(ex), ex.Message, ex);
                _done.TrySetException(ex);
            }
        }
    }
}

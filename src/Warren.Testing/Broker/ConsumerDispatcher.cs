using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Warren.Testing;

/// <summary>
/// Runs a channel's consumer callbacks as RabbitMQ.Client does: through one queue of work, by as many workers as the
/// channel's consumer dispatch concurrency (one: in order; more: in parallel and out of order). A callback that throws
/// is reported through the channel's <c>CallbackExceptionAsync</c> and its delivery stays unacknowledged. Work is
/// reserved under the broker's lock before it is posted, so the broker never looks idle between the two.
/// </summary>
internal sealed class ConsumerDispatcher
{
    private static readonly AsyncLocal<ConsumerDispatcher?> Current = new();

    private readonly InMemoryChannel _channel;
    private readonly Channel<Work> _work = Channel.CreateUnbounded<Work>(new UnboundedChannelOptions { SingleReader = false, SingleWriter = false });
    private readonly Task[] _workers;
    private int _busy;
    private volatile bool _closed;
    private TaskCompletionSource _idle = NewIdle(completed: true);

    public ConsumerDispatcher(InMemoryChannel channel, int concurrency)
    {
        _channel = channel;
        _workers = new Task[Math.Max(1, concurrency)];
        for (var i = 0; i < _workers.Length; i++)
        {
            _workers[i] = Task.Run(RunAsync);
        }
    }

    /// <summary>Callbacks running or waiting to run.</summary>
    public int Busy => Volatile.Read(ref _busy);

    /// <summary>True on a thread running one of this dispatcher's callbacks.</summary>
    public bool IsOnWorker => ReferenceEquals(Current.Value, this);

    /// <summary>Counts a callback about to be posted (called under the broker's lock).</summary>
    public void Reserve()
    {
        if (Interlocked.Increment(ref _busy) == 1)
        {
            Interlocked.Exchange(ref _idle, NewIdle(completed: false));
        }
    }

    public void Deliver(IAsyncBasicConsumer consumer, string consumerTag, ulong deliveryTag, bool redelivered, string exchange, string routingKey, IReadOnlyBasicProperties properties, byte[] body) =>
        Post(new Work(WorkKind.Deliver, () => consumer.HandleBasicDeliverAsync(consumerTag, deliveryTag, redelivered, exchange, routingKey, properties, body, CancellationToken.None), "HandleBasicDeliverAsync", consumerTag));

    public void ConsumeOk(IAsyncBasicConsumer consumer, string consumerTag) =>
        Post(new Work(WorkKind.Control, () => consumer.HandleBasicConsumeOkAsync(consumerTag, CancellationToken.None), "HandleBasicConsumeOkAsync", consumerTag));

    public void CancelOk(IAsyncBasicConsumer consumer, string consumerTag) =>
        Post(new Work(WorkKind.Control, () => consumer.HandleBasicCancelOkAsync(consumerTag, CancellationToken.None), "HandleBasicCancelOkAsync", consumerTag));

    public void Cancel(IAsyncBasicConsumer consumer, string consumerTag) =>
        Post(new Work(WorkKind.Control, () => consumer.HandleBasicCancelAsync(consumerTag, CancellationToken.None), "HandleBasicCancelAsync", consumerTag));

    /// <summary>Tells every consumer the channel closed, after which nothing more is delivered.</summary>
    public void Shutdown(IReadOnlyList<IAsyncBasicConsumer> consumers, ShutdownEventArgs reason)
    {
        _closed = true;
        foreach (var consumer in consumers)
        {
            Reserve();
            Post(new Work(WorkKind.Shutdown, () => consumer.HandleChannelShutdownAsync(_channel, reason), "HandleChannelShutdownAsync", null));
        }

        _work.Writer.TryComplete();
    }

    /// <summary>Completes when no callback is running or waiting, or when <paramref name="cancellationToken"/> fires.</summary>
    public Task WhenIdleAsync(CancellationToken cancellationToken) =>
        Volatile.Read(ref _idle).Task.WaitAsync(cancellationToken);

    private static TaskCompletionSource NewIdle(bool completed)
    {
        var source = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (completed)
        {
            source.SetResult();
        }

        return source;
    }

    private void Post(Work work)
    {
        if (!_work.Writer.TryWrite(work))
        {
            Done();
        }
    }

    private void Done()
    {
        if (Interlocked.Decrement(ref _busy) == 0)
        {
            Volatile.Read(ref _idle).TrySetResult();
        }

        _channel.Broker.Signal();
    }

    private async Task RunAsync()
    {
        Current.Value = this;

        // The callbacks, and whatever they start or await, are the application's code: the harness counts it as running.
        _channel.Broker.Activity.Join();
        await foreach (var work in _work.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                // After the channel closed, deliveries still queued are not handed out: the broker has them back.
                if (!(_closed && work.Kind == WorkKind.Deliver))
                {
                    await work.Run().ConfigureAwait(false);
                }
            }
            catch (Exception ex)
            {
                await _channel.RaiseCallbackExceptionAsync(ex, work.Context, work.ConsumerTag).ConfigureAwait(false);
            }
            finally
            {
                Done();
            }
        }
    }

    private enum WorkKind
    {
        Deliver,
        Control,
        Shutdown,
    }

    private sealed record Work(WorkKind Kind, Func<Task> Run, string Context, string? ConsumerTag);
}

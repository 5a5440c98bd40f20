using System;
using System.Threading;
using System.Threading.Tasks;
using Warren;

namespace Warren.AotWorker;

/// <summary>Handles every kind of work item from its own durable queue.</summary>
[Queue("aot.worker", Prefetch = 50)]
public sealed class Worker(Progress progress)
{
    [Topic("work.*")]
    public Task Handle(WorkItem item, MessageContext context, CancellationToken ct)
    {
        progress.Handled(item);
        return Task.CompletedTask;
    }
}

/// <summary>Answers status calls from the worker's progress.</summary>
public sealed class StatusService(Progress progress) : IWorkerStatus
{
    public Task<WorkerStatus> Get(StatusRequest request, CancellationToken ct = default) =>
        Task.FromResult(new WorkerStatus(progress.Count, progress.Since));
}

/// <summary>Counts handled items and signals when the first and the expected number have been handled.</summary>
public sealed class Progress
{
    private readonly TaskCompletionSource _first = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _count;

    public long Expected { get; set; } = long.MaxValue;

    public long Count => Interlocked.Read(ref _count);

    public DateTimeOffset Since { get; } = DateTimeOffset.UtcNow;

    public Task First => _first.Task;

    public Task All => _all.Task;

    public void Handled(WorkItem item)
    {
        var count = Interlocked.Increment(ref _count);
        _first.TrySetResult();
        if (count >= Expected)
        {
            _all.TrySetResult();
        }
    }
}

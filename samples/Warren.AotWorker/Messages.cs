using System;
using System.Text.Json.Serialization;
using System.Threading;
using System.Threading.Tasks;
using Warren;

namespace Warren.AotWorker;

/// <summary>A unit of work, routed by its kind: <c>work.resize</c>, <c>work.encode</c>, …</summary>
[Exchange("aot.work", ExchangeKind.Topic)]
[Topic("work.{Kind}")]
[Message("aot.work-item")]
public sealed record WorkItem(string Id, string Kind, int Size);

/// <summary>Asks the worker how much work it has done.</summary>
public sealed record StatusRequest(string From);

/// <summary>The worker's answer.</summary>
public sealed record WorkerStatus(long Handled, DateTimeOffset Since);

/// <summary>The worker's RPC service: the generator emits the client proxy and the server dispatch.</summary>
[RpcService("aot.status", Timeout = "10s")]
public interface IWorkerStatus
{
    Task<WorkerStatus> Get(StatusRequest request, CancellationToken ct = default);
}

/// <summary>The work publisher: the generator implements it.</summary>
[Publisher]
public partial interface IWork
{
    ValueTask Submit(WorkItem item, CancellationToken ct = default);
}

[JsonSerializable(typeof(WorkItem))]
[JsonSerializable(typeof(StatusRequest))]
[JsonSerializable(typeof(WorkerStatus))]
internal sealed partial class AotJson : JsonSerializerContext;

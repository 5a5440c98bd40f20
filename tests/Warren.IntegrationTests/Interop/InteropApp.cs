using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading;
using System.Threading.Tasks;

namespace Warren.IntegrationTests.Interop;

// The Warren side of the Node.js interop tests: contracts shared with JavaScript programs, so JSON in camelCase (the
// JsonSerializerContext below, set up as the README recommends for JavaScript peers).

[Exchange("interop.events", ExchangeKind.Topic)]
[Topic("user.{Region}.created")]
[Message("interop.user-created")]
public sealed record UserCreated(string UserId, string Email, string Region, int Age);

[Exchange("interop.events", ExchangeKind.Topic)]
[Topic("user.{Region}.deleted")]
[Message("interop.user-deleted")]
public sealed record UserDeleted(string UserId, string Region, string Reason);

[Exchange("interop.tasks", ExchangeKind.Direct)]
[Topic("task")]
[Message("interop.task")]
public sealed record WorkTask(string TaskId, int Dots);

/// <summary>Published by Warren, consumed by a Node.js program.</summary>
[Exchange("interop.out", ExchangeKind.Topic)]
[Topic("order.{Region}.shipped")]
[Message("interop.order-shipped")]
public sealed record ShipmentSent(string OrderId, decimal Amount, string Region);

public sealed record SquareRequest(int N, string Label);

public sealed record SquareReply(long Square, string Label);

public sealed record CalcQuestion(int A, int B);

public sealed record CalcAnswer(long Result);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(UserCreated))]
[JsonSerializable(typeof(UserDeleted))]
[JsonSerializable(typeof(WorkTask))]
[JsonSerializable(typeof(ShipmentSent))]
[JsonSerializable(typeof(SquareRequest))]
[JsonSerializable(typeof(SquareReply))]
[JsonSerializable(typeof(CalcQuestion))]
[JsonSerializable(typeof(CalcAnswer))]
internal sealed partial class InteropJson : JsonSerializerContext;

/// <summary>Two handlers on one queue: only the routing key tells the Node producer's messages apart.</summary>
[Queue("interop.users", Concurrency = 4)]
public sealed class InteropUsers(InteropInbox inbox)
{
    [Topic("user.*.created")]
    public void Created(UserCreated user, MessageContext context) =>
        inbox.Add(new("created", user.UserId, $"{user.Email}|{user.Region}|{user.Age}", context.RoutingKey, context.MessageType, context.Timestamp));

    [Topic("user.*.deleted")]
    public void Deleted(UserDeleted user, MessageContext context) =>
        inbox.Add(new("deleted", user.UserId, $"{user.Region}|{user.Reason}", context.RoutingKey, context.MessageType, context.Timestamp));
}

/// <summary>A work queue fed the way the tutorials' <c>new_task.js</c> does: straight to the queue, no type.</summary>
[Queue("interop.tasks")]
public sealed class InteropTasks(InteropInbox inbox)
{
    public void Handle(WorkTask task, MessageContext context) =>
        inbox.Add(new("task", task.TaskId, task.Dots.ToString(System.Globalization.CultureInfo.InvariantCulture), context.RoutingKey, context.MessageType, context.Timestamp));
}

/// <summary>A service with one method: the tutorial's RPC client sends untyped requests straight to its queue.</summary>
[RpcService("interop-square")]
public interface IInteropSquare
{
    Task<SquareReply> Square(SquareRequest request, CancellationToken ct = default);
}

public sealed class InteropSquareService : IInteropSquare
{
    public Task<SquareReply> Square(SquareRequest request, CancellationToken ct = default) =>
        Task.FromResult(new SquareReply((long)request.N * request.N, request.Label));
}

/// <summary>A service with several methods: an untyped request names its method by the routing key <c>{service}.{method}</c>.</summary>
[RpcService("interop-calc")]
public interface IInteropCalc
{
    Task<CalcAnswer> Add(CalcQuestion question, CancellationToken ct = default);

    Task<CalcAnswer> Multiply(CalcQuestion question, CancellationToken ct = default);
}

public sealed class InteropCalcService : IInteropCalc
{
    public Task<CalcAnswer> Add(CalcQuestion question, CancellationToken ct = default) => Task.FromResult(new CalcAnswer((long)question.A + question.B));

    public Task<CalcAnswer> Multiply(CalcQuestion question, CancellationToken ct = default) => Task.FromResult(new CalcAnswer((long)question.A * question.B));
}

/// <summary>One handled message as the handler saw it.</summary>
public sealed record InboxEntry(string Kind, string Id, string Values, string RoutingKey, string? Type, DateTimeOffset? Timestamp);

/// <summary>Everything the interop consumers handled.</summary>
public sealed class InteropInbox
{
    private readonly ConcurrentQueue<InboxEntry> _entries = new();

    public void Add(InboxEntry entry) => _entries.Enqueue(entry);

    public InboxEntry[] Of(string run) => _entries.Where(e => e.Id.StartsWith(run + "-", StringComparison.Ordinal)).ToArray();
}

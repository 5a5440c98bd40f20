using System;
using System.Text.Json.Serialization;
using Warren;

namespace Warren.Demo;

// Event bus: user events on a topic exchange; the routing key is built from the message.
[Exchange("demo.user.events", ExchangeKind.Topic)]
[Topic("user.{Region}.created")]
[Message("user.created")]
public sealed record UserCreated(string UserId, string Email, string Region);

[Exchange("demo.user.events", ExchangeKind.Topic)]
[Topic("user.{Region}.updated")]
[Message("user.updated")]
public sealed record UserUpdated(string UserId, string Email, string Region);

// Task queue: work items on a direct exchange, with a default priority.
[Exchange("demo.tasks", ExchangeKind.Direct)]
[Topic("video.process")]
[Message("video.process")]
[Priority(1)]
public sealed record ProcessVideo(string TaskId, Uri VideoUrl, int Seconds);

[JsonSerializable(typeof(UserCreated))]
[JsonSerializable(typeof(UserUpdated))]
[JsonSerializable(typeof(ProcessVideo))]
[JsonSerializable(typeof(CheckStock))]
[JsonSerializable(typeof(StockLevel))]
[JsonSerializable(typeof(Charge))]
[JsonSerializable(typeof(ChargeResult))]
[JsonSerializable(typeof(OrderCreated))]
internal sealed partial class DemoJson : JsonSerializerContext;

/// <summary>The user service's publisher: the generator implements it.</summary>
[Publisher]
public partial interface IUserEvents
{
    System.Threading.Tasks.ValueTask Created(UserCreated evt, System.Threading.CancellationToken ct = default);

    System.Threading.Tasks.ValueTask Updated(UserUpdated evt, System.Threading.CancellationToken ct = default);
}

using System.Threading;
using System.Threading.Tasks;
using Warren;

namespace Warren.Demo;

/// <summary>The email service: its own queue, bound to every region's signups.</summary>
[Queue("demo.email-notifications", Prefetch = 20)]
public sealed class EmailNotifications(DemoLog log)
{
    [Topic("user.*.created")]
    public Task Handle(UserCreated user, MessageContext context, CancellationToken ct)
    {
        log.Write($"email      welcome mail to {user.Email} (message {context.MessageId?[..8]})");
        return Task.CompletedTask;
    }
}

/// <summary>The analytics service: its own queue, bound to everything about users.</summary>
[Queue("demo.analytics")]
public sealed class Analytics(DemoLog log)
{
    [Topic("user.#")]
    public void Created(UserCreated user, MessageContext context) =>
        log.Write($"analytics  signup of {user.UserId} in {user.Region} (key {context.RoutingKey})");

    [Topic("user.#")]
    public void Updated(UserUpdated user, MessageContext context) =>
        log.Write($"analytics  update of {user.UserId} (key {context.RoutingKey})");

    [Topic("order.#")]
    public void Ordered(OrderCreated order, MessageContext context) =>
        log.Write($"analytics  order {order.OrderId}: {order.Quantity} x {order.Sku} (key {context.RoutingKey})");
}

/// <summary>A video worker: competing consumers take one task at a time (prefetch 1, fair dispatch); urgent tasks jump the queue.</summary>
[Queue("demo.video-processing", Prefetch = 1)]
[Priority(Max = 10)]
[DeadLetter]
public sealed class VideoWorker(DemoLog log, WorkerName worker)
{
    public async Task Handle(ProcessVideo task, MessageContext context, CancellationToken ct)
    {
        await Task.Delay(task.Seconds * 100, ct);
        log.Write($"{worker.Name}   processed {task.TaskId} (priority {context.Priority}, {task.Seconds * 100} ms)");
    }
}

/// <summary>Which worker process handled a task.</summary>
public sealed record WorkerName(string Name);

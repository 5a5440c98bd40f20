using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Shop.Contracts;
using Warren;

// The fulfilment service: the video task queue (priorities, competing consumers, a dead-letter queue for tasks that
// fail for good) and the inventory and payment RPC services the storefront calls.
return await SampleService.RunAsync("fulfilment", args, _ => { });

namespace Shop.Fulfilment
{
    /// <summary>Takes one task at a time (prefetch 1, fair dispatch); urgent tasks jump the queue; a corrupt video is retried once, then dead-lettered.</summary>
    [Queue("shop.video-processing", Prefetch = 1)]
    [Priority(Max = 10)]
    [DeadLetter(MaxRetries = 1, RetryDelays = new[] { "1s" })]
    public sealed class VideoWorker
    {
        public async Task Handle(ProcessVideo task, MessageContext context, CancellationToken ct)
        {
            if (task.Seconds <= 0)
            {
                SampleService.Say("fulfilment", $"video      {task.TaskId} is corrupt (attempt {context.Headers.GetValueOrDefault(RetryPolicy.RetriesHeader) ?? "0"})");
                throw new InvalidOperationException($"{task.VideoUrl} is not a video");
            }

            await Task.Delay(task.Seconds * 100, ct);
            SampleService.Say("fulfilment", $"video      processed {task.TaskId} (priority {context.Priority}, {task.Seconds * 100} ms)");
        }
    }

    /// <summary>The dead-letter queue of the video worker: what failed for good, and why.</summary>
    [Queue("shop.video-processing.dlq")]
    public sealed class FailedVideos
    {
        public Task Handle(ProcessVideo task, MessageContext context)
        {
            SampleService.Say("fulfilment", $"dead letter {task.TaskId}: {context.Headers.GetValueOrDefault(DeadLetterHeaders.Reason)}");
            return Task.CompletedTask;
        }
    }

    /// <summary>Served because it implements the [RpcService] interface from Shop.Contracts.</summary>
    public sealed class InventoryService : IInventory
    {
        public Task<StockLevel> CheckStock(CheckStock request, CancellationToken ct = default)
        {
            var available = request.Sku == "sold-out" ? 0 : 12;
            SampleService.Say("fulfilment", $"inventory  {request.Sku} x{request.Quantity} -> {available} available");
            return Task.FromResult(new StockLevel(request.Sku, available, available >= request.Quantity));
        }
    }

    public sealed class PaymentService : IPayment
    {
        public Task<ChargeResult> Charge(Charge request, CancellationToken ct = default)
        {
            if (request.Amount <= 0)
            {
                throw new ArgumentOutOfRangeException(nameof(request), "the amount must be positive");
            }

            SampleService.Say("fulfilment", $"payment    charged {request.Amount:0.00} for {request.OrderId}");
            return Task.FromResult(new ChargeResult("pay-" + request.OrderId, Approved: true));
        }
    }
}

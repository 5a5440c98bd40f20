namespace Warren.Generators.Tests;

/// <summary>User code the generator tests run on: the seed's patterns, each attribute and option at least once.</summary>
internal static class Scenarios
{
    public const string EventBus = """
        using System.Text.Json.Serialization;
        using System.Threading;
        using System.Threading.Tasks;
        using Warren;

        namespace Shop.Users;

        [Exchange("user.events", ExchangeKind.Topic)]
        [Topic("user.{Region}.created")]
        [Message("user.created")]
        public sealed record UserCreated(string UserId, string Email, string Region);

        [Exchange("user.events", ExchangeKind.Topic)]
        [Topic("user.{Region}.updated.v{Version}")]
        public sealed record UserUpdated(string UserId, string Region, int Version);

        [Queue("email-notifications", Prefetch = 20)]
        public sealed class EmailNotifications
        {
            [Topic("user.*.created")]
            public Task Handle(UserCreated evt, CancellationToken ct) => Task.CompletedTask;
        }

        public sealed class Analytics
        {
            [Topic("user.#.created")]
            public ValueTask Created(UserCreated evt, MessageContext context) => default;

            [Topic("user.#")]
            [DeadLetter(MaxRetries = 2, RetryDelays = new[] { "30s" }, DoNotRetry = new[] { typeof(System.ArgumentException) })]
            public void Updated(UserUpdated evt)
            {
            }
        }

        [Publisher]
        public partial interface IUserEvents
        {
            ValueTask Created(UserCreated evt, CancellationToken ct = default);

            [Topic("user.{Region}.changed")]
            Task Updated(UserUpdated evt);

            [Topic("user.eu.updated.v1")]
            ValueTask UpdatedInEurope(UserUpdated evt, CancellationToken ct = default);
        }

        [JsonSerializable(typeof(UserCreated))]
        [JsonSerializable(typeof(UserUpdated))]
        internal sealed partial class UsersJson : JsonSerializerContext;
        """;

    public const string TaskQueue = """
        using System;
        using System.Text.Json.Serialization;
        using System.Threading;
        using System.Threading.Tasks;
        using Warren;

        namespace Video;

        [Exchange("tasks", ExchangeKind.Direct)]
        [Topic("video.process")]
        [Priority(5)]
        public sealed record ProcessVideo(string TaskId, Uri VideoUrl);

        [Queue("video-processing", Concurrency = 4, Prefetch = 1, MessageTtl = "1h", MaxLength = 10000, Overflow = QueueOverflow.RejectPublish)]
        [Priority(Max = 10)]
        [DeadLetter(MaxRetries = 3, RetryDelays = new[] { "1s", "10s" })]
        public sealed class VideoWorker
        {
            public Task Handle(ProcessVideo task, CancellationToken ct) => Task.CompletedTask;
        }

        [JsonSerializable(typeof(ProcessVideo))]
        internal sealed partial class VideoJson : JsonSerializerContext;
        """;

    public const string BatchAndDelay = """
        using System;
        using System.Collections.Generic;
        using System.Text.Json.Serialization;
        using System.Threading;
        using System.Threading.Tasks;
        using Warren;

        namespace Metrics;

        [Exchange("metrics", ExchangeKind.Topic)]
        [Topic("reading.{Sensor}")]
        public sealed record Reading(string Sensor, double Value);

        [Exchange("metrics", ExchangeKind.Topic)]
        [Topic("alarm.raised")]
        public sealed record Alarm(string Sensor);

        [Queue("readings", Prefetch = 200)]
        public sealed class ReadingWriter
        {
            [Batch(Size = 100, Timeout = "500ms")]
            public Task Handle(IReadOnlyList<Reading> readings, CancellationToken ct) => Task.CompletedTask;

            public void Handle(Alarm alarm) { }
        }

        [Publisher]
        public partial interface IReminders
        {
            ValueTask RemindLater(Alarm alarm, TimeSpan delay, CancellationToken ct = default);

            [Topic("reading.{Sensor}")]
            Task Schedule(Reading reading, DateTimeOffset deliverAt);
        }

        [JsonSerializable(typeof(Reading))]
        [JsonSerializable(typeof(Alarm))]
        internal sealed partial class MetricsJson : JsonSerializerContext;
        """;

    public const string FanoutHeadersQuorum = """
        using System.Text.Json.Serialization;
        using System.Threading.Tasks;
        using Warren;

        namespace Records;

        [Exchange("audit", ExchangeKind.Fanout)]
        public sealed record AuditEntry(string Text);

        [Exchange("documents", ExchangeKind.Headers)]
        public sealed record Document(string Format, string Name);

        [Queue("audit-log", Type = QueueType.Quorum, SingleActiveConsumer = true)]
        public sealed class AuditLog
        {
            public Task Handle(AuditEntry entry) => Task.CompletedTask;
        }

        [Queue("archive", Durable = true)]
        [Exchange("documents", ExchangeKind.Headers)]
        public sealed class Archive
        {
            [Headers("format=pdf", "kind=report")]
            [Headers("format=png", "format2=jpg", Mode = HeadersMatch.Any)]
            public Task Store(Document document) => Task.CompletedTask;
        }

        [JsonSerializable(typeof(AuditEntry))]
        [JsonSerializable(typeof(Document))]
        internal sealed partial class RecordsJson : JsonSerializerContext;
        """;

    public const string Rpc = """
        using System.Text.Json.Serialization;
        using System.Threading;
        using System.Threading.Tasks;
        using Warren;

        namespace Orders;

        public sealed record CheckStock(string Sku, int Quantity);

        public sealed record StockLevel(string Sku, int Available);

        public sealed record Charge(string OrderId, decimal Amount);

        public sealed record ChargeResult(string PaymentId);

        public sealed record Refund(string PaymentId);

        [RpcService("inventory", Timeout = "5s")]
        public interface IInventory
        {
            Task<StockLevel> CheckStock(CheckStock request, CancellationToken ct = default);
        }

        [RpcService("payment", QueueType = QueueType.Quorum, Concurrency = 8)]
        public interface IPayment
        {
            [Rpc(Name = "payment.charge.v1", Timeout = "10s")]
            ValueTask<ChargeResult> ChargeAsync(Charge request, CancellationToken ct = default);

            Task Refund(Refund request);
        }

        public sealed class InventoryService : IInventory
        {
            public Task<StockLevel> CheckStock(CheckStock request, CancellationToken ct = default) => Task.FromResult(new StockLevel(request.Sku, 3));
        }

        public sealed class PaymentService : IPayment
        {
            public ValueTask<ChargeResult> ChargeAsync(Charge request, CancellationToken ct = default) => new(new ChargeResult("p-1"));

            Task IPayment.Refund(Refund request) => Task.CompletedTask;
        }

        [JsonSerializable(typeof(CheckStock))]
        [JsonSerializable(typeof(StockLevel))]
        [JsonSerializable(typeof(Charge))]
        [JsonSerializable(typeof(ChargeResult))]
        [JsonSerializable(typeof(Refund))]
        internal sealed partial class OrdersJson : JsonSerializerContext;
        """;

    public const string TextAndBytes = """
        using System;
        using System.Text.Json.Serialization;
        using System.Threading;
        using System.Threading.Tasks;
        using Warren;

        namespace Tutorials;

        public sealed record Thumbnail(string Name, int Width);

        /// <summary>The tutorials' senders: a queue by name on the default exchange, and a non-durable fanout exchange.</summary>
        [Publisher]
        public partial interface IHello
        {
            [Topic("hello")]
            ValueTask Hello(string text, CancellationToken ct = default);

            [Topic("task_queue")]
            Task Task(string? work, TimeSpan delay);
        }

        [Publisher]
        [Exchange("logs", ExchangeKind.Fanout, Durable = false)]
        public partial interface ILogs
        {
            ValueTask Log(string line);

            ValueTask Raw(byte[] body, PublishOptions? options = null, CancellationToken ct = default);
        }

        /// <summary>Tutorial 6: the number as text in, fib(n) as text out; and bytes beside JSON.</summary>
        [RpcService("fib", Queue = "rpc_queue", Durable = false)]
        public interface IFib
        {
            Task<string> Fib(string n, CancellationToken ct = default);
        }

        [RpcService("images")]
        public interface IImages
        {
            Task<Thumbnail> Measure(byte[] image);

            ValueTask<ReadOnlyMemory<byte>> Render(Thumbnail thumbnail, CancellationToken ct = default);
        }

        public sealed class FibServer : IFib
        {
            public Task<string> Fib(string n, CancellationToken ct = default) => Task.FromResult(n);
        }

        public sealed class ImageServer : IImages
        {
            public Task<Thumbnail> Measure(byte[] image) => Task.FromResult(new Thumbnail("t", image.Length));

            public ValueTask<ReadOnlyMemory<byte>> Render(Thumbnail thumbnail, CancellationToken ct = default) => new(new byte[thumbnail.Width]);
        }

        [JsonSerializable(typeof(Thumbnail))]
        internal sealed partial class TutorialJson : JsonSerializerContext;
        """;

    /// <summary>Topic patterns with several '#' between words, in a dispatcher that chooses by binding.</summary>
    public const string SeveralHashes = """
        using System.Text.Json.Serialization;
        using System.Threading.Tasks;
        using Warren;

        namespace Shop.Audit;

        [Exchange("shop.events", ExchangeKind.Topic)]
        [Topic("order.placed")]
        public sealed record OrderEvent(string OrderId);

        [Exchange("shop.events", ExchangeKind.Topic)]
        [Topic("user.created")]
        public sealed record UserEvent(string UserId);

        [Queue("audit")]
        public sealed class AuditTrail
        {
            [Topic("#.order.#.*.placed.#.eu")]
            public Task Handle(OrderEvent evt) => Task.CompletedTask;

            [Topic("*.#.#.user.#")]
            public Task Handle(UserEvent evt) => Task.CompletedTask;
        }

        [JsonSerializable(typeof(OrderEvent))]
        [JsonSerializable(typeof(UserEvent))]
        internal sealed partial class AuditJson : JsonSerializerContext;
        """;
}

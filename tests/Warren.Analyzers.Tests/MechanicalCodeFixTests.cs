using System.Threading.Tasks;
using Warren.CodeFixes;
using Xunit;

namespace Warren.Analyzers.Tests;

public sealed class WRN005_AsyncVoidCodeFixTests
{
    [Fact]
    public Task An_async_void_handler_returns_task() => CodeFixHarness.VerifyAsync(new FixHandlerSignatureCodeFix(), "WRN005",
        Sources.Order + """
        [Queue("q")]
        public sealed class Handler
        {
            public async void Handle(OrderPlaced order) => await Task.Yield();
        }
        """,
        Sources.Order + """
        [Queue("q")]
        public sealed class Handler
        {
            public async Task Handle(OrderPlaced order) => await Task.Yield();
        }
        """);

    [Fact]
    public Task Fix_all_fixes_async_void_handlers_across_documents_and_nested_classes_keeping_doc_comments() => CodeFixHarness.VerifyFixAllAsync(new FixHandlerSignatureCodeFix(), "WRN005",
        [
            Sources.Order + """
            [Queue("q")]
            public sealed class Handler
            {
                /// <summary>Placed.</summary>
                public async /* fire */ void Handle(OrderPlaced order)
                {
                    await Task.Yield();
                }
            }
            """,
            """
            public static class Outer
            {
                [Queue("r")]
                public sealed class Nested
                {
                    /// <summary>Paid.</summary>
                    [Topic("order.paid")]
                    private static async void Paid(OrderPaid order, CancellationToken ct) => await Task.Delay(1, ct);

                    /// <summary>Placed.</summary>
                    [Topic("order.placed")] async void Placed(OrderPlaced order) => await Task.Yield();
                }
            }
            """,
        ],
        [
            Sources.Order + """
            [Queue("q")]
            public sealed class Handler
            {
                /// <summary>Placed.</summary>
                public async /* fire */ Task Handle(OrderPlaced order)
                {
                    await Task.Yield();
                }
            }
            """,
            """
            public static class Outer
            {
                [Queue("r")]
                public sealed class Nested
                {
                    /// <summary>Paid.</summary>
                    [Topic("order.paid")]
                    public async Task Paid(OrderPaid order, CancellationToken ct) => await Task.Delay(1, ct);

                    /// <summary>Placed.</summary>
                    [Topic("order.placed")] public async Task Placed(OrderPlaced order) => await Task.Yield();
                }
            }
            """,
        ]);
}

public sealed class WRN011_LowerPriorityCodeFixTests
{
    [Fact]
    public Task A_message_priority_above_ten_becomes_ten() => CodeFixHarness.VerifyAsync(new LowerPriorityCodeFix(), "WRN011",
        """
        [Exchange("jobs", ExchangeKind.Direct)]
        [Topic("job")]
        [Priority(20)]
        public sealed record Job(string Id);
        [Queue("q")]
        [Priority(Max = 10)]
        public sealed class Worker { public void Handle(Job job) { } }
        [JsonSerializable(typeof(Job))] internal sealed partial class Json : JsonSerializerContext;
        """,
        """
        [Exchange("jobs", ExchangeKind.Direct)]
        [Topic("job")]
        [Priority(10)]
        public sealed record Job(string Id);
        [Queue("q")]
        [Priority(Max = 10)]
        public sealed class Worker { public void Handle(Job job) { } }
        [JsonSerializable(typeof(Job))] internal sealed partial class Json : JsonSerializerContext;
        """);

    [Fact]
    public Task Fix_all_lowers_message_and_queue_priorities_across_documents_and_nested_classes() => CodeFixHarness.VerifyFixAllAsync(new LowerPriorityCodeFix(), "WRN011",
        [
            """
            /// <summary>A job.</summary>
            [Exchange("jobs", ExchangeKind.Direct)] [Topic("job")] [Priority(200 /* urgent */)] public sealed record Job(string Id);
            [Exchange("jobs", ExchangeKind.Direct)] [Topic("small")] [Priority(3)] public sealed record Small(string Id);
            [JsonSerializable(typeof(Job))] [JsonSerializable(typeof(Small))] internal sealed partial class Json : JsonSerializerContext;
            """,
            """
            public static class Workers
            {
                /// <summary>Does the jobs.</summary>
                [Queue("q")]
                [Priority(Max = 50)]
                public sealed class Worker
                {
                    public void Handle(Job job) { }
                    public void Handle(Small job) { }
                }
            }
            """,
        ],
        [
            """
            /// <summary>A job.</summary>
            [Exchange("jobs", ExchangeKind.Direct)] [Topic("job")] [Priority(10 /* urgent */)] public sealed record Job(string Id);
            [Exchange("jobs", ExchangeKind.Direct)] [Topic("small")] [Priority(3)] public sealed record Small(string Id);
            [JsonSerializable(typeof(Job))] [JsonSerializable(typeof(Small))] internal sealed partial class Json : JsonSerializerContext;
            """,
            """
            public static class Workers
            {
                /// <summary>Does the jobs.</summary>
                [Queue("q")]
                [Priority(Max = 10)]
                public sealed class Worker
                {
                    public void Handle(Job job) { }
                    public void Handle(Small job) { }
                }
            }
            """,
        ]);
}

public sealed class WRN015_RaiseDeliveryLimitCodeFixTests
{
    [Fact]
    public Task The_delivery_limit_is_raised_to_the_attempts() => CodeFixHarness.VerifyAsync(new RaiseDeliveryLimitCodeFix(), "WRN015",
        Sources.Order + """
        [Queue("q", Type = QueueType.Quorum, DeliveryLimit = 3)]
        [DeadLetter(ImmediateRetries = 1, MaxRetries = 2)]
        public sealed class Handler { public void Handle(OrderPlaced order) { } }
        """,
        Sources.Order + """
        [Queue("q", Type = QueueType.Quorum, DeliveryLimit = 4)]
        [DeadLetter(ImmediateRetries = 1, MaxRetries = 2)]
        public sealed class Handler { public void Handle(OrderPlaced order) { } }
        """);

    [Fact]
    public Task Fix_all_raises_every_limit_across_documents_and_nested_classes_keeping_comments() => CodeFixHarness.VerifyFixAllAsync(new RaiseDeliveryLimitCodeFix(), "WRN015",
        [
            Sources.Order + """
            /// <summary>Orders.</summary>
            [Queue("a", Type = QueueType.Quorum, DeliveryLimit = 1 /* strict */, Prefetch = 5)]
            [DeadLetter(MaxRetries = 5)]
            public sealed class A { public void Handle(OrderPlaced order) { } }
            """,
            """
            public static class Outer
            {
                /// <summary>Payments.</summary>
                [DeadLetter(ImmediateRetries = 2, MaxRetries = 3)]
                [Queue("b", DeliveryLimit = 2, Type = QueueType.Quorum)]
                public sealed class B { public void Handle(OrderPaid order) { } }
            }
            """,
        ],
        [
            Sources.Order + """
            /// <summary>Orders.</summary>
            [Queue("a", Type = QueueType.Quorum, DeliveryLimit = 6 /* strict */, Prefetch = 5)]
            [DeadLetter(MaxRetries = 5)]
            public sealed class A { public void Handle(OrderPlaced order) { } }
            """,
            """
            public static class Outer
            {
                /// <summary>Payments.</summary>
                [DeadLetter(ImmediateRetries = 2, MaxRetries = 3)]
                [Queue("b", DeliveryLimit = 6, Type = QueueType.Quorum)]
                public sealed class B { public void Handle(OrderPaid order) { } }
            }
            """,
        ]);
}

public sealed class WRN017_UseRejectPublishCodeFixTests
{
    [Fact]
    public Task Reject_publish_dlx_becomes_reject_publish() => CodeFixHarness.VerifyAsync(new UseRejectPublishCodeFix(), "WRN017",
        Sources.Order + """
        [Queue("q", Type = QueueType.Quorum, Overflow = QueueOverflow.RejectPublishDlx, MaxLength = 1000)]
        public sealed class Handler { public void Handle(OrderPlaced order) { } }
        """,
        Sources.Order + """
        [Queue("q", Type = QueueType.Quorum, Overflow = QueueOverflow.RejectPublish, MaxLength = 1000)]
        public sealed class Handler { public void Handle(OrderPlaced order) { } }
        """);

    [Fact]
    public Task Fix_all_keeps_each_qualification_across_documents_and_nested_classes() => CodeFixHarness.VerifyFixAllAsync(new UseRejectPublishCodeFix(), "WRN017",
        [
            Sources.Order + """
            /// <summary>Orders.</summary>
            [Queue("a", Type = QueueType.Quorum, Overflow = global::Warren.QueueOverflow.RejectPublishDlx /* full */)]
            public sealed class A { public void Handle(OrderPlaced order) { } }

            [Queue("c", Overflow = (QueueOverflow)2, Type = QueueType.Quorum)]
            public sealed class C { public void Handle(OrderPaid order) { } }
            """,
            """
            using static Warren.QueueOverflow;

            public static class Outer
            {
                /// <summary>Payments.</summary>
                [Queue("b", Overflow = RejectPublishDlx, Type = QueueType.Quorum)]
                public sealed class B { public void Handle(OrderPaid order) { } }
            }
            """,
        ],
        [
            Sources.Order + """
            /// <summary>Orders.</summary>
            [Queue("a", Type = QueueType.Quorum, Overflow = global::Warren.QueueOverflow.RejectPublish /* full */)]
            public sealed class A { public void Handle(OrderPlaced order) { } }

            [Queue("c", Overflow = QueueOverflow.RejectPublish, Type = QueueType.Quorum)]
            public sealed class C { public void Handle(OrderPaid order) { } }
            """,
            """
            using static Warren.QueueOverflow;

            public static class Outer
            {
                /// <summary>Payments.</summary>
                [Queue("b", Overflow = RejectPublish, Type = QueueType.Quorum)]
                public sealed class B { public void Handle(OrderPaid order) { } }
            }
            """,
        ]);
}

public sealed class WRN042_RaiseMaxRetriesCodeFixTests
{
    [Fact]
    public Task MaxRetries_is_raised_to_the_number_of_delays() => CodeFixHarness.VerifyAsync(new RaiseMaxRetriesCodeFix(), "WRN042",
        Sources.Order + """
        [Queue("q")]
        [DeadLetter(ImmediateRetries = 1, MaxRetries = 1 /* few */, RetryDelays = new[] { "1s", "10s" })]
        public sealed class Handler { public void Handle(OrderPlaced order) { } }
        """,
        Sources.Order + """
        [Queue("q")]
        [DeadLetter(ImmediateRetries = 1, MaxRetries = 2 /* few */, RetryDelays = new[] { "1s", "10s" })]
        public sealed class Handler { public void Handle(OrderPlaced order) { } }
        """);

    [Fact]
    public Task Fix_all_adds_MaxRetries_before_the_delays_on_classes_and_handlers_across_documents() => CodeFixHarness.VerifyFixAllAsync(new RaiseMaxRetriesCodeFix(), "WRN042",
        [
            Sources.Order + """
            /// <summary>Orders.</summary>
            [Queue("a")]
            [DeadLetter(Queue = "a.failed", RetryDelays = new[] { "1s", "10s", "1m" })]
            public sealed class A { public void Handle(OrderPlaced order) { } }
            """,
            """
            public static class Outer
            {
                [Queue("b")]
                public sealed class B
                {
                    [DeadLetter(RetryDelays = new[] { "5s" })]
                    public void Handle(OrderPaid order) { }
                }
            }
            """,
        ],
        [
            Sources.Order + """
            /// <summary>Orders.</summary>
            [Queue("a")]
            [DeadLetter(Queue = "a.failed", MaxRetries = 3, RetryDelays = new[] { "1s", "10s", "1m" })]
            public sealed class A { public void Handle(OrderPlaced order) { } }
            """,
            """
            public static class Outer
            {
                [Queue("b")]
                public sealed class B
                {
                    [DeadLetter(MaxRetries = 1, RetryDelays = new[] { "5s" })]
                    public void Handle(OrderPaid order) { }
                }
            }
            """,
        ]);
}

using System.Threading.Tasks;
using Warren.CodeFixes;
using Xunit;

namespace Warren.Analyzers.Tests;

public sealed class WRN019_AddJsonSerializableCodeFixTests
{
    [Fact]
    public Task The_missing_type_is_added_to_the_context() => CodeFixHarness.VerifyAsync(new AddJsonSerializableCodeFix(), "WRN019",
        """
        [Exchange("orders")]
        [Topic("order.placed")]
        public sealed record OrderPlaced(string Id);

        [JsonSerializable(typeof(string))]
        internal sealed partial class Json : JsonSerializerContext;
        """,
        """
        [Exchange("orders")]
        [Topic("order.placed")]
        public sealed record OrderPlaced(string Id);

        [JsonSerializable(typeof(string))]
        [JsonSerializable(typeof(OrderPlaced))]
        internal sealed partial class Json : JsonSerializerContext;
        """);

    [Fact]
    public Task Fix_all_adds_every_missing_type_once_to_a_context_in_another_file_keeping_its_doc_comment() => CodeFixHarness.VerifyFixAllAsync(new AddJsonSerializableCodeFix(), "WRN019",
        [
            """
            namespace Shop
            {
                public static class Events
                {
                    [Exchange("orders")]
                    [Topic("order.placed")]
                    public sealed record Placed(string Id);
                }

                public sealed record Envelope<T>(T Body);

                [Queue("q")]
                public sealed class Handler
                {
                    public void Handle(Events.Placed e) { }
                    public void Handle(Envelope<string> e) { }
                }
            }
            """,
            """
            namespace Shop
            {
                /// <summary>The application's JSON metadata.</summary>
                internal sealed partial class Json : JsonSerializerContext;
            }
            """,
        ],
        [
            """
            namespace Shop
            {
                public static class Events
                {
                    [Exchange("orders")]
                    [Topic("order.placed")]
                    public sealed record Placed(string Id);
                }

                public sealed record Envelope<T>(T Body);

                [Queue("q")]
                public sealed class Handler
                {
                    public void Handle(Events.Placed e) { }
                    public void Handle(Envelope<string> e) { }
                }
            }
            """,
            """
            namespace Shop
            {
                /// <summary>The application's JSON metadata.</summary>
                [JsonSerializable(typeof(Events.Placed))]
                [JsonSerializable(typeof(Envelope<string>))]
                internal sealed partial class Json : JsonSerializerContext;
            }
            """,
        ]);
}

public sealed class WRN039_MakeHandlerPublicCodeFixTests
{
    [Fact]
    public Task A_private_handler_becomes_public() => CodeFixHarness.VerifyAsync(new FixHandlerSignatureCodeFix(), "WRN039",
        Sources.Order + """
        [Queue("q")]
        public sealed class Handler
        {
            public void Handle(OrderPlaced order) { }
            private Task HandleAsync(OrderPaid order) => Task.CompletedTask;
        }
        """,
        Sources.Order + """
        [Queue("q")]
        public sealed class Handler
        {
            public void Handle(OrderPlaced order) { }
            public Task HandleAsync(OrderPaid order) => Task.CompletedTask;
        }
        """);
}

public sealed class WRN005_FixHandlerSignatureCodeFixTests
{
    [Fact]
    public Task A_private_static_handler_becomes_public_instance() => CodeFixHarness.VerifyAsync(new FixHandlerSignatureCodeFix(), "WRN005",
        Sources.Order + """
        [Queue("q")]
        public sealed class Handler
        {
            [Topic("order.placed")]
            private static void Placed(OrderPlaced order) { }
        }
        """,
        Sources.Order + """
        [Queue("q")]
        public sealed class Handler
        {
            [Topic("order.placed")]
            public void Placed(OrderPlaced order) { }
        }
        """);

    [Fact]
    public Task Fix_all_keeps_doc_comments_and_fixes_handlers_in_nested_classes() => CodeFixHarness.VerifyFixAllAsync(new FixHandlerSignatureCodeFix(), "WRN005",
        [
            Sources.Order + """
            public static class Outer
            {
                [Queue("q")]
                public sealed class Handler
                {
                    /// <summary>Placed.</summary>
                    [Topic("order.placed")]
                    static void Placed(OrderPlaced order) { }

                    /// <summary>Paid.</summary>
                    [Topic("order.paid")] internal async Task Paid(OrderPaid order) => await Task.Yield();
                }
            }
            """,
        ],
        [
            Sources.Order + """
            public static class Outer
            {
                [Queue("q")]
                public sealed class Handler
                {
                    /// <summary>Placed.</summary>
                    [Topic("order.placed")]
                    public void Placed(OrderPlaced order) { }

                    /// <summary>Paid.</summary>
                    [Topic("order.paid")] public async Task Paid(OrderPaid order) => await Task.Yield();
                }
            }
            """,
        ]);
}

public sealed class WRN012_AddMaxPriorityCodeFixTests
{
    [Fact]
    public Task The_receiving_queue_gets_x_max_priority() => CodeFixHarness.VerifyAsync(new AddMaxPriorityCodeFix(), "WRN012",
        """
        [Exchange("jobs", ExchangeKind.Direct)]
        [Topic("job")]
        [Priority(5)]
        public sealed record Job(string Id);
        [Queue("q")]
        public sealed class Worker { public void Handle(Job job) { } }
        [JsonSerializable(typeof(Job))] internal sealed partial class Json : JsonSerializerContext;
        """,
        """
        [Exchange("jobs", ExchangeKind.Direct)]
        [Topic("job")]
        [Priority(5)]
        public sealed record Job(string Id);
        [Queue("q")]
        [Priority(Max = 10)]
        public sealed class Worker { public void Handle(Job job) { } }
        [JsonSerializable(typeof(Job))] internal sealed partial class Json : JsonSerializerContext;
        """);

    [Fact]
    public Task Fix_all_gives_a_nested_consumer_of_two_prioritized_messages_one_attribute() => CodeFixHarness.VerifyFixAllAsync(new AddMaxPriorityCodeFix(), "WRN012",
        [
            """
            [Exchange("jobs", ExchangeKind.Direct)] [Topic("job")] [Priority(5)] public sealed record Job(string Id);
            [Exchange("jobs", ExchangeKind.Direct)] [Topic("urgent")] [Priority(9)] public sealed record Urgent(string Id);
            [JsonSerializable(typeof(Job))] [JsonSerializable(typeof(Urgent))] internal sealed partial class Json : JsonSerializerContext;
            """,
            """
            public static class Workers
            {
                /// <summary>Does the jobs.</summary>
                public sealed class Worker
                {
                    [Topic("job")] public void Handle(Job job) { }
                    [Topic("urgent")] public void Handle(Urgent job) { }
                }
            }
            """,
        ],
        [
            """
            [Exchange("jobs", ExchangeKind.Direct)] [Topic("job")] [Priority(5)] public sealed record Job(string Id);
            [Exchange("jobs", ExchangeKind.Direct)] [Topic("urgent")] [Priority(9)] public sealed record Urgent(string Id);
            [JsonSerializable(typeof(Job))] [JsonSerializable(typeof(Urgent))] internal sealed partial class Json : JsonSerializerContext;
            """,
            """
            public static class Workers
            {
                /// <summary>Does the jobs.</summary>
                [Priority(Max = 10)]
                public sealed class Worker
                {
                    [Topic("job")] public void Handle(Job job) { }
                    [Topic("urgent")] public void Handle(Urgent job) { }
                }
            }
            """,
        ]);
}

public sealed class WRN016_RemoveQuorumOptionCodeFixTests
{
    [Fact]
    public Task The_refused_option_is_removed() => CodeFixHarness.VerifyAsync(new RemoveQuorumOptionCodeFix(), "WRN016",
        Sources.Order + """
        [Queue("q", Type = QueueType.Quorum, Exclusive = true)]
        public sealed class Handler { public void Handle(OrderPlaced order) { } }
        """,
        Sources.Order + """
        [Queue("q", Type = QueueType.Quorum)]
        public sealed class Handler { public void Handle(OrderPlaced order) { } }
        """);

    [Fact]
    public Task Durable_false_on_a_quorum_rpc_service_is_removed() => CodeFixHarness.VerifyAsync(new RemoveQuorumOptionCodeFix(), "WRN016",
        """
        [RpcService("fib", QueueType = QueueType.Quorum, Durable = false)]
        public interface IFib { Task<string> Fib(string n); }
        """,
        """
        [RpcService("fib", QueueType = QueueType.Quorum)]
        public interface IFib { Task<string> Fib(string n); }
        """);

    [Fact]
    public Task A_priority_attribute_on_a_quorum_queue_is_removed() => CodeFixHarness.VerifyAsync(new RemoveQuorumOptionCodeFix(), "WRN016",
        Sources.Order + """
        [Queue("q", Type = QueueType.Quorum)]
        [Priority(Max = 5)]
        public sealed class Handler { public void Handle(OrderPlaced order) { } }
        """,
        Sources.Order + """
        [Queue("q", Type = QueueType.Quorum)]
        public sealed class Handler { public void Handle(OrderPlaced order) { } }
        """);

    [Fact]
    public Task Fix_all_removes_several_options_of_one_attribute_and_keeps_the_doc_comment_of_a_removed_list() => CodeFixHarness.VerifyFixAllAsync(new RemoveQuorumOptionCodeFix(), "WRN016",
        [
            Sources.Order + """
            /// <summary>Payments.</summary>
            [Priority(Max = 5)]
            [Queue("q", Type = QueueType.Quorum, Exclusive = true, AutoDelete = true, Durable = false)]
            public sealed class Handler { public void Handle(OrderPlaced order) { } }
            """,
        ],
        [
            Sources.Order + """
            /// <summary>Payments.</summary>
            [Queue("q", Type = QueueType.Quorum)]
            public sealed class Handler { public void Handle(OrderPlaced order) { } }
            """,
        ]);
}

public sealed class WRN031_FixStreamOptionCodeFixTests
{
    [Fact]
    public Task An_option_a_stream_refuses_is_removed() => CodeFixHarness.VerifyAsync(new FixStreamOptionCodeFix(), "WRN031",
        Sources.Order + """
        [Queue("s", Type = QueueType.Stream, MessageTtl = "1h", MaxAge = "7D")]
        public sealed class Handler { public void Handle(OrderPlaced order) { } }
        """,
        Sources.Order + """
        [Queue("s", Type = QueueType.Stream, MaxAge = "7D")]
        public sealed class Handler { public void Handle(OrderPlaced order) { } }
        """);

    [Fact]
    public Task Delayed_retries_on_a_stream_become_max_retries_zero() => CodeFixHarness.VerifyAsync(new FixStreamOptionCodeFix(), "WRN031",
        Sources.Order + """
        [Queue("s", Type = QueueType.Stream)]
        [DeadLetter(ImmediateRetries = 2, MaxRetries = 3)]
        public sealed class Handler { public void Handle(OrderPlaced order) { } }
        """,
        Sources.Order + """
        [Queue("s", Type = QueueType.Stream)]
        [DeadLetter(ImmediateRetries = 2, MaxRetries = 0)]
        public sealed class Handler { public void Handle(OrderPlaced order) { } }
        """);

    [Fact]
    public Task Stream_only_options_on_a_quorum_queue_are_removed_with_the_consume_from_attribute() => CodeFixHarness.VerifyFixAllAsync(new FixStreamOptionCodeFix(), "WRN031",
        [
            Sources.Order + """
            /// <summary>Orders.</summary>
            [ConsumeFrom(StreamFrom.First)]
            [Queue("q", Type = QueueType.Quorum, MaxAge = "7D", MaxSegmentSizeBytes = 1000)]
            public sealed class Handler { public void Handle(OrderPlaced order) { } }
            """,
        ],
        [
            Sources.Order + """
            /// <summary>Orders.</summary>
            [Queue("q", Type = QueueType.Quorum)]
            public sealed class Handler { public void Handle(OrderPlaced order) { } }
            """,
        ]);

    [Fact]
    public Task Fix_all_fixes_every_stream_option_across_documents_and_leaves_a_bad_start_to_the_user() => CodeFixHarness.VerifyFixAllAsync(new FixStreamOptionCodeFix(), "WRN031",
        [
            Sources.Order + """
            [Queue("s", Type = QueueType.Stream, Exclusive = true, AutoDelete = true, Durable = false, MessageTtl = "1h", MaxLength = 10, DeliveryLimit = 3, Prefetch = 50)]
            [Priority(Max = 5)]
            [DeadLetter(MaxRetries = 2)]
            [ConsumeFrom(Offset = -5)]
            public sealed class Handler { public void Handle(OrderPlaced order) { } }
            """,
            """
            using Warren;

            namespace App;

            [Queue("t", Type = QueueType.Stream, Overflow = QueueOverflow.DropHead, SingleActiveConsumer = true)]
            public sealed class Other { public void Handle(OrderPaid order) { } }
            """,
        ],
        [
            Sources.Order + """
            [Queue("s", Type = QueueType.Stream, Prefetch = 50)]
            [DeadLetter(MaxRetries = 0)]
            [ConsumeFrom(Offset = -5)]
            public sealed class Handler { public void Handle(OrderPlaced order) { } }
            """,
            """
            using Warren;

            namespace App;

            [Queue("t", Type = QueueType.Stream)]
            public sealed class Other { public void Handle(OrderPaid order) { } }
            """,
        ]);
}

public sealed class WRN024_RaisePrefetchCodeFixTests
{
    [Fact]
    public Task Prefetch_is_raised_to_concurrency() => CodeFixHarness.VerifyAsync(new RaisePrefetchCodeFix(), "WRN024",
        Sources.Order + """
        [Queue("q", Prefetch = 1, Concurrency = 4)]
        public sealed class Handler { public void Handle(OrderPlaced order) { } }
        """,
        Sources.Order + """
        [Queue("q", Prefetch = 4, Concurrency = 4)]
        public sealed class Handler { public void Handle(OrderPlaced order) { } }
        """);

    [Fact]
    public Task Fix_all_raises_prefetch_of_queues_and_rpc_services() => CodeFixHarness.VerifyFixAllAsync(new RaisePrefetchCodeFix(), "WRN024",
        [
            Sources.Order + """
            [Queue("a", Concurrency = 8, Prefetch = 2)] public sealed class A { public void Handle(OrderPlaced order) { } }
            [Queue("b", Concurrency = 3, Prefetch = 1, MessageTtl = "1m")] public sealed class B { public void Handle(OrderPaid order) { } }
            [RpcService("svc", Prefetch = 1, Concurrency = 2)] public interface ISvc { Task<OrderPaid> Pay(OrderPlaced order); }
            """,
        ],
        [
            Sources.Order + """
            [Queue("a", Concurrency = 8, Prefetch = 8)] public sealed class A { public void Handle(OrderPlaced order) { } }
            [Queue("b", Concurrency = 3, Prefetch = 3, MessageTtl = "1m")] public sealed class B { public void Handle(OrderPaid order) { } }
            [RpcService("svc", Prefetch = 2, Concurrency = 2)] public interface ISvc { Task<OrderPaid> Pay(OrderPlaced order); }
            """,
        ]);
}

public sealed class WRN026_AddPublishOptionsCodeFixTests
{
    [Fact]
    public Task A_publish_options_parameter_goes_before_the_cancellation_token() => CodeFixHarness.VerifyAsync(new AddPublishOptionsCodeFix(), "WRN026",
        """
        [Exchange("docs", ExchangeKind.Headers)] public sealed record Doc(string Id);
        [JsonSerializable(typeof(Doc))] internal sealed partial class Json : JsonSerializerContext;
        [Publisher]
        public partial interface IDocs
        {
            /// <summary>Sends a document.</summary>
            ValueTask Send(Doc doc, CancellationToken ct = default);
        }
        """,
        """
        [Exchange("docs", ExchangeKind.Headers)] public sealed record Doc(string Id);
        [JsonSerializable(typeof(Doc))] internal sealed partial class Json : JsonSerializerContext;
        [Publisher]
        public partial interface IDocs
        {
            /// <summary>Sends a document.</summary>
            ValueTask Send(Doc doc, PublishOptions options, CancellationToken ct = default);
        }
        """);

    [Fact]
    public Task Fix_all_adds_options_to_every_method_across_documents_and_nested_interfaces_keeping_doc_comments() => CodeFixHarness.VerifyFixAllAsync(new AddPublishOptionsCodeFix(), "WRN026",
        [
            """
            [Exchange("docs", ExchangeKind.Headers)] public sealed record Doc(string Id);
            [Exchange("docs", ExchangeKind.Headers)] public sealed record Note(string Id);
            [JsonSerializable(typeof(Doc))] [JsonSerializable(typeof(Note))] internal sealed partial class Json : JsonSerializerContext;
            [Publisher]
            public partial interface IDocs
            {
                /// <summary>Sends a document.</summary>
                ValueTask Send(Doc doc);

                // Notes too.
                Task Note(Note note, CancellationToken ct);
            }
            """,
            """
            public static class Outer
            {
                /// <summary>Archives.</summary>
                [Publisher]
                public partial interface IArchive
                {
                    /// <summary>Archives a document.</summary>
                    ValueTask Archive(Doc options, CancellationToken ct = default);
                }
            }
            """,
        ],
        [
            """
            [Exchange("docs", ExchangeKind.Headers)] public sealed record Doc(string Id);
            [Exchange("docs", ExchangeKind.Headers)] public sealed record Note(string Id);
            [JsonSerializable(typeof(Doc))] [JsonSerializable(typeof(Note))] internal sealed partial class Json : JsonSerializerContext;
            [Publisher]
            public partial interface IDocs
            {
                /// <summary>Sends a document.</summary>
                ValueTask Send(Doc doc, PublishOptions options);

                // Notes too.
                Task Note(Note note, PublishOptions options, CancellationToken ct);
            }
            """,
            """
            public static class Outer
            {
                /// <summary>Archives.</summary>
                [Publisher]
                public partial interface IArchive
                {
                    /// <summary>Archives a document.</summary>
                    ValueTask Archive(Doc options, PublishOptions options2, CancellationToken ct = default);
                }
            }
            """,
        ]);
}

public sealed class WRN027_RemoveDeadLetterBindingCodeFixTests
{
    [Fact]
    public Task The_work_binding_of_a_dead_letter_consumer_is_removed_keeping_the_doc_comment() => CodeFixHarness.VerifyAsync(new RemoveDeadLetterBindingCodeFix(), "WRN027",
        Sources.Order + """
        [Queue("work")] public sealed class Work { public void Handle(OrderPlaced order) { } }
        [Queue("work.dlq")]
        public sealed class Failures
        {
            /// <summary>Failed orders.</summary>
            [Topic("order.placed")]
            public void Handle(OrderPlaced order) { }
        }
        """,
        Sources.Order + """
        [Queue("work")] public sealed class Work { public void Handle(OrderPlaced order) { } }
        [Queue("work.dlq")]
        public sealed class Failures
        {
            /// <summary>Failed orders.</summary>
            public void Handle(OrderPlaced order) { }
        }
        """);

    [Fact]
    public Task Fix_all_removes_every_work_binding_across_documents_and_nested_classes_keeping_comments() => CodeFixHarness.VerifyFixAllAsync(new RemoveDeadLetterBindingCodeFix(), "WRN027",
        [
            Sources.Order + """
            [Queue("work")] public sealed class Work { public void Handle(OrderPlaced order) { } public void Handle(OrderPaid order) { } }
            [Queue("work.dlq")]
            public sealed class Failures
            {
                /// <summary>Failed orders.</summary>
                [Topic("order.placed")]
                public void Handle(OrderPlaced order) { }

                // Failed payments.
                [Topic("order.paid")] public void Handle(OrderPaid order) { }
            }
            """,
            """
            public static class Outer
            {
                /// <summary>The dead letters of the other work queue.</summary>
                [Queue("other.dlq")]
                public sealed class OtherFailures
                {
                    /// <summary>Failed orders.</summary>
                    [Topic("order.placed")]
                    public void Handle(OrderPlaced order) { }
                }

                [Queue("other")] public sealed class Other { public void Handle(OrderPlaced order) { } }
            }
            """,
        ],
        [
            Sources.Order + """
            [Queue("work")] public sealed class Work { public void Handle(OrderPlaced order) { } public void Handle(OrderPaid order) { } }
            [Queue("work.dlq")]
            public sealed class Failures
            {
                /// <summary>Failed orders.</summary>
                public void Handle(OrderPlaced order) { }

                // Failed payments.
                public void Handle(OrderPaid order) { }
            }
            """,
            """
            public static class Outer
            {
                /// <summary>The dead letters of the other work queue.</summary>
                [Queue("other.dlq")]
                public sealed class OtherFailures
                {
                    /// <summary>Failed orders.</summary>
                    public void Handle(OrderPlaced order) { }
                }

                [Queue("other")] public sealed class Other { public void Handle(OrderPlaced order) { } }
            }
            """,
        ]);
}

public sealed class WRN030_RaisePrefetchCodeFixTests
{
    [Fact]
    public Task Prefetch_is_raised_to_the_batch_size() => CodeFixHarness.VerifyAsync(new RaisePrefetchCodeFix(), "WRN030",
        Sources.Order + """
        [Queue("q", Prefetch = 10)]
        public sealed class Handler { [Batch(Size = 25)] public void Handle(IReadOnlyList<OrderPlaced> orders) { } }
        """,
        Sources.Order + """
        [Queue("q", Prefetch = 25)]
        public sealed class Handler { [Batch(Size = 25)] public void Handle(IReadOnlyList<OrderPlaced> orders) { } }
        """);

    [Fact]
    public Task Fix_all_raises_prefetch_of_every_batch_queue_across_documents_and_nested_classes() => CodeFixHarness.VerifyFixAllAsync(new RaisePrefetchCodeFix(), "WRN030",
        [
            Sources.Order + """
            /// <summary>Orders in batches.</summary>
            [Queue("a", Prefetch = 10 /* small */)]
            public sealed class A { [Batch(Size = 25)] public void Handle(IReadOnlyList<OrderPlaced> orders) { } }
            """,
            """
            public static class Outer
            {
                /// <summary>Payments in batches.</summary>
                [Queue("b", MessageTtl = "1m", Prefetch = 5)]
                public sealed class B
                {
                    /// <summary>Up to 50.</summary>
                    [Batch(Size = 50, Timeout = "1s")]
                    public Task Handle(IReadOnlyList<OrderPaid> payments) => Task.CompletedTask;
                }
            }
            """,
        ],
        [
            Sources.Order + """
            /// <summary>Orders in batches.</summary>
            [Queue("a", Prefetch = 25 /* small */)]
            public sealed class A { [Batch(Size = 25)] public void Handle(IReadOnlyList<OrderPlaced> orders) { } }
            """,
            """
            public static class Outer
            {
                /// <summary>Payments in batches.</summary>
                [Queue("b", MessageTtl = "1m", Prefetch = 50)]
                public sealed class B
                {
                    /// <summary>Up to 50.</summary>
                    [Batch(Size = 50, Timeout = "1s")]
                    public Task Handle(IReadOnlyList<OrderPaid> payments) => Task.CompletedTask;
                }
            }
            """,
        ]);
}

public sealed class WRN035_PinContractNameCodeFixTests
{
    [Fact]
    public Task The_qualified_name_in_use_is_pinned_with_message() => CodeFixHarness.VerifyFixAllAsync(new PinContractNameCodeFix(), "WRN035",
        [
            """
            namespace Users
            {
                /// <summary>A user was created.</summary>
                public sealed record Created(string Id);
            }

            namespace Billing
            {
                public sealed record Created(string Id);
            }

            [Queue("q")] public sealed class C { public void Handle(Users.Created e) { } public void Handle(Billing.Created e) { } }
            [JsonSerializable(typeof(Users.Created), TypeInfoPropertyName = "UsersCreated")]
            [JsonSerializable(typeof(Billing.Created), TypeInfoPropertyName = "BillingCreated")]
            internal sealed partial class Json : JsonSerializerContext;
            """,
        ],
        [
            """
            namespace Users
            {
                /// <summary>A user was created.</summary>
                [Message("users.created")]
                public sealed record Created(string Id);
            }

            namespace Billing
            {
                [Message("billing.created")]
                public sealed record Created(string Id);
            }

            [Queue("q")] public sealed class C { public void Handle(Users.Created e) { } public void Handle(Billing.Created e) { } }
            [JsonSerializable(typeof(Users.Created), TypeInfoPropertyName = "UsersCreated")]
            [JsonSerializable(typeof(Billing.Created), TypeInfoPropertyName = "BillingCreated")]
            internal sealed partial class Json : JsonSerializerContext;
            """,
        ]);
}

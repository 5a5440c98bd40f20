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
        [global::System.Text.Json.Serialization.JsonSerializable(typeof(global::OrderPlaced))]
        internal sealed partial class Json : JsonSerializerContext;
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
        [global::Warren.Priority(Max = 10)]
        public sealed class Worker { public void Handle(Job job) { } }
        [JsonSerializable(typeof(Job))] internal sealed partial class Json : JsonSerializerContext;
        """);
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
}

using System.Threading.Tasks;
using Xunit;

namespace Warren.Analyzers.Tests;

public sealed class WRN034_UnusableNameTests
{
    private static readonly string TooLong = new('q', 256);
    private static readonly string LongestQueue = new('q', 255);

    // 128 two-byte characters: 128 characters, 256 bytes.
    private static readonly string TooManyBytes = new('é', 128);

    [Fact]
    public Task Empty_blank_reserved_and_too_long_queue_names_are_reported() => AnalyzerHarness.VerifyAsync(Sources.Order + $$"""
        [Queue({|WRN034:""|})] public sealed class A { public void Handle(OrderPlaced order) { } }
        [Queue({|WRN034:"   "|})] public sealed class B { public void Handle(OrderPlaced order) { } }
        [Queue({|WRN034:"amq.orders"|})] public sealed class C { public void Handle(OrderPlaced order) { } }
        [Queue({|WRN034:"{{TooLong}}"|})] public sealed class D { public void Handle(OrderPlaced order) { } }
        [Queue({|WRN034:"{{TooManyBytes}}"|})] public sealed class E { public void Handle(OrderPlaced order) { } }
        """);

    [Fact]
    public Task Retry_and_dead_letter_names_derived_from_a_long_queue_name_are_reported() => AnalyzerHarness.VerifyAsync(Sources.Order + $$"""
        [Queue({|WRN034:"{{new string('q', 250)}}"|})] public sealed class A { public void Handle(OrderPlaced order) { } }
        [Queue({|WRN034:"{{new string('r', 252)}}"|})] [DeadLetter(MaxRetries = 0)] public sealed class B { public void Handle(OrderPlaced order) { } }
        """);

    [Fact]
    public Task The_longest_name_without_derived_names_is_quiet() => AnalyzerHarness.VerifyAsync(Sources.Order + $$"""
        [Queue("{{LongestQueue}}")] [DeadLetter(Enabled = false)] public sealed class A { public void Handle(OrderPlaced order) { } }
        [Queue("amq-orders.amq.")] public sealed class B { public void Handle(OrderPaid order) { } }
        """);

    [Fact]
    public Task Dead_letter_exchange_and_queue_names_are_reported_at_their_arguments() => AnalyzerHarness.VerifyAsync(Sources.Order + """
        [Queue("a")] [DeadLetter({|WRN034:Exchange = "amq.failed"|})] public sealed class A { public void Handle(OrderPlaced order) { } }
        [Queue("b")] [DeadLetter({|WRN034:Queue = ""|})] public sealed class B { public void Handle(OrderPlaced order) { } }
        [Queue("c")] [DeadLetter(Exchange = "amq.direct", Queue = "c.failed")] public sealed class C { public void Handle(OrderPlaced order) { } }
        [Queue("d")] [DeadLetter(Exchange = "amq.topic")] public sealed class D { public void Handle(OrderPlaced order) { } }
        [Queue("e")]
        [DeadLetter(Enabled = false)]
        public sealed class E
        {
            [DeadLetter(MaxRetries = 1, {|WRN034:Queue = "amq.e.failed"|})] public void Handle(OrderPlaced order) { }
        }
        """);

    [Fact]
    public Task Exchange_names_the_broker_refuses_or_routes_otherwise_are_reported() => AnalyzerHarness.VerifyAsync("""
        [Exchange({|WRN034:""|})] [Topic("a")] public sealed record A(string Id);
        [Exchange({|WRN034:"amq.events"|})] [Topic("b")] public sealed record B(string Id);
        [Exchange({|WRN034:"amq.headers"|}, ExchangeKind.Direct)] [Topic("c")] public sealed record C(string Id);
        [Exchange("amq.fanout", ExchangeKind.Fanout, Durable = false)] public sealed record D(string Id);
        [Queue("trace")] [Exchange("amq.rabbitmq.trace")] public sealed class Firehose { [{|WRN040:Topic("publish.#")|}] public void Handle(E e) { } }
        [Exchange("amq.topic")] [Topic("e.placed")] public sealed record E(string Id);
        [Exchange("amq.match", ExchangeKind.Headers)] public sealed record F(string Id);
        [Queue("q")] [Exchange({|WRN034:"amq.q"|})] public sealed class Consumer { [Topic("e.*")] public void Handle(E e) { } }
        [Publisher] [Exchange({|WRN034:"  "|}, ExchangeKind.Fanout)] public partial interface ILog { Task Log(string line); }
        [JsonSerializable(typeof(A))] [JsonSerializable(typeof(B))] [JsonSerializable(typeof(C))] [JsonSerializable(typeof(D))] [JsonSerializable(typeof(E))] [JsonSerializable(typeof(F))]
        internal sealed partial class Json : JsonSerializerContext;
        """);

    // RabbitMQ's own amq.rabbitmq.* exchanges take bindings but refuse publishes with 403 ACCESS_REFUSED (checked against
    // the broker by tests/Warren.Generators.Tests/Broker/NameRulesBrokerTests.cs): a consumer of the firehose is fine,
    // every way of publishing there is an error.
    [Fact]
    public Task Publishing_to_an_exchange_the_broker_owns_is_reported_and_consuming_from_it_is_not() => AnalyzerHarness.VerifyAsync(Sources.Order + """
        [Exchange("amq.rabbitmq.trace", ExchangeKind.Topic)] public sealed record Traced(string Id);
        [Exchange("amq.rabbitmq.event", ExchangeKind.Topic)] [Topic("queue.created")] public sealed record BrokerEvent(string Name);
        [Queue("firehose")] public sealed class Firehose { [Topic("publish.#")] public void Handle(Traced t) { } }
        [Queue("broker-events")] public sealed class Events { [Topic("queue.*")] public void Handle(BrokerEvent e) { } }
        [Publisher]
        public partial interface ITraces
        {
            Task {|WRN038:Trace|}(Traced t);
            Task TraceElsewhere(Traced t, PublishOptions options);
        }
        [Publisher] [Exchange("amq.rabbitmq.log", ExchangeKind.Topic)] public partial interface ILines { [Topic("line")] Task {|WRN038:Line|}(string line); }
        [Queue("g")] [DeadLetter({|WRN034:Exchange = "amq.rabbitmq.trace"|})] public sealed class G { public void Handle(OrderPlaced order) { } }
        public sealed class Sender(IPublisher publisher)
        {
            public async Task Send(CancellationToken ct)
            {
                await {|WRN038:publisher.PublishAsync(new Traced("1"), ct)|};
                await {|WRN038:publisher.PublishBatchAsync(new[] { new BrokerEvent("q") })|};
                await {|WRN038:publisher.PublishTextAsync("amq.rabbitmq.trace", "k", "text")|};
                await publisher.PublishAsync(new Traced("2"), new PublishOptions { Exchange = "audit" }, ct);
                await publisher.PublishAsync(new OrderPlaced("3"), ct);
                await publisher.PublishTextAsync("amq.topic", "k", "text");
            }
        }
        [JsonSerializable(typeof(Traced))] [JsonSerializable(typeof(BrokerEvent))]
        internal sealed partial class TraceJson : JsonSerializerContext;
        """);

    // RabbitMQ removes CR and LF from queue and exchange names before declaring them (checked against the broker by
    // tests/Warren.Generators.Tests/Broker/NameRulesBrokerTests.cs): "orders\n" would declare "orders".
    [Fact]
    public Task Names_with_a_line_break_the_broker_strips_are_reported() => AnalyzerHarness.VerifyAsync(Sources.Order + """
        [Queue({|WRN034:"orders\n"|})] public sealed class A { public void Handle(OrderPlaced order) { } }
        [Queue("b")] [DeadLetter({|WRN034:Queue = "b\r\nfailed"|})] public sealed class B { public void Handle(OrderPlaced order) { } }
        [Queue("c")] [DeadLetter({|WRN034:Exchange = "c\rfailed"|})] public sealed class C { public void Handle(OrderPlaced order) { } }
        [RpcService("d", {|WRN034:Queue = "rpc.\nd"|})] public interface ID { Task<OrderPaid> Pay(OrderPlaced order); }
        [Exchange({|WRN034:"events\r\n"|})] [Topic("e")] public sealed record E(string Id);
        [Exchange({|WRN034:"amq.\ntopic"|}, ExchangeKind.Topic)] [Topic("f")] public sealed record F(string Id);
        [JsonSerializable(typeof(E))] [JsonSerializable(typeof(F))]
        internal sealed partial class LineBreakJson : JsonSerializerContext;
        """);

    // What the broker declares as written though it looks reserved or odd: the amq. prefix is case-sensitive and needs
    // its dot; AMQP names may hold topic punctuation, any Unicode, NUL and white space inside.
    [Fact]
    public Task Names_the_broker_takes_as_written_are_quiet() => AnalyzerHarness.VerifyAsync(Sources.Order + """
        [Queue("AMQ.orders")] public sealed class A { public void Handle(OrderPlaced order) { } }
        [Queue("amq")] [DeadLetter(Exchange = "Amq.failed", Queue = "amq-failed")] public sealed class B { public void Handle(OrderPlaced order) { } }
        [Queue("#.*/订单 😀\0\t.")] public sealed class C { public void Handle(OrderPaid order) { } }
        [Exchange("AMQ.direct", ExchangeKind.Direct)] [Topic("d")] public sealed record D(string Id);
        [Exchange("#", ExchangeKind.Topic)] [Topic("e")] public sealed record E(string Id);
        [JsonSerializable(typeof(D))] [JsonSerializable(typeof(E))]
        internal sealed partial class OddJson : JsonSerializerContext;
        """);

    [Fact]
    public Task Rpc_queue_names_are_reported() => AnalyzerHarness.VerifyAsync(Sources.Order + $$"""
        [RpcService("a", {|WRN034:Queue = "amq.a"|})] public interface IA { Task<OrderPaid> Pay(OrderPlaced order); }
        [RpcService({|WRN034:"{{new string('s', 252)}}"|})] public interface IB { Task<OrderPaid> Pay(OrderPlaced order); }
        [RpcService("c", Queue = "c")] public interface IC { Task<OrderPaid> Pay(OrderPlaced order); }
        """);
}

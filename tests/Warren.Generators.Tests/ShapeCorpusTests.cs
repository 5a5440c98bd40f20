using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;
using Warren.Generators.Tests.Infrastructure;
using Xunit;

namespace Warren.Generators.Tests;

/// <summary>
/// Ordinary and unusual C# shapes, each run through the generators, the compiler and the analyzers as dotnet build
/// does. A valid shape compiles with no diagnostic and no Warren error; a rejected one gets a Warren error on the
/// user's code. No shape may produce a diagnostic in a generated file.
/// </summary>
public sealed class ShapeCorpusTests
{
    private const string Prelude = """
        using System;
        using System.Collections.Generic;
        using System.Text.Json.Serialization;
        using System.Threading;
        using System.Threading.Tasks;
        using Warren;

        namespace App
        {
            [Exchange("orders", ExchangeKind.Topic)]
            [Topic("order.{Region}.placed")]
            public sealed record OrderPlaced(string Id, string Region);

            public sealed record CheckStock(string Sku);

            public sealed record StockLevel(string Sku, int Available);
        }

        """;

    public static TheoryData<string> Valid => new(Shapes.Where(s => s.Valid).Select(s => s.Name));

    public static TheoryData<string> Rejected => new(Shapes.Where(s => !s.Valid).Select(s => s.Name));

    public static TheoryData<string> Broken => new(UserErrors.Select(s => s.Name));

    [Fact]
    public void The_corpus_has_at_least_sixty_shapes() => Assert.True(Shapes.Count >= 60, $"{Shapes.Count} shapes");

    [Theory]
    [MemberData(nameof(Valid))]
    public void A_valid_shape_compiles_with_no_diagnostic(string name)
    {
        var shape = Shapes.Single(s => s.Name == name);
        var result = Invariant.Check(Source(shape), shape.Documentation, shape.NoWarn, References(shape));

        Assert.True(result.Violation is null, result.Violation);
        Assert.True(!result.WarrenErrors && result.Compiler.Count == 0, result.Describe());
        LineWidth.AssertFits(result.Run.Sources, Source(shape), name);
    }

    [Theory]
    [MemberData(nameof(Rejected))]
    public void A_rejected_shape_gets_a_warren_error_and_nothing_in_generated_files(string name)
    {
        var shape = Shapes.Single(s => s.Name == name);
        var result = Invariant.Check(Source(shape), shape.Documentation, shape.NoWarn, References(shape));

        Assert.True(result.Violation is null, result.Violation);
        Assert.True(result.WarrenErrors, "no Warren error:\n" + result.Describe());
        if (shape.Expected is { } id)
        {
            Assert.True(result.Warren.Any(d => d.Id == id), $"expected {id}:\n{result.Describe()}");
        }
    }

    /// <summary>
    /// A queue, exchange or RPC service with a name the broker refuses (WRN034) gets no generated code: no generated file
    /// names it, so nothing declares it, binds to it or publishes to it at run time.
    /// </summary>
    [Theory]
    [InlineData("queue_name_reserved", "amq.orders")]
    [InlineData("dead_letter_exchange_reserved", "amq.failed")]
    [InlineData("handler_dead_letter_queue_reserved", "amq.q.failed")]
    [InlineData("message_exchange_reserved_published", "amq.events")]
    [InlineData("message_exchange_predeclared_other_type", "amq.fanout")]
    [InlineData("consumer_exchange_reserved", "amq.work")]
    [InlineData("rpc_queue_reserved", "amq.svc")]
    public void A_name_the_broker_refuses_is_in_no_generated_file(string name, string refused)
    {
        var shape = Shapes.Single(s => s.Name == name);
        var run = Invariant.Check(Source(shape)).Run;

        Assert.DoesNotContain(run.Sources.Values, text => text.Contains(refused, StringComparison.Ordinal));
    }

    /// <summary>
    /// A message whose contract name cannot be the routing key it is published and bound with (WRN001, WRN002) gets no
    /// generated code: no contract, no binding, no handler and no publisher use the name.
    /// </summary>
    [Theory]
    [InlineData("message_name_wildcard_topic", "audit.#")]
    [InlineData("message_name_empty_word_topic", "audit..entry")]
    [InlineData("message_name_over_255_bytes_fanout", "ffffffffffffffffffffffffffffffffffffffff")]
    [InlineData("message_name_over_255_bytes_headers", "hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh")]
    [InlineData("message_name_over_255_bytes_with_topic", "tttttttttttttttttttttttttttttttttttttttt")]
    [InlineData("qualified_contract_name_over_255_bytes", "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn.created")]
    [InlineData("qualified_contract_name_over_255_bytes_unattributed", "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn.created")]
    public void A_contract_name_that_cannot_be_its_routing_key_is_in_no_generated_file(string name, string refused)
    {
        var shape = Shapes.Single(s => s.Name == name);
        var run = Invariant.Check(Source(shape)).Run;

        Assert.DoesNotContain(run.Sources.Values, text => text.Contains(refused, StringComparison.Ordinal));
    }

    /// <summary>An array of messages is a message of its own: its contract is named after its element type, never empty.</summary>
    [Theory]
    [InlineData("handler_array_message", "order-placed-array")]
    [InlineData("publisher_array_message", "stock-level-array")]
    public void An_array_message_has_a_contract_name_of_its_own(string name, string contract)
    {
        var shape = Shapes.Single(s => s.Name == name);
        var sources = string.Concat(Invariant.Check(Source(shape)).Run.Sources.Values);

        Assert.Contains($"\"{contract}\"", sources, StringComparison.Ordinal);
        Assert.DoesNotContain("Contract<global::App.StockLevel[]>(\"\"", sources, StringComparison.Ordinal);
    }

    /// <summary>Two message types of one short name both get their namespace-qualified contract names, and WRN035 says so at each.</summary>
    [Fact]
    public void Two_types_of_one_short_name_are_qualified_and_warned_about()
    {
        var shape = Shapes.Single(s => s.Name == "same_short_name_in_two_namespaces");
        var result = Invariant.Check(Source(shape));
        var sources = string.Concat(result.Run.Sources.Values);

        Assert.Contains("\"app.users.created\"", sources, StringComparison.Ordinal);
        Assert.Contains("\"app.billing.created\"", sources, StringComparison.Ordinal);
        Assert.Equal(2, result.Warren.Count(d => d.Id == "WRN035"));
    }

    /// <summary>
    /// A method named and shaped like a handler that is not public is no handler (nothing calls it, nothing binds its
    /// message), and WRN039 says so at it; the public handler beside it is generated as usual.
    /// </summary>
    [Fact]
    public void A_private_handle_method_gets_no_dispatch_and_is_warned_about()
    {
        var shape = Shapes.Single(s => s.Name == "handler_private_handle_method");
        var result = Invariant.Check(Source(shape));
        var sources = string.Concat(result.Run.Sources.Values);

        Assert.Single(result.Warren, d => d.Id == "WRN039");
        Assert.Contains("\"order.*.placed\"", sources, StringComparison.Ordinal);
        Assert.DoesNotContain(".HandleAsync(", sources, StringComparison.Ordinal);
        Assert.Contains(".Handle(", sources, StringComparison.Ordinal);
    }

    /// <summary>A handler binding no key of its message matches compiles (the binding is declared as written) and WRN040 warns at it.</summary>
    [Fact]
    public void A_binding_its_message_never_matches_is_warned_about()
    {
        var shape = Shapes.Single(s => s.Name == "handler_binding_never_matching_its_message");
        var result = Invariant.Check(Source(shape));

        Assert.Single(result.Warren, d => d.Id == "WRN040");
    }

    /// <summary>The derived class of a non-abstract consumer class is warned about (WRN037): both queues get every message.</summary>
    [Fact]
    public void A_consumer_derived_from_a_consumer_is_warned_about()
    {
        var shape = Shapes.Single(s => s.Name == "handlers_in_a_non_abstract_base_with_a_subclass");
        Assert.Single(Invariant.Check(Source(shape)).Warren, d => d.Id == "WRN037");
    }

    /// <summary>
    /// User code that does not compile by itself (a type that is not defined, CS0246): the compiler's error stays on the
    /// user's code, and the generator emits nothing that names the missing type, so no error is located in a generated file.
    /// </summary>
    [Theory]
    [MemberData(nameof(Broken))]
    public void A_missing_user_type_gets_no_error_in_generated_files(string name)
    {
        var shape = UserErrors.Single(s => s.Name == name);
        var result = Invariant.Check(Source(shape), shape.Documentation, shape.NoWarn, References(shape));

        Assert.True(result.InGenerated.Count == 0, "diagnostics in generated files:\n" + result.Describe());
        Assert.True(result.Compiler.Any(d => d.Id == "CS0246"), "the user's own error is reported:\n" + result.Describe());
        Assert.DoesNotContain(result.Run.Sources.Values, text => text.Contains("Missing", StringComparison.Ordinal));
    }

    // (A consumer needing the application's own services cannot be created in the bare container the test builds.)
    public static TheoryData<string> ValidWithConsumers => new(Shapes.Where(s => s.Valid && !s.Documentation && s.NoWarn is null && IsConsumerShape(s) && s.Name != "handler_with_ctor_dependency").Select(s => s.Name));

    /// <summary>
    /// For a valid shape with consumers: every contract a dispatcher selects by type, sent with a body of that type (every
    /// property present, built from the application's own metadata), reaches exactly one handler, and that handler
    /// receives the type whose contract it is.
    /// </summary>
    [Theory]
    [MemberData(nameof(ValidWithConsumers))]
    public async System.Threading.Tasks.Task A_valid_shapes_dispatchers_give_each_contract_to_a_handler_of_its_type(string name)
    {
        var shape = Shapes.Single(s => s.Name == name);
        var run = GeneratorHarness.Run(HandlerProbes.Add(Source(shape)), GeneratedApp.ProbeSource);
        var app = GeneratedApp.Load(run);
        Assert.NotEmpty(app.Consumers);

        foreach (var consumer in app.Consumers)
        {
            foreach (var (contract, info) in Contracts(run, app, consumer))
            {
                var body = SampleBodies.For(info);
                var (outcome, received) = await app.DispatchTypedAsync(consumer, body, contract);

                Assert.True(outcome.Action == DispatchAction.Ack, $"{consumer.Queue} / {contract}: {outcome.Action} {outcome.Reason}");
                var type = Assert.Single(received);
                var found = typeof(MessageContracts).GetMethod(nameof(MessageContracts.Find))!.MakeGenericMethod(type).Invoke(app.Services.GetRequiredService<MessageContracts>(), null);
                Assert.True(found is not null, $"{consumer.Queue} / {contract}: the handler received {type}, which has no contract");
                Assert.Equal(contract, (string)found!.GetType().GetProperty("Name")!.GetValue(found)!);
            }
        }
    }

    /// <summary>
    /// The topology the generated code declares (compact calls for queues with the default failure policy, statements
    /// for the rest) is exactly the one the build manifest lists, declaration for declaration.
    /// </summary>
    [Theory]
    [MemberData(nameof(ValidWithConsumers))]
    public void A_valid_shapes_generated_topology_is_the_one_its_manifest_lists(string name)
    {
        var shape = Shapes.Single(s => s.Name == name);
        GeneratedTopology.AssertMatchesManifest(GeneratorHarness.Run(HandlerProbes.Add(Source(shape)), GeneratedApp.ProbeSource));
    }

    /// <summary>
    /// The contracts a consumer's dispatcher selects by type, each with the metadata of the type it deserializes: the
    /// runtime's dispatcher of a class of the common shape says so itself; a generated dispatcher class by its code.
    /// </summary>
    private static List<(string Contract, System.Text.Json.Serialization.Metadata.JsonTypeInfo Info)> Contracts(GeneratorRun run, GeneratedApp app, ConsumerDefinition consumer)
    {
        if (consumer.Dispatcher is HandlerDispatcher runtime)
        {
            return [(runtime.Contract, runtime.TypeInfo)];
        }

        var source = DispatcherSource(run, consumer.Dispatcher.GetType().Name);

        // Several handlers: "case \"contract\": return HandleX(context);"; one: "MessageType is not (\"contract\" or null or \"\")".
        var cases = System.Text.RegularExpressions.Regex.Matches(source, "^\\s*case \"([^\"]+)\":\\s*return (\\w+)\\(context\\);", System.Text.RegularExpressions.RegexOptions.Multiline);
        var only = System.Text.RegularExpressions.Regex.Match(source, "MessageType is not \\(\"([^\"]+)\" or null or \"\"\\)");
        var contracts = cases.Select(m => m.Groups[1].Value).Concat(only.Success ? [only.Groups[1].Value] : []).ToList();

        // A text or byte handler has no contract: it reads the body with a payload format instead.
        Assert.True(contracts.Count > 0 || source.Contains("MessageDispatcher.TryRead(context, global::Warren.PayloadFormat.", StringComparison.Ordinal), $"{consumer.Queue}: no contract and no text or byte handler");
        return contracts.Select(contract =>
        {
            var handler = only.Success ? "DispatchAsync" : cases.Single(m => m.Groups[1].Value == contract).Groups[2].Value;
            var metadata = System.Text.RegularExpressions.Regex.Match(source.Substring(source.IndexOf($" {handler}(MessageContext context)", StringComparison.Ordinal)), "WarrenJsonTypes\\.(\\w+)").Groups[1].Value;
            return (contract, (System.Text.Json.Serialization.Metadata.JsonTypeInfo)app.GeneratedType("WarrenJsonTypes").GetProperty(metadata)!.GetValue(null)!);
        }).ToList();
    }

    /// <summary>The source of one dispatcher class, from the file of its group.</summary>
    private static string DispatcherSource(GeneratorRun run, string dispatcher)
    {
        var declaration = $"internal sealed class {dispatcher} :";
        var file = run.Sources.Values.Single(s => s.Contains(declaration, StringComparison.Ordinal));
        var start = file.IndexOf(declaration, StringComparison.Ordinal);
        var next = file.IndexOf("\n    /// <summary>Dispatches deliveries of queue", start, StringComparison.Ordinal);
        return next < 0 ? file[start..] : file[start..next];
    }

    private static bool IsConsumerShape(Shape shape) =>
        shape.Code.Contains("Handle(", StringComparison.Ordinal) || shape.Code.Contains("[Topic(", StringComparison.Ordinal) && shape.Code.Contains("class", StringComparison.Ordinal) && !shape.Code.Contains("[Publisher]", StringComparison.Ordinal) && !shape.Code.Contains("RpcService", StringComparison.Ordinal);

    private static string Source(Shape shape) =>
        (shape.Documentation ? "#pragma warning disable CS1591 // the corpus documents only what generated code refers to\n" : string.Empty) + Prelude + shape.Code + "\n\nnamespace App\n{\n    [JsonSerializable(typeof(OrderPlaced))]\n    [JsonSerializable(typeof(CheckStock))]\n    [JsonSerializable(typeof(StockLevel))]\n"
        + string.Concat(shape.Json.Select(t => t.Contains('(') ? $"    [JsonSerializable({t})]\n" : $"    [JsonSerializable(typeof({t}))]\n"))
        + "    internal sealed partial class CorpusJson : JsonSerializerContext;\n}\n";

    /// <param name="Contracts">Whether the shape references <see cref="ExperimentalContracts"/>, a contracts library built before it.</param>
    private sealed record Shape(string Name, bool Valid, string Code, string[] Json, string? Expected = null, bool Documentation = false, string? NoWarn = null, bool Contracts = false);

    private static MetadataReference[] References(Shape shape) => shape.Contracts ? [ExperimentalContracts.Value] : [];

    /// <summary>A shared contracts library with an <c>[Experimental("EXP3")]</c> message (the library suppresses EXP3 itself).</summary>
    private static readonly Lazy<MetadataReference> ExperimentalContracts = new(() =>
    {
        GeneratorHarness.NoWarn.Value = ["EXP3"];
        try
        {
            return GeneratorHarness.BuildLibrary("Corpus.Contracts", """
                using System.Diagnostics.CodeAnalysis;
                using System.Text.Json.Serialization;
                using Warren;

                namespace Lib;

                [Experimental("EXP3")]
                [Exchange("trials", ExchangeKind.Topic)]
                [Topic("trial.{Id}")]
                public sealed record Trial(string Id);

                [JsonSerializable(typeof(Trial))]
                public sealed partial class LibJson : JsonSerializerContext;
                """);
        }
        finally
        {
            GeneratorHarness.NoWarn.Value = null;
        }
    });

    /// <summary>The user's own uses of obsolete types stay warnings in the user's file, which the user suppresses.</summary>
    private const string Obsolete = "#pragma warning disable CS0612, CS0618\n";

    private static Shape Ok(string name, string code, params string[] json) => new(name, true, code, json);

    private static Shape Bad(string name, string expected, string code, params string[] json) => new(name, false, code, json, expected);

    private static string App(string code) => "namespace App\n{\n" + code + "\n}";

    private static string Rpc(string methods, string implementation) => App($$"""
        [RpcService("svc")]
        public interface ISvc
        {
        {{methods}}
        }

        public sealed class SvcServer : ISvc
        {
        {{implementation}}
        }
        """);

    /// <summary>
    /// Shapes naming a type that does not exist (<c>Missing</c>): the user's error, nothing generated names it. (A message
    /// whose property is of a missing type is left out of the JSON context: System.Text.Json's generator names the type.)
    /// </summary>
    private static readonly List<Shape> UserErrors =
    [
        Ok("handler_message_undefined", App("[Queue(\"q\")] public sealed class C { public Task Handle(Missing e) => Task.CompletedTask; }")),
        Ok("handler_topic_message_undefined", App("[Exchange(\"x\", ExchangeKind.Topic)] public sealed class C { [Topic(\"a.*\")] public Task Placed(Missing e) => Task.CompletedTask; }")),
        Ok("handler_list_of_undefined", App("[Queue(\"q\")] public sealed class C { public Task Handle(List<Missing> e) => Task.CompletedTask; }")),
        Ok("batch_handler_of_undefined", App("[Queue(\"q\")] public sealed class C { [Batch(Timeout = \"10ms\")] public Task Handle(IReadOnlyList<Missing> e) => Task.CompletedTask; }")),
        Ok("handler_beside_one_taking_undefined", App("[Queue(\"q\")] public sealed class C { public Task Handle(OrderPlaced e) => Task.CompletedTask; public Task Handle(Missing e) => Task.CompletedTask; }")),
        Ok("do_not_retry_undefined_exception", App("[Queue(\"q\")] public sealed class C { [DeadLetter(MaxRetries = 2, DoNotRetry = new[] { typeof(Missing) })] public Task Handle(OrderPlaced e) => Task.CompletedTask; }")),
        Ok("consumer_with_undefined_base", App("[Queue(\"q\")] public sealed class C : Missing { public Task Handle(OrderPlaced e) => Task.CompletedTask; }")),
        Ok("message_with_undefined_placeholder", App("[Exchange(\"x\", ExchangeKind.Topic)] [Topic(\"a.{Region}\")] public sealed record M(Missing Region); [Queue(\"q\")] public sealed class C { public Task Handle(M m) => Task.CompletedTask; }")),
        Ok("attributed_message_generic_of_undefined", App("[Exchange(\"x\", ExchangeKind.Topic)] public sealed record M(List<Missing> Items); [Publisher] public partial interface IP { Task Send(M m); }")),
        Ok("publisher_message_undefined", App("[Publisher] public partial interface IP { Task Send(Missing m); }")),
        Ok("publisher_extra_parameter_undefined", App("[Publisher] public partial interface IP { Task Send(OrderPlaced m, Missing other); }")),
        Ok("publisher_returning_undefined", App("[Publisher] public partial interface IP { Missing Send(OrderPlaced m); }")),
        Ok("publisher_inheriting_undefined", App("[Publisher] public partial interface IP : IMissing { Task Send(OrderPlaced m); }")),
        Ok("rpc_request_undefined", Rpc("Task<StockLevel> Get(Missing r);", "public Task<StockLevel> Get(Missing r) => Task.FromResult(new StockLevel(\"\", 0));")),
        Ok("rpc_response_undefined", Rpc("Task<Missing> Get(CheckStock r);", "public Task<Missing> Get(CheckStock r) => throw new NotSupportedException();")),
        Ok("rpc_server_of_undefined_interface", App("public sealed class S : IMissing { public Task<StockLevel> Get(CheckStock r) => Task.FromResult(new StockLevel(\"\", 0)); }")),
        Ok("json_context_lists_undefined", App("[Queue(\"q\")] public sealed class C { public Task Handle(OrderPlaced e) => Task.CompletedTask; }"), "Missing"),
    ];

    private static readonly List<Shape> Shapes =
    [
        // Consumers: the body as text or bytes (the RabbitMQ tutorials' shapes), selected by queue or binding.
        Ok("handler_text_on_a_non_durable_queue", App("[Queue(\"hello\", Durable = false)] public sealed class C { public void Handle(string text) { } }")),
        Ok("handler_bytes_on_a_non_durable_fanout", App("[Queue(\"q\")] [Exchange(\"logs\", ExchangeKind.Fanout, Durable = false)] public sealed class C { public Task Handle(byte[] body, MessageContext c) => Task.CompletedTask; }")),
        Ok("handler_memory_with_topic_bindings", App("[Exchange(\"topic_logs\", ExchangeKind.Topic, Durable = false)] public sealed class C { [Topic(\"kern.*\")] [Topic(\"*.critical\")] public ValueTask Handle(ReadOnlyMemory<byte> body, CancellationToken t) => default; }")),
        Ok("handler_text_on_a_direct_exchange", App("[Queue(\"q\", Durable = false)] [Exchange(\"direct_logs\", ExchangeKind.Direct, Durable = false)] public sealed class C { [Topic(\"error\")] public Task Handle(string? line) => Task.CompletedTask; }")),

        // Consumers: handler signatures.
        Ok("handler_task", App("[Queue(\"q\")] public sealed class C { public Task Handle(OrderPlaced e) => Task.CompletedTask; }")),
        Ok("handler_valuetask_context_token", App("[Queue(\"q\")] public sealed class C { public ValueTask Handle(OrderPlaced e, MessageContext c, CancellationToken t) => default; }")),
        Ok("handler_void", App("[Queue(\"q\")] public sealed class C { public void Handle(OrderPlaced e) { } }")),
        // Batch handlers: [Batch] on a method taking IReadOnlyList<T> handles T.
        Ok("batch_handler_task_token", App("[Queue(\"q\", Prefetch = 20)] public sealed class C { [Batch(Size = 10, Timeout = \"20ms\")] public Task Handle(IReadOnlyList<OrderPlaced> e, CancellationToken t) => Task.CompletedTask; }")),
        Ok("batch_handler_void_defaults", App("[Queue(\"q\")] public sealed class C { [Batch(Timeout = \"10ms\")] public void Handle(IReadOnlyList<OrderPlaced> e) { } }")),
        Ok("batch_and_single_handlers_with_own_policy", App("""
            [Queue("q", Prefetch = 100)]
            public sealed class C
            {
                [Batch(Size = 5, Timeout = "10ms")] [DeadLetter(MaxRetries = 2)] public ValueTask Handle(IReadOnlyList<OrderPlaced> e) => default;
                public Task Handle(CheckStock s) => Task.CompletedTask;
            }
            """)),
        Ok("handler_token_first", App("[Queue(\"q\")] public sealed class C { public Task Handle(CancellationToken t, OrderPlaced e) => Task.CompletedTask; }")),
        Ok("handler_keyword_method_param", App("[Queue(\"q\")] public sealed class C { public Task Handle(OrderPlaced @event) => Task.CompletedTask; }")),
        Ok("handler_nullable_message", App("[Queue(\"q\")] public sealed class C { public Task Handle(OrderPlaced? evt) => Task.CompletedTask; }")),
        Ok("handler_topic_named_method", App("public sealed class C { [Topic(\"order.*.placed\")] public Task Placed(OrderPlaced e) => Task.CompletedTask; }")),
        Ok("handler_consume_async", App("[Queue(\"q\")] public sealed class C { public Task ConsumeAsync(OrderPlaced e) => Task.CompletedTask; }")),
        // Consumers in the global namespace are named by their class name in the dispatcher group classes, beside the
        // group's own members (the shared handler calls, the default-retry list): taken names are never reused.
        Ok("consumers_named_like_dispatcher_members", """
            [Queue("call-handler"), DeadLetter(MaxRetries = 5)] public sealed class CallHandler { [Topic("order.*.placed")] public Task Handle(App.OrderPlaced e) => Task.CompletedTask; }
            [Queue("handler-calls"), DeadLetter(MaxRetries = 5)] public sealed class HandlerCalls { [Topic("order.*.placed")] public Task Handle(App.OrderPlaced e) => Task.CompletedTask; }
            [Queue("call-handler-1"), DeadLetter(MaxRetries = 5)] public sealed class CallHandler1 { [Topic("order.*.placed")] public Task Handle(App.OrderPlaced e) => Task.CompletedTask; }
            [Queue("with-default-retry"), DeadLetter(MaxRetries = 5)] public sealed class WithDefaultRetry { [Topic("order.*.placed")] public Task Handle(App.OrderPlaced e) => Task.CompletedTask; }
            [Queue("with-default-retry-2")] public sealed class WithDefaultRetry2 { [Topic("order.*.placed")] public Task Handle(App.OrderPlaced e) => Task.CompletedTask; }
            """),
        Ok("handlers_overloaded_handle", App("""
            public sealed record Refunded(string Id);
            [Queue("q")] public sealed class C
            {
                public Task Handle(OrderPlaced e) => Task.CompletedTask;
                public Task Handle(Refunded e) => Task.CompletedTask;
            }
            """), "Refunded"),
        Ok("handler_in_abstract_base", App("""
            public abstract class Base { [Topic("order.*.placed")] public Task Placed(OrderPlaced e) => Task.CompletedTask; }
            [Queue("derived")] public sealed class Derived : Base { }
            """)),
        Ok("handler_in_abstract_base_without_queue", App("""
            public abstract class Base { [Topic("order.*.placed")] public Task Placed(OrderPlaced e) => Task.CompletedTask; }
            public sealed class Derived : Base { }
            """)),
        Ok("handler_virtual_override", App("""
            public abstract class Base { [Topic("order.*.placed")] public virtual Task Placed(OrderPlaced e) => Task.CompletedTask; }
            public sealed class Derived : Base { public override Task Placed(OrderPlaced e) => Task.CompletedTask; }
            """)),
        Ok("handler_with_ctor_dependency", App("public interface IDep { } [Queue(\"q\")] public sealed class C(IDep dep) { public Task Handle(OrderPlaced e) => dep is null ? Task.CompletedTask : Task.CompletedTask; }")),
        Ok("nested_public_consumer", App("public static class Outer { [Queue(\"q\")] public sealed class C { public Task Handle(OrderPlaced e) => Task.CompletedTask; } }")),
        Ok("internal_consumer_internal_message", App("internal sealed record Note(string T); [Queue(\"q\")] internal sealed class C { public Task Handle(Note n) => Task.CompletedTask; }"), "Note"),
        Ok("consumers_dot_vs_underscore", """
            namespace A.B { [Warren.Queue("q1")] public sealed class C { public System.Threading.Tasks.Task Handle(App.OrderPlaced e) => System.Threading.Tasks.Task.CompletedTask; } }
            namespace A { [Warren.Queue("q2")] public sealed class B_C { public System.Threading.Tasks.Task Handle(App.OrderPlaced e) => System.Threading.Tasks.Task.CompletedTask; } }
            """),
        Ok("consumer_name_with_ampersand_docs", App("[Queue(\"a&b<c>\")] public sealed class C { public Task Handle(OrderPlaced e) => Task.CompletedTask; }")) with { Documentation = true },
        Ok("handler_multiple_topics", App("public sealed class C { [Topic(\"order.#\")] [Topic(\"order.*.placed\")] public Task Placed(OrderPlaced e) => Task.CompletedTask; }")),
        Ok("headers_binding", App("""
            [Exchange("docs", ExchangeKind.Headers)] public sealed record Doc(string F);
            [Queue("q")] public sealed class C { [Headers("f=pdf")] public Task Handle(Doc d) => Task.CompletedTask; }
            """), "Doc"),
        Ok("fanout_binding", App("[Exchange(\"audit\", ExchangeKind.Fanout)] public sealed record Audit(string T); [Queue(\"q\")] public sealed class C { public Task Handle(Audit a) => Task.CompletedTask; }"), "Audit"),
        Ok("dead_letter_disabled", App("[Queue(\"q\")] [DeadLetter(Enabled = false)] public sealed class C { public Task Handle(OrderPlaced e) => Task.CompletedTask; }")),
        Ok("dead_letter_queue_consumer", App("""
            [Queue("work")] public sealed class Work { public Task Handle(OrderPlaced e) => Task.CompletedTask; }
            [Queue("work.dlq")] public sealed class Failures { public Task Handle(OrderPlaced e) => Task.CompletedTask; }
            """)),
        Ok("dead_letter_queue_consumer_of_fanout", App("""
            [Exchange("audit", ExchangeKind.Fanout)] public sealed record Audit(string T);
            [Queue("work")] public sealed class Work { public Task Handle(Audit a) => Task.CompletedTask; }
            [Queue("work.dlq")] public sealed class Failures { public Task Handle(Audit a) => Task.CompletedTask; }
            """), "Audit"),
        Ok("concurrency_above_prefetch_is_a_warning", App("[Queue(\"q\", Prefetch = 1, Concurrency = 2)] public sealed class C { public Task Handle(OrderPlaced e) => Task.CompletedTask; }")),
        Ok("headers_publisher_with_options", App("[Exchange(\"docs\", ExchangeKind.Headers)] public sealed record Doc(string F); [Publisher] public partial interface IP { ValueTask Send(Doc d, PublishOptions o); }"), "Doc"),
        Ok("names_with_quotes_line_separators_and_surrogates", App("""
            [Exchange("ex\u2028\"\ud83d\ude00", ExchangeKind.Headers)] public sealed record Doc(string F);
            [Queue("q\u2028\"\u0085\ud800")] public sealed class C { [Headers("a\u2029=b\"")] public Task Handle(Doc d) => Task.CompletedTask; }
            """), "Doc"),
        Ok("handler_dead_letter_override", App("[Queue(\"q\")] public sealed class C { [DeadLetter(MaxRetries = 1)] public Task Handle(OrderPlaced e) => Task.CompletedTask; }")),
        Ok("do_not_retry_types", App("[Queue(\"q\")] [DeadLetter(MaxRetries = 2, DoNotRetry = new[] { typeof(ArgumentException), typeof(FormatException) })] public sealed class C { public Task Handle(OrderPlaced e) => Task.CompletedTask; }")),
        Ok("queue_all_options", App("[Queue(\"q\", Durable = true, Prefetch = 10, Concurrency = 2, MessageTtl = \"1h\", MaxLength = 5, MaxLengthBytes = 1000, Overflow = QueueOverflow.RejectPublish, SingleActiveConsumer = true, HandlerTimeout = \"30s\")] [Priority(Max = 5)] public sealed class C { public Task Handle(OrderPlaced e) => Task.CompletedTask; }")),

        // Messages: names and placeholders.
        Ok("same_name_two_namespaces", """
            namespace Billing { public sealed record Created(string Id); [Warren.Queue("billing")] public sealed class H { public System.Threading.Tasks.Task Handle(Created c) => System.Threading.Tasks.Task.CompletedTask; } }
            namespace Users { public sealed record Created(string Id); [Warren.Queue("users")] public sealed class H { public System.Threading.Tasks.Task Handle(Created c) => System.Threading.Tasks.Task.CompletedTask; } }
            """, "typeof(Billing.Created), TypeInfoPropertyName = \"BillingCreated\"", "typeof(Users.Created), TypeInfoPropertyName = \"UsersCreated\""),
        Ok("nested_same_names", App("""
            public static class OrderEvents { public sealed record Created(string Id); }
            public static class UserEvents { public sealed record Created(string Id); }
            [Queue("q")] public sealed class C
            {
                public Task Handle(OrderEvents.Created e) => Task.CompletedTask;
                public Task Handle(UserEvents.Created e) => Task.CompletedTask;
            }
            """), "typeof(OrderEvents.Created), TypeInfoPropertyName = \"OrderCreated\"", "typeof(UserEvents.Created), TypeInfoPropertyName = \"UserCreated\""),
        Ok("closed_generics", App("""
            public sealed record Envelope<T>(T Body);
            [Queue("q")] public sealed class C
            {
                public Task Handle(Envelope<OrderPlaced> e) => Task.CompletedTask;
                public Task Handle(Envelope<StockLevel> e) => Task.CompletedTask;
            }
            """), "Envelope<OrderPlaced>", "Envelope<StockLevel>"),
        Ok("placeholder_int_enum_guid_bool", App("""
            public enum Tier { Gold, Silver }
            [Exchange("t", ExchangeKind.Topic)] [Topic("{N}.{T}.{G}.{B}.{C}")] public sealed record M(int N, Tier T, Guid G, bool B, char C);
            [Queue("q")] public sealed class H { public Task Handle(M m) => Task.CompletedTask; }
            """), "M"),
        Ok("placeholder_nullable_int", App("[Exchange(\"t\")] [Topic(\"a.{N}\")] public sealed record M(int? N); [Queue(\"q\")] public sealed class H { public Task Handle(M m) => Task.CompletedTask; }"), "M"),
        Ok("placeholder_keyword_property", App("[Exchange(\"t\")] [Topic(\"a.{class}\")] public sealed record M(string @class); [Queue(\"q\")] public sealed class H { public Task Handle(M m) => Task.CompletedTask; }"), "M"),
        Ok("message_attribute_names", App("[Message(\"orders.v1\")] public sealed record M(string Id); [Queue(\"q\")] public sealed class H { public Task Handle(M m) => Task.CompletedTask; }"), "M"),
        Ok("message_name_wildcard_direct", App("[Exchange(\"audit\", ExchangeKind.Direct)] [Message(\"audit.*\")] public sealed record M(string Id); [Queue(\"q\")] public sealed class H { public Task Handle(M m) => Task.CompletedTask; } [Publisher] public partial interface IP { ValueTask Send(M m); }"), "M"),
        Ok("message_name_wildcard_with_topic", App("[Exchange(\"audit\", ExchangeKind.Topic)] [Topic(\"audit.{Id}\")] [Message(\"audit.#\")] public sealed record M(string Id); [Queue(\"q\")] public sealed class H { public Task Handle(M m) => Task.CompletedTask; }"), "M"),
        Ok("message_name_wildcard_fanout", App("[Exchange(\"audit\", ExchangeKind.Fanout)] [Message(\"audit.*\")] public sealed record M(string Id); [Queue(\"q\")] public sealed class H { public Task Handle(M m) => Task.CompletedTask; }"), "M"),
        Ok("struct_message", App("public readonly record struct Tick(int N); [Queue(\"q\")] public sealed class H { public Task Handle(Tick t) => Task.CompletedTask; }"), "Tick"),
        Ok("priority_in_range", App("[Exchange(\"t\")] [Topic(\"a\")] [Priority(5)] public sealed record M(string Id); [Queue(\"q\")] [Priority(Max = 10)] public sealed class H { public Task Handle(M m) => Task.CompletedTask; }"), "M"),

        // Publishers.
        Ok("publisher_basic", App("[Publisher] public partial interface IP { ValueTask Placed(OrderPlaced evt, CancellationToken ct = default); }")),
        Ok("publisher_task_topic", App("[Publisher] public partial interface IP { [Topic(\"order.{Region}.changed\")] Task Changed(OrderPlaced evt); }")),
        Ok("publisher_nullable_param", App("[Publisher] public partial interface IP { ValueTask Placed(OrderPlaced? evt); }")),
        Ok("publisher_keyword_param", App("[Publisher] public partial interface IP { ValueTask Placed(OrderPlaced @event, CancellationToken @params = default); }")),
        Ok("publisher_inherited", App("""
            public interface IBase { ValueTask Placed(OrderPlaced evt); }
            [Publisher] public partial interface IP : IBase { ValueTask Again(OrderPlaced evt); }
            """)),
        Ok("publisher_options", App("[Publisher] public partial interface IP { ValueTask Placed(OrderPlaced evt, PublishOptions options, CancellationToken ct = default); }")),
        Ok("publisher_nullable_options", App("[Publisher] public partial interface IP { ValueTask Placed(OrderPlaced evt, PublishOptions? options = null); }")),
        Ok("publisher_same_method_two_interfaces", App("""
            public interface IA { ValueTask Send(OrderPlaced evt); }
            public interface IB { ValueTask Send(OrderPlaced evt); }
            [Publisher] public partial interface IP : IA, IB { }
            """)),
        Ok("publisher_delay", App("[Publisher] public partial interface IP { ValueTask Later(OrderPlaced evt, TimeSpan delay, CancellationToken ct = default); }")),
        Ok("publisher_deliver_at_constant_topic", App("[Publisher] public partial interface IP { [Topic(\"order.eu.placed\")] Task At(OrderPlaced evt, DateTimeOffset? at); }")),
        Ok("publisher_delay_template_topic", App("[Publisher] public partial interface IP { [Topic(\"order.{Region}.placed\")] ValueTask Later(TimeSpan? delay, OrderPlaced evt); }")),
        Ok("publisher_text_to_a_queue_by_name", App("[Publisher] public partial interface IP { [Topic(\"hello\")] ValueTask Hello(string text, CancellationToken ct = default); }")),
        Ok("publisher_text_nullable_to_a_fanout", App("[Publisher] [Exchange(\"logs\", ExchangeKind.Fanout, Durable = false)] public partial interface IP { Task Log(string? line); }")),
        Ok("publisher_bytes_with_options", App("[Publisher] [Exchange(\"images\", ExchangeKind.Direct)] public partial interface IP { ValueTask Send(byte[] body, PublishOptions? options = null, CancellationToken ct = default); }")),
        Ok("publisher_memory_delayed", App("[Publisher] public partial interface IP { [Topic(\"later\")] ValueTask Later(ReadOnlyMemory<byte> body, TimeSpan delay); }")),
        Ok("publisher_text_beside_a_message", App("[Publisher] [Exchange(\"direct_logs\", ExchangeKind.Direct, Durable = false)] public partial interface IP { ValueTask Placed(OrderPlaced evt); [Topic(\"error\")] ValueTask Error(string line, DateTimeOffset at); }")),
        Ok("publisher_internal_nested", App("public static class Outer { [Publisher] internal partial interface IP { ValueTask Placed(OrderPlaced evt); } }")),

        // RPC.
        Ok("rpc_basic", Rpc("Task<StockLevel> Check(CheckStock request, CancellationToken ct = default);", "public Task<StockLevel> Check(CheckStock request, CancellationToken ct = default) => Task.FromResult(new StockLevel(request.Sku, 1));")),
        Ok("rpc_task_bool", Rpc("Task<bool> Ping(CheckStock request);", "public Task<bool> Ping(CheckStock request) => Task.FromResult(true);"), "bool"),
        Ok("rpc_task_int_string_request", Rpc("Task<int> Length(string text);", "public Task<int> Length(string text) => Task.FromResult(text.Length);"), "int", "string"),
        Ok("rpc_text_in_text_out", Rpc("Task<string> Fib(string n, CancellationToken ct = default);", "public Task<string> Fib(string n, CancellationToken ct = default) => Task.FromResult(n);")),
        Ok("rpc_nullable_text", Rpc("ValueTask<string?> Echo(string? text);", "public ValueTask<string?> Echo(string? text) => new(text);")),
        Ok("rpc_bytes_in_json_out", Rpc("Task<StockLevel> Upload(byte[] image);", "public Task<StockLevel> Upload(byte[] image) => Task.FromResult(new StockLevel(\"\", image.Length));")),
        Ok("rpc_json_in_memory_out", Rpc("ValueTask<ReadOnlyMemory<byte>> Render(CheckStock request);", "public ValueTask<ReadOnlyMemory<byte>> Render(CheckStock request) => new(new byte[] { 1 });")),
        Ok("rpc_text_command_and_bytes_out", Rpc("Task Log(string line); Task<byte[]> Thumbnail(ReadOnlyMemory<byte> image);", "public Task Log(string line) => Task.CompletedTask; public Task<byte[]> Thumbnail(ReadOnlyMemory<byte> image) => Task.FromResult(image.ToArray());")),
        Ok("rpc_nullable_result", Rpc("Task<StockLevel?> Find(CheckStock request);", "public Task<StockLevel?> Find(CheckStock request) => Task.FromResult<StockLevel?>(null);")),
        Ok("rpc_nullable_request", Rpc("Task<StockLevel> Find(CheckStock? request);", "public Task<StockLevel> Find(CheckStock? request) => Task.FromResult(new StockLevel(\"\", 0));")),
        Ok("rpc_keyword_params", Rpc("Task<StockLevel> Get(CheckStock @params, CancellationToken @event);", "public Task<StockLevel> Get(CheckStock @params, CancellationToken @event) => Task.FromResult(new StockLevel(\"\", 0));")),
        Ok("rpc_valuetask_and_commands", Rpc("ValueTask<StockLevel> A(CheckStock r); Task B(CheckStock r); ValueTask C(StockLevel r);", "public ValueTask<StockLevel> A(CheckStock r) => default; public Task B(CheckStock r) => Task.CompletedTask; public ValueTask C(StockLevel r) => default;")),
        Ok("rpc_explicit_implementation", Rpc("Task<StockLevel> Check(CheckStock r);", "Task<StockLevel> ISvc.Check(CheckStock r) => Task.FromResult(new StockLevel(\"\", 0));")),
        Ok("rpc_overloads_named", Rpc("Task<StockLevel> Get(CheckStock r); [Rpc(Name = \"svc.get-level\")] Task<StockLevel> Get(StockLevel r);", "public Task<StockLevel> Get(CheckStock r) => Task.FromResult(new StockLevel(\"\", 0)); public Task<StockLevel> Get(StockLevel r) => Task.FromResult(r);")),
        Ok("rpc_service_name_with_ampersand_docs", App("""
            /// <summary>A service.</summary>
            [RpcService("a&b<c>")] public interface ISvc { /// <summary>Check.</summary>
            Task<StockLevel> Check(CheckStock r); }
            /// <summary>Server.</summary>
            public sealed class S : ISvc { /// <summary>Check.</summary>
            public Task<StockLevel> Check(CheckStock r) => Task.FromResult(new StockLevel("", 0)); }
            """)) with { Documentation = true },
        Ok("rpc_inherited_interface", App("""
            public interface IBase { Task<StockLevel> Check(CheckStock r); }
            [RpcService("svc")] public interface ISvc : IBase { }
            public sealed class S : ISvc { public Task<StockLevel> Check(CheckStock r) => Task.FromResult(new StockLevel("", 0)); }
            """)),
        Ok("rpc_client_only", App("[RpcService(\"svc\")] public interface ISvc { Task<StockLevel> Check(CheckStock r); }")),
        Ok("rpc_list_result", Rpc("Task<List<StockLevel>> All(CheckStock r);", "public Task<List<StockLevel>> All(CheckStock r) => Task.FromResult(new List<StockLevel>());"), "List<StockLevel>"),

        // Rejected shapes: a Warren error on the user's code, nothing in generated files.
        Bad("static_handler_class", "WRN023", App("[Queue(\"q\")] public static class C { public static Task Handle(OrderPlaced e) => Task.CompletedTask; }")),
        Bad("private_nested_consumer", "WRN023", App("public sealed class Outer { [Queue(\"q\")] private sealed class C { public Task Handle(OrderPlaced e) => Task.CompletedTask; } }")),
        Bad("file_consumer", "WRN023", App("[Queue(\"q\")] file sealed class C { public Task Handle(OrderPlaced e) => Task.CompletedTask; }")),
        Bad("generic_consumer", "WRN023", App("[Queue(\"q\")] public sealed class C<T> { public Task Handle(OrderPlaced e) => Task.CompletedTask; }")),
        Bad("private_handler", "WRN005", App("[Queue(\"q\")] public sealed class C { [Topic(\"order.*.placed\")] private Task Handle(OrderPlaced e) => Task.CompletedTask; }")),
        Bad("handler_returns_int", "WRN005", App("[Queue(\"q\")] public sealed class C { public int Handle(OrderPlaced e) => 1; }")),
        Bad("batch_not_a_list", "WRN005", App("[Queue(\"q\")] public sealed class C { [Batch] public void Handle(OrderPlaced e) { } }")),
        Bad("batch_of_text", "WRN005", App("[Queue(\"q\")] public sealed class C { [Batch] public void Handle(IReadOnlyList<string> lines) { } }")),
        Bad("batch_with_context", "WRN005", App("[Queue(\"q\")] public sealed class C { [Batch] public void Handle(IReadOnlyList<OrderPlaced> e, MessageContext c) { } }")),
        Bad("async_void_handler", "WRN005", App("[Queue(\"q\")] public sealed class C { public async void Handle(OrderPlaced e) => await Task.Yield(); }")),
        Bad("private_nested_message", "WRN023", App("public sealed class Outer { [Exchange(\"x\")] [Topic(\"a\")] private sealed record M(string Id); }")),
        Bad("priority_300", "WRN010", App("[Exchange(\"t\")] [Topic(\"a\")] [Priority(300)] public sealed record M(string Id); [Queue(\"q\")] [Priority(Max = 10)] public sealed class H { public Task Handle(M m) => Task.CompletedTask; }"), "M"),
        Bad("placeholder_decimal", "WRN004", App("[Exchange(\"t\")] [Topic(\"a.{Amount}\")] public sealed record M(decimal Amount); [Queue(\"q\")] public sealed class H { public Task Handle(M m) => Task.CompletedTask; }"), "M"),
        Bad("placeholder_double", "WRN004", App("[Exchange(\"t\")] [Topic(\"a.{X}\")] public sealed record M(double X); [Queue(\"q\")] public sealed class H { public Task Handle(M m) => Task.CompletedTask; }"), "M"),
        Bad("placeholder_datetime", "WRN004", App("[Exchange(\"t\")] [Topic(\"a.{At}\")] public sealed record M(DateTime At); [Queue(\"q\")] public sealed class H { public Task Handle(M m) => Task.CompletedTask; }"), "M"),
        Bad("placeholder_missing", "WRN003", App("[Exchange(\"t\")] [Topic(\"a.{Nope}\")] public sealed record M(string Id); [Queue(\"q\")] public sealed class H { public Task Handle(M m) => Task.CompletedTask; }"), "M"),
        Bad("publisher_text_without_routing_key", "WRN021", App("[Publisher] public partial interface IP { ValueTask Send(string text); }")),
        Bad("publisher_bytes_to_a_direct_exchange_without_key", "WRN021", App("[Publisher] [Exchange(\"images\", ExchangeKind.Direct)] public partial interface IP { ValueTask Send(byte[] body); }")),
        Bad("publisher_text_with_placeholder", "WRN021", App("[Publisher] public partial interface IP { [Topic(\"len.{Length}\")] ValueTask Send(string text); }")),
        Bad("publisher_two_messages", "WRN021", App("[Publisher] public partial interface IP { ValueTask Send(OrderPlaced a, OrderPlaced b); }")),
        Bad("publisher_returns_void", "WRN021", App("[Publisher] public partial interface IP { void Send(OrderPlaced a); }")),
        Bad("publisher_inherited_invalid", "WRN021", App("public interface IBase { int Send(OrderPlaced a); } [Publisher] public partial interface IP : IBase { }")),
        Bad("publisher_topic_and_options", "WRN021", App("[Publisher] public partial interface IP { [Topic(\"a.b\")] ValueTask Send(OrderPlaced a, PublishOptions o); }")),
        Bad("publisher_two_delays", "WRN021", App("[Publisher] public partial interface IP { ValueTask Send(OrderPlaced a, TimeSpan d1, TimeSpan d2); }")),
        Bad("publisher_delay_and_deliver_at", "WRN021", App("[Publisher] public partial interface IP { ValueTask Send(OrderPlaced a, TimeSpan d, DateTimeOffset at); }")),
        Bad("publisher_deliver_at_and_options", "WRN021", App("[Publisher] public partial interface IP { ValueTask Send(OrderPlaced a, DateTimeOffset at, PublishOptions o); }")),
        Bad("publisher_property", "WRN023", App("[Publisher] public partial interface IP { int Count { get; } ValueTask Send(OrderPlaced a); }")),
        Bad("rpc_overloads", "WRN022", Rpc("Task<StockLevel> Get(CheckStock r); Task<StockLevel> Get(StockLevel r);", "public Task<StockLevel> Get(CheckStock r) => Task.FromResult(new StockLevel(\"\", 0)); public Task<StockLevel> Get(StockLevel r) => Task.FromResult(r);")),
        Bad("rpc_x_and_xasync", "WRN022", Rpc("Task<StockLevel> Get(CheckStock r); Task<StockLevel> GetAsync(CheckStock r);", "public Task<StockLevel> Get(CheckStock r) => Task.FromResult(new StockLevel(\"\", 0)); public Task<StockLevel> GetAsync(CheckStock r) => Task.FromResult(new StockLevel(\"\", 0));")),
        Bad("rpc_sync_return", "WRN018", Rpc("StockLevel Get(CheckStock r);", "public StockLevel Get(CheckStock r) => new(\"\", 0);")),
        Bad("rpc_two_requests", "WRN018", Rpc("Task<StockLevel> Get(CheckStock a, CheckStock b);", "public Task<StockLevel> Get(CheckStock a, CheckStock b) => Task.FromResult(new StockLevel(\"\", 0));")),
        Bad("rpc_private_nested_result", "WRN018", App("""
            public sealed class Outer
            {
                private sealed record Secret(string X);
                [RpcService("svc")] private interface ISvc { Task<Secret> Get(CheckStock r); }
            }
            """)),
        Bad("explicit_contract_collision", "WRN022", App("""
            [Message("same")] public sealed record A(string X);
            [Message("same")] public sealed record B(string X);
            [Queue("q")] public sealed class H { public Task Handle(A a) => Task.CompletedTask; public Task Handle(B b) => Task.CompletedTask; }
            """), "A", "B"),
        Bad("not_serializable", "WRN019", App("public sealed record Loose(string X); [Queue(\"q\")] public sealed class H { public Task Handle(Loose l) => Task.CompletedTask; }")),
        Bad("prefetch_above_sixteen_bits", "WRN029", App("[Queue(\"q\", Prefetch = 70000)] public sealed class C { public Task Handle(OrderPlaced e) => Task.CompletedTask; }")),
        Bad("negative_concurrency", "WRN029", App("[Queue(\"q\", Concurrency = -1)] public sealed class C { public Task Handle(OrderPlaced e) => Task.CompletedTask; }")),
        Bad("rpc_prefetch_negative", "WRN029", App("[RpcService(\"svc\", Prefetch = -5)] public interface ISvc { Task<StockLevel> Check(CheckStock r); } public sealed class S : ISvc { public Task<StockLevel> Check(CheckStock r) => Task.FromResult(new StockLevel(\"\", 0)); }")),
        Bad("direct_exchange_placeholder_binding", "WRN025", App("[Exchange(\"pay\", ExchangeKind.Direct)] [Topic(\"charge.{Region}\")] public sealed record Charge(string Region); [Queue(\"q\")] public sealed class C { public Task Handle(Charge c) => Task.CompletedTask; }"), "Charge"),
        Bad("headers_message_through_publisher", "WRN026", App("[Exchange(\"docs\", ExchangeKind.Headers)] public sealed record Doc(string F); [Publisher] public partial interface IP { ValueTask Send(Doc d); }"), "Doc"),
        Bad("two_rpc_servers", "WRN028", App("""
            [RpcService("svc")] public interface ISvc { Task<StockLevel> Check(CheckStock r); }
            public sealed class A : ISvc { public Task<StockLevel> Check(CheckStock r) => Task.FromResult(new StockLevel("a", 0)); }
            public sealed class B : ISvc { public Task<StockLevel> Check(CheckStock r) => Task.FromResult(new StockLevel("b", 0)); }
            """)),
        Bad("static_class_with_message_attribute", "WRN023", App("[Priority(Max = 10)] public static class C { public static Task Handle(OrderPlaced e) => Task.CompletedTask; }")),
        Bad("invalid_duration", "WRN020", App("[Queue(\"q\", MessageTtl = \"soon\")] public sealed class C { public Task Handle(OrderPlaced e) => Task.CompletedTask; }")),

        // Names the broker or the runtime cannot use (WRN034): they compiled, then failed at start-up.
        Bad("queue_name_empty", "WRN034", App("[Queue(\"\")] public sealed class C { public Task Handle(OrderPlaced e) => Task.CompletedTask; }")),
        Bad("queue_name_blank", "WRN034", App("[Queue(\" \\t\")] public sealed class C { public Task Handle(OrderPlaced e) => Task.CompletedTask; }")),
        Bad("queue_name_reserved", "WRN034", App("[Queue(\"amq.orders\")] public sealed class C { public Task Handle(OrderPlaced e) => Task.CompletedTask; }")),
        Bad("queue_name_over_255_bytes", "WRN034", App($"[Queue(\"{new string('q', 256)}\")] public sealed class C {{ public Task Handle(OrderPlaced e) => Task.CompletedTask; }}")),
        Bad("queue_name_over_255_bytes_in_utf8", "WRN034", App($"[Queue(\"{new string('é', 128)}\")] [DeadLetter(Enabled = false)] public sealed class C {{ public Task Handle(OrderPlaced e) => Task.CompletedTask; }}")),
        Bad("retry_queue_name_over_255_bytes", "WRN034", App($"[Queue(\"{new string('q', 250)}\")] public sealed class C {{ public Task Handle(OrderPlaced e) => Task.CompletedTask; }}")),
        Bad("dead_letter_exchange_reserved", "WRN034", App("[Queue(\"q\")] [DeadLetter(Exchange = \"amq.failed\")] public sealed class C { public Task Handle(OrderPlaced e) => Task.CompletedTask; }")),
        Bad("dead_letter_queue_empty", "WRN034", App("[Queue(\"q\")] [DeadLetter(Queue = \"\")] public sealed class C { public Task Handle(OrderPlaced e) => Task.CompletedTask; }")),
        Bad("handler_dead_letter_queue_reserved", "WRN034", App("[Queue(\"q\")] [DeadLetter(Enabled = false)] public sealed class C { [DeadLetter(MaxRetries = 1, Queue = \"amq.q.failed\")] public Task Handle(OrderPlaced e) => Task.CompletedTask; }")),
        Bad("message_name_wildcard_topic", "WRN002", App("[Exchange(\"audit\", ExchangeKind.Topic)] [Message(\"audit.#\")] public sealed record M(string Id); [Queue(\"q\")] public sealed class C { public Task Handle(M m) => Task.CompletedTask; public Task Handle(OrderPlaced e) => Task.CompletedTask; } [Publisher] public partial interface IP { ValueTask Send(M m); }"), "M"),
        Bad("message_name_over_255_bytes_fanout", "WRN001", App($"[Exchange(\"audit\", ExchangeKind.Fanout)] [Message(\"{new string('f', 300)}\")] public sealed record M(string Id); [Queue(\"q\")] public sealed class C {{ public Task Handle(M m) => Task.CompletedTask; public Task Handle(OrderPlaced e) => Task.CompletedTask; }} [Publisher] public partial interface IP {{ ValueTask Send(M m); }}"), "M"),
        Bad("message_name_over_255_bytes_headers", "WRN001", App($"[Exchange(\"audit\", ExchangeKind.Headers)] [Message(\"{new string('h', 300)}\")] public sealed record M(string Id); [Queue(\"q\")] public sealed class C {{ public Task Handle(M m) => Task.CompletedTask; public Task Handle(OrderPlaced e) => Task.CompletedTask; }} [Publisher] public partial interface IP {{ ValueTask Send(M m); }}"), "M"),
        Bad("message_name_over_255_bytes_with_topic", "WRN001", App($"[Exchange(\"audit\", ExchangeKind.Topic)] [Topic(\"audit.{{Id}}\")] [Message(\"{new string('t', 300)}\")] public sealed record M(string Id); [Queue(\"q\")] public sealed class C {{ public Task Handle(M m) => Task.CompletedTask; public Task Handle(OrderPlaced e) => Task.CompletedTask; }} [Publisher] public partial interface IP {{ ValueTask Send(M m); }}"), "M"),
        Bad("default_contract_name_over_255_bytes", "WRN001", App($"public sealed record {new string('L', 300)}(string Id); [Queue(\"q\")] public sealed class C {{ public Task Handle({new string('L', 300)} m) => Task.CompletedTask; public Task Handle(OrderPlaced e) => Task.CompletedTask; }} [Publisher] public partial interface IP {{ ValueTask Send({new string('L', 300)} m); }}"), $"{new string('L', 300)}"),
        // A default name qualified by its namespace (WRN035) is judged as qualified: 250 + ".created" is over 255 bytes.
        Bad("qualified_contract_name_over_255_bytes", "WRN001", $$"""
            namespace {{new string('n', 250)}} { [Exchange("users", ExchangeKind.Topic)] [Topic("user.{Id}")] public sealed record Created(string Id); }
            namespace App.Billing { public sealed record Created(string Id); }
            namespace App
            {
                [Queue("q")] public sealed class C { public Task Handle({{new string('n', 250)}}.Created e) => Task.CompletedTask; public Task Handle(Billing.Created e) => Task.CompletedTask; }
                [Publisher] public partial interface IP { ValueTask Send({{new string('n', 250)}}.Created e); }
            }
            """, $"typeof({new string('n', 250)}.Created), TypeInfoPropertyName = \"LongCreated\"", "typeof(App.Billing.Created), TypeInfoPropertyName = \"BillingCreated\""),
        Bad("qualified_contract_name_over_255_bytes_unattributed", "WRN001", $$"""
            namespace {{new string('n', 250)}} { public sealed record Created(string Id); }
            namespace App.Billing { public sealed record Created(string Id); }
            namespace App
            {
                [Queue("q")] public sealed class C { public Task Handle({{new string('n', 250)}}.Created e) => Task.CompletedTask; public Task Handle(Billing.Created e) => Task.CompletedTask; }
                [Queue("only")] public sealed class D { public Task Handle({{new string('n', 250)}}.Created e) => Task.CompletedTask; }
            }
            """, $"typeof({new string('n', 250)}.Created), TypeInfoPropertyName = \"LongCreated\"", "typeof(App.Billing.Created), TypeInfoPropertyName = \"BillingCreated\""),
        Bad("message_name_empty_word_topic", "WRN001", App("[Exchange(\"audit\", ExchangeKind.Topic)] [Message(\"audit..entry\")] public sealed record M(string Id); [Queue(\"q\")] public sealed class C { public Task Handle(M m) => Task.CompletedTask; public Task Handle(OrderPlaced e) => Task.CompletedTask; }"), "M"),
        Bad("message_exchange_empty", "WRN034", App("[Exchange(\"\")] [Topic(\"a\")] public sealed record M(string Id); [Queue(\"q\")] public sealed class C { public Task Handle(M m) => Task.CompletedTask; public Task Handle(OrderPlaced e) => Task.CompletedTask; }"), "M"),
        Bad("message_exchange_reserved_published", "WRN034", App("[Exchange(\"amq.events\")] [Topic(\"a\")] public sealed record M(string Id); [Publisher] public partial interface IP { ValueTask Send(M m); }"), "M"),
        Bad("message_exchange_predeclared_other_type", "WRN034", App("[Exchange(\"amq.fanout\", ExchangeKind.Topic)] [Topic(\"a\")] public sealed record M(string Id); [Queue(\"q\")] public sealed class C { [Topic(\"a\")] public Task Handle(M m) => Task.CompletedTask; }"), "M"),
        Bad("consumer_exchange_reserved", "WRN034", App("[Queue(\"q\")] [Exchange(\"amq.work\", ExchangeKind.Direct)] public sealed class C { [Topic(\"a\")] public Task Handle(CheckStock s) => Task.CompletedTask; }")),
        Bad("publisher_exchange_blank", "WRN034", App("[Publisher] [Exchange(\"  \", ExchangeKind.Fanout)] public partial interface IP { Task Log(string line); }")),
        Bad("rpc_queue_reserved", "WRN034", App("[RpcService(\"svc\", Queue = \"amq.svc\")] public interface ISvc { Task<StockLevel> Check(CheckStock r); } public sealed class S : ISvc { public Task<StockLevel> Check(CheckStock r) => Task.FromResult(new StockLevel(\"\", 0)); }")),
        Bad("rpc_queue_empty", "WRN034", App("[RpcService(\"svc\", Queue = \"\")] public interface ISvc { Task<StockLevel> Check(CheckStock r); } public sealed class S : ISvc { public Task<StockLevel> Check(CheckStock r) => Task.FromResult(new StockLevel(\"\", 0)); }")),
        // [Obsolete] and [Experimental] on what generated code refers to: warnings are not repeated in generated files;
        // what generated code cannot compile against (an error-level [Obsolete], an [Experimental] the project does not
        // suppress) is a Warren error on the user's code.
        Ok("obsolete_message_type", Obsolete + App("[Obsolete] public sealed record Old(string Id); [Queue(\"q\")] public sealed class C { public Task Handle(Old o) => Task.CompletedTask; }"), "Old"),
        Ok("obsolete_attributed_message_with_text", Obsolete + App("[Obsolete(\"use New\")] [Exchange(\"x\", ExchangeKind.Topic)] [Topic(\"old.{Id}\")] public sealed record Old(string Id); [Queue(\"q\")] public sealed class C { public Task Handle(Old o) => Task.CompletedTask; } [Publisher] public partial interface IP { ValueTask Send(Old o); }"), "Old"),
        Ok("obsolete_consumer_class", Obsolete + App("[Obsolete(\"gone soon\")] [Queue(\"q\")] public sealed class C { public Task Handle(OrderPlaced e) => Task.CompletedTask; }")),
        Ok("obsolete_handler", Obsolete + App("[Queue(\"q\")] public sealed class C { [Obsolete] public Task Handle(OrderPlaced e) => Task.CompletedTask; }")),
        Ok("obsolete_publisher_interface", Obsolete + App("[Obsolete] [Publisher] public partial interface IP { ValueTask Send(OrderPlaced e); }")),
        Ok("obsolete_publisher_method", Obsolete + App("[Publisher] public partial interface IP { [Obsolete(\"use Post\")] ValueTask Send(OrderPlaced e); }")),
        Ok("obsolete_rpc_interface", Obsolete + App("[Obsolete] [RpcService(\"svc\")] public interface ISvc { Task<StockLevel> Check(CheckStock r); } public sealed class S : ISvc { public Task<StockLevel> Check(CheckStock r) => Task.FromResult(new StockLevel(\"\", 0)); }")),
        Ok("obsolete_rpc_method", Obsolete + Rpc("[Obsolete] Task<StockLevel> Check(CheckStock r);", "[Obsolete] public Task<StockLevel> Check(CheckStock r) => Task.FromResult(new StockLevel(\"\", 0));")),
        Ok("obsolete_rpc_request_and_result", Obsolete + App("""
            [Obsolete] public sealed record OldRequest(string Sku);
            [Obsolete] public sealed record OldResult(int N);
            [RpcService("svc")] public interface ISvc { Task<OldResult> Check(OldRequest r); }
            public sealed class S : ISvc { public Task<OldResult> Check(OldRequest r) => Task.FromResult(new OldResult(1)); }
            """), "OldRequest", "OldResult"),
        Ok("obsolete_placeholder_property", Obsolete + App("[Exchange(\"x\", ExchangeKind.Topic)] [Topic(\"m.{Region}\")] public sealed record M(string Id) { [Obsolete] public string Region { get; init; } = \"eu\"; } [Queue(\"q\")] public sealed class C { public Task Handle(M m) => Task.CompletedTask; } [Publisher] public partial interface IP { ValueTask Send(M m); }"), "M"),
        Ok("experimental_message_suppressed_by_the_project", "#pragma warning disable EXP1\n" + App("[System.Diagnostics.CodeAnalysis.Experimental(\"EXP1\")] public sealed record Trial(string Id); [Queue(\"q\")] public sealed class C { public Task Handle(Trial t) => Task.CompletedTask; }"), "Trial") with { NoWarn = "EXP1" },
        Bad("obsolete_error_message_type", "WRN005", App("[Obsolete(\"gone\", true)] public sealed record Old(string Id); [Queue(\"q\")] public sealed class C { public Task Handle(Old o) => Task.CompletedTask; }")),
        Bad("obsolete_error_attributed_message", "WRN023", App("[Obsolete(\"gone\", true)] [Exchange(\"x\", ExchangeKind.Topic)] public sealed record Old(string Id);")),
        Bad("obsolete_error_consumer_class", "WRN023", App("[Obsolete(\"gone\", true)] [Queue(\"q\")] public sealed class C { public Task Handle(OrderPlaced e) => Task.CompletedTask; }")),
        Bad("obsolete_error_handler", "WRN005", App("[Queue(\"q\")] public sealed class C { [Obsolete(\"gone\", true)] public Task Handle(OrderPlaced e) => Task.CompletedTask; public Task Handle(CheckStock s) => Task.CompletedTask; }")),
        Bad("obsolete_error_publisher_interface", "WRN023", App("[Obsolete(\"gone\", true)] [Publisher] public partial interface IP { ValueTask Send(OrderPlaced e); }")),
        Bad("obsolete_error_publisher_method", "WRN021", App("[Publisher] public partial interface IP { [Obsolete(\"gone\", true)] ValueTask Send(OrderPlaced e); }")),
        Bad("obsolete_error_rpc_interface", "WRN023", App("[Obsolete(\"gone\", true)] [RpcService(\"svc\")] public interface ISvc { Task<StockLevel> Check(CheckStock r); }")),
        Bad("obsolete_error_rpc_method", "WRN018", App("[RpcService(\"svc\")] public interface ISvc { [Obsolete(\"gone\", true)] Task<StockLevel> Check(CheckStock r); }")),
        Bad("obsolete_error_placeholder_property", "WRN003", App("[Exchange(\"x\", ExchangeKind.Topic)] [Topic(\"m.{Region}\")] public sealed record M(string Id) { [Obsolete(\"gone\", true)] public string Region { get; init; } = \"eu\"; } [Publisher] public partial interface IP { ValueTask Send(M m); }")),
        Bad("obsolete_error_rpc_server", "WRN023", App("[RpcService(\"svc\")] public interface ISvc { Task<StockLevel> Check(CheckStock r); } [Obsolete(\"gone\", true)] public sealed class S : ISvc { public Task<StockLevel> Check(CheckStock r) => Task.FromResult(new StockLevel(\"\", 0)); }")),
        Bad("private_nested_rpc_server", "WRN023", App("[RpcService(\"svc\")] public interface ISvc { Task<StockLevel> Check(CheckStock r); } public sealed class Outer { private sealed class S : ISvc { public Task<StockLevel> Check(CheckStock r) => Task.FromResult(new StockLevel(\"\", 0)); } }")),
        Ok("obsolete_rpc_server", Obsolete + App("[RpcService(\"svc\")] public interface ISvc { Task<StockLevel> Check(CheckStock r); } [Obsolete] public sealed class S : ISvc { public Task<StockLevel> Check(CheckStock r) => Task.FromResult(new StockLevel(\"\", 0)); }")),
        Bad("experimental_message_type", "WRN005", "#pragma warning disable EXP1\n" + App("[System.Diagnostics.CodeAnalysis.Experimental(\"EXP1\")] public sealed record Trial(string Id); [Queue(\"q\")] public sealed class C { public Task Handle(Trial t) => Task.CompletedTask; }")),
        Bad("experimental_publisher_method", "WRN021", "#pragma warning disable EXP2\n" + App("[Publisher] public partial interface IP { [System.Diagnostics.CodeAnalysis.Experimental(\"EXP2\")] ValueTask Send(OrderPlaced e); }")),
        // An [Obsolete] with a DiagnosticId is reported under that id (not CS0612/CS0618): accepted only when the project suppresses it.
        Ok("obsolete_with_id_message_suppressed_by_the_project", "#pragma warning disable OBS1\n" + App("[Obsolete(\"use New\", DiagnosticId = \"OBS1\")] public sealed record Old(string Id); [Queue(\"q\")] public sealed class C { public Task Handle(Old o) => Task.CompletedTask; }"), "Old") with { NoWarn = "OBS1" },
        Ok("obsolete_with_id_publisher_method_suppressed_by_the_project", "#pragma warning disable OBS2\n" + App("[Publisher] public partial interface IP { [Obsolete(\"use Post\", DiagnosticId = \"OBS2\")] ValueTask Send(OrderPlaced e); }")) with { NoWarn = "OBS2" },
        // The same [Experimental] message from a referenced contracts library: judged by the project using it.
        Ok("referenced_experimental_message_suppressed_by_the_project", "#pragma warning disable EXP3\n" + App("public sealed class Flow(IPublisher p) { public ValueTask Go() => p.PublishAsync(new Lib.Trial(\"1\")); } [Queue(\"q\")] public sealed class C { public Task Handle(Lib.Trial t) => Task.CompletedTask; } [Publisher] public partial interface IP { ValueTask Send(Lib.Trial t); }")) with { NoWarn = "EXP3", Contracts = true },
        Bad("referenced_experimental_message_published", "WRN023", "#pragma warning disable EXP3\n" + App("public sealed class Flow(IPublisher p) { public ValueTask Go() => p.PublishAsync(new Lib.Trial(\"1\")); }")) with { Contracts = true },
        Bad("referenced_experimental_message_handled", "WRN005", "#pragma warning disable EXP3\n" + App("[Queue(\"q\")] public sealed class C { public Task Handle(Lib.Trial t) => Task.CompletedTask; }")) with { Contracts = true },
        Bad("referenced_experimental_message_publisher_method", "WRN021", "#pragma warning disable EXP3\n" + App("[Publisher] public partial interface IP { ValueTask Send(Lib.Trial t); }")) with { Contracts = true },
        Bad("obsolete_with_id_message_type", "WRN005", "#pragma warning disable OBS1\n" + App("[Obsolete(\"use New\", DiagnosticId = \"OBS1\")] public sealed record Old(string Id); [Queue(\"q\")] public sealed class C { public Task Handle(Old o) => Task.CompletedTask; }")),
        Bad("obsolete_with_id_publisher_method", "WRN021", "#pragma warning disable OBS2\n" + App("[Publisher] public partial interface IP { [Obsolete(\"use Post\", DiagnosticId = \"OBS2\")] ValueTask Send(OrderPlaced e); }")),

        // Arrays as messages: named after their element type.
        Ok("handler_array_message", App("[Queue(\"q\")] public sealed class C { public Task Handle(OrderPlaced[] e) => Task.CompletedTask; }"), "OrderPlaced[]"),
        Ok("publisher_array_message", App("[Publisher] public partial interface IP { [Topic(\"stock\")] ValueTask Send(StockLevel[] e); } [Queue(\"q\")] public sealed class C { public Task Handle(StockLevel[] e) => Task.CompletedTask; }"), "StockLevel[]"),

        // A handler-named method that is not public (WRN039 warns) and a binding its message never matches (WRN040 warns).
        Ok("handler_private_handle_method", App("[Message(\"restock\")] public sealed record Restock(string Sku); [JsonSerializable(typeof(Restock))] internal sealed partial class RestockJson : JsonSerializerContext; [Queue(\"q\")] public sealed class C { public Task Handle(OrderPlaced e) => Task.CompletedTask; private Task HandleAsync(Restock s) => Task.CompletedTask; }")),
        Ok("handler_binding_never_matching_its_message", App("[Queue(\"q\")] public sealed class C { [Topic(\"order.*.placed\")] [Topic(\"stock.*\")] public Task Handle(OrderPlaced e) => Task.CompletedTask; }")),

        // Two types with one short name: both contract names are qualified (WRN035 warns, the build goes on).
        Ok("same_short_name_in_two_namespaces", """
            namespace App.Users { public sealed record Created(string Id); }
            namespace App.Billing { public sealed record Created(string Id); }
            namespace App { [Queue("q")] public sealed class C { public Task Handle(Users.Created e) => Task.CompletedTask; public Task Handle(Billing.Created e) => Task.CompletedTask; } }
            """, "typeof(App.Users.Created), TypeInfoPropertyName = \"UsersCreated\"", "typeof(App.Billing.Created), TypeInfoPropertyName = \"BillingCreated\""),

        // Ref structs cannot be type arguments: rejected where they would be a message, a request or a result.
        Bad("handler_span_message", "WRN005", App("[Queue(\"q\")] public sealed class C { public void Handle(ReadOnlySpan<byte> body) { } }")),
        Bad("handler_char_span_message", "WRN005", App("[Queue(\"q\")] public sealed class C { public void Handle(ReadOnlySpan<char> text) { } }")),
        Bad("publisher_span_message", "WRN021", App("[Publisher] public partial interface IP { [Topic(\"k\")] ValueTask Send(Span<byte> body); }")),
        Bad("rpc_span_request", "WRN018", App("[RpcService(\"svc\")] public interface ISvc { Task<StockLevel> Check(ReadOnlySpan<byte> r); }")),

        // A placeholder property generated code cannot read.
        Bad("placeholder_private_getter", "WRN003", App("[Exchange(\"x\", ExchangeKind.Topic)] [Topic(\"m.{Region}\")] public sealed class M { public string Id { get; set; } = \"\"; public string Region { private get; set; } = \"\"; } [Publisher] public partial interface IP { ValueTask Send(M m); }"), "M"),
        Bad("placeholder_internal_getter", "WRN003", App("[Exchange(\"x\", ExchangeKind.Topic)] [Topic(\"m.{Region}\")] public sealed class M { public string Region { internal get; set; } = \"\"; } [Queue(\"q\")] public sealed class C { public Task Handle(M m) => Task.CompletedTask; }"), "M"),

        // One queue, several consumers.
        Bad("two_consumers_of_one_queue_same_settings", "WRN036", App("""
            [Queue("q")] public sealed class A { public Task Handle(OrderPlaced e) => Task.CompletedTask; }
            [Queue("q")] public sealed class B { public Task Handle(CheckStock s) => Task.CompletedTask; }
            """)),
        Bad("two_rpc_services_of_one_name", "WRN036", App("""
            [RpcService("svc")] public interface IA { Task<StockLevel> Check(CheckStock r); }
            [RpcService("svc")] public interface IB { Task<StockLevel> Level(StockLevel r); }
            public sealed class A : IA { public Task<StockLevel> Check(CheckStock r) => Task.FromResult(new StockLevel("a", 0)); }
            public sealed class B : IB { public Task<StockLevel> Level(StockLevel r) => Task.FromResult(r); }
            """)),
        Bad("consumer_on_an_rpc_queue", "WRN036", App("""
            [RpcService("svc")] public interface ISvc { Task<StockLevel> Check(CheckStock r); }
            public sealed class S : ISvc { public Task<StockLevel> Check(CheckStock r) => Task.FromResult(new StockLevel("a", 0)); }
            [Queue("rpc.svc")] public sealed class C { public Task Handle(OrderPlaced e) => Task.CompletedTask; }
            """)),
        Ok("handlers_in_a_non_abstract_base_with_a_subclass", App("""
            public class Base { [Topic("order.*.placed")] public Task Placed(OrderPlaced e) => Task.CompletedTask; }
            public sealed class Derived : Base { }
            """)),

        // Parameters named like the members of the generated class.
        Ok("publisher_parameter_named_like_the_field", App("[Publisher] public partial interface IP { ValueTask Send(OrderPlaced _publisher); ValueTask SendRoutingKey(OrderPlaced SendRoutingKey); [Topic(\"a.b\")] ValueTask Post(CheckStock PostOptions); }")),
        Ok("publisher_parameter_named_like_the_generated_class", App("[Publisher] public partial interface IP { [Topic(\"order.{Region}.sent\")] ValueTask Send(OrderPlaced App_IPPublisher); [Topic(\"stock.checked\")] ValueTask Check(CheckStock App_IPPublisher, CancellationToken ct); }")),
        Ok("rpc_parameter_named_like_the_field", Rpc("Task<StockLevel> Check(CheckStock _client);", "public Task<StockLevel> Check(CheckStock _client) => Task.FromResult(new StockLevel(\"\", 0));")),

        Ok("queue_name_of_255_bytes_without_dead_letter", App($"[Queue(\"{new string('q', 255)}\")] [DeadLetter(Enabled = false)] public sealed class C {{ public Task Handle(OrderPlaced e) => Task.CompletedTask; }}")),
        Ok("message_on_the_predeclared_topic_exchange", App("[Exchange(\"amq.topic\")] [Topic(\"m.{Id}\")] public sealed record M(string Id); [Queue(\"q\")] public sealed class C { public Task Handle(M m) => Task.CompletedTask; } [Publisher] public partial interface IP { ValueTask Send(M m); }"), "M"),
        Ok("dead_letter_through_amq_topic", App("[Queue(\"q\")] [DeadLetter(Exchange = \"amq.topic\")] public sealed class C { public Task Handle(OrderPlaced e) => Task.CompletedTask; }")),
        Ok("dead_letter_through_amq_direct", App("[Queue(\"q\")] [DeadLetter(Exchange = \"amq.direct\", Queue = \"q.failed\")] public sealed class C { public Task Handle(OrderPlaced e) => Task.CompletedTask; }")),
    ];
}

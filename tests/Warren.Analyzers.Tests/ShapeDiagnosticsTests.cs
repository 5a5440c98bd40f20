using System.Linq;
using System.Threading.Tasks;
using Xunit;

namespace Warren.Analyzers.Tests;

public sealed class WRN035_QualifiedContractNameTests
{
    [Fact]
    public Task Two_types_of_one_short_name_are_both_reported_at_their_declarations() => AnalyzerHarness.VerifyAsync("""
        namespace Users { public sealed record {|WRN035:Created|}(string Id); }
        namespace Billing { public sealed record {|WRN035:Created|}(string Id); }
        [Queue("q")] public sealed class C { public void Handle(Users.Created e) { } public void Handle(Billing.Created e) { } }
        [JsonSerializable(typeof(Users.Created), TypeInfoPropertyName = "UsersCreated")]
        [JsonSerializable(typeof(Billing.Created), TypeInfoPropertyName = "BillingCreated")]
        internal sealed partial class Json : JsonSerializerContext;
        """);

    [Fact]
    public Task A_type_published_by_a_publisher_counts_as_the_generator_counts_it() => AnalyzerHarness.VerifyAsync("""
        namespace Users { public sealed record {|WRN035:Created|}(string Id); }
        namespace Billing { public sealed record {|WRN035:Created|}(string Id); }
        [Queue("q")] public sealed class C { public void Handle(Users.Created e) { } }
        [Publisher] public partial interface IP { [Topic("billing")] ValueTask Send(Billing.Created e); }
        [JsonSerializable(typeof(Users.Created), TypeInfoPropertyName = "UsersCreated")]
        [JsonSerializable(typeof(Billing.Created), TypeInfoPropertyName = "BillingCreated")]
        internal sealed partial class Json : JsonSerializerContext;
        """);

    [Fact]
    public Task A_named_contract_keeps_the_other_type_on_its_short_name_and_is_quiet() => AnalyzerHarness.VerifyAsync("""
        namespace Users { [Message("created")] public sealed record Created(string Id); }
        namespace Billing { [Message("billing.created")] public sealed record Created(string Id); }
        [Queue("q")] public sealed class C { public void Handle(Users.Created e) { } public void Handle(Billing.Created e) { } }
        [JsonSerializable(typeof(Users.Created), TypeInfoPropertyName = "UsersCreated")]
        [JsonSerializable(typeof(Billing.Created), TypeInfoPropertyName = "BillingCreated")]
        internal sealed partial class Json : JsonSerializerContext;
        """);

    [Fact]
    public async Task The_message_names_the_contract_in_use_the_short_one_and_the_other_type()
    {
        var diagnostics = await AnalyzerHarness.DiagnosticsAsync("""
            namespace Users { public sealed record Created(string Id); }
            namespace Billing { public sealed record Created(string Id); }
            [Queue("q")] public sealed class C { public void Handle(Users.Created e) { } public void Handle(Billing.Created e) { } }
            """);
        var users = Assert.Single(diagnostics, d => d.Id == "WRN035" && d.GetMessage().StartsWith("The default contract name of 'Users.Created'", System.StringComparison.Ordinal));
        Assert.Contains("is 'users.created', not 'created', because 'Billing.Created' also has the short name 'created'", users.GetMessage(), System.StringComparison.Ordinal);
        Assert.Equal("users.created", users.Properties[CompilationRulesAnalyzer.ContractNameProperty]);
    }
}

public sealed class WRN036_QueueConsumedTwiceTests
{
    [Fact]
    public async Task Two_consumers_of_a_stream_are_told_they_share_its_offset_and_status_not_that_they_compete()
    {
        var diagnostics = await AnalyzerHarness.DiagnosticsAsync(Sources.Order + """
            [Queue("s", Type = QueueType.Stream)] public sealed class A { public void Handle(OrderPlaced e) { } }
            [Queue("s", Type = QueueType.Stream)] public sealed class B { public void Handle(OrderPaid e) { } }
            [Queue("q")] public sealed class C { public void Handle(OrderPlaced e) { } }
            [Queue("q")] public sealed class D { public void Handle(OrderPaid e) { } }
            """);
        var messages = diagnostics.Where(d => d.Id == "WRN036").Select(d => d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(4, messages.Count);
        Assert.All(messages.Where(m => m.StartsWith("Queue 's'", System.StringComparison.Ordinal)), m =>
        {
            Assert.Contains("stored offset", m, System.StringComparison.Ordinal);
            Assert.DoesNotContain("compete", m, System.StringComparison.Ordinal);
        });
        Assert.All(messages.Where(m => m.StartsWith("Queue 'q'", System.StringComparison.Ordinal)), m => Assert.Contains("compete", m, System.StringComparison.Ordinal));
        Assert.Equal(2, messages.Count(m => m.StartsWith("Queue 's'", System.StringComparison.Ordinal)));
    }

    [Fact]
    public Task Two_consumer_classes_of_one_queue_with_identical_settings_are_reported() => AnalyzerHarness.VerifyAsync(Sources.Order + """
        [{|WRN036:Queue("q")|}] public sealed class A { public void Handle(OrderPlaced e) { } }
        [{|WRN036:Queue("q")|}] public sealed class B { public void Handle(OrderPaid e) { } }
        """);

    [Fact]
    public Task Two_rpc_services_of_one_name_and_a_consumer_of_an_rpc_queue_are_reported() => AnalyzerHarness.VerifyAsync(Sources.Order + """
        [RpcService("svc")] public interface IA { Task<OrderPaid> Pay(OrderPlaced o); }
        [RpcService("svc")] public interface IB { Task<OrderPlaced> Place(OrderPaid o); }
        public sealed class {|WRN036:A|} : IA { public Task<OrderPaid> Pay(OrderPlaced o) => Task.FromResult(new OrderPaid(o.Id)); }
        public sealed class {|WRN036:B|} : IB { public Task<OrderPlaced> Place(OrderPaid o) => Task.FromResult(new OrderPlaced(o.Id)); }
        [RpcService("other")] public interface IC { Task<OrderPaid> Pay(OrderPlaced o); }
        public sealed class {|WRN036:C|} : IC { public Task<OrderPaid> Pay(OrderPlaced o) => Task.FromResult(new OrderPaid(o.Id)); }
        [{|WRN036:Queue("rpc.other")|}] public sealed class D { public void Handle(OrderPaid e) { } }
        """);

    [Fact]
    public Task One_class_per_queue_and_a_client_only_service_of_one_name_are_quiet() => AnalyzerHarness.VerifyAsync(Sources.Order + """
        [Queue("a")] public sealed class A { public void Handle(OrderPlaced e) { } }
        [Queue("b")] public sealed class B { public void Handle(OrderPaid e) { } }
        [RpcService("svc")] public interface IA { Task<OrderPaid> Pay(OrderPlaced o); }
        [RpcService("svc")] public interface IB { Task<OrderPaid> Pay(OrderPlaced o); }
        public sealed class S : IA { public Task<OrderPaid> Pay(OrderPlaced o) => Task.FromResult(new OrderPaid(o.Id)); }
        """);
}

public sealed class WRN037_ConsumerInheritsConsumerTests
{
    [Fact]
    public Task A_class_derived_from_a_non_abstract_consumer_is_reported() => AnalyzerHarness.VerifyAsync(Sources.Order + """
        public class Base { [Topic("order.placed")] public Task Placed(OrderPlaced e) => Task.CompletedTask; }
        public sealed class {|WRN037:Derived|} : Base { }
        """);

    [Fact]
    public Task A_class_derived_from_an_abstract_base_is_quiet() => AnalyzerHarness.VerifyAsync(Sources.Order + """
        public abstract class Base { [Topic("order.placed")] public Task Placed(OrderPlaced e) => Task.CompletedTask; }
        public sealed class Derived : Base { }
        """);
}

public sealed class WRN019_DisplayTests
{
    [Fact]
    public async Task Arrays_and_nullable_values_are_named_as_the_code_fix_writes_them()
    {
        var diagnostics = await AnalyzerHarness.DiagnosticsAsync("""
            public sealed record Item(string Id);
            [Queue("a")] public sealed class A { public void Handle(Item[] e) { } }
            [RpcService("svc")] public interface ISvc { Task<int?> Count(Item? item); }
            """);
        var messages = diagnostics.Where(d => d.Id == "WRN019").Select(d => d.GetMessage()).OrderBy(m => m, System.StringComparer.Ordinal).ToList();
        Assert.Contains(messages, m => m.StartsWith("'Item[]' is in no JsonSerializerContext", System.StringComparison.Ordinal) && m.Contains("[JsonSerializable(typeof(Item[]))]", System.StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("'int?' is in no JsonSerializerContext", System.StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("'Item' is in no JsonSerializerContext", System.StringComparison.Ordinal));
    }
}

public sealed class ShapeRuleMessageTests
{
    [Fact]
    public async Task A_ref_struct_an_error_level_obsolete_and_a_private_getter_are_explained()
    {
        var diagnostics = await AnalyzerHarness.DiagnosticsAsync("""
            [Obsolete("gone", true)] public sealed record Old(string Id);
            [Queue("a")] public sealed class A { public void Handle(ReadOnlySpan<byte> body) { } public void Handle(Old o) { } }
            [Exchange("x", ExchangeKind.Topic)] [Topic("m.{Region}")] public sealed class M { public string Region { private get; set; } = ""; }
            [Publisher] public partial interface IP { ValueTask Send(M m); }
            """);
        Assert.Contains(diagnostics, d => d.Id == "WRN005" && d.GetMessage().Contains("'System.ReadOnlySpan<byte>' is a ref struct", System.StringComparison.Ordinal));
        Assert.Contains(diagnostics, d => d.Id == "WRN005" && d.GetMessage().Contains("'Old' is [Obsolete] as an error", System.StringComparison.Ordinal));
        Assert.Contains(diagnostics, d => d.Id == "WRN003" && d.GetMessage().Contains("with a public getter", System.StringComparison.Ordinal));
    }
}

using System.Threading.Tasks;
using Xunit;

namespace Warren.Analyzers.Tests;

public sealed class WRN001_InvalidTopicTests
{
    [Theory]
    [InlineData("order..created")]
    [InlineData(".order")]
    [InlineData("order.{Region")]
    [InlineData("order.{}")]
    public Task Invalid_publish_keys_are_reported(string key) => AnalyzerHarness.VerifyAsync($$"""
        [Exchange("orders")]
        [Topic({|WRN001:"{{key}}"|})]
        public sealed record OrderPlaced(string Region);
        [JsonSerializable(typeof(OrderPlaced))] internal sealed partial class Json : JsonSerializerContext;
        """);

    [Theory]
    [InlineData("order.*created")]
    [InlineData("order..#")]
    [InlineData("order.{Region}")]
    public Task Invalid_binding_patterns_are_reported(string pattern) => AnalyzerHarness.VerifyAsync($$"""
        [Exchange("orders")]
        [Topic("order.placed")]
        public sealed record OrderPlaced(string Region);
        [Queue("q")]
        public sealed class Handler
        {
            [Topic({|WRN001:"{{pattern}}"|})]
            public void Handle(OrderPlaced order) { }
        }
        [JsonSerializable(typeof(OrderPlaced))] internal sealed partial class Json : JsonSerializerContext;
        """);

    [Fact]
    public Task A_key_over_255_bytes_is_reported() => AnalyzerHarness.VerifyAsync($$"""
        [Exchange("orders")]
        [Topic({|WRN001:"{{new string('a', 256)}}"|})]
        public sealed record OrderPlaced(string Region);
        [JsonSerializable(typeof(OrderPlaced))] internal sealed partial class Json : JsonSerializerContext;
        """);

    [Theory]
    [InlineData("order..placed")]
    [InlineData(".order")]
    [InlineData("order.")]
    [InlineData("")]
    public Task A_contract_name_with_an_empty_word_used_as_a_topic_key_is_reported(string name) => AnalyzerHarness.VerifyAsync($$"""
        [Exchange("orders", ExchangeKind.Topic)]
        [Message({|WRN001:"{{name}}"|})]
        public sealed record OrderPlaced(string Region);
        [JsonSerializable(typeof(OrderPlaced))] internal sealed partial class Json : JsonSerializerContext;
        """);

    /// <summary>
    /// The contract name is the AMQP 'type' property of every publish (and, without [Topic], the routing key on every
    /// exchange): a short string, 255 bytes at most, whatever the exchange type and with a [Topic] too.
    /// </summary>
    [Theory]
    [InlineData("[Exchange(\"orders\", ExchangeKind.Topic)]")]
    [InlineData("[Exchange(\"orders\", ExchangeKind.Direct)]")]
    [InlineData("[Exchange(\"orders\", ExchangeKind.Fanout)]")]
    [InlineData("[Exchange(\"orders\", ExchangeKind.Headers)]")]
    [InlineData("[Exchange(\"orders\", ExchangeKind.Topic)] [Topic(\"order.placed\")]")]
    [InlineData("[Exchange(\"orders\", ExchangeKind.Fanout)] [Topic(\"order.placed\")]")]
    [InlineData("")]
    public Task A_contract_name_over_255_bytes_used_as_a_key_is_reported(string exchange) => AnalyzerHarness.VerifyAsync($$"""
        {{exchange}}
        [Message({|WRN001:"{{new string('é', 128)}}"|})]
        public sealed record OrderPlaced(string Region);
        [JsonSerializable(typeof(OrderPlaced))] internal sealed partial class Json : JsonSerializerContext;
        """);

    /// <summary>
    /// A message without attributes whose default contract name is over 255 bytes gets no generated handler or publisher
    /// method: each use is reported, as the type has no attribute to report at.
    /// </summary>
    [Fact]
    public Task A_default_contract_name_over_255_bytes_is_reported_at_its_handler_and_publisher_method() => AnalyzerHarness.VerifyAsync($$"""
        public sealed record {{new string('L', 300)}}(string Id);
        [Queue("q")]
        public sealed class Handler
        {
            public void {|WRN001:Handle|}({{new string('L', 300)}} message) { }
        }
        [Publisher]
        public partial interface IPublishes
        {
            System.Threading.Tasks.Task {|WRN001:Send|}({{new string('L', 300)}} message);
        }
        [JsonSerializable(typeof({{new string('L', 300)}}))] internal sealed partial class Json : JsonSerializerContext;
        """);

    [Fact]
    public Task Valid_keys_and_patterns_are_quiet() => AnalyzerHarness.VerifyAsync("""
        [Exchange("orders")]
        [Topic("order.{Region}.placed.v{Version}")]
        public sealed record OrderPlaced(string Region, int Version);
        [Queue("q")]
        public sealed class Handler
        {
            [Topic("order.*.placed.#")]
            [Topic("#")]
            public void Handle(OrderPlaced order) { }
        }
        [JsonSerializable(typeof(OrderPlaced))] internal sealed partial class Json : JsonSerializerContext;
        """);
}

/// <summary>
/// WRN035 qualifies the default contract names of two types of one short name with their namespaces: the 255-byte limit
/// (the 'type' property and, without [Topic], the routing key) is judged on the name in use, the qualified one.
/// </summary>
public sealed class WRN001_QualifiedContractNameTests
{
    private static readonly string Namespace = new('n', 250);

    [Fact]
    public Task An_attributed_message_whose_qualified_name_is_over_255_bytes_is_reported_at_the_message() => AnalyzerHarness.VerifyAsync($$"""
        namespace {{Namespace}} { [Exchange("users")] [Topic("user.created")] public sealed record {|WRN001:Created|}(string Id); }
        namespace Billing { public sealed record {|WRN035:Created|}(string Id); }
        [Queue("q")]
        public sealed class Handler
        {
            public void Handle({{Namespace}}.Created created) { }
            public void Handle(Billing.Created created) { }
        }
        [JsonSerializable(typeof({{Namespace}}.Created), TypeInfoPropertyName = "LongCreated")]
        [JsonSerializable(typeof(Billing.Created), TypeInfoPropertyName = "BillingCreated")]
        internal sealed partial class Json : JsonSerializerContext;
        """);

    /// <summary>A message without attributes is reported at its declaration and, as for a long short name, at its handler and publisher method.</summary>
    [Fact]
    public Task A_message_without_attributes_is_reported_at_the_message_its_handler_and_its_publisher_method() => AnalyzerHarness.VerifyAsync($$"""
        namespace {{Namespace}} { public sealed record {|WRN001:Created|}(string Id); }
        namespace Billing { public sealed record {|WRN035:Created|}(string Id); }
        [Queue("q")]
        public sealed class Handler
        {
            public void {|WRN001:Handle|}({{Namespace}}.Created created) { }
            public void Handle(Billing.Created created) { }
        }
        [Publisher]
        public partial interface IUsers { ValueTask {|WRN001:Send|}({{Namespace}}.Created created); }
        [JsonSerializable(typeof({{Namespace}}.Created), TypeInfoPropertyName = "LongCreated")]
        [JsonSerializable(typeof(Billing.Created), TypeInfoPropertyName = "BillingCreated")]
        internal sealed partial class Json : JsonSerializerContext;
        """);

    [Fact]
    public async Task The_message_says_the_name_was_qualified_and_why()
    {
        var diagnostics = await AnalyzerHarness.DiagnosticsAsync($$"""
            namespace {{Namespace}} { [Exchange("users")] public sealed record Created(string Id); }
            namespace Billing { public sealed record Created(string Id); }
            [Queue("q")] public sealed class Handler { public void Handle(Billing.Created created) { } }
            """);
        var message = Assert.Single(diagnostics, d => d.Id == "WRN001").GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains("is 258 bytes", message, System.StringComparison.Ordinal);
        Assert.Contains("'Billing.Created' also has the short name 'created'", message, System.StringComparison.Ordinal);
    }

    /// <summary>A qualified name within 255 bytes is only WRN035's warning.</summary>
    [Fact]
    public Task A_qualified_name_of_255_bytes_is_quiet() => AnalyzerHarness.VerifyAsync($$"""
        namespace {{new string('n', 247)}} { [Exchange("users")] public sealed record {|WRN035:Created|}(string Id); }
        namespace Billing { public sealed record {|WRN035:Created|}(string Id); }
        [Queue("q")]
        public sealed class Handler
        {
            public void Handle({{new string('n', 247)}}.Created created) { }
            public void Handle(Billing.Created created) { }
        }
        [JsonSerializable(typeof({{new string('n', 247)}}.Created), TypeInfoPropertyName = "LongCreated")]
        [JsonSerializable(typeof(Billing.Created), TypeInfoPropertyName = "BillingCreated")]
        internal sealed partial class Json : JsonSerializerContext;
        """);
}

/// <summary>
/// A handler's [Topic] binding on its message's exchange that no key the message is published with can match: the
/// message's own key (its [Topic] template, whose placeholders stand for any one word, or its contract name) and the
/// keys of this compilation's publisher methods. Quiet where the keys are not fixed: no [Exchange] on the message, a
/// fanout or headers exchange, or a compilation that sets PublishOptions.RoutingKey.
/// </summary>
public sealed class WRN040_BindingNeverMatchesItsMessageTests
{
    [Fact]
    public Task A_binding_no_key_of_the_template_matches_is_reported() => AnalyzerHarness.VerifyAsync("""
        [Exchange("users")]
        [Topic("user.{Region}.created")]
        public sealed record UserCreated(string Region);
        [Exchange("charges", ExchangeKind.Direct)]
        [Topic("charge.{Region}")]
        public sealed record Charge(string Region);
        [Exchange("users")]
        public sealed record UserDeleted(string Id);
        [Queue("q")]
        public sealed class Handler
        {
            [{|WRN040:Topic("order.*")|}]
            [Topic("user.eu.created")]
            public void Handle(UserCreated created) { }
            [{|WRN040:Topic("refund.eu")|}] public void Handle(Charge charge) { }
            [{|WRN040:Topic("user.deleted")|}] public void Handle(UserDeleted deleted) { }
        }
        [JsonSerializable(typeof(UserCreated))] [JsonSerializable(typeof(Charge))] [JsonSerializable(typeof(UserDeleted))]
        internal sealed partial class Json : JsonSerializerContext;
        """);

    [Fact]
    public Task Bindings_some_key_matches_are_quiet() => AnalyzerHarness.VerifyAsync("""
        [Exchange("users")]
        [Topic("user.{Region}.created")]
        public sealed record UserCreated(string Region);
        [Exchange("charges", ExchangeKind.Direct)]
        [Topic("charge.{Region}")]
        public sealed record Charge(string Region);
        [Exchange("users")]
        public sealed record UserDeleted(string Id);
        [Queue("q")]
        public sealed class Handler
        {
            [Topic("user.*.created")] [Topic("user.#")] [Topic("#")] [Topic("*.eu.*")] public void Handle(UserCreated created) { }
            [Topic("charge.eu")] public void Handle(Charge charge) { }
            [Topic("user-deleted")] [Topic("*")] public void Handle(UserDeleted deleted) { }
        }
        [JsonSerializable(typeof(UserCreated))] [JsonSerializable(typeof(Charge))] [JsonSerializable(typeof(UserDeleted))]
        internal sealed partial class Json : JsonSerializerContext;
        """);

    /// <summary>A publisher method of this compilation with its own key publishes the message with that key too.</summary>
    [Fact]
    public Task A_binding_a_publisher_methods_own_key_matches_is_quiet() => AnalyzerHarness.VerifyAsync("""
        [Exchange("users")]
        [Topic("user.{Region}.created")]
        public sealed record UserCreated(string Region);
        [Publisher]
        public partial interface IUsers { [Topic("user.imported")] ValueTask Imported(UserCreated created); }
        [Queue("q")]
        public sealed class Handler { [Topic("user.imported")] public void Handle(UserCreated created) { } }
        [JsonSerializable(typeof(UserCreated))] internal sealed partial class Json : JsonSerializerContext;
        """);

    /// <summary>Keys that are not fixed: no exchange of the message's own, fanout and headers, and a key set at the publish.</summary>
    [Fact]
    public Task Messages_without_a_fixed_key_are_quiet() => AnalyzerHarness.VerifyAsync("""
        public sealed record Audit(string Id);
        [Exchange("news", ExchangeKind.Fanout)]
        public sealed record News(string Text);
        [Queue("q")]
        [Exchange("audit")]
        public sealed class Handler
        {
            [Topic("audit.anything")] public void Handle(Audit audit) { }
            public void Handle(News news) { }
        }
        [JsonSerializable(typeof(Audit))] [JsonSerializable(typeof(News))] internal sealed partial class Json : JsonSerializerContext;
        """);

    [Fact]
    public Task A_compilation_that_sets_the_routing_key_of_a_publish_is_quiet() => AnalyzerHarness.VerifyAsync("""
        [Exchange("users")]
        [Topic("user.{Region}.created")]
        public sealed record UserCreated(string Region);
        [Queue("q")]
        public sealed class Handler { [Topic("order.*")] public void Handle(UserCreated created) { } }
        public static class Imports
        {
            public static ValueTask Send(IPublisher publisher, UserCreated created) =>
                publisher.PublishAsync(created, new PublishOptions { RoutingKey = "order.imported" });
        }
        [JsonSerializable(typeof(UserCreated))] internal sealed partial class Json : JsonSerializerContext;
        """);

    /// <summary>
    /// A message of a contracts library, published by other services (a publisher method's own key
    /// <c>order.{Region}.placed</c>) that this compilation cannot see: its bindings are not judged.
    /// </summary>
    [Fact]
    public Task A_message_declared_in_a_referenced_assembly_is_quiet() => AnalyzerHarness.VerifyWithLibraryAsync("""
        namespace Contracts;
        [Exchange("orders", ExchangeKind.Topic)]
        public record OrderPlaced(string Region);
        """, """
        [Queue("q")]
        public sealed class Handler { [Topic("order.eu.placed")] public Task Handle(Contracts.OrderPlaced e) => Task.CompletedTask; }
        [JsonSerializable(typeof(Contracts.OrderPlaced))] internal sealed partial class Json : JsonSerializerContext;
        """);

    /// <summary>The same message declared in this compilation, with no key but its contract name: reported.</summary>
    [Fact]
    public Task The_same_message_declared_here_is_reported() => AnalyzerHarness.VerifyAsync("""
        [Exchange("orders", ExchangeKind.Topic)]
        public record OrderPlaced(string Region);
        [Queue("q")]
        public sealed class Handler { [{|WRN040:Topic("order.eu.placed")|}] public Task Handle(OrderPlaced e) => Task.CompletedTask; }
        [JsonSerializable(typeof(OrderPlaced))] internal sealed partial class Json : JsonSerializerContext;
        """);

    /// <summary>A Warren call that takes a routing key (here <c>PublishTextAsync</c>) publishes with a key of its own.</summary>
    [Fact]
    public Task A_compilation_that_publishes_with_an_explicit_key_is_quiet() => AnalyzerHarness.VerifyAsync("""
        [Exchange("users")]
        [Topic("user.{Region}.created")]
        public sealed record UserCreated(string Region);
        [Queue("q")]
        public sealed class Handler { [Topic("order.*")] public void Handle(UserCreated created) { } }
        public static class Imports
        {
            public static ValueTask Send(IPublisher publisher) => publisher.PublishTextAsync("users", "order.imported", "{}");
        }
        [JsonSerializable(typeof(UserCreated))] internal sealed partial class Json : JsonSerializerContext;
        """);

    /// <summary>Constructing an exception that names a routing key publishes nothing: still reported.</summary>
    [Fact]
    public Task An_exception_naming_a_routing_key_is_no_override() => AnalyzerHarness.VerifyAsync("""
        [Exchange("users")]
        [Topic("user.{Region}.created")]
        public sealed record UserCreated(string Region);
        [Queue("q")]
        public sealed class Handler { [{|WRN040:Topic("order.*")|}] public void Handle(UserCreated created) { } }
        public static class Failures
        {
            public static Exception Of() => new UnroutableMessageException("users", "order.imported", "NO_ROUTE");
        }
        [JsonSerializable(typeof(UserCreated))] internal sealed partial class Json : JsonSerializerContext;
        """);
}

public sealed class WRN002_WildcardInRoutingKeyTests
{
    /// <summary>A message without [Topic] is published and bound with its contract name: on a topic exchange a wildcard there binds other keys.</summary>
    [Theory]
    [InlineData("order.*")]
    [InlineData("order.#")]
    [InlineData("orders*")]
    public Task A_wildcard_in_a_contract_name_used_as_a_topic_key_is_reported(string name) => AnalyzerHarness.VerifyAsync($$"""
        [Exchange("orders", ExchangeKind.Topic)]
        [Message({|WRN002:"{{name}}"|})]
        public sealed record OrderPlaced(string Region);
        [JsonSerializable(typeof(OrderPlaced))] internal sealed partial class Json : JsonSerializerContext;
        """);

    /// <summary>Where the contract name is no routing key (a [Topic], a fanout or headers exchange) or is compared as text (direct, default exchange), anything goes.</summary>
    [Theory]
    [InlineData("[Exchange(\"orders\", ExchangeKind.Topic)] [Topic(\"order.placed\")]")]
    [InlineData("[Exchange(\"orders\", ExchangeKind.Fanout)]")]
    [InlineData("[Exchange(\"orders\", ExchangeKind.Headers)]")]
    [InlineData("[Exchange(\"orders\", ExchangeKind.Direct)]")]
    [InlineData("")]
    public Task A_wildcard_in_a_contract_name_that_is_no_topic_key_is_quiet(string attributes) => AnalyzerHarness.VerifyAsync($$"""
        {{attributes}}
        [Message("order.*..#")]
        public sealed record OrderPlaced(string Region);
        [JsonSerializable(typeof(OrderPlaced))] internal sealed partial class Json : JsonSerializerContext;
        """);

    [Fact]
    public Task A_contract_name_bound_by_default_on_a_direct_exchange_is_quiet() => AnalyzerHarness.VerifyAsync("""
        [Exchange("orders", ExchangeKind.Direct)]
        [Message("order.*")]
        public sealed record OrderPlaced(string Region);
        [Queue("q")]
        public sealed class Handler
        {
            public void Handle(OrderPlaced order) { }
        }
        [JsonSerializable(typeof(OrderPlaced))] internal sealed partial class Json : JsonSerializerContext;
        """);

    [Fact]
    public Task A_wildcard_in_a_message_key_is_reported() => AnalyzerHarness.VerifyAsync("""
        [Exchange("orders")]
        [Topic({|WRN002:"order.*.placed"|})]
        public sealed record OrderPlaced(string Region);
        [JsonSerializable(typeof(OrderPlaced))] internal sealed partial class Json : JsonSerializerContext;
        """);

    [Fact]
    public Task Placeholders_are_not_wildcards() => AnalyzerHarness.VerifyAsync("""
        [Exchange("orders")]
        [Topic("order.{Region}.placed")]
        public sealed record OrderPlaced(string Region);
        [Publisher]
        public interface IOrders
        {
            [Topic("order.{Region}.replaced")]
            ValueTask Replaced(OrderPlaced order);
        }
        [JsonSerializable(typeof(OrderPlaced))] internal sealed partial class Json : JsonSerializerContext;
        """);

    [Fact]
    public Task A_wildcard_in_a_publisher_method_key_is_reported() => AnalyzerHarness.VerifyAsync("""
        [Exchange("orders")]
        [Topic("order.placed")]
        public sealed record OrderPlaced(string Region);
        [Publisher]
        public interface IOrders
        {
            [Topic({|WRN002:"order.#"|})]
            ValueTask Placed(OrderPlaced order);
        }
        [JsonSerializable(typeof(OrderPlaced))] internal sealed partial class Json : JsonSerializerContext;
        """);
}

public sealed class WRN003_UnknownPlaceholderTests
{
    [Fact]
    public Task A_placeholder_naming_no_property_is_reported() => AnalyzerHarness.VerifyAsync("""
        [Exchange("orders")]
        [Topic({|WRN003:"order.{Country}.placed"|})]
        public sealed record OrderPlaced(string Region);
        [JsonSerializable(typeof(OrderPlaced))] internal sealed partial class Json : JsonSerializerContext;
        """);

    [Fact]
    public Task Inherited_properties_count() => AnalyzerHarness.VerifyAsync("""
        public abstract record Regional(string Region);
        [Exchange("orders")]
        [Topic("order.{Region}.placed")]
        public sealed record OrderPlaced(string Id, string Region) : Regional(Region);
        [JsonSerializable(typeof(OrderPlaced))] internal sealed partial class Json : JsonSerializerContext;
        """);
}

public sealed class WRN004_UnsupportedPlaceholderTypeTests
{
    [Fact]
    public Task A_complex_property_is_reported() => AnalyzerHarness.VerifyAsync("""
        public sealed record Address(string City);
        [Exchange("orders")]
        [Topic({|WRN004:"order.{Address}"|})]
        public sealed record OrderPlaced(Address Address);
        [JsonSerializable(typeof(OrderPlaced))] internal sealed partial class Json : JsonSerializerContext;
        """);

    [Fact]
    public Task Strings_numbers_enums_and_guids_are_fine() => AnalyzerHarness.VerifyAsync("""
        public enum Tier { Gold, Silver }
        [Exchange("orders")]
        [Topic("order.{Region}.{Count}.{Tier}.{Id}.{Flag}")]
        public sealed record OrderPlaced(string Region, int Count, Tier Tier, Guid Id, bool Flag);
        [JsonSerializable(typeof(OrderPlaced))] internal sealed partial class Json : JsonSerializerContext;
        """);
}

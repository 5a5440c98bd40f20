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

using System;
using System.Text;
using System.Text.Json.Serialization;
using Xunit;

namespace Warren.Tests.Consuming;

public sealed record OrderPlaced(string OrderId, int Quantity, string? Note = null);

[JsonSerializable(typeof(OrderPlaced))]
internal sealed partial class StrictTestJson : JsonSerializerContext;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(OrderPlaced))]
internal sealed partial class CamelCaseTestJson : JsonSerializerContext;

public sealed class StrictDeserializationTests
{
    [Theory]
    [InlineData("""{"OrderId":"o-1","Quantity":2}""")]
    [InlineData("""{"OrderId":"o-1","Quantity":2,"Note":null,"Extra":true}""")]
    public void A_body_of_the_message_s_shape_is_accepted(string json)
    {
        Assert.True(MessageDispatcher.TryDeserialize(Context(json), StrictTestJson.Default.OrderPlaced, out var message, out var error), error);
        Assert.Equal(new OrderPlaced("o-1", 2), message);
    }

    [Theory]
    [InlineData("""{"orderId":"o-1","quantity":2}""", "OrderId")]   // camelCase from JavaScript against PascalCase
    [InlineData("""{"foo":1}""", "OrderId")]
    [InlineData("""{"OrderId":null,"Quantity":2}""", "OrderId")]     // null for a non-nullable member
    [InlineData("""{"OrderId":"o-1"}""", "Quantity")]                 // a required member missing
    [InlineData("""null""", "null")]
    [InlineData("""not json""", "not valid JSON")]
    public void A_body_of_another_shape_is_refused_with_the_reason(string json, string mentioned)
    {
        Assert.False(MessageDispatcher.TryDeserialize(Context(json), StrictTestJson.Default.OrderPlaced, out _, out var error));
        Assert.Contains(mentioned, error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_camel_case_context_reads_what_javascript_sends()
    {
        Assert.True(MessageDispatcher.TryDeserialize(Context("""{"orderId":"o-1","quantity":2}"""), CamelCaseTestJson.Default.OrderPlaced, out var message, out var error), error);
        Assert.Equal(new OrderPlaced("o-1", 2), message);
    }

    private static MessageContext Context(string json) =>
        new("q", Encoding.UTF8.GetBytes(json), new EmptyServices(), default);

    private sealed class EmptyServices : IServiceProvider
    {
        public object? GetService(Type serviceType) => null;
    }
}

using System;
using System.Linq;
using System.Reflection;
using Warren.Generators.Parsing;
using Xunit;

namespace Warren.Generators.Tests;

/// <summary>The names and enum values the generator reads attributes by are exactly the runtime's.</summary>
public sealed class AttributeNamesTests
{
    [Theory]
    [InlineData(typeof(AttributeNames.Queue), typeof(QueueAttribute))]
    [InlineData(typeof(AttributeNames.DeadLetter), typeof(DeadLetterAttribute))]
    [InlineData(typeof(AttributeNames.Exchange), typeof(ExchangeAttribute))]
    [InlineData(typeof(AttributeNames.Headers), typeof(HeadersAttribute))]
    [InlineData(typeof(AttributeNames.Priority), typeof(PriorityAttribute))]
    [InlineData(typeof(AttributeNames.RpcService), typeof(RpcServiceAttribute))]
    [InlineData(typeof(AttributeNames.Rpc), typeof(RpcAttribute))]
    public void Every_settable_property_has_a_constant_naming_it(Type names, Type attribute)
    {
        var constants = names.GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (string)f.GetValue(null)!).OrderBy(n => n, StringComparer.Ordinal);
        var settable = attribute.GetProperties().Where(p => p.CanWrite).Select(p => p.Name).OrderBy(n => n, StringComparer.Ordinal);

        Assert.Equal(settable, constants);
    }

    [Fact]
    public void Enum_values_match()
    {
        Assert.Equal(Enum.GetNames<ExchangeKind>().Select(n => n.ToLowerInvariant()), AttributeEnums.ExchangeTypes);
        Assert.Equal((int)ExchangeKind.Topic, AttributeEnums.TopicExchange);
        Assert.Equal((int)QueueType.Quorum, AttributeEnums.QuorumQueue);
        Assert.Equal((int)QueueOverflow.RejectPublishDlx, AttributeEnums.RejectPublishDlx);
        Assert.Equal(nameof(QueueOverflow.RejectPublishDlx), AttributeEnums.RejectPublishDlxMember);
        Assert.Equal(nameof(QueueOverflow.RejectPublish), AttributeEnums.RejectPublishMember);
        Assert.Equal(Enum.GetNames<StreamFrom>(), AttributeEnums.StreamFromNames);
        Assert.Equal((int)HeadersMatch.Any, AttributeEnums.HeadersMatchAny);
        Assert.Equal(["drop-head", "reject-publish", "reject-publish-dlx"], AttributeEnums.OverflowNames);
        Assert.Equal(Enum.GetValues<QueueOverflow>().Length, AttributeEnums.OverflowNames.Length);
    }
}

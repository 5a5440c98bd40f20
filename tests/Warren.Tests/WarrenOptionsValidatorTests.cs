using System;
using System.Linq;
using Xunit;

namespace Warren.Tests;

public sealed class WarrenOptionsValidatorTests
{
    private static string[] Errors(WarrenOptions options) =>
        new WarrenOptionsValidator().Validate(null, options).Failures?.ToArray() ?? [];

    [Fact]
    public void Valid_options_pass()
    {
        Assert.Empty(Errors(new WarrenOptions { Url = "amqp://localhost/" }));
    }

    [Fact]
    public void Prefetch_zero_is_rejected_with_the_setting_name()
    {
        var error = Assert.Single(Errors(new WarrenOptions { Url = "amqp://localhost/", Prefetch = 0 }));
        Assert.Contains("Warren:Prefetch", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_bad_setting_is_listed()
    {
        var errors = Errors(new WarrenOptions
        {
            Url = "amqp://localhost/",
            Concurrency = 0,
            MaxInFlightPublishes = 0,
            PublishTimeout = TimeSpan.Zero,
            MaxMessageSize = 0,
            ClientName = " ",
        });

        Assert.Equal(5, errors.Length);
    }

    [Fact]
    public void Bad_uri_fails_validation_without_the_password()
    {
        var error = Assert.Single(Errors(new WarrenOptions { Url = "ftp://me:pa55word@host/" }));
        Assert.DoesNotContain("pa55word", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(1, true)]
    [InlineData(10, true)]
    [InlineData(65535, true)]
    [InlineData(65536, false)]
    [InlineData(-1, false)]
    public void Heartbeat_is_whole_seconds_or_off(int seconds, bool valid)
    {
        var errors = Errors(new WarrenOptions { Url = "amqp://localhost/", Heartbeat = TimeSpan.FromSeconds(seconds) });

        Assert.Equal(valid, errors.Length == 0);
        Assert.All(errors, e => Assert.Contains("Warren:Heartbeat", e, StringComparison.Ordinal));
    }

    [Fact]
    public void Heartbeat_defaults_to_ten_seconds_and_fractions_are_rejected()
    {
        Assert.Equal(TimeSpan.FromSeconds(10), new WarrenOptions().Heartbeat);
        Assert.Single(Errors(new WarrenOptions { Url = "amqp://localhost/", Heartbeat = TimeSpan.FromMilliseconds(2500) }));
    }
}

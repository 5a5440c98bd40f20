using System;
using System.Collections.Generic;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Xunit;

namespace Warren.Tests;

/// <summary>Where Warren reads its connection from: the host builder form, connection strings, and their errors.</summary>
public sealed class HostingRegistrationTests
{
    [Fact]
    public void The_host_builder_form_reads_the_named_connection_string_in_place_of_url_and_hosts()
    {
        var options = Resolve(new()
        {
            ["ConnectionStrings:rabbit"] = "amqp://svc:pw@rabbit.internal:5673/shop",
            ["Warren:Url"] = "amqp://ignored:ignored@elsewhere/",
            ["Warren:Hosts:0"] = "node-1",
            ["Warren:Prefetch"] = "7",
        }, "rabbit");

        Assert.Equal("amqp://svc:pw@rabbit.internal:5673/shop", options.Url);
        Assert.Empty(options.Hosts);
        Assert.Equal(7, options.Prefetch);
        var settings = ConnectionSettings.From(options, environmentUrl: null);
        Assert.Equal("rabbit.internal", Assert.Single(settings.Endpoints).HostName);
        Assert.Equal("shop", settings.VirtualHost);
    }

    [Fact]
    public void Without_the_named_connection_string_the_warren_section_is_used()
    {
        var options = Resolve(new() { ["Warren:Url"] = "amqp://localhost:5672/" }, "rabbit");

        Assert.Equal("amqp://localhost:5672/", options.Url);
    }

    [Fact]
    public void Without_a_name_no_connection_string_is_read()
    {
        var options = Resolve(new() { ["ConnectionStrings:rabbit"] = "amqp://a/", ["Warren:Url"] = "amqp://b/" }, connectionName: null);

        Assert.Equal("amqp://b/", options.Url);
    }

    [Fact]
    public void Code_configuration_runs_after_binding_and_the_connection_string_still_decides_where_to_connect()
    {
        var options = Resolve(
            new() { ["ConnectionStrings:mq"] = "amqp://from-aspire/" },
            "mq",
            o =>
            {
                o.Url = "amqp://from-code/";
                o.ClientName = "orders";
            });

        Assert.Equal("amqp://from-aspire/", options.Url);
        Assert.Equal("orders", options.ClientName);
    }

    [Fact]
    public void The_service_collection_form_takes_the_same_name()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:bus"] = "amqps://bus.example:5671/" }).Build();
        var services = new ServiceCollection();
        services.AddWarren(configuration, "bus");
        using var provider = services.BuildServiceProvider();

        Assert.Equal("amqps://bus.example:5671/", provider.GetRequiredService<IOptions<WarrenOptions>>().Value.Url);
    }

    [Fact]
    public void Nothing_configured_names_the_connection_string_in_the_error()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve([], "rabbit"));

        Assert.Contains("ConnectionStrings:rabbit", error.Message, StringComparison.Ordinal);
        Assert.Contains("Warren:Url", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_malformed_connection_string_is_named_in_the_error_without_its_password()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(new() { ["ConnectionStrings:rabbit"] = "http://user:Sup3rSecret@rabbit/" }, "rabbit"));

        Assert.Contains("ConnectionStrings:rabbit", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Sup3rSecret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rabbitmq_url_stays_the_fallback_and_is_named_as_such()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(new() { ["RABBITMQ_URL"] = "amqp://user:pw@/" }, connectionName: null));

        Assert.Contains("RABBITMQ_URL", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_start_mode_is_fail_fast_unless_configured()
    {
        Assert.Equal(WarrenStartMode.FailFast, Resolve(new() { ["Warren:Url"] = "amqp://localhost/" }, null).StartMode);
        Assert.Equal(WarrenStartMode.Background, Resolve(new() { ["Warren:Url"] = "amqp://localhost/", ["Warren:StartMode"] = "Background" }, null).StartMode);
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(new() { ["Warren:Url"] = "amqp://localhost/", ["Warren:StartMode"] = "7" }, null));
        Assert.Contains("Warren:StartMode", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_blank_connection_name_is_refused_at_registration()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });

        Assert.Throws<ArgumentException>(() => builder.AddWarren(" "));
    }

    private static WarrenOptions Resolve(Dictionary<string, string?> settings, string? connectionName, Action<WarrenOptions>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddWarren(connectionName, configure);
        using var host = builder.Build();
        return host.Services.GetRequiredService<IOptions<WarrenOptions>>().Value;
    }
}

using System.Linq;
using Microsoft.Extensions.Options;
using Xunit;

namespace Warren.Tests;

public sealed class ConnectionSettingsTests
{
    [Fact]
    public void Url_gives_endpoint_credentials_and_virtual_host()
    {
        var settings = ConnectionSettings.From(new WarrenOptions { Url = "amqp://app:s%40cret@broker.local:5673/orders" }, environmentUrl: null);

        var endpoint = Assert.Single(settings.Endpoints);
        Assert.Equal("broker.local", endpoint.HostName);
        Assert.Equal(5673, endpoint.Port);
        Assert.Equal("app", settings.UserName);
        Assert.Equal("s@cret", settings.Password);
        Assert.Equal("orders", settings.VirtualHost);
    }

    [Fact]
    public void Several_urls_make_a_cluster_connection()
    {
        var settings = ConnectionSettings.From(new WarrenOptions { Url = "amqp://u:p@n1:5672/, amqp://u:p@n2:5673/" }, environmentUrl: null);

        Assert.Equal(["n1:5672", "n2:5673"], settings.Endpoints.Select(e => $"{e.HostName}:{e.Port}"));
    }

    [Fact]
    public void Hosts_use_separate_credentials_and_default_port()
    {
        var options = new WarrenOptions { UserName = "svc", Password = "pw", VirtualHost = "/" };
        options.Hosts.Add("rabbit-1");
        options.Hosts.Add("rabbit-2:5680");

        var settings = ConnectionSettings.From(options, environmentUrl: null);

        Assert.Equal(["rabbit-1:5672", "rabbit-2:5680"], settings.Endpoints.Select(e => $"{e.HostName}:{e.Port}"));
        Assert.Equal("svc", settings.UserName);
        Assert.Equal("/", settings.VirtualHost);
    }

    [Fact]
    public void Environment_url_is_the_fallback()
    {
        var settings = ConnectionSettings.From(new WarrenOptions(), environmentUrl: "amqp://guest:guest@127.0.0.1:5999/");

        Assert.Equal(5999, Assert.Single(settings.Endpoints).Port);
    }

    [Fact]
    public void Configured_url_wins_over_environment()
    {
        var settings = ConnectionSettings.From(new WarrenOptions { Url = "amqp://h1/" }, environmentUrl: "amqp://h2/");

        Assert.Equal("h1", Assert.Single(settings.Endpoints).HostName);
    }

    [Fact]
    public void Amqps_defaults_to_the_tls_port_and_enables_tls()
    {
        var endpoint = Assert.Single(ConnectionSettings.From(new WarrenOptions { Url = "amqps://secure.example" }, null).Endpoints);

        Assert.Equal(5671, endpoint.Port);
        Assert.True(endpoint.Ssl.Enabled);
    }

    [Theory]
    [InlineData("http://user:topsecret@host/", "is not an AMQP URI")]
    [InlineData("not a uri user:topsecret@", "is not an AMQP URI")]
    public void Bad_url_is_reported_without_the_password(string url, string expected)
    {
        var error = Assert.Throws<WarrenConfigurationException>(() => ConnectionSettings.From(new WarrenOptions { Url = url }, null));

        Assert.Contains(expected, error.Message, System.StringComparison.Ordinal);
        Assert.DoesNotContain("topsecret", error.Message, System.StringComparison.Ordinal);
    }

    [Fact]
    public void No_host_at_all_says_what_to_set()
    {
        var error = Assert.Throws<WarrenConfigurationException>(() => ConnectionSettings.From(new WarrenOptions(), environmentUrl: null));

        Assert.Contains("Warren:Url", error.Message, System.StringComparison.Ordinal);
        Assert.Contains("RABBITMQ_URL", error.Message, System.StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_host_port_is_reported()
    {
        var options = new WarrenOptions();
        options.Hosts.Add("rabbit:99999");

        var error = Assert.Throws<WarrenConfigurationException>(() => ConnectionSettings.From(options, null));

        Assert.Contains("invalid port", error.Message, System.StringComparison.Ordinal);
    }

    [Fact]
    public void Description_for_logs_has_no_credentials()
    {
        var settings = ConnectionSettings.From(new WarrenOptions { Url = "amqp://admin:hunter2@db:5672/prod" }, null);

        var text = settings.ToString();

        Assert.Equal("db:5672 vhost 'prod'", text);
        Assert.DoesNotContain("hunter2", text, System.StringComparison.Ordinal);
        Assert.DoesNotContain("admin", text, System.StringComparison.Ordinal);
    }

    [Fact]
    public void Redact_removes_user_info()
    {
        Assert.Equal("amqp://u:***@host:5672/v", ConnectionSettings.Redact("amqp://u:p@host:5672/v"));
        Assert.Equal("amqp://host/", ConnectionSettings.Redact("amqp://host/"));
    }
}

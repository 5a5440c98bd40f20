using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Security;
using CsCheck;
using Microsoft.Extensions.Logging.Abstractions;
using RabbitMQ.Client;
using Xunit;

namespace Warren.Tests;

/// <summary>What a <see cref="WarrenBuilder.ConfigureConnectionFactory"/> callback can change, and what reaches the endpoints.</summary>
public sealed class ConnectionFactoryBuilderTests
{
    [Fact]
    public void Callbacks_see_warrens_settings_run_in_order_and_their_changes_stick()
    {
        var options = new WarrenOptions { Url = "amqp://svc:pw@rabbit/", Heartbeat = TimeSpan.FromSeconds(10) };
        var seen = new List<string>();
        var (factory, _) = Build(
            options,
            f =>
            {
                seen.Add($"first {f.UserName} {f.RequestedHeartbeat.TotalSeconds}");
                f.RequestedHeartbeat = TimeSpan.FromSeconds(5);
                f.ClientProperties["team"] = "payments";
            },
            f => seen.Add($"second {f.RequestedHeartbeat.TotalSeconds}"));

        Assert.Equal(["first svc 10", "second 5"], seen);
        Assert.Equal(TimeSpan.FromSeconds(5), factory.RequestedHeartbeat);
        Assert.Equal("payments", factory.ClientProperties["team"]);
        Assert.Equal("app:publish", factory.ClientProvidedName);
    }

    [Fact]
    public void Recovery_stays_on_whatever_a_callback_sets()
    {
        var (factory, _) = Build(new WarrenOptions { Url = "amqp://rabbit/" }, f =>
        {
            f.AutomaticRecoveryEnabled = false;
            f.TopologyRecoveryEnabled = false;
        });

        Assert.True(factory.AutomaticRecoveryEnabled);
        Assert.True(factory.TopologyRecoveryEnabled);
    }

    [Fact]
    public void The_factory_tls_settings_reach_every_amqps_endpoint_with_its_own_server_name()
    {
        RemoteCertificateValidationCallback validate = (_, _, _, _) => true;
        var (_, endpoints) = Build(
            new WarrenOptions { Url = "amqps://u:p@node-1/, amqps://u:p@node-2:5700/" },
            f =>
            {
                f.Ssl.CertificateValidationCallback = validate;
                f.Ssl.CertPath = "/etc/warren/client.pfx";
            });

        Assert.Equal(["node-1:5671", "node-2:5700"], endpoints.Select(e => $"{e.HostName}:{e.Port}"));
        Assert.All(endpoints, e =>
        {
            Assert.True(e.Ssl.Enabled);
            Assert.Same(validate, e.Ssl.CertificateValidationCallback);
            Assert.Equal("/etc/warren/client.pfx", e.Ssl.CertPath);
            Assert.Equal(e.HostName, e.Ssl.ServerName);
        });
    }

    [Fact]
    public void Enabling_tls_on_the_factory_turns_it_on_for_plain_amqp_endpoints_too()
    {
        var options = new WarrenOptions { UserName = "u", Password = "p" };
        options.Hosts.Add("10.0.0.5:5671");
        var (_, endpoints) = Build(options, f =>
        {
            f.Ssl.Enabled = true;
            f.Ssl.ServerName = "rabbit.internal";
        });

        var endpoint = Assert.Single(endpoints);
        Assert.True(endpoint.Ssl.Enabled);
        Assert.Equal("rabbit.internal", endpoint.Ssl.ServerName);
    }

    [Fact]
    public void Without_a_callback_amqp_stays_plain_and_amqps_uses_the_host_name()
    {
        Property.ForAll(
            Gen.Select(Gen.Bool, Gen.Int[1, 9]).Array[1, 4].Select(Gen.Bool, Gen.Bool),
            200,
            c =>
            {
                var (nodes, enable, setName) = c;
                var url = string.Join(", ", nodes.Select(n => $"{(n.Item1 ? "amqps" : "amqp")}://u:p@node-{n.Item2}/"));
                var (_, endpoints) = Build(new WarrenOptions { Url = url }, f =>
                {
                    f.Ssl.Enabled |= enable;
                    if (setName)
                    {
                        f.Ssl.ServerName = "fixed";
                    }
                });

                Assert.Equal(nodes.Length, endpoints.Count);
                for (var i = 0; i < nodes.Length; i++)
                {
                    var tls = nodes[i].Item1 || enable;
                    Assert.Equal(tls, endpoints[i].Ssl.Enabled);
                    if (tls)
                    {
                        Assert.Equal(setName ? "fixed" : $"node-{nodes[i].Item2}", endpoints[i].Ssl.ServerName);
                    }
                }
            },
            c => $"nodes [{string.Join(", ", c.Item1.Select(n => (n.Item1 ? "amqps " : "amqp ") + n.Item2))}], enable {c.Item2}, server name {c.Item3}");
        Assert.Equal(200, Property.LastCount);
    }

    private static (ConnectionFactory Factory, IReadOnlyList<AmqpTcpEndpoint> Endpoints) Build(WarrenOptions options, params Action<ConnectionFactory>[] callbacks) =>
        ConnectionFactoryBuilder.Build(
            ConnectionSettings.From(options, environmentUrl: null),
            options,
            "app:publish",
            callbacks.Select(c => new ConnectionFactoryCallback(c)),
            NullLogger.Instance);
}

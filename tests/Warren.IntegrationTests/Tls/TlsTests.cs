using System;
using System.Collections.Generic;
using System.Globalization;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Tasks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RabbitMQ.Client;
using Warren.IntegrationTests.Runtime;
using Warren.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Warren.IntegrationTests.Tls;

/// <summary>A private node with a TLS listener whose certificate is issued by a certificate authority made for the run.</summary>
public sealed class TlsBrokerFixture : IAsyncLifetime
{
    private TestCertificates? _certificates;

    internal TestCertificates Certificates => _certificates ?? throw new InvalidOperationException("Not initialized.");

    public PrivateBroker Broker { get; private set; } = null!;

    /// <summary><c>amqps://guest:guest@127.0.0.1:PORT/</c></summary>
    public string AmqpsUrl => string.Create(CultureInfo.InvariantCulture, $"amqps://guest:guest@127.0.0.1:{Broker.Nodes[0].AmqpsPort}/");

    public async Task InitializeAsync()
    {
        _certificates = TestCertificates.Create();
        // Client certificates are verified when presented, not required: one node serves both kinds of test.
        Broker = await PrivateBroker.StartAsync(new BrokerTls(Certificates.AuthorityFile, Certificates.ServerCertificateFile, Certificates.ServerKeyFile));
    }

    public async Task DisposeAsync()
    {
        if (Broker is not null)
        {
            await Broker.DisposeAsync();
        }

        _certificates?.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class TlsBrokerCollection : ICollectionFixture<TlsBrokerFixture>
{
    public const string Name = "tls-broker";
}

[Collection(TlsBrokerCollection.Name)]
public sealed class TlsTests(TlsBrokerFixture tls, ITestOutputHelper output)
{
    [Fact]
    public async Task Amqps_with_a_private_certificate_authority_from_a_connection_string_publishes_and_consumes()
    {
        await using var app = await StartAsync(
            new() { ["ConnectionStrings:rabbit"] = tls.AmqpsUrl },
            f => f.Ssl.CertificateValidationCallback = WarrenTls.TrustAuthority(tls.Certificates.Authority));

        await app.ExchangeAsync(5);
        var connections = await ConnectionsAsync(app.ClientName);
        Assert.Equal(2, connections.Count);
        Assert.All(connections, c => Assert.Equal("true", c.Ssl));
        Assert.All(connections, c => Assert.DoesNotContain("warren-test-client", c.PeerSubject, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_client_certificate_set_on_the_connection_factory_is_presented_to_the_broker()
    {
        await using var app = await StartAsync(
            new() { ["Warren:Url"] = tls.AmqpsUrl },
            f =>
            {
                f.Ssl.CertificateValidationCallback = WarrenTls.TrustAuthority(tls.Certificates.Authority);
                f.Ssl.Certs = new X509CertificateCollection { tls.Certificates.Client };
                f.ClientProperties["team"] = "payments";
            });

        await app.ExchangeAsync(5);
        var connections = await ConnectionsAsync(app.ClientName);
        Assert.Equal(2, connections.Count);
        Assert.All(connections, c => Assert.Contains("CN=warren-test-client", c.PeerSubject, StringComparison.Ordinal));
        var publish = await app.Connections.GetPublishConnectionAsync();
        Assert.Equal("payments", publish.ClientProperties["team"] is byte[] b ? System.Text.Encoding.UTF8.GetString(b) : publish.ClientProperties["team"]?.ToString());
    }

    [Fact]
    public async Task A_broker_certificate_from_an_authority_nobody_trusts_fails_at_once_with_the_tls_cause()
    {
        await using var app = await StartAsync(new() { ["Warren:Url"] = tls.AmqpsUrl, ["Warren:ConnectTimeout"] = "00:00:20" }, configure: null, start: false);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<WarrenConnectionException>(async () => await app.Connections.GetPublishConnectionAsync());
        output.WriteLine(error.ToString());
        Assert.IsAssignableFrom<AuthenticationException>(error.InnerException);
        Assert.Contains("TLS", error.Message, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"a certificate error is not retried until the connect timeout ({clock.Elapsed})");
    }

    [Fact]
    public async Task A_client_certificate_from_another_authority_is_refused_by_the_broker()
    {
        // With TLS 1.3 the client finishes its side of the handshake before the broker checks the certificate, so the
        // refusal arrives as a reset connection (retried until the connect timeout), not as a TLS error.
        var clientName = Names.Unique("tls");
        var error = await Assert.ThrowsAsync<WarrenConnectionException>(async () => await StartAsync(
            new() { ["Warren:Url"] = tls.AmqpsUrl, ["Warren:ConnectTimeout"] = "00:00:03" },
            f =>
            {
                f.Ssl.CertificateValidationCallback = WarrenTls.TrustAuthority(tls.Certificates.Authority);
                f.Ssl.Certs = new X509CertificateCollection { tls.Certificates.ForeignClient };
            },
            clientName: clientName));
        output.WriteLine(error.ToString());
        Assert.Empty(await ConnectionsAsync(clientName));
    }

    private static async Task<TlsApp> StartAsync(Dictionary<string, string?> settings, Action<ConnectionFactory>? configure, bool start = true, string? clientName = null)
    {
        clientName ??= Names.Unique("tls");
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        settings["Warren:ClientName"] = clientName;
        builder.Configuration.AddInMemoryCollection(settings);
        var queue = Names.Unique("tls-queue");
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var count = 0;
        var expected = 0;
        var warren = builder.AddWarren("rabbit");
        if (configure is not null)
        {
            warren.ConfigureConnectionFactory(configure);
        }

        if (start)
        {
            warren.AddTopology(new Topology().Add(new QueueDeclaration(queue, AutoDelete: true)))
                .AddConsumer(new ConsumerDefinition(queue, MessageDispatcher.Create(RuntimeTestJson.Default.Numbered, (m, _) =>
                {
                    if (System.Threading.Interlocked.Increment(ref count) == System.Threading.Volatile.Read(ref expected))
                    {
                        received.TrySetResult();
                    }

                    return ValueTask.CompletedTask;
                })));
        }

        var host = builder.Build();
        var app = new TlsApp(host, clientName, queue, received, n => System.Threading.Volatile.Write(ref expected, n), () => System.Threading.Volatile.Read(ref count));
        if (start)
        {
            try
            {
                await host.StartAsync();
            }
            catch
            {
                await app.DisposeAsync();
                throw;
            }
        }

        return app;
    }

    private async Task<List<(string Ssl, string PeerSubject)>> ConnectionsAsync(string clientName)
    {
        var text = await tls.Broker.RabbitmqctlAsync(tls.Broker.Nodes[0], "list_connections", "client_properties", "ssl", "peer_cert_subject", "--no-table-headers", "--quiet");
        var result = new List<(string, string)>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!line.Contains(clientName, StringComparison.Ordinal))
            {
                continue;
            }

            var fields = line.Split('\t');
            result.Add((fields[^2].Trim(), fields[^1].Trim()));
        }

        output.WriteLine(text);
        return result;
    }

    private sealed class TlsApp(IHost host, string clientName, string queue, TaskCompletionSource received, Action<int> expect, Func<int> count) : IAsyncDisposable
    {
        public string ClientName => clientName;

        public WarrenConnections Connections => host.Services.GetRequiredService<WarrenConnections>();

        public async Task ExchangeAsync(int messages)
        {
            expect(messages);
            var sender = host.Services.GetRequiredService<IMessageSender>();
            for (var i = 0; i < messages; i++)
            {
                await sender.SendAsync(string.Empty, queue, new Numbered(i), RuntimeTestJson.Default.Numbered, "test.numbered");
            }

            await received.Task.WaitAsync(TimeSpan.FromSeconds(20));
            Assert.Equal(messages, count());
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                await host.StopAsync();
            }
            finally
            {
                host.Dispose();
            }
        }
    }
}

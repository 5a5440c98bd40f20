using System;
using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit;

namespace Warren.Tests;

/// <summary>A connection that cannot be opened says why: the real cause is the inner exception (no broker needed).</summary>
public sealed class WarrenConnectionsTests
{
    [Fact]
    public async Task A_refused_connection_has_the_socket_error_as_its_cause()
    {
        var port = FreePort();
        await using var connections = Connections($"amqp://guest:QX55secret@127.0.0.1:{port}/", TimeSpan.FromSeconds(1));

        var error = await Assert.ThrowsAsync<WarrenConnectionException>(async () => await connections.GetPublishConnectionAsync());

        var socket = Assert.IsType<SocketException>(error.InnerException);
        Assert.Equal(SocketError.ConnectionRefused, socket.SocketErrorCode);
        Assert.Contains($"127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("QX55secret", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_connection_source_that_refuses_is_recorded_like_a_refused_connection()
    {
        var refusal = new SocketException((int)SocketError.ConnectionRefused);
        await using var connections = new WarrenConnections(Options.Create(new WarrenOptions()), NullLogger<WarrenConnections>.Instance, new Refuses(refusal));

        var error = await Assert.ThrowsAsync<WarrenConnectionException>(async () => await connections.GetConsumeConnectionAsync());

        Assert.Same(refusal, error.InnerException);
        Assert.Contains("Could not open the consume connection", error.Message, StringComparison.Ordinal);
        Assert.Contains(refusal.Message, error.Message, StringComparison.Ordinal);
        Assert.Same(error, connections.LastConnectFailure?.Error);
        Assert.Equal(WarrenConnectionState.NotOpened, connections.GetStatus(ConnectionRole.Consume).State);
    }

    [Fact]
    public async Task A_rejected_tls_certificate_fails_at_once_with_the_tls_error_as_its_cause()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var serving = Task.Run(async () =>
        {
            while (true)
            {
                using var client = await listener.AcceptTcpClientAsync();
                await using var tls = new SslStream(client.GetStream());
                try
                {
                    await tls.AuthenticateAsServerAsync(certificate);
                }
                catch (Exception ex) when (ex is AuthenticationException or System.IO.IOException)
                {
                    // The client rejects the self-signed certificate.
                }
            }
        });
        try
        {
            await using var connections = Connections($"amqps://guest:guest@localhost:{((IPEndPoint)listener.LocalEndpoint).Port}/", TimeSpan.FromSeconds(20));
            var timer = Stopwatch.StartNew();

            var error = await Assert.ThrowsAsync<WarrenConnectionException>(async () => await connections.GetPublishConnectionAsync());

            Assert.IsType<AuthenticationException>(error.InnerException);
            Assert.Contains("TLS handshake failed", error.Message, StringComparison.Ordinal);
            Assert.True(timer.Elapsed < TimeSpan.FromSeconds(10), $"took {timer.Elapsed}: a rejected certificate is not retried until the connect timeout");
        }
        finally
        {
            listener.Stop();
            await Assert.ThrowsAnyAsync<Exception>(() => serving);
        }
    }

    private static WarrenConnections Connections(string url, TimeSpan connectTimeout) =>
        new(Options.Create(new WarrenOptions { Url = url, ConnectTimeout = connectTimeout }), NullLogger<WarrenConnections>.Instance);

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private sealed class Refuses(Exception refusal) : Warren.Infrastructure.IConnectionSource
    {
        public Task<RabbitMQ.Client.IConnection> ConnectAsync(ConnectionRole role, string clientName, System.Threading.CancellationToken cancellationToken) =>
            Task.FromException<RabbitMQ.Client.IConnection>(refusal);
    }
}

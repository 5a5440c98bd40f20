using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;

namespace Warren;

/// <summary>A callback registered with <see cref="WarrenBuilder.ConfigureConnectionFactory"/>, run for both connections.</summary>
internal sealed class ConnectionFactoryCallback(Action<ConnectionFactory> configure)
{
    public Action<ConnectionFactory> Configure { get; } = configure;
}

/// <summary>
/// Builds the <see cref="ConnectionFactory"/> and endpoint list of one connection: Warren's settings first, then the
/// application's callbacks, then what Warren cannot work without.
/// </summary>
/// <remarks>
/// RabbitMQ.Client connects to a list of endpoints with each endpoint's own <see cref="SslOption"/> and ignores
/// <see cref="ConnectionFactory.Ssl"/> there. Users configure TLS on <see cref="ConnectionFactory.Ssl"/> (that is what
/// every RabbitMQ.Client example shows), so its settings are copied to every TLS endpoint here.
/// </remarks>
internal static class ConnectionFactoryBuilder
{
    private const int BrokerMaxMessageSize = 128 * 1024 * 1024;

    public static (ConnectionFactory Factory, IReadOnlyList<AmqpTcpEndpoint> Endpoints) Build(
        ConnectionSettings settings,
        WarrenOptions options,
        string clientName,
        IEnumerable<ConnectionFactoryCallback> callbacks,
        ILogger logger)
    {
        var factory = new ConnectionFactory
        {
            UserName = settings.UserName,
            Password = settings.Password,
            VirtualHost = settings.VirtualHost,
            AutomaticRecoveryEnabled = true,
            TopologyRecoveryEnabled = true,
            NetworkRecoveryInterval = options.NetworkRecoveryInterval,
            RequestedHeartbeat = options.Heartbeat,
            // Never below the broker's own maximum: a larger inbound body would make the client drop the whole
            // connection (and requeue the message forever). Warren:MaxMessageSize is enforced per message instead.
            MaxInboundMessageBodySize = (uint)Math.Max(options.MaxMessageSize, BrokerMaxMessageSize),
            ClientProvidedName = clientName,
            // Enabled by the callback for plain amqp:// endpoints, or by amqps:// URIs for their own endpoints.
            Ssl = new SslOption { Enabled = false },
        };

        foreach (var callback in callbacks)
        {
            callback.Configure(factory);
        }

        // Warren recovers publishes and consumers on top of RabbitMQ.Client's automatic recovery.
        if (!factory.AutomaticRecoveryEnabled || !factory.TopologyRecoveryEnabled)
        {
            Log.RecoveryKeptOn(logger);
            factory.AutomaticRecoveryEnabled = true;
            factory.TopologyRecoveryEnabled = true;
        }

        var tls = factory.Ssl ?? new SslOption();
        var endpoints = settings.Endpoints
            .Select(e => e.Ssl.Enabled || tls.Enabled ? new AmqpTcpEndpoint(e.HostName, e.Port, ForEndpoint(tls, e.HostName)) : e)
            .ToArray();
        return (factory, endpoints);
    }

    /// <summary>A copy of the factory's TLS settings for one endpoint, its server name defaulting to the endpoint's host.</summary>
    /// <remarks>
    /// <see cref="SslOption.Certs"/> is read only when no <see cref="SslOption.CertPath"/> is set: with a path, its getter
    /// loads the file, which the client does itself when it connects.
    /// </remarks>
    private static SslOption ForEndpoint(SslOption tls, string host) => new()
    {
        Enabled = true,
        ServerName = string.IsNullOrEmpty(tls.ServerName) ? host : tls.ServerName,
        CertPath = tls.CertPath,
        CertPassphrase = tls.CertPassphrase,
        Certs = string.IsNullOrEmpty(tls.CertPath) ? tls.Certs : null,
        ClientCertificateContext = tls.ClientCertificateContext,
        CertificateValidationCallback = tls.CertificateValidationCallback,
        CertificateSelectionCallback = tls.CertificateSelectionCallback,
        AcceptablePolicyErrors = tls.AcceptablePolicyErrors,
        CheckCertificateRevocation = tls.CheckCertificateRevocation,
        Version = tls.Version,
    };
}

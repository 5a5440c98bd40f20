using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using RabbitMQ.Client;

namespace Warren;

/// <summary>
/// Where and as whom to connect, parsed once from <see cref="WarrenOptions"/>. <see cref="ToString"/> is safe to log:
/// it lists endpoints and the virtual host, never the user's password.
/// </summary>
internal sealed class ConnectionSettings
{
    private const int DefaultPort = 5672;
    private const int DefaultTlsPort = 5671;

    private ConnectionSettings(IReadOnlyList<AmqpTcpEndpoint> endpoints, string userName, string password, string virtualHost)
    {
        Endpoints = endpoints;
        UserName = userName;
        Password = password;
        VirtualHost = virtualHost;
    }

    public IReadOnlyList<AmqpTcpEndpoint> Endpoints { get; }

    public string UserName { get; }

    public string Password { get; }

    public string VirtualHost { get; }

    /// <summary>Parses the options, falling back to <c>RABBITMQ_URL</c>; throws <see cref="WarrenConfigurationException"/> with a redacted message.</summary>
    public static ConnectionSettings From(WarrenOptions options, string? environmentUrl = null)
    {
        environmentUrl ??= Environment.GetEnvironmentVariable(WarrenOptions.UrlEnvironmentVariable);
        var url = string.IsNullOrWhiteSpace(options.Url) ? null : options.Url;
        if (url is null && options.Hosts.Count == 0)
        {
            url = string.IsNullOrWhiteSpace(environmentUrl) ? null : environmentUrl;
        }

        if (url is null && options.Hosts.Count == 0)
        {
            throw new WarrenConfigurationException(
                "No RabbitMQ host configured: set Warren:Url (e.g. amqp://user:password@localhost:5672/), Warren:Hosts, or the RABBITMQ_URL environment variable.");
        }

        var endpoints = new List<AmqpTcpEndpoint>();
        string? user = null, password = null, vhost = null;
        if (url is not null)
        {
            foreach (var part in url.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var (endpoint, u, p, v) = ParseUri(part);
                endpoints.Add(endpoint);
                if ((user is not null && u is not null && u != user) || (vhost is not null && v is not null && v != vhost))
                {
                    throw new WarrenConfigurationException("The URIs in Warren:Url name different users or virtual hosts; a cluster connection uses one of each.");
                }

                user ??= u;
                password ??= p;
                vhost ??= v;
            }
        }

        foreach (var host in options.Hosts)
        {
            endpoints.Add(ParseHost(host));
        }

        return new ConnectionSettings(
            endpoints,
            options.UserName ?? user ?? "guest",
            options.Password ?? password ?? "guest",
            options.VirtualHost ?? vhost ?? "/");
    }

    /// <summary>Removes the user-info part of an AMQP URI so it can appear in a message.</summary>
    public static string Redact(string uri)
    {
        var at = uri.LastIndexOf('@');
        if (at < 0)
        {
            return uri;
        }

        var scheme = uri.IndexOf("://", StringComparison.Ordinal);
        var prefix = scheme >= 0 && scheme < at ? uri[..(scheme + 3)] : string.Empty;
        return string.Concat(prefix, "***@", uri.AsSpan(at + 1));
    }

    public override string ToString() =>
        $"{string.Join(", ", Endpoints.Select(e => $"{e.HostName}:{e.Port.ToString(CultureInfo.InvariantCulture)}"))} vhost '{VirtualHost}'";

    private static (AmqpTcpEndpoint Endpoint, string? User, string? Password, string? VirtualHost) ParseUri(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != "amqp" && uri.Scheme != "amqps"))
        {
            throw new WarrenConfigurationException(
                $"Warren:Url '{Redact(text)}' is not an AMQP URI: expected amqp://user:password@host:port/vhost or amqps://….");
        }

        if (string.IsNullOrEmpty(uri.Host))
        {
            throw new WarrenConfigurationException($"Warren:Url '{Redact(text)}' names no host.");
        }

        var tls = uri.Scheme == "amqps";
        var port = uri.IsDefaultPort || uri.Port < 0 ? (tls ? DefaultTlsPort : DefaultPort) : uri.Port;
        var endpoint = new AmqpTcpEndpoint(uri.Host, port, tls ? new SslOption(uri.Host, enabled: true) : new SslOption());

        string? user = null, password = null;
        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            user = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            password = colon < 0 ? null : Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
        }

        var path = uri.AbsolutePath.TrimStart('/');
        var vhost = path.Length == 0 ? null : Uri.UnescapeDataString(path);
        return (endpoint, user, password, vhost);
    }

    private static AmqpTcpEndpoint ParseHost(string text)
    {
        var host = text.Trim();
        var port = DefaultPort;
        var colon = host.LastIndexOf(':');
        if (colon > 0 && !host.EndsWith(']'))
        {
            if (!int.TryParse(host.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
            {
                throw new WarrenConfigurationException($"Warren:Hosts entry '{text}' has an invalid port: use host or host:port.");
            }

            host = host[..colon];
        }

        if (host.Length == 0 || host.Contains('/', StringComparison.Ordinal) || host.Contains('@', StringComparison.Ordinal))
        {
            throw new WarrenConfigurationException($"Warren:Hosts entry '{Redact(text)}' is not a host name: use host or host:port (credentials go in Warren:UserName/Password).");
        }

        return new AmqpTcpEndpoint(host, port);
    }
}

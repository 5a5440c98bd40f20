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
            var connectionString = options.ConnectionStringName is { } name ? $"the connection string ConnectionStrings:{name}, " : string.Empty;
            throw new WarrenConfigurationException(
                $"No RabbitMQ host configured: set {connectionString}Warren:Url (e.g. amqp://user:password@localhost:5672/), Warren:Hosts, or the RABBITMQ_URL environment variable.");
        }

        var urlKey = options.Url == url ? options.UrlSource ?? "Warren:Url" : WarrenOptions.UrlEnvironmentVariable;

        var endpoints = new List<AmqpTcpEndpoint>();
        string? user = null, password = null, vhost = null;
        if (url is not null)
        {
            foreach (var part in SplitUris(url))
            {
                var (endpoint, u, p, v) = ParseUri(part, urlKey);
                endpoints.Add(endpoint);
                if ((user is not null && u is not null && u != user) || (vhost is not null && v is not null && v != vhost))
                {
                    throw new WarrenConfigurationException($"The URIs in {urlKey} name different users or virtual hosts; a cluster connection uses one of each.");
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

    /// <summary>
    /// Makes a configured URI or host entry safe to show in a message, whatever its password contains: the scheme (any
    /// <c>scheme://</c>, so that a wrong one such as <c>http://</c> stays visible) and the user name are shown, and the
    /// password (everything after the user name's colon up to the last <c>@</c>) is masked; user information without a
    /// colon is masked whole (it may be a password). Without an <c>@</c>, anything after a colon that is not a port
    /// number (it may be <c>user:password</c>) is masked to the end. In the query, the value of the first parameter
    /// whose name looks like a secret (password, pwd, pass, secret, token, api key, credential, auth, signature, …,
    /// percent-encoded or not, in any case) is masked with everything after it: a raw value may hold <c>&amp;</c>,
    /// <c>;</c> or <c>#</c>, so where it ends is not known.
    /// </summary>
    public static string Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);

        // The secret's value goes first, with all after it: a raw one may hold '@', so the user information is found
        // in what comes before it only.
        var cut = SecretValueStart(text);
        if (cut < 0)
        {
            return RedactUserInfo(text);
        }

        var head = RedactUserInfo(text[..cut]);
        return head.EndsWith("***", StringComparison.Ordinal) ? head : head + "***";
    }

    private static readonly string[] SecretNameParts = ["password", "passwd", "pwd", "pass", "secret", "token", "apikey", "credential", "signature", "privatekey"];

    private static readonly string[] SecretNames = ["auth", "authorization", "sig", "key"];

    /// <summary>Where the value of the first secret-looking query parameter starts (see <see cref="Redact"/>); -1 for none.</summary>
    private static int SecretValueStart(string text)
    {
        var query = text.IndexOf('?', SchemeLength(text));
        if (query < 0)
        {
            return -1;
        }

        var start = query + 1;
        for (var i = start; i <= text.Length; i++)
        {
            if (i < text.Length && text[i] is not ('&' or ';' or '#'))
            {
                continue;
            }

            var parameter = text.AsSpan(start, i - start);
            var equals = parameter.IndexOf('=');
            if (equals > 0 && IsSecretName(parameter[..equals].ToString()))
            {
                return start + equals + 1;
            }

            start = i + 1;
        }

        return -1;
    }

    private static bool IsSecretName(string name)
    {
        string decoded;
        try
        {
            decoded = Uri.UnescapeDataString(name);
        }
        catch (UriFormatException)
        {
            decoded = name;
        }

        var normalized = decoded.ToLowerInvariant().Replace("_", string.Empty, StringComparison.Ordinal).Replace("-", string.Empty, StringComparison.Ordinal).Trim();
        return SecretNames.Contains(normalized) || SecretNameParts.Any(part => normalized.Contains(part, StringComparison.Ordinal));
    }

    private static string RedactUserInfo(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        // Any scheme followed by "://" counts as one (a wrong scheme is often the mistake being reported); in "rabbit:/…"
        // or "rabbit:secret" the colon may start a password.
        var start = SchemeLength(text);
        var rest = text[start..];
        var at = rest.LastIndexOf('@');
        if (at >= 0)
        {
            // What follows is shown only if it looks like host[:port][/path]; otherwise it may be the rest of a password.
            var tail = rest[(at + 1)..];
            var tailEnd = tail.IndexOfAny(['/', '?', '#']);
            if (!IsHostAndPort(tailEnd < 0 ? tail : tail[..tailEnd]))
            {
                return string.Concat(text.AsSpan(0, start), "***");
            }

            // A user name has no colon (a password may): the user is what comes before the first one.
            var colon = rest.IndexOf(':');
            return colon >= 0 && colon < at
                ? string.Concat(text.AsSpan(0, start), rest.AsSpan(0, colon), ":***@", tail)
                : string.Concat(text.AsSpan(0, start), "***@", tail);
        }

        var end = rest.IndexOfAny(['/', '?', '#']);
        var authority = end < 0 ? rest : rest[..end];
        var portColon = authority.StartsWith('[') ? authority.IndexOf("]:", StringComparison.Ordinal) + 1 : authority.IndexOf(':');
        if (portColon > 0 && !IsPort(authority[(portColon + 1)..]))
        {
            return string.Concat(text.AsSpan(0, start), authority.AsSpan(0, portColon), ":***");
        }

        return text;
    }

    /// <summary>
    /// Splits a list of URIs at the commas that start another <c>amqp://</c> or <c>amqps://</c> URI, so a comma inside
    /// a password does not split it.
    /// </summary>
    internal static List<string> SplitUris(string text)
    {
        var parts = new List<string>();
        var from = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == ',' && StartsUri(text, i + 1))
            {
                Add(text[from..i]);
                from = i + 1;
            }
        }

        Add(text[from..]);
        return parts;

        void Add(string part)
        {
            part = part.Trim().Trim(',').Trim();
            if (part.Length > 0)
            {
                parts.Add(part);
            }
        }
    }

    /// <summary>The length of a leading <c>scheme://</c> (RFC 3986 scheme characters), or 0.</summary>
    private static int SchemeLength(string text)
    {
        var i = 0;
        while (i < text.Length && char.IsWhiteSpace(text[i]))
        {
            i++;
        }

        var first = i;
        while (i < text.Length && (char.IsAsciiLetter(text[i]) || (i > first && (char.IsAsciiDigit(text[i]) || text[i] is '+' or '-' or '.'))))
        {
            i++;
        }

        return i > first && text.AsSpan(i).StartsWith("://", StringComparison.Ordinal) ? i + 3 : 0;
    }

    private static bool StartsUri(string text, int index)
    {
        while (index < text.Length && char.IsWhiteSpace(text[index]))
        {
            index++;
        }

        var rest = text.AsSpan(index);
        return rest.StartsWith("amqp://", StringComparison.OrdinalIgnoreCase) || rest.StartsWith("amqps://", StringComparison.OrdinalIgnoreCase);
    }

    private static bool IsHostAndPort(string text)
    {
        var host = text;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                return false;
            }

            host = text[1..close].Replace(":", string.Empty, StringComparison.Ordinal);
            text = "h" + text[(close + 1)..];
        }

        var colon = text.IndexOf(':');
        if (colon >= 0)
        {
            if (!IsPort(text[(colon + 1)..]))
            {
                return false;
            }

            host = host == text ? text[..colon] : host;
        }

        return host.Length > 0 && host.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_');
    }

    private static bool IsPort(string text) =>
        text.Length is > 0 and <= 5 && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535;

    public override string ToString() =>
        $"{string.Join(", ", Endpoints.Select(e => $"{e.HostName}:{e.Port.ToString(CultureInfo.InvariantCulture)}"))} vhost '{VirtualHost}'";

    private static (AmqpTcpEndpoint Endpoint, string? User, string? Password, string? VirtualHost) ParseUri(string text, string key)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != "amqp" && uri.Scheme != "amqps"))
        {
            throw new WarrenConfigurationException(
                $"{key} '{Redact(text)}' is not an AMQP URI: expected amqp://user:password@host:port/vhost or amqps://….");
        }

        if (string.IsNullOrEmpty(uri.Host))
        {
            throw new WarrenConfigurationException($"{key} '{Redact(text)}' names no host.");
        }

        var authorityStart = text.IndexOf("://", StringComparison.Ordinal) + 3;
        var authorityEnd = text.IndexOfAny(['/', '?', '#'], authorityStart);
        var authority = authorityEnd < 0 ? text[authorityStart..] : text[authorityStart..authorityEnd];
        if (authority.EndsWith(':'))
        {
            // "amqp://user:/…" is most likely "user:password" with a password starting with '/', '?' or '#'.
            throw new WarrenConfigurationException(
                $"{key} '{Redact(text)}' has an empty port after ':'. Give the port or leave out the ':', and percent-encode special characters in the user name and password.");
        }

        if (authorityEnd >= 0 && text.IndexOf('@', authorityEnd) >= 0)
        {
            // Most likely a password containing '/', '?' or '#': read as it stands, part of it would become the host.
            throw new WarrenConfigurationException(
                $"{key} '{Redact(text)}' has an '@' after the host. Percent-encode special characters in the user name, password and virtual host (%2F for '/', %3F for '?', %23 for '#', %40 for '@').");
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

        // The virtual host is the raw path without its leading '/', percent-decoded; System.Uri would drop "." and "..".
        var path = authorityEnd < 0 || text[authorityEnd] != '/' ? string.Empty : text[(authorityEnd + 1)..];
        var queryStart = path.IndexOfAny(['?', '#']);
        path = queryStart < 0 ? path : path[..queryStart];
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
                throw new WarrenConfigurationException($"Warren:Hosts entry '{Redact(text)}' has an invalid port: use host or host:port (credentials go in Warren:UserName/Password).");
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

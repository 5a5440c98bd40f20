namespace Warren.Testing;

/// <summary>
/// A TLS listener for a <see cref="PrivateBroker"/> (RabbitMQ's <c>listeners.ssl.default</c> and <c>ssl_options.*</c>),
/// beside its plain AMQP listener. The files are PEM and must stay readable while the broker runs.
/// </summary>
/// <param name="CaCertificateFile">The certificate authorities the node trusts for client certificates (<c>ssl_options.cacertfile</c>).</param>
/// <param name="CertificateFile">The node's certificate (<c>ssl_options.certfile</c>).</param>
/// <param name="KeyFile">The node's private key, unencrypted (<c>ssl_options.keyfile</c>).</param>
public sealed record BrokerTls(string CaCertificateFile, string CertificateFile, string KeyFile)
{
    /// <summary>Verify a client certificate when one is presented (<c>ssl_options.verify = verify_peer</c>). Default true.</summary>
    public bool VerifyPeer { get; init; } = true;

    /// <summary>Refuse clients without a certificate (<c>ssl_options.fail_if_no_peer_cert</c>). Default false.</summary>
    public bool FailIfNoPeerCertificate { get; init; }
}

using System;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Warren;

/// <summary>Helpers for TLS settings made in <see cref="WarrenBuilder.ConfigureConnectionFactory"/>.</summary>
public static class WarrenTls
{
    /// <summary>
    /// A certificate validation callback for <c>ConnectionFactory.Ssl.CertificateValidationCallback</c> that accepts a
    /// broker certificate only when it chains to <paramref name="authority"/> (a private certificate authority that the
    /// operating system does not trust) and names the host connected to. Certificates trusted by the operating system but
    /// not issued by this authority are refused. Revocation is not checked (private authorities rarely publish lists).
    /// </summary>
    /// <param name="authority">The root certificate of the authority, e.g. <c>X509CertificateLoader.LoadCertificateFromFile("ca.pem")</c>.</param>
    public static RemoteCertificateValidationCallback TrustAuthority(X509Certificate2 authority)
    {
        ArgumentNullException.ThrowIfNull(authority);
        return (_, certificate, presented, errors) =>
        {
            // A name mismatch or a missing certificate is never acceptable; chain errors are judged below.
            if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
            {
                return false;
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(authority);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            if (presented is not null)
            {
                foreach (var element in presented.ChainElements)
                {
                    chain.ChainPolicy.ExtraStore.Add(element.Certificate);
                }
            }

            using var loaded = certificate is X509Certificate2 ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
            var leaf = certificate as X509Certificate2 ?? loaded!;
            return chain.Build(leaf) && chain.ChainElements[^1].Certificate.RawDataMemory.Span.SequenceEqual(authority.RawDataMemory.Span);
        };
    }
}

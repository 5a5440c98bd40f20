using System;
using System.IO;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Warren.IntegrationTests.Tls;

/// <summary>
/// A throwaway certificate authority made for one test run, with a server certificate for 127.0.0.1/localhost and a
/// client certificate, written as PEM files for the broker. Nothing is added to any trust store.
/// </summary>
internal sealed class TestCertificates : IDisposable
{
    public const string ClientSubject = "CN=warren-test-client,O=Warren tests";

    private TestCertificates(string directory, X509Certificate2 authority, X509Certificate2 client, X509Certificate2 foreignClient)
    {
        Directory = directory;
        Authority = authority;
        Client = client;
        ForeignClient = foreignClient;
    }

    public string Directory { get; }

    /// <summary>The root certificate (public part) of the test authority.</summary>
    public X509Certificate2 Authority { get; }

    /// <summary>A client certificate with its private key, issued by <see cref="Authority"/>.</summary>
    public X509Certificate2 Client { get; }

    /// <summary>A client certificate with its private key, issued by another authority the broker does not trust.</summary>
    public X509Certificate2 ForeignClient { get; }

    public string AuthorityFile => Path.Combine(Directory, "ca.pem");

    public string ServerCertificateFile => Path.Combine(Directory, "server.pem");

    public string ServerKeyFile => Path.Combine(Directory, "server.key");

    public static TestCertificates Create()
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("warren-tls-").FullName;
        var now = DateTimeOffset.UtcNow.AddMinutes(-5);
        using var caKey = RSA.Create(2048);
        using var ca = CreateAuthority("CN=Warren test CA", caKey, now);
        using var foreignKey = RSA.Create(2048);
        using var foreignCa = CreateAuthority("CN=Another test CA", foreignKey, now);

        using var serverKey = RSA.Create(2048);
        var serverRequest = LeafRequest("CN=localhost", serverKey, "1.3.6.1.5.5.7.3.1");
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        serverRequest.CertificateExtensions.Add(names.Build());
        using var server = serverRequest.Create(ca, now, now.AddDays(2), SerialNumber());

        File.WriteAllText(Path.Combine(directory, "ca.pem"), ca.ExportCertificatePem());
        File.WriteAllText(Path.Combine(directory, "server.pem"), server.ExportCertificatePem());
        File.WriteAllText(Path.Combine(directory, "server.key"), serverKey.ExportRSAPrivateKeyPem());

        var authority = X509CertificateLoader.LoadCertificate(ca.RawData);
        var client = CreateClient(ca, ClientSubject, now);
        var foreignClient = CreateClient(foreignCa, "CN=stranger", now);
        return new TestCertificates(directory, authority, client, foreignClient);
    }

    public void Dispose()
    {
        Authority.Dispose();
        Client.Dispose();
        ForeignClient.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    private static X509Certificate2 CreateAuthority(string subject, RSA key, DateTimeOffset now)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(now, now.AddDays(3));
    }

    private static X509Certificate2 CreateClient(X509Certificate2 issuer, string subject, DateTimeOffset now)
    {
        using var key = RSA.Create(2048);
        var request = LeafRequest(subject, key, "1.3.6.1.5.5.7.3.2");
        using var certificate = request.Create(issuer, now, now.AddDays(2), SerialNumber());
        using var withKey = certificate.CopyWithPrivateKey(key);
        // Through PKCS#12 so the key is usable by the TLS stack on every platform.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    private static CertificateRequest LeafRequest(string subject, RSA key, string usageOid)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usageOid)], false));
        return request;
    }

    private static byte[] SerialNumber() => RandomNumberGenerator.GetBytes(16);
}

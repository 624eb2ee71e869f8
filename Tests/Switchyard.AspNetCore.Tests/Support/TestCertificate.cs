using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Switchyard.AspNetCore.Tests.Support;

/// <summary>A self-signed server certificate for localhost and 127.0.0.1, made in the test, and a client that trusts only it.</summary>
public static class TestCertificate
{
    /// <summary>Creates the certificate; its key is exportable, as Kestrel's TLS needs on every platform (an ephemeral key from <c>CreateSelfSigned</c> is not usable by SChannel).</summary>
    public static X509Certificate2 Create()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1", "Server Authentication")], critical: false));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        var now = DateTimeOffset.UtcNow;
        using var created = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), password: null, X509KeyStorageFlags.Exportable);
    }

    /// <summary>
    /// A client whose connections trust <paramref name="certificate"/> and nothing else; it is also the invoker a
    /// <c>ClientWebSocket</c> connects through. One client keeps one HTTP/2 connection per server (SocketsHttpHandler
    /// opens a second only with <c>EnableMultipleHttp2Connections</c>).
    /// </summary>
    public static HttpClient TrustingClient(X509Certificate2 certificate) =>
        new(new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, presented, _, _) =>
                    presented is not null && presented.GetCertHashString(HashAlgorithmName.SHA256) == certificate.GetCertHashString(HashAlgorithmName.SHA256),
            },
        }, disposeHandler: true);
}

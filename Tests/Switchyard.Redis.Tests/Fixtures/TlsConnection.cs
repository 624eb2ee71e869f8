using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace Switchyard.Redis.Tests.Fixtures;

/// <summary>A plain .NET TLS client connection (SslStream) for the TLS fixture's tests, trusting only the CA it is given.</summary>
internal sealed class TlsConnection : IAsyncDisposable
{
    private readonly TcpClient _client;

    private TlsConnection(TcpClient client, SslStream stream)
    {
        _client = client;
        Stream = stream;
    }

    public SslStream Stream { get; }

    /// <summary>Connects and completes the TLS handshake, validating the server certificate for <paramref name="targetHost"/> against <paramref name="trustedCa"/> only (the system store if null).</summary>
    public static async Task<TlsConnection> OpenAsync(int port, string targetHost, X509Certificate2? trustedCa, X509Certificate2? clientCertificate, CancellationToken cancellationToken)
    {
        var client = new TcpClient();
        var stream = (SslStream?)null;
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
            stream = new SslStream(client.GetStream());
            var options = new SslClientAuthenticationOptions { TargetHost = targetHost };
            if (trustedCa is not null)
            {
                options.CertificateChainPolicy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
                options.CertificateChainPolicy.CustomTrustStore.Add(trustedCa);
            }

            if (clientCertificate is not null)
            {
                options.ClientCertificates = [clientCertificate];
            }

            await stream.AuthenticateAsClientAsync(options, cancellationToken);
            return new TlsConnection(client, stream);
        }
        catch
        {
            if (stream is not null)
            {
                await stream.DisposeAsync();
            }

            client.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Stream.DisposeAsync();
        _client.Dispose();
    }
}

using Xunit;

namespace Switchyard.Redis.Tests.Support;

/// <summary>A private TLS-only redis-server shared by the tests of one class (xunit class fixture).</summary>
public abstract class TlsRedisServers : IAsyncLifetime
{
    private readonly bool _requireClientCertificate;

    protected TlsRedisServers(bool requireClientCertificate) => _requireClientCertificate = requireClientCertificate;

    public RedisTlsServer Server { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Server = await RedisTlsServer.StartAsync(_requireClientCertificate);

    public async ValueTask DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }
}

/// <summary>TLS with server authentication only (<c>--tls-auth-clients no</c>).</summary>
public sealed class TlsRedisServer() : TlsRedisServers(requireClientCertificate: false);

/// <summary>Mutual TLS: the server also requires a client certificate signed by its CA (<c>--tls-auth-clients yes</c>).</summary>
public sealed class MutualTlsRedisServer() : TlsRedisServers(requireClientCertificate: true);

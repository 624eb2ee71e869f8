using System.Security.Cryptography.X509Certificates;
using Switchyard.Redis.Tests.Support;
using Xunit;

namespace Switchyard.Redis.Tests.Fixtures;

/// <summary>The mutual-TLS fixture: the server takes only clients that present the certificate its CA signed.</summary>
public sealed class MutualTlsRedisServerTests(MutualTlsRedisServer fixture) : IClassFixture<MutualTlsRedisServer>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private RedisTlsServer Server => fixture.Server;

    [Fact]
    public async Task A_client_with_the_certificate_from_the_PFX_gets_PONG()
    {
        Assert.True(Server.RequiresClientCertificate);
        Assert.True(Server.ClientCertificate.HasPrivateKey);
        using var fromPfx = X509CertificateLoader.LoadPkcs12FromFile(Server.ClientPfxPath, RedisTlsServer.ClientPfxPassword);
        await using var connection = await TlsConnection.OpenAsync(Server.Port, "127.0.0.1", Server.CaCertificate, fromPfx, Ct);

        Assert.Equal("PONG", await RawRedis.CommandAsync(connection.Stream, Ct, "PING"));
    }

    [Fact]
    public async Task A_client_with_the_certificate_from_the_PEM_files_gets_PONG()
    {
        using var fromPem = X509Certificate2.CreateFromPemFile(Server.ClientCertificatePath, Server.ClientKeyPath);
        await using var connection = await TlsConnection.OpenAsync(Server.Port, "127.0.0.1", Server.CaCertificate, fromPem, Ct);

        Assert.Equal("PONG", await RawRedis.CommandAsync(connection.Stream, Ct, "PING"));
    }

    [Fact]
    public async Task A_client_without_a_certificate_is_refused()
    {
        var logged = Server.WaitForLogAsync("Error accepting a client connection", TimeSpan.FromSeconds(5));

        // With TLS 1.3 the client's handshake may complete before the server checks its (missing) certificate; then
        // the refusal arrives as an alert on the first read.
        var refused = await Record.ExceptionAsync(async () =>
        {
            await using var connection = await TlsConnection.OpenAsync(Server.Port, "127.0.0.1", Server.CaCertificate, clientCertificate: null, Ct);
            await RawRedis.CommandAsync(connection.Stream, Ct, "PING");
        });

        Assert.True(refused is IOException or System.Security.Authentication.AuthenticationException, $"Expected the server to refuse the connection, got: {refused?.ToString() ?? "PONG"}");
        await logged;
    }
}

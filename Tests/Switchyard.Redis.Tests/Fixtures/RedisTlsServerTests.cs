using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using Switchyard.Redis.Tests.Support;
using Xunit;

namespace Switchyard.Redis.Tests.Fixtures;

/// <summary>The TLS fixture: redis-server speaks TLS with a certificate from the fixture's own CA, and nothing else.</summary>
public sealed class RedisTlsServerTests(TlsRedisServer fixture) : IClassFixture<TlsRedisServer>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private RedisTlsServer Server => fixture.Server;

    [Fact]
    public async Task A_client_that_trusts_the_CA_gets_PONG_at_the_endpoint_and_host_of_the_connection_string()
    {
        // "127.0.0.1:P,ssl=true,sslHost=127.0.0.1", as StackExchange.Redis reads it.
        var parts = Server.ConnectionString.Split(',');
        var endpoint = IPEndPoint.Parse(parts[0]);
        Assert.Contains("ssl=true", parts);
        var sslHost = Assert.Single(parts, part => part.StartsWith("sslHost=", StringComparison.Ordinal))["sslHost=".Length..];
        Assert.Equal(IPAddress.Loopback, endpoint.Address);
        Assert.Equal(Server.Port, endpoint.Port);

        await using var connection = await TlsConnection.OpenAsync(endpoint.Port, sslHost, Server.CaCertificate, clientCertificate: null, Ct);
        await connection.Stream.WriteAsync("PING\r\n"u8.ToArray(), Ct);

        Assert.Equal("+PONG\r\n", await ReadAsync(connection.Stream, "+PONG\r\n".Length));
    }

    [Fact]
    public async Task The_server_certificate_is_valid_for_localhost_too_and_speaks_RESP()
    {
        await using var connection = await TlsConnection.OpenAsync(Server.Port, "localhost", Server.CaCertificate, clientCertificate: null, Ct);

        Assert.Equal("OK", await RawRedis.CommandAsync(connection.Stream, Ct, "SET", "tls-key", "secret"));
        Assert.Equal("secret", await RawRedis.CommandAsync(connection.Stream, Ct, "GET", "tls-key"));
    }

    [Fact]
    public async Task The_CA_is_the_PEM_file_at_CaCertificatePath_and_a_client_that_does_not_trust_it_rejects_the_server()
    {
        using var fromFile = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(File.ReadAllText(Server.CaCertificatePath));
        Assert.Equal(Server.CaCertificate.Thumbprint, fromFile.Thumbprint);
        Assert.Equal("CN=Switchyard test CA", Server.CaCertificate.Subject);

        await Assert.ThrowsAsync<AuthenticationException>(() => TlsConnection.OpenAsync(Server.Port, "127.0.0.1", trustedCa: null, clientCertificate: null, Ct));
    }

    [Fact]
    public async Task A_plaintext_PING_gets_no_PONG_the_connection_is_closed_and_the_server_logs_why()
    {
        var logged = Server.WaitForLogAsync("Error accepting a client connection", Timeout);
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, Server.Port, Ct);
        var stream = client.GetStream();
        await stream.WriteAsync("PING\r\n"u8.ToArray(), Ct);

        // Whatever comes back (a TLS alert at most) ends with the server closing the connection.
        var received = new MemoryStream();
        var buffer = new byte[256];
        using var closed = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        closed.CancelAfter(Timeout);
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, closed.Token)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (IOException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset })
        {
        }

        Assert.DoesNotContain("PONG", Encoding.Latin1.GetString(received.ToArray()), StringComparison.Ordinal);
        await logged;
    }

    private static async Task<string> ReadAsync(Stream stream, int count)
    {
        var buffer = new byte[count];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(Timeout);
        await stream.ReadExactlyAsync(buffer, timeout.Token);
        return Encoding.ASCII.GetString(buffer);
    }
}

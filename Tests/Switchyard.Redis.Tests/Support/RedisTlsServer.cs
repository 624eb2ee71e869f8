using System.Globalization;
using System.Security.Cryptography.X509Certificates;

namespace Switchyard.Redis.Tests.Support;

/// <summary>
/// A private redis-server that speaks only TLS (no plaintext port), on a free loopback port, no persistence, with a
/// throwaway CA and a server certificate for 127.0.0.1 and localhost made by openssl in a temp directory of its own.
/// Optionally it requires a client certificate signed by the same CA (<c>--tls-auth-clients yes</c>).
/// </summary>
/// <remarks>
/// For StackExchange.Redis: <see cref="ConnectionString"/> plus trust in the CA, e.g.
/// <c>options.TrustIssuer(server.CaCertificatePath)</c>; with client certificates also
/// <c>options.SetUserPfxCertificate(server.ClientPfxPath, RedisTlsServer.ClientPfxPassword)</c> or the PEM pair.
/// </remarks>
public sealed class RedisTlsServer : IAsyncDisposable
{
    /// <summary>The password of <see cref="ClientPfxPath"/>.</summary>
    public const string ClientPfxPassword = TestCertificates.ClientPfxPassword;

    private readonly DirectoryInfo _directory;
    private readonly TestCertificates _certificates;
    private ChildProcess? _process;

    private RedisTlsServer(DirectoryInfo directory, TestCertificates certificates, bool requireClientCertificate)
    {
        _directory = directory;
        _certificates = certificates;
        RequiresClientCertificate = requireClientCertificate;
        Port = ChildProcess.FreePort();
        CaCertificate = X509Certificate2.CreateFromPem(File.ReadAllText(certificates.CaCertificatePath));
        ClientCertificate = X509CertificateLoader.LoadPkcs12FromFile(certificates.ClientPfxPath, ClientPfxPassword);
    }

    /// <summary>The TLS port (the server has no plaintext port).</summary>
    public int Port { get; }

    /// <summary>Whether the server refuses clients without a certificate signed by <see cref="CaCertificate"/>.</summary>
    public bool RequiresClientCertificate { get; }

    /// <summary>For StackExchange.Redis; the client must also trust <see cref="CaCertificate"/>.</summary>
    public string ConnectionString => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Port},ssl=true,sslHost=127.0.0.1");

    /// <summary>The PEM file of the CA that signed the server and client certificates.</summary>
    public string CaCertificatePath => _certificates.CaCertificatePath;

    /// <summary>The CA that signed the server and client certificates (no private key).</summary>
    public X509Certificate2 CaCertificate { get; }

    /// <summary>The PEM file of a client certificate the server accepts (CN switchyard-test-client, clientAuth).</summary>
    public string ClientCertificatePath => _certificates.ClientCertificatePath;

    /// <summary>The PEM file of <see cref="ClientCertificatePath"/>'s private key (unencrypted).</summary>
    public string ClientKeyPath => _certificates.ClientKeyPath;

    /// <summary>The client certificate and its key as PKCS#12, protected with <see cref="ClientPfxPassword"/>.</summary>
    public string ClientPfxPath => _certificates.ClientPfxPath;

    /// <summary>The client certificate with its private key, loaded from <see cref="ClientPfxPath"/>.</summary>
    public X509Certificate2 ClientCertificate { get; }

    /// <summary>Makes the certificates and starts the server.</summary>
    /// <exception cref="InvalidOperationException">openssl or redis-server is missing, or redis-server was built without TLS; the message says which.</exception>
    public static async Task<RedisTlsServer> StartAsync(bool requireClientCertificate = false)
    {
        var directory = Directory.CreateTempSubdirectory("switchyard-redis-tls-");
        RedisTlsServer? server = null;
        try
        {
            server = new RedisTlsServer(directory, await TestCertificates.CreateAsync(directory.FullName), requireClientCertificate);
            await server.StartProcessAsync();
            return server;
        }
        catch
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }
            else
            {
                directory.Delete(recursive: true);
            }

            throw;
        }
    }

    /// <summary>Kills the server (no shutdown handshake): connections see it die mid-traffic.</summary>
    public async Task KillAsync()
    {
        if (_process is { } process)
        {
            _process = null;
            RedisPids.Forget(process.Id);
            await process.DisposeAsync();
        }
    }

    /// <summary>Starts the server again on the same port with the same certificates.</summary>
    public Task RestartAsync() => StartProcessAsync();

    /// <summary>Waits until the server logs a line containing <paramref name="text"/> from now on (call it before causing the line).</summary>
    /// <exception cref="TimeoutException">It did not within <paramref name="within"/>; the message has its output.</exception>
    public Task WaitForLogAsync(string text, TimeSpan within) =>
        (_process ?? throw new InvalidOperationException("The server is not running.")).WaitForOutputAsync(text, within);

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        CaCertificate.Dispose();
        ClientCertificate.Dispose();
        try
        {
            _directory.Delete(recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private async Task StartProcessAsync()
    {
        string[] arguments =
        [
            "--port", "0", "--tls-port", Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", _directory.FullName,
            "--tls-cert-file", _certificates.ServerCertificatePath, "--tls-key-file", _certificates.ServerKeyPath,
            "--tls-ca-cert-file", _certificates.CaCertificatePath, "--tls-auth-clients", RequiresClientCertificate ? "yes" : "no",
            "--save", string.Empty, "--appendonly", "no",
        ];
        try
        {
            _process = await ChildProcess.StartAsync(ExternalTool.Find("redis-server", "redis-server"), arguments, "Ready to accept connections", TimeSpan.FromSeconds(10));
        }
        catch (InvalidOperationException e) when (e.Message.Contains("tls-port", StringComparison.Ordinal) && e.Message.Contains("Bad directive", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("This redis-server was built without TLS support (it does not know --tls-port); install one built with BUILD_TLS=yes (Debian's redis-server is).", e);
        }

        await RedisPids.RecordAsync(_process.Id, $"127.0.0.1:{Port} (TLS)");
    }
}

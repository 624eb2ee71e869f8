namespace Switchyard.Redis.Tests.Support;

/// <summary>
/// A throwaway certificate authority and two certificates it signed, made with openssl as PEM files in a directory:
/// a server certificate for 127.0.0.1 and localhost (CN and subject alternative names) and a client certificate
/// (also exported as PKCS#12, with its key, for clients that take a PFX). EC P-256 keys, valid for two days.
/// </summary>
internal sealed class TestCertificates
{
    /// <summary>The password of <see cref="ClientPfxPath"/>.</summary>
    public const string ClientPfxPassword = "switchyard";

    private TestCertificates(string directory) => Directory = directory;

    public string Directory { get; }

    public string CaCertificatePath => Path.Combine(Directory, "ca.crt");

    public string ServerCertificatePath => Path.Combine(Directory, "server.crt");

    public string ServerKeyPath => Path.Combine(Directory, "server.key");

    public string ClientCertificatePath => Path.Combine(Directory, "client.crt");

    public string ClientKeyPath => Path.Combine(Directory, "client.key");

    public string ClientPfxPath => Path.Combine(Directory, "client.pfx");

    /// <summary>Writes the CA, server and client certificates and keys into <paramref name="directory"/>.</summary>
    /// <exception cref="InvalidOperationException">openssl is missing or failed; the message has its output.</exception>
    public static async Task<TestCertificates> CreateAsync(string directory)
    {
        var certificates = new TestCertificates(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, "ca.cnf"), """
            [req]
            prompt = no
            distinguished_name = dn
            x509_extensions = ca
            [dn]
            CN = Switchyard test CA
            [ca]
            basicConstraints = critical, CA:TRUE
            keyUsage = critical, keyCertSign, cRLSign
            subjectKeyIdentifier = hash
            """);
        await certificates.OpenSslAsync("req", "-x509", "-new", "-config", "ca.cnf", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2");
        await certificates.IssueAsync("server", "127.0.0.1", "serverAuth", "subjectAltName = IP:127.0.0.1, DNS:localhost");
        await certificates.IssueAsync("client", "switchyard-test-client", "clientAuth", string.Empty);
        await certificates.OpenSslAsync("pkcs12", "-export", "-in", "client.crt", "-inkey", "client.key", "-out", "client.pfx", "-passout", $"pass:{ClientPfxPassword}");
        return certificates;
    }

    private async Task IssueAsync(string name, string commonName, string extendedKeyUsage, string extraExtension)
    {
        await File.WriteAllTextAsync(Path.Combine(Directory, $"{name}.cnf"), $"""
            [req]
            prompt = no
            distinguished_name = dn
            [dn]
            CN = {commonName}
            [leaf]
            basicConstraints = critical, CA:FALSE
            keyUsage = critical, digitalSignature
            extendedKeyUsage = {extendedKeyUsage}
            authorityKeyIdentifier = keyid
            {extraExtension}
            """);
        await OpenSslAsync("req", "-new", "-config", $"{name}.cnf", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", $"{name}.key", "-out", $"{name}.csr");
        var serial = $"0x{Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16))}";
        await OpenSslAsync("x509", "-req", "-in", $"{name}.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-set_serial", serial, "-days", "2", "-extfile", $"{name}.cnf", "-extensions", "leaf", "-out", $"{name}.crt");
    }

    private Task OpenSslAsync(params string[] arguments) =>
        ExternalTool.RunAsync(ExternalTool.Find("openssl", "openssl"), arguments, Directory, TimeSpan.FromSeconds(20));
}

using System.Globalization;

namespace Switchyard.Redis.Client;

/// <summary>
/// How to reach one Redis server, from a StackExchange.Redis-style connection string:
/// <c>host:port,password=secret,user=app,database=2,ssl=true,connectTimeout=5000,commandTimeout=5000,resp=3</c>.
/// </summary>
internal sealed record RedisConnectionOptions
{
    public string Host { get; init; } = "localhost";

    public int Port { get; init; } = 6379;

    public string? User { get; init; }

    public string? Password { get; init; }

    public int Database { get; init; }

    public bool Ssl { get; init; }

    /// <summary>Gets the protocol to ask for with HELLO: 3 (RESP3) or 2.</summary>
    public int Protocol { get; init; } = 3;

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Parses a connection string; every problem is named in the exception.</summary>
    /// <exception cref="FormatException">The string is not a valid connection string.</exception>
    public static RedisConnectionOptions Parse(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var parts = connectionString.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var options = ParseEndpoint(parts[0], connectionString);
        foreach (var part in parts.Skip(1))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new FormatException($"'{part}' in the Redis connection string '{Redact(connectionString)}' is not key=value.");
            }

            var key = part[..equals].Trim();
            var value = part[(equals + 1)..].Trim();
            options = key.ToLowerInvariant() switch
            {
                "password" => options with { Password = value },
                "user" => options with { User = value },
                "database" or "db" => options with { Database = Number(key, value, 0, 1_000_000) },
                "ssl" or "tls" => options with { Ssl = bool.TryParse(value, out var ssl) ? ssl : throw Bad(key, value, "true or false") },
                "resp" or "protocol" => options with { Protocol = Number(key, value, 2, 3) },
                "connecttimeout" => options with { ConnectTimeout = TimeSpan.FromMilliseconds(Number(key, value, 1, int.MaxValue)) },
                "commandtimeout" or "synctimeout" => options with { CommandTimeout = TimeSpan.FromMilliseconds(Number(key, value, 1, int.MaxValue)) },
                _ => throw new FormatException($"The Redis connection string option '{key}' is not known; use password, user, database, ssl, resp, connectTimeout or commandTimeout."),
            };
        }

        return options;
    }

    private static RedisConnectionOptions ParseEndpoint(string endpoint, string whole)
    {
        var colon = endpoint.LastIndexOf(':');
        if (colon < 0)
        {
            return new RedisConnectionOptions { Host = endpoint };
        }

        return int.TryParse(endpoint[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536
            ? new RedisConnectionOptions { Host = endpoint[..colon].Trim('[', ']'), Port = port }
            : throw new FormatException($"'{endpoint}' in the Redis connection string '{Redact(whole)}' is not host:port with a port in 1–65535.");
    }

    private static int Number(string key, string value, int min, int max) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n
            : throw Bad(key, value, $"a whole number in {min}–{max}");

    private static FormatException Bad(string key, string value, string expected) =>
        new($"The Redis connection string option {key}={value} is invalid: expected {expected}.");

    private static string Redact(string connectionString) =>
        string.Join(',', connectionString.Split(',').Select(p => p.TrimStart().StartsWith("password=", StringComparison.OrdinalIgnoreCase) ? "password=***" : p));

    /// <inheritdoc />
    public override string ToString() => $"{Host}:{Port}/{Database}";
}

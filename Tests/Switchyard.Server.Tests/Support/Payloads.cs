namespace Switchyard.Server.Tests.Support;

/// <summary>Deterministic payloads: text that is valid UTF-8, and binary bytes that cover all byte values.</summary>
internal static class Payloads
{
    /// <summary>ASCII letters and digits, so any length is valid UTF-8 and fragments split anywhere.</summary>
    public static byte[] Ascii(int length)
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ";
        var bytes = new byte[length];
        for (var i = 0; i < length; i++)
        {
            bytes[i] = (byte)alphabet[(i * 7 + (i >> 6)) % alphabet.Length];
        }

        return bytes;
    }

    /// <summary>Pseudo-random bytes from a seed: every byte value turns up, including ones that are not UTF-8.</summary>
    public static byte[] Binary(int length, int seed = 17)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}

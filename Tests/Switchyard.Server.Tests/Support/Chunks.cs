namespace Switchyard.Server.Tests.Support;

/// <summary>Ways to cut a byte stream into the pieces a transport might deliver it in.</summary>
internal static class Chunks
{
    /// <summary>Cuts <paramref name="bytes"/> into pieces of the given sizes; the bytes left after them make a last piece.</summary>
    public static List<ReadOnlyMemory<byte>> Split(byte[] bytes, params int[] sizes)
    {
        var pieces = new List<ReadOnlyMemory<byte>>();
        var offset = 0;
        foreach (var size in sizes)
        {
            var take = Math.Min(size, bytes.Length - offset);
            pieces.Add(bytes.AsMemory(offset, take));
            offset += take;
        }

        if (offset < bytes.Length)
        {
            pieces.Add(bytes.AsMemory(offset));
        }

        return pieces;
    }

    public static List<ReadOnlyMemory<byte>> OfSize(byte[] bytes, int size)
    {
        var pieces = new List<ReadOnlyMemory<byte>>();
        for (var offset = 0; offset < bytes.Length; offset += size)
        {
            pieces.Add(bytes.AsMemory(offset, Math.Min(size, bytes.Length - offset)));
        }

        return pieces;
    }

    /// <summary>Cuts into pieces of 1 to <paramref name="maxSize"/> bytes, chosen by a seeded generator (so a failure repeats).</summary>
    public static List<ReadOnlyMemory<byte>> Random(byte[] bytes, int seed, int maxSize)
    {
        var random = new Random(seed);
        var pieces = new List<ReadOnlyMemory<byte>>();
        for (var offset = 0; offset < bytes.Length;)
        {
            var size = Math.Min(random.Next(1, maxSize + 1), bytes.Length - offset);
            pieces.Add(bytes.AsMemory(offset, size));
            offset += size;
        }

        return pieces;
    }
}

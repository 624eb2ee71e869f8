using Switchyard.Serialization;

namespace Switchyard;

/// <summary>Reads and writes a header list in the compact binary form of the HTTP event messages.</summary>
internal static class HttpHeaderList
{
    public static void Write(ref BinaryMessageWriter writer, IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        writer.WriteCount(headers.Count);
        foreach (var (name, value) in headers)
        {
            writer.WriteString(name);
            writer.WriteString(value);
        }
    }

    public static KeyValuePair<string, string>[] Read(ref BinaryMessageReader reader)
    {
        var count = reader.ReadCollectionCount();
        var headers = new KeyValuePair<string, string>[Math.Max(count, 0)];
        for (var i = 0; i < headers.Length; i++)
        {
            headers[i] = new KeyValuePair<string, string>(reader.ReadString() ?? string.Empty, reader.ReadString() ?? string.Empty);
        }

        return headers;
    }
}

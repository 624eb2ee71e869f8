using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http;

namespace Switchyard.AspNetCore;

/// <summary>The request headers as the scope's read-only string dictionary, read in place (no copy per connection).</summary>
internal sealed class HeaderDictionaryView(IHeaderDictionary headers) : IReadOnlyDictionary<string, string>
{
    public int Count => headers.Count;

    public IEnumerable<string> Keys => headers.Keys;

    public IEnumerable<string> Values => headers.Values.Select(v => v.ToString());

    public string this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"The request has no '{key}' header.");

    public bool ContainsKey(string key) => headers.ContainsKey(key);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value)
    {
        if (headers.TryGetValue(key, out var values))
        {
            value = values.ToString();
            return true;
        }

        value = null;
        return false;
    }

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() =>
        headers.Select(h => new KeyValuePair<string, string>(h.Key, h.Value.ToString())).GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

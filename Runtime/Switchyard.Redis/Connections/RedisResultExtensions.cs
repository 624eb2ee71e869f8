using System.Globalization;
using StackExchange.Redis;

namespace Switchyard.Redis.Connections;

/// <summary>How the layers read script replies: arrays, integers, strings and bytes, with Lua's <c>false</c> as null.</summary>
internal static class RedisResultExtensions
{
    extension(RedisResult result)
    {
        /// <summary>Gets the elements of an array reply; <see langword="null"/> for a null or non-array reply.</summary>
        public RedisResult[]? Items => !result.IsNull && result.Length >= 0 ? (RedisResult[]?)result : null;

        /// <summary>Gets the bytes of a bulk reply; <see langword="null"/> for a null reply.</summary>
        public byte[]? Bytes => result.IsNull ? null : (byte[]?)result;

        /// <summary>Reads an integer reply (or a bulk string holding a whole or decimal number).</summary>
        public long AsInteger() => result.Resp2Type == ResultType.BulkString
            ? (long)double.Parse((string)result!, CultureInfo.InvariantCulture)
            : (long)result;

        /// <summary>Reads a string reply; <see langword="null"/> for a null reply.</summary>
        public string? AsString() => (string?)result;
    }
}

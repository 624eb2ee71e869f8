using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Switchyard.AspNetCore;

/// <summary>The route values of a matched request as the strings a consumer scope carries.</summary>
internal static class RouteValues
{
    private static readonly Dictionary<string, string> None = new(0, StringComparer.Ordinal);

    public static IReadOnlyDictionary<string, string> Read(HttpContext context)
    {
        var values = context.Request.RouteValues;
        if (values.Count == 0)
        {
            return None;
        }

        var result = new Dictionary<string, string>(values.Count, StringComparer.Ordinal);
        foreach (var (key, value) in values)
        {
            if (value is not null)
            {
                result[key] = Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty;
            }
        }

        return result;
    }
}

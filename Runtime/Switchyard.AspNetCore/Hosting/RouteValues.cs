using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Switchyard.AspNetCore;

/// <summary>The route values of a matched request as the strings a consumer scope carries.</summary>
internal static class RouteValues
{
    public static Dictionary<string, string> Read(HttpContext context)
    {
        var values = context.Request.RouteValues;
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

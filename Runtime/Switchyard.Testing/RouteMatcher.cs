namespace Switchyard.Testing;

/// <summary>Finds the route of the generated route table a path matches, with its route values (<c>{name}</c>, <c>{**rest}</c>).</summary>
internal static class RouteMatcher
{
    public static (ConsumerRoute Route, Dictionary<string, string> Values) Find(ConsumerRouteKind kind, string path)
    {
        // When nothing matches, the app assemblies beside the test may not have registered their routes yet.
        if (TryFind(kind, path, out var found) || (ApplicationRoutes.EnsureLoaded() && TryFind(kind, path, out found)))
        {
            return found;
        }

        throw new InvalidOperationException(
            $"No {kind} consumer's route matches '{path}'; the routes are [{string.Join(", ", ConsumerRouteTable.Routes.Where(r => r.Kind == kind).Select(r => r.Pattern))}].");
    }

    private static bool TryFind(ConsumerRouteKind kind, string path, out (ConsumerRoute Route, Dictionary<string, string> Values) found)
    {
        foreach (var route in ConsumerRouteTable.Routes)
        {
            if (route.Kind == kind && TryMatch(route.Pattern, path, out var values))
            {
                found = (route, values);
                return true;
            }
        }

        found = default;
        return false;
    }

    public static bool TryMatch(string pattern, string path, out Dictionary<string, string> values)
    {
        values = new Dictionary<string, string>(StringComparer.Ordinal);
        var patternSegments = pattern.Trim('/').Split('/');
        var pathSegments = path.Split('?')[0].Trim('/').Split('/');
        for (var i = 0; i < patternSegments.Length; i++)
        {
            var segment = patternSegments[i];
            if (segment.StartsWith("{*", StringComparison.Ordinal))
            {
                values[segment.TrimStart('{', '*').TrimEnd('}')] = string.Join('/', pathSegments.Skip(i));
                return true;
            }

            if (i >= pathSegments.Length)
            {
                return false;
            }

            if (segment.StartsWith('{') && segment.EndsWith('}'))
            {
                var name = segment[1..^1].Split(':', '=', '?')[0];
                values[name] = Uri.UnescapeDataString(pathSegments[i]);
            }
            else if (!string.Equals(segment, pathSegments[i], StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        return patternSegments.Length == pathSegments.Length;
    }
}

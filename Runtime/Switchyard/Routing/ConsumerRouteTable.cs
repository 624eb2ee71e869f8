namespace Switchyard;

/// <summary>
/// The routes of every assembly the Switchyard generator ran on. Each assembly's generated code registers its table
/// when the assembly loads (a module initializer), so the server finds routes without scanning types.
/// </summary>
public static class ConsumerRouteTable
{
    private static readonly Lock Gate = new();
    private static ConsumerRoute[] _routes = [];

    /// <summary>Gets every registered route.</summary>
    public static IReadOnlyList<ConsumerRoute> Routes => Volatile.Read(ref _routes);

    /// <summary>Adds routes; called by generated module initializers. Registering the same routes twice adds them once.</summary>
    /// <param name="routes">The routes of one assembly.</param>
    public static void Register(IEnumerable<ConsumerRoute> routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        lock (Gate)
        {
            var known = _routes.Select(r => (r.Kind, r.Pattern, r.ConsumerType)).ToHashSet();
            Volatile.Write(ref _routes, [.. _routes, .. routes.Where(r => known.Add((r.Kind, r.Pattern, r.ConsumerType)))]);
        }
    }
}

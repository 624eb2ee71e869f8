using Microsoft.Extensions.DependencyInjection;

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

    /// <summary>
    /// Checks that <paramref name="services"/> can create the consumer of each route: every type its constructor takes
    /// is registered. Hosts call it when they start (the interface server when it maps its routes, the worker when it
    /// starts), so a missing registration stops the start instead of failing the first connection with HTTP 500.
    /// </summary>
    /// <param name="services">The application's service provider.</param>
    /// <param name="routes">The routes the host serves.</param>
    /// <exception cref="InvalidOperationException">A consumer needs a service the container does not have; the message names the consumer, its route and the service.</exception>
    public static void ValidateServices(IServiceProvider services, IEnumerable<ConsumerRoute> routes)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(routes);
        if (services.GetService(typeof(IServiceProviderIsService)) is not IServiceProviderIsService isService)
        {
            return; // a container that cannot tell: the factory's GetRequiredService still names the type
        }

        var problems = new List<string>();
        foreach (var route in routes)
        {
            var missing = route.Services.Where(t => !isService.IsService(t)).Select(t => t.FullName ?? t.Name).ToList();
            if (missing.Count > 0)
            {
                problems.Add($"{route.ConsumerType.Name} ({route.Kind} '{route.Pattern}') needs {string.Join(", ", missing)}");
            }
        }

        if (problems.Count > 0)
        {
            throw new InvalidOperationException(
                $"Switchyard cannot create {(problems.Count == 1 ? "a consumer" : "consumers")} from the service container: {string.Join("; ", problems)}. " +
                "Register the missing services (builder.Services.Add...) before the app is built.");
        }
    }
}

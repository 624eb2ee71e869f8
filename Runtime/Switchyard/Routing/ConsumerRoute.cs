namespace Switchyard;

/// <summary>One entry of the generated route table: a route template or channel name and how to make its consumer.</summary>
public sealed class ConsumerRoute
{
    /// <summary>Creates a route; generated code calls this.</summary>
    /// <param name="kind">How the consumer is reached.</param>
    /// <param name="pattern">The route template, or the channel name for <see cref="ConsumerRouteKind.Channel"/>.</param>
    /// <param name="httpMethods">The HTTP methods of an HTTP route; empty for every method.</param>
    /// <param name="consumerType">The consumer class.</param>
    /// <param name="factory">Creates one consumer instance, resolving its constructor's parameters from services.</param>
    /// <param name="services">The services <paramref name="factory"/> resolves (the constructor's parameter types), checked against the container at start.</param>
    public ConsumerRoute(ConsumerRouteKind kind, string pattern, IReadOnlyList<string> httpMethods, Type consumerType, Func<IServiceProvider, Consumer> factory, IReadOnlyList<Type>? services = null)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(httpMethods);
        ArgumentNullException.ThrowIfNull(consumerType);
        ArgumentNullException.ThrowIfNull(factory);
        Kind = kind;
        Pattern = pattern;
        HttpMethods = httpMethods;
        ConsumerType = consumerType;
        Factory = factory;
        Services = services ?? [];
    }

    /// <summary>Gets how the consumer is reached.</summary>
    public ConsumerRouteKind Kind { get; }

    /// <summary>Gets the route template or channel name.</summary>
    public string Pattern { get; }

    /// <summary>Gets the HTTP methods; empty for every method.</summary>
    public IReadOnlyList<string> HttpMethods { get; }

    /// <summary>Gets the consumer class.</summary>
    public Type ConsumerType { get; }

    /// <summary>Gets the generated factory.</summary>
    public Func<IServiceProvider, Consumer> Factory { get; }

    /// <summary>Gets the services the factory resolves: the consumer constructor's parameter types.</summary>
    public IReadOnlyList<Type> Services { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Kind} {Pattern} -> {ConsumerType.Name}";
}

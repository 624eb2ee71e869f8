using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Switchyard;
using Switchyard.AspNetCore;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps Switchyard's generated routes onto ASP.NET Core endpoint routing.</summary>
public static class SwitchyardEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps every WebSocket and HTTP consumer of the generated route table (all assemblies the Switchyard generator
    /// ran on) to an endpoint. Attributes on the consumer class, such as <c>[Authorize]</c>, become endpoint metadata,
    /// so <c>UseAuthentication()</c>/<c>UseAuthorization()</c> enforce them before a WebSocket is accepted.
    /// </summary>
    /// <param name="endpoints">The endpoint route builder (the <c>WebApplication</c>).</param>
    /// <returns>A builder that applies conventions (<c>RequireAuthorization</c>, <c>RequireHost</c>, ...) to every mapped endpoint.</returns>
    /// <exception cref="ArgumentException">The server options are invalid.</exception>
    public static IEndpointConventionBuilder MapSwitchyard(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var server = new SwitchyardServer(endpoints.ServiceProvider);

        // Every consumer this maps can be created from the container: checked now, at start, not at the first request.
        ConsumerRouteTable.ValidateServices(endpoints.ServiceProvider, ConsumerRouteTable.Routes.Where(r => r.Kind != ConsumerRouteKind.Channel));
        var mapped = new List<IEndpointConventionBuilder>();
        int webSockets = 0, http = 0;
        foreach (var route in ConsumerRouteTable.Routes)
        {
            IEndpointConventionBuilder builder;
            switch (route.Kind)
            {
                case ConsumerRouteKind.WebSocket:
                    builder = endpoints.Map(route.Pattern, new WebSocketEndpoint(route, server).HandleAsync)
                        .WithDisplayName($"Switchyard WebSocket {route.Pattern} -> {route.ConsumerType.Name}");
                    webSockets++;
                    break;
                case ConsumerRouteKind.Http:
                    var endpoint = new HttpEndpoint(route, server);
                    builder = route.HttpMethods.Count == 0
                        ? endpoints.Map(route.Pattern, endpoint.HandleAsync)
                        : endpoints.MapMethods(route.Pattern, route.HttpMethods, endpoint.HandleAsync);
                    builder.WithDisplayName($"Switchyard HTTP {route.Pattern} -> {route.ConsumerType.Name}");
                    http++;
                    break;
                default:
                    continue;
            }

            builder.WithMetadata(route.ConsumerType.GetCustomAttributes(inherit: true));
            mapped.Add(builder);
        }

        ServerLog.RoutesMapped(server.Logger, webSockets, http);
        return new CompositeEndpointConventionBuilder(mapped);
    }

    /// <summary>
    /// Maps a route whose requests are handled by workers (the Channels 1 model): each request is sent to
    /// <paramref name="channel"/> as an <see cref="HttpRequestEvent"/> with a reply channel, and the
    /// worker's reply is streamed back. Workers run the <c>[ChannelConsumer]</c> for that channel (see the worker host).
    /// </summary>
    /// <param name="endpoints">The endpoint route builder.</param>
    /// <param name="pattern">The route template, such as <c>/bigdata/{**rest}</c>.</param>
    /// <param name="channel">The named channel workers listen on, such as <c>bigdata.process</c>.</param>
    /// <returns>A builder for endpoint conventions.</returns>
    /// <exception cref="ArgumentException"><paramref name="channel"/> is not a valid channel name.</exception>
    public static IEndpointConventionBuilder MapSwitchyardOffload(this IEndpointRouteBuilder endpoints, string pattern, string channel)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        ChannelNames.ValidateChannelName(channel);
        var server = new SwitchyardServer(endpoints.ServiceProvider);
        return endpoints.Map(pattern, new OffloadEndpoint(channel, server).HandleAsync)
            .WithDisplayName($"Switchyard offload {pattern} -> {channel}");
    }

    private sealed class CompositeEndpointConventionBuilder(List<IEndpointConventionBuilder> builders) : IEndpointConventionBuilder
    {
        public void Add(Action<EndpointBuilder> convention)
        {
            foreach (var builder in builders)
            {
                builder.Add(convention);
            }
        }

        public void Finally(Action<EndpointBuilder> finallyConvention)
        {
            foreach (var builder in builders)
            {
                builder.Finally(finallyConvention);
            }
        }
    }
}

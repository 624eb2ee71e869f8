namespace Switchyard;

/// <summary>Routes a WebSocket path template, such as <c>/ws/chat/{room}/</c>, to this consumer.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class WebSocketConsumerAttribute : Attribute
{
    /// <summary>Routes <paramref name="route"/> to this consumer.</summary>
    /// <param name="route">An ASP.NET Core route template.</param>
    public WebSocketConsumerAttribute(string route) => Route = route;

    /// <summary>Gets the route template.</summary>
    public string Route { get; }
}

/// <summary>Routes an HTTP path template, for the given methods, to this consumer.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class HttpConsumerAttribute : Attribute
{
    /// <summary>Routes <paramref name="route"/> to this consumer.</summary>
    /// <param name="route">An ASP.NET Core route template.</param>
    /// <param name="methods">The HTTP methods; every method when empty.</param>
    public HttpConsumerAttribute(string route, params string[] methods)
    {
        Route = route;
        Methods = methods;
    }

    /// <summary>Gets the route template.</summary>
    public string Route { get; }

    /// <summary>Gets the HTTP methods; every method when empty.</summary>
    public IReadOnlyList<string> Methods { get; }
}

/// <summary>Binds a background worker consumer to a named channel, such as <c>thumbnails.generate</c>.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ChannelConsumerAttribute : Attribute
{
    /// <summary>Binds the consumer to <paramref name="channel"/>.</summary>
    /// <param name="channel">A channel name without <c>!</c>.</param>
    public ChannelConsumerAttribute(string channel) => Channel = channel;

    /// <summary>Gets the channel name.</summary>
    public string Channel { get; }
}

/// <summary>
/// Joins a group when the consumer starts, named by a template over the route values, such as <c>chat.{room}</c>.
/// The group is left automatically when the consumer stops.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false, AllowMultiple = true)]
public sealed class JoinGroupAttribute : Attribute
{
    /// <summary>Joins the group named by <paramref name="template"/>.</summary>
    /// <param name="template">A group name in which <c>{name}</c> stands for a route value.</param>
    public JoinGroupAttribute(string template) => Template = template;

    /// <summary>Gets the group name template.</summary>
    public string Template { get; }
}

/// <summary>
/// Marks a consumer method as the handler of the message type it takes as its first parameter. Methods named
/// <c>Handle</c> or <c>HandleAsync</c> are handlers without it.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class HandlerAttribute : Attribute
{
}

/// <summary>
/// Marks a consumer that no route or channel binds, one the application runs itself with a
/// <see cref="ConsumerRunner"/>. The generator still writes its dispatch switch.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ConsumerAttribute : Attribute
{
}

/// <summary>
/// Marks a synchronous (<see langword="void"/>) handler, such as one that calls a blocking library. The generated
/// dispatch runs it on the thread pool, off the consumer's event path; the consumer's handlers still never run
/// concurrently. Without this attribute a <see langword="void"/> handler is compile error SWY0004.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class SyncHandlerAttribute : Attribute
{
}

/// <summary>
/// Marks a handler of a <see cref="JsonWebSocketConsumer"/> that the consumer's WebSocket clients may call: a JSON
/// frame from a client reaches only handlers with this attribute. Every other handler takes messages from the
/// channel layer only (group sends, workers, other consumers); a client frame of such a type is refused like an
/// unknown type (close 1003). A consumer may have one client handler and one layer handler for the same type.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class FromClientAttribute : Attribute
{
}

/// <summary>
/// Says that a handler of a <see cref="JsonWebSocketConsumer"/> takes messages from the channel layer only (group
/// sends, workers, other consumers), never from the consumer's WebSocket clients. That is what a handler without
/// <see cref="FromClientAttribute"/> does; the attribute states it, so the generator does not ask (SWY0012).
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class FromLayerAttribute : Attribute
{
}

using Switchyard.Generators.Helpers;

namespace Switchyard.Generators.Model;

/// <summary>How a consumer is reached.</summary>
internal enum ConsumerKind
{
    /// <summary>Run by the application (<c>[Consumer]</c>).</summary>
    Manual,

    /// <summary>A WebSocket route (<c>[WebSocketConsumer]</c>).</summary>
    WebSocket,

    /// <summary>An HTTP route (<c>[HttpConsumer]</c>).</summary>
    Http,

    /// <summary>A named channel (<c>[ChannelConsumer]</c>).</summary>
    Channel,
}

/// <summary>Everything the emitter needs for one consumer: its dispatch switch, group rules and route-table entry.</summary>
/// <remarks>Same contract as <see cref="MessageSpec"/>: immutable and structurally equal, no symbols or syntax.</remarks>
/// <param name="Namespace">The containing namespace, or empty.</param>
/// <param name="TypeName">The class name.</param>
/// <param name="FullName">The <c>global::</c>-qualified name.</param>
/// <param name="Kind">How it is reached.</param>
/// <param name="Route">The route template or channel name; empty for <see cref="ConsumerKind.Manual"/>.</param>
/// <param name="HttpMethods">HTTP methods for an HTTP consumer; empty means every method.</param>
/// <param name="RouteParameters">The parameter names of the route template.</param>
/// <param name="Groups">The group templates joined on start.</param>
/// <param name="Handlers">Handlers, ordinal-sorted by message type.</param>
/// <param name="ConstructorParameters">The <c>global::</c>-qualified types of the constructor's parameters, resolved from services.</param>
/// <param name="HasFactory">Whether the route table can create it: not abstract, with exactly one public constructor.</param>
/// <param name="Client">What a JSON WebSocket consumer's clients send and receive (the TypeScript module); <see langword="null"/> for other consumers.</param>
internal sealed record ConsumerSpec(
    string Namespace,
    string TypeName,
    string FullName,
    ConsumerKind Kind,
    string Route,
    EquatableArray<string> HttpMethods,
    EquatableArray<string> RouteParameters,
    EquatableArray<GroupTemplateSpec> Groups,
    EquatableArray<HandlerSpec> Handlers,
    EquatableArray<string> ConstructorParameters,
    bool HasFactory,
    ClientContractSpec? Client = null);

/// <summary>A group name template split into literal text and route-value placeholders.</summary>
/// <param name="Template">The template as written.</param>
/// <param name="Parts">Alternating literal and placeholder parts; placeholders start with <c>{</c>.</param>
internal sealed record GroupTemplateSpec(string Template, EquatableArray<string> Parts);

namespace Switchyard;

/// <summary>
/// What an <see cref="HttpConsumer"/> asks of the connection that runs it: the response's start and body. The
/// connection engine (Switchyard.Server) implements it over the host's response, a reply channel or a test communicator.
/// </summary>
internal interface IHttpConnection
{
    /// <summary>Gets whether the response has started (status and headers are out).</summary>
    bool ResponseStarted { get; }

    /// <summary>Starts the response; once.</summary>
    ValueTask StartResponseAsync(int status, KeyValuePair<string, string>[] headers, CancellationToken cancellationToken);

    /// <summary>Writes a body chunk; <paramref name="moreBody"/> false ends the response.</summary>
    ValueTask WriteBodyAsync(ReadOnlyMemory<byte> body, bool moreBody, CancellationToken cancellationToken);
}

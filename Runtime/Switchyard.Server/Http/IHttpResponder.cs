namespace Switchyard.Server;

/// <summary>
/// Where an HTTP consumer's response goes: the ASP.NET Core response, a reply channel, or a test communicator.
/// Calls come in order: <see cref="StartAsync"/> once, then <see cref="WriteAsync"/> until <c>moreBody</c> is false.
/// </summary>
internal interface IHttpResponder
{
    /// <summary>Starts the response.</summary>
    /// <param name="status">The HTTP status.</param>
    /// <param name="headers">The response headers.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the start is handed on.</returns>
    ValueTask StartAsync(int status, IReadOnlyList<KeyValuePair<string, string>> headers, CancellationToken cancellationToken);

    /// <summary>Writes a body chunk and flushes it to the client.</summary>
    /// <param name="body">The chunk.</param>
    /// <param name="moreBody">Whether more chunks follow; <see langword="false"/> ends the response.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the chunk is handed on.</returns>
    ValueTask WriteAsync(ReadOnlyMemory<byte> body, bool moreBody, CancellationToken cancellationToken);
}

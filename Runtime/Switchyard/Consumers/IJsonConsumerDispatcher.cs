namespace Switchyard;

/// <summary>
/// The seam for JSON frames from clients: the generated half of a consumer implements it with a switch that compares
/// the frame's UTF-8 <c>type</c> bytes against each handler's message type, without allocating a string, and reads
/// the frame with the message's generated JSON reader.
/// </summary>
public interface IJsonConsumerDispatcher
{
    /// <summary>Starts the handler for a JSON frame whose <c>type</c> field is <paramref name="utf8Type"/>, if there is one.</summary>
    /// <param name="utf8Type">The frame's <c>type</c> value, unescaped UTF-8 (see <see cref="Serialization.JsonMessageReader.ReadType"/>).</param>
    /// <param name="json">The whole frame.</param>
    /// <param name="cancellationToken">Cancelled when the consumer is aborted.</param>
    /// <param name="handling">The running handler.</param>
    /// <returns><see langword="false"/> when no handler takes this type.</returns>
    /// <exception cref="System.Text.Json.JsonException">The frame is not a valid message of that type.</exception>
    bool TryDispatchJson(ReadOnlySpan<byte> utf8Type, ReadOnlySpan<byte> json, CancellationToken cancellationToken, out ValueTask handling);
}

namespace Switchyard.Server;

/// <summary>A close, ping or pong frame from the client, unmasked.</summary>
/// <param name="Opcode">The control opcode.</param>
/// <param name="Payload">The payload (at most 125 bytes).</param>
internal readonly record struct WebSocketControlFrame(WebSocketOpcode Opcode, ReadOnlyMemory<byte> Payload);

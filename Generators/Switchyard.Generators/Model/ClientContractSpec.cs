using Switchyard.Generators.Helpers;

namespace Switchyard.Generators.Model;

/// <summary>
/// What a JSON WebSocket consumer and its clients say to each other, for the generated TypeScript module: the message
/// types a client may send, those it may receive, the reply of each request and the answer each server call awaits.
/// </summary>
/// <remarks>Same contract as <see cref="MessageSpec"/>: immutable and structurally equal.</remarks>
/// <param name="Sends">The <c>global::</c> names of the messages its <c>[FromClient]</c> handlers take.</param>
/// <param name="Receives">The <c>global::</c> names of the messages it sends to the client (forwarded, replied, sent, asked).</param>
/// <param name="Replies">Per message type a client may send: the <c>global::</c> name of the reply, or empty for an acknowledgement.</param>
/// <param name="Calls">Per message type the server calls the client with: the <c>global::</c> name of the answer, or empty for an acknowledgement.</param>
/// <param name="ExternalMessages">The messages among these (and their members) declared in referenced assemblies: their shapes, read from metadata.</param>
internal sealed record ClientContractSpec(
    EquatableArray<string> Sends,
    EquatableArray<string> Receives,
    EquatableArray<ContractPair> Replies,
    EquatableArray<ContractPair> Calls,
    EquatableArray<MessageSpec> ExternalMessages);

/// <summary>A message type and the <c>global::</c> name of what answers it (empty: an acknowledgement).</summary>
/// <param name="MessageType">The <c>type</c> string.</param>
/// <param name="AnswerTypeName">The answer's record, or empty.</param>
internal sealed record ContractPair(string MessageType, string AnswerTypeName);

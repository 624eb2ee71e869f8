using System.Security.Cryptography;

namespace Switchyard.Server.Tests.Support;

/// <summary>One result of <see cref="WebSocketFrameReader.Read"/> with what came with it, copied out of the reader.</summary>
/// <param name="Step">What the reader returned.</param>
/// <param name="Opcode">The control frame's opcode after <see cref="WebSocketFrameStep.Control"/>.</param>
/// <param name="Data">The control payload or the message's bytes.</param>
/// <param name="IsText">Whether the message was text, after <see cref="WebSocketFrameStep.Message"/>.</param>
/// <param name="FailCode">The reader's close code, after <see cref="WebSocketFrameStep.Failed"/>.</param>
internal sealed record ReadEvent(WebSocketFrameStep Step, WebSocketOpcode Opcode, byte[] Data, bool IsText, int FailCode)
{
    /// <summary>Gets a comparable summary (the data as a length and a hash, so large messages compare cheaply).</summary>
    public string Summary => $"{Step} {Opcode} text={IsText} fail={FailCode} {Data.Length}:{Convert.ToHexString(SHA256.HashData(Data))[..16]}";

    /// <summary>Compares the data by content, not by reference.</summary>
    public bool Equals(ReadEvent? other) => other is not null && Step == other.Step && Opcode == other.Opcode
        && IsText == other.IsText && FailCode == other.FailCode && Data.AsSpan().SequenceEqual(other.Data);

    public override int GetHashCode() => HashCode.Combine(Step, Opcode, IsText, FailCode, Data.Length);

    public override string ToString() => Summary;
}

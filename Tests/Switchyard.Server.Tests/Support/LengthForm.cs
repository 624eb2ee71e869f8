namespace Switchyard.Server.Tests.Support;

/// <summary>How a <see cref="ClientFrame"/> writes its payload length (RFC 6455 §5.2).</summary>
public enum LengthForm
{
    /// <summary>The shortest form that holds the length, as a conforming client writes it.</summary>
    Minimal,

    /// <summary>The 7-bit length in the second byte (lengths 0–125).</summary>
    Bits7,

    /// <summary>126, then a 16-bit length.</summary>
    Bits16,

    /// <summary>127, then a 64-bit length.</summary>
    Bits64,
}

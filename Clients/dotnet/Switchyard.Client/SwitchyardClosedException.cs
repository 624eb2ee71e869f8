using System.Globalization;

namespace Switchyard.Client;

/// <summary>
/// A connection ended: the close code the server sent (or 1006 for a connection that dropped or could not be
/// opened), its reason, and what it means (<see cref="Kind"/>, <see cref="Reconnects"/>).
/// </summary>
public sealed class SwitchyardClosedException : SwitchyardClientException
{
    /// <summary>Creates the exception for a close code.</summary>
    public SwitchyardClosedException()
        : this(1006, string.Empty)
    {
    }

    /// <summary>Creates the exception with a message (code 1006).</summary>
    /// <param name="message">What happened.</param>
    public SwitchyardClosedException(string message)
        : this(1006, string.Empty, SwitchyardCloseKind.ConnectionLost, message, null)
    {
    }

    /// <summary>Creates the exception with a message and a cause (code 1006).</summary>
    /// <param name="message">What happened.</param>
    /// <param name="innerException">The cause.</param>
    public SwitchyardClosedException(string message, Exception? innerException)
        : this(1006, string.Empty, SwitchyardCloseKind.ConnectionLost, message, innerException)
    {
    }

    /// <summary>Creates the exception for a close code and reason; the kind follows from the code.</summary>
    /// <param name="code">The close code.</param>
    /// <param name="reason">The close reason the server gave, or an empty string.</param>
    public SwitchyardClosedException(int code, string reason)
        : this(code, reason, KindOf(code), null, null)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="code">The close code (1006 when the connection dropped or could not be opened).</param>
    /// <param name="reason">The close reason, or an empty string.</param>
    /// <param name="kind">What the close means.</param>
    /// <param name="message">The message; <see langword="null"/> for one made of the code, kind and reason.</param>
    /// <param name="innerException">The cause, if any.</param>
    public SwitchyardClosedException(int code, string reason, SwitchyardCloseKind kind, string? message, Exception? innerException)
        : base(message ?? Describe(code, reason, kind), innerException)
    {
        Code = code;
        Reason = reason ?? string.Empty;
        Kind = kind;
    }

    /// <summary>Gets the close code: the server's, or 1006 for a connection that dropped or could not be opened.</summary>
    public int Code { get; }

    /// <summary>Gets the close reason the server gave; empty when there was none.</summary>
    public string Reason { get; }

    /// <summary>Gets what the close means.</summary>
    public SwitchyardCloseKind Kind { get; }

    /// <summary>Gets the HTTP status of a refused handshake (<see cref="SwitchyardCloseKind.ConnectFailed"/>), when there was one.</summary>
    public int? HttpStatusCode { get; init; }

    /// <summary>Gets whether the client reconnects after this close (1001, 1005, 1006, 1011–1014 and failed connects).</summary>
    public bool Reconnects => IsReconnecting(Kind);

    /// <summary>Returns the kind of a close code.</summary>
    /// <param name="code">The close code.</param>
    /// <returns>What it means for a client.</returns>
    public static SwitchyardCloseKind KindOf(int code) => code switch
    {
        1000 => SwitchyardCloseKind.Normal,
        1001 => SwitchyardCloseKind.GoingAway,
        1002 => SwitchyardCloseKind.ProtocolError,
        1003 => SwitchyardCloseKind.UnsupportedData,
        1005 => SwitchyardCloseKind.NoStatus,
        1006 => SwitchyardCloseKind.ConnectionLost,
        1007 => SwitchyardCloseKind.InvalidPayload,
        1008 => SwitchyardCloseKind.PolicyViolation,
        1009 => SwitchyardCloseKind.MessageTooBig,
        1011 => SwitchyardCloseKind.ServerError,
        1012 => SwitchyardCloseKind.ServiceRestart,
        1013 => SwitchyardCloseKind.TryAgainLater,
        1014 => SwitchyardCloseKind.BadGateway,
        _ => SwitchyardCloseKind.Other,
    };

    internal static bool IsReconnecting(SwitchyardCloseKind kind) => kind is SwitchyardCloseKind.GoingAway or SwitchyardCloseKind.NoStatus
        or SwitchyardCloseKind.ConnectionLost or SwitchyardCloseKind.ServerError or SwitchyardCloseKind.ServiceRestart
        or SwitchyardCloseKind.TryAgainLater or SwitchyardCloseKind.BadGateway or SwitchyardCloseKind.ConnectFailed;

    private static string Describe(int code, string? reason, SwitchyardCloseKind kind) =>
        string.IsNullOrEmpty(reason)
            ? string.Create(CultureInfo.InvariantCulture, $"The connection closed with {code} ({kind}).")
            : string.Create(CultureInfo.InvariantCulture, $"The connection closed with {code} ({kind}): {reason}");
}

using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Switchyard.Samples.LiveBlog.Editor;

/// <summary>
/// The editor sessions this process has signed in and not signed out: each login cookie carries a random session id,
/// and a cookie whose id is not here (logged out, expired, or issued before this process started) is refused. So
/// logging out revokes the cookie on the server, not only in the browser.
/// </summary>
/// <remarks>
/// The set is per process: an editor logs in again after a restart, and several servers behind a load balancer need
/// sticky sessions (or this set moved to the database).
/// </remarks>
public sealed class EditorSessions(TimeProvider time)
{
    /// <summary>The name of the claim that carries the session id.</summary>
    public const string ClaimType = "liveblog.session";

    private readonly ConcurrentDictionary<string, DateTimeOffset> _live = new(StringComparer.Ordinal);

    /// <summary>Starts a session that lasts <paramref name="lifetime"/> at most; returns its id.</summary>
    public string Start(TimeSpan lifetime)
    {
        var now = time.GetUtcNow();
        foreach (var (id, expires) in _live)
        {
            if (expires <= now)
            {
                _live.TryRemove(id, out _);
            }
        }

        var session = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));
        _live[session] = now + lifetime;
        return session;
    }

    /// <summary>Returns whether <paramref name="session"/> is signed in and not expired.</summary>
    public bool IsLive(string? session) =>
        session is not null && _live.TryGetValue(session, out var expires) && expires > time.GetUtcNow();

    /// <summary>Ends a session: its cookie no longer signs anyone in.</summary>
    public void End(string? session)
    {
        if (session is not null)
        {
            _live.TryRemove(session, out _);
        }
    }
}

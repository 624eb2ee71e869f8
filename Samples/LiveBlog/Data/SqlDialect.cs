using System.Data.Common;
using System.Globalization;

namespace Switchyard.Samples.LiveBlog.Data;

/// <summary>What differs between SQLite and PostgreSQL for the post store.</summary>
public sealed class SqlDialect
{
    public static readonly SqlDialect Sqlite = new(
        [
            // Readers and the writer do not block each other; a writer waits (up to the busy timeout) for another.
            "PRAGMA journal_mode = WAL",
            "CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL)",
            "CREATE TABLE IF NOT EXISTS blogs (slug TEXT PRIMARY KEY, title TEXT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS posts (id INTEGER PRIMARY KEY AUTOINCREMENT, blog TEXT NOT NULL REFERENCES blogs (slug), title TEXT NOT NULL, body TEXT NOT NULL, html TEXT, published_at TEXT NOT NULL, seq INTEGER NOT NULL, deleted INTEGER NOT NULL)",
            "CREATE INDEX IF NOT EXISTS posts_blog_seq ON posts (blog, seq)",
            "CREATE TABLE IF NOT EXISTS outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, post_id INTEGER NOT NULL, seq INTEGER NOT NULL, due_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0)",
            "CREATE INDEX IF NOT EXISTS outbox_due ON outbox (due_at)",
        ],
        "1",
        "0",
        at => at.ToString("O", CultureInfo.InvariantCulture),
        (reader, i) => DateTimeOffset.Parse(reader.GetString(i), CultureInfo.InvariantCulture),
        (reader, i) => reader.GetInt64(i) != 0);

    public static readonly SqlDialect Postgres = new(
        [
            "CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value BIGINT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS blogs (slug TEXT PRIMARY KEY, title TEXT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS posts (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, blog TEXT NOT NULL REFERENCES blogs (slug), title TEXT NOT NULL, body TEXT NOT NULL, html TEXT, published_at TIMESTAMPTZ NOT NULL, seq BIGINT NOT NULL, deleted BOOLEAN NOT NULL)",
            "CREATE INDEX IF NOT EXISTS posts_blog_seq ON posts (blog, seq)",
            "CREATE TABLE IF NOT EXISTS outbox (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, kind TEXT NOT NULL, post_id BIGINT NOT NULL, seq BIGINT NOT NULL, due_at BIGINT NOT NULL, attempts INT NOT NULL DEFAULT 0)",
            "CREATE INDEX IF NOT EXISTS outbox_due ON outbox (due_at)",
        ],
        "TRUE",
        "FALSE",
        at => at,
        (reader, i) => new DateTimeOffset(reader.GetDateTime(i), TimeSpan.Zero),
        (reader, i) => reader.GetBoolean(i));

    private readonly Func<DateTimeOffset, object> _timestamp;
    private readonly Func<DbDataReader, int, DateTimeOffset> _readTimestamp;
    private readonly Func<DbDataReader, int, bool> _readBoolean;

    private SqlDialect(string[] schema, string trueLiteral, string falseLiteral, Func<DateTimeOffset, object> timestamp, Func<DbDataReader, int, DateTimeOffset> readTimestamp, Func<DbDataReader, int, bool> readBoolean)
    {
        Setup = schema;
        True = trueLiteral;
        False = falseLiteral;
        _timestamp = timestamp;
        _readTimestamp = readTimestamp;
        _readBoolean = readBoolean;
    }

    /// <summary>Gets the statements that create the schema (idempotent).</summary>
    public IReadOnlyList<string> Setup { get; }

    public string True { get; }

    public string False { get; }

    public object Timestamp(DateTimeOffset at) => _timestamp(at);

    public DateTimeOffset ReadTimestamp(DbDataReader reader, int ordinal) => _readTimestamp(reader, ordinal);

    public bool ReadBoolean(DbDataReader reader, int ordinal) => _readBoolean(reader, ordinal);
}

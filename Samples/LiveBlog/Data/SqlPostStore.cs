using System.Data.Common;
using System.Globalization;

namespace Switchyard.Samples.LiveBlog.Data;

/// <summary>
/// The post store on ADO.NET, for SQLite (the embedded default) and PostgreSQL: the same statements, with the two
/// dialects' differences (identity column, timestamps) in <see cref="SqlDialect"/>. It keeps the outbox too: every
/// change writes what must follow it (a render, a publish) in its own transaction.
/// </summary>
public sealed class SqlPostStore(DbDataSource dataSource, SqlDialect dialect, TimeProvider time) : IPostStore, IOutbox
{
    private const string Columns = "id, blog, title, body, html, published_at, seq, deleted";

    private static readonly Blog[] SampleBlogs =
    [
        new("launch-day", "Launch day, live"),
        new("city-marathon", "City marathon 2026"),
    ];

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        foreach (var statement in dialect.Setup)
        {
            await ExecuteAsync(connection, null, statement, [], cancellationToken);
        }

        await ExecuteAsync(connection, null, "INSERT INTO counters (name, value) VALUES ('seq', 0) ON CONFLICT (name) DO NOTHING", [], cancellationToken);
        foreach (var blog in SampleBlogs)
        {
            await ExecuteAsync(connection, null, "INSERT INTO blogs (slug, title) VALUES (@slug, @title) ON CONFLICT (slug) DO NOTHING", [("slug", blog.Slug), ("title", blog.Title)], cancellationToken);
        }
    }

    public async Task<IReadOnlyList<Blog>> BlogsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection, null, "SELECT slug, title FROM blogs ORDER BY slug", []);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var blogs = new List<Blog>();
        while (await reader.ReadAsync(cancellationToken))
        {
            blogs.Add(new Blog(reader.GetString(0), reader.GetString(1)));
        }

        return blogs;
    }

    public async Task<Blog?> BlogAsync(string slug, CancellationToken cancellationToken) =>
        (await BlogsAsync(cancellationToken)).FirstOrDefault(b => b.Slug == slug);

    public async Task<(IReadOnlyList<Post> Posts, long AfterSeq)> PageAsync(string blog, CancellationToken cancellationToken)
    {
        var all = await QueryAsync($"SELECT {Columns} FROM posts WHERE blog = @blog ORDER BY id DESC", [("blog", blog)], cancellationToken);
        return ([.. all.Where(p => p.Html is not null && !p.Deleted)], all.Count == 0 ? 0 : all.Max(p => p.Seq));
    }

    public async Task<IReadOnlyList<Post>> EditorPostsAsync(string blog, CancellationToken cancellationToken) =>
        await QueryAsync($"SELECT {Columns} FROM posts WHERE blog = @blog AND deleted = {dialect.False} ORDER BY id DESC", [("blog", blog)], cancellationToken);

    public Task<IReadOnlyList<Post>> ChangesSinceAsync(string blog, long afterSeq, CancellationToken cancellationToken) =>
        QueryAsync($"SELECT {Columns} FROM posts WHERE blog = @blog AND seq > @after AND (html IS NOT NULL OR deleted = {dialect.True}) ORDER BY seq", [("blog", blog), ("after", afterSeq)], cancellationToken);

    public async Task<Post?> PostAsync(long id, CancellationToken cancellationToken) =>
        (await QueryAsync($"SELECT {Columns} FROM posts WHERE id = @id", [("id", id)], cancellationToken)).FirstOrDefault();

    public Task<Post> CreateAsync(string blog, string title, string body, CancellationToken cancellationToken) =>
        ChangeAsync(
            $"INSERT INTO posts (blog, title, body, html, published_at, seq, deleted) VALUES (@blog, @title, @body, NULL, @at, @seq, {dialect.False}) RETURNING {Columns}",
            [("blog", blog), ("title", title), ("body", body), ("at", dialect.Timestamp(time.GetUtcNow()))],
            OutboxKind.Render,
            cancellationToken)!;

    public Task<Post?> UpdateAsync(long id, string title, string body, CancellationToken cancellationToken) =>
        ChangeAsync($"UPDATE posts SET title = @title, body = @body, html = NULL, seq = @seq WHERE id = @id AND deleted = {dialect.False} RETURNING {Columns}", [("id", id), ("title", title), ("body", body)], OutboxKind.Render, cancellationToken);

    public Task<Post?> SetHtmlAsync(long id, long seq, string html, CancellationToken cancellationToken) =>
        ChangeAsync($"UPDATE posts SET html = @html, seq = @seq WHERE id = @id AND seq = @previous AND deleted = {dialect.False} RETURNING {Columns}", [("id", id), ("previous", seq), ("html", html)], OutboxKind.Publish, cancellationToken);

    public Task<Post?> DeleteAsync(long id, CancellationToken cancellationToken) =>
        ChangeAsync($"UPDATE posts SET deleted = {dialect.True}, seq = @seq WHERE id = @id AND deleted = {dialect.False} RETURNING {Columns}", [("id", id)], OutboxKind.Publish, cancellationToken);

    public async Task<IReadOnlyList<OutboxEntry>> ClaimAsync(DateTimeOffset now, DateTimeOffset leaseUntil, int max, CancellationToken cancellationToken)
    {
        // The outer "due_at <= @now" is checked again on the row itself: of two processes claiming at once, the second
        // finds the entry leased and leaves it (PostgreSQL re-evaluates it after the first one's commit; SQLite has
        // one writer at a time).
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = Command(
            connection,
            null,
            "UPDATE outbox SET due_at = @lease, attempts = attempts + 1 WHERE due_at <= @now AND id IN (SELECT id FROM outbox WHERE due_at <= @now ORDER BY id LIMIT @max) RETURNING id, kind, post_id, seq, attempts",
            [("now", now.ToUnixTimeMilliseconds()), ("lease", leaseUntil.ToUnixTimeMilliseconds()), ("max", max)]);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var entries = new List<OutboxEntry>();
        while (await reader.ReadAsync(cancellationToken))
        {
            entries.Add(new OutboxEntry(reader.GetInt64(0), Enum.Parse<OutboxKind>(reader.GetString(1)), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt32(4)));
        }

        // RETURNING gives no order; the oldest entry goes first.
        entries.Sort((a, b) => a.Id.CompareTo(b.Id));
        return entries;
    }

    public async Task FinishAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await ExecuteAsync(connection, null, "DELETE FROM outbox WHERE id = @id", [("id", id)], cancellationToken);
    }

    public async Task RescheduleAsync(long id, DateTimeOffset dueAt, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await ExecuteAsync(connection, null, "UPDATE outbox SET due_at = @due WHERE id = @id", [("id", id), ("due", dueAt.ToUnixTimeMilliseconds())], cancellationToken);
    }

    public async Task<long> CountAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection, null, "SELECT COUNT(*) FROM outbox", []);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    // A change takes the next sequence number and applies, in one transaction: a page that saw change N and asks for
    // what came after it cannot miss one that committed with a smaller number later. The outbox entry for what must
    // follow (a render, a publish) is written in the same transaction, and a render stored finishes the render
    // entries of the changes it replaces.
    private async Task<Post?> ChangeAsync(string sql, (string Name, object Value)[] parameters, OutboxKind then, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var next = Command(connection, transaction, "UPDATE counters SET value = value + 1 WHERE name = 'seq' RETURNING value", []);
        var seq = Convert.ToInt64(await next.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        await using var command = Command(connection, transaction, sql, [.. parameters, ("seq", seq)]);
        Post? post = null;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (await reader.ReadAsync(cancellationToken))
            {
                post = Read(reader);
            }
        }

        if (post is not null)
        {
            // Every render entry of this post is finished by a render or a deletion, and replaced by an edit.
            await ExecuteAsync(connection, transaction, "DELETE FROM outbox WHERE kind = 'Render' AND post_id = @id", [("id", post.Id)], cancellationToken);
            await ExecuteAsync(
                connection,
                transaction,
                "INSERT INTO outbox (kind, post_id, seq, due_at, attempts) VALUES (@kind, @id, @seq, @due, 0)",
                [("kind", then.ToString()), ("id", post.Id), ("seq", post.Seq), ("due", time.GetUtcNow().ToUnixTimeMilliseconds())],
                cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return post;
    }

    private async Task<IReadOnlyList<Post>> QueryAsync(string sql, (string Name, object Value)[] parameters, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection, null, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var posts = new List<Post>();
        while (await reader.ReadAsync(cancellationToken))
        {
            posts.Add(Read(reader));
        }

        return posts;
    }

    private Post Read(DbDataReader reader) => new(
        reader.GetInt64(0),
        reader.GetString(1),
        reader.GetString(2),
        reader.GetString(3),
        reader.IsDBNull(4) ? null : reader.GetString(4),
        dialect.ReadTimestamp(reader, 5),
        reader.GetInt64(6),
        dialect.ReadBoolean(reader, 7));

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, (string Name, object Value)[] parameters, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql, (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        return command;
    }
}

using System.Net;
using System.Net.Http.Json;
using Switchyard.LiveBlog.Tests.Support;
using Xunit;

namespace Switchyard.LiveBlog.Tests;

/// <summary>The live blog's login as an outsider attacks it: as real processes, over HTTP on loopback.</summary>
public sealed class LoginSecurityTests(LiveBlogServer server) : IClassFixture<LiveBlogServer>, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("switchyard-login-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private LiveBlogProcess Blog => server.Process;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_login_without_a_form_gets_400_not_500()
    {
        using var json = await Blog.Http.PostAsJsonAsync("/login", new { password = "editor" }, Ct);
        using var empty = await Blog.Http.PostAsync("/login", null, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, json.StatusCode);
        Assert.Contains("form", await json.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
    }

    [Theory]
    [InlineData(@"/\evil.example")]
    [InlineData("//evil.example")]
    [InlineData("https://evil.example/")]
    [InlineData("/\t/evil.example")]
    public async Task A_returnUrl_off_the_site_is_not_followed(string returnUrl)
    {
        using var client = NewClient(Blog.Port);
        using var response = await client.PostAsync("/login", new FormUrlEncodedContent([new("password", "editor"), new("returnUrl", returnUrl)]), Ct);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/editor", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task A_local_returnUrl_is_followed()
    {
        using var client = NewClient(Blog.Port);
        using var response = await client.PostAsync("/login", new FormUrlEncodedContent([new("password", "editor"), new("returnUrl", "/blogs/launch-day")]), Ct);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/blogs/launch-day", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Logout_revokes_the_session_on_the_server_so_a_copied_cookie_stops_working()
    {
        var cookies = new CookieContainer();
        using var client = NewClient(Blog.Port, cookies);
        using (var login = await client.PostAsync("/login", new FormUrlEncodedContent([new("password", "editor")]), Ct))
        {
            Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        }

        var cookie = cookies.GetCookieHeader(client.BaseAddress!);
        Assert.Contains("liveblog.editor=", cookie, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, await GetPostsWithCookieAsync(cookie));

        using (var logout = await client.PostAsync("/logout", null, Ct))
        {
            Assert.Equal(HttpStatusCode.Redirect, logout.StatusCode);
        }

        // The browser forgot the cookie; a copy kept by someone else no longer signs anyone in.
        Assert.Equal(HttpStatusCode.Unauthorized, await GetPostsWithCookieAsync(cookie));
    }

    [Fact]
    public async Task A_request_for_another_host_is_refused_so_no_redirect_carries_it()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/editor");
        request.Headers.Host = "evil.example";
        using var response = await Blog.Http.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
    }

    [Fact]
    public async Task Login_attempts_over_the_limit_get_429_and_a_log_line()
    {
        await using var blog = SampleRun.Start(Path.Combine(_directory, "limited.db"), "Development", "--LiveBlog:LoginAttemptsPerMinute", "3");
        await blog.WaitForLineAsync("Live blog is running on", TimeSpan.FromSeconds(30));

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            using var response = await blog.Http.PostAsync("/login", new FormUrlEncodedContent([new("password", $"guess{i}")]), Ct);
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.Redirect, HttpStatusCode.Redirect, HttpStatusCode.Redirect, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
        var line = await blog.WaitForLineAsync("answered 429", TimeSpan.FromSeconds(10));
        Assert.Contains("127.0.0.1", line, StringComparison.Ordinal);
        Assert.Single(blog.Output.Split('\n'), l => l.Contains("answered 429", StringComparison.Ordinal));

        // Even the right password waits for the window.
        using var right = await blog.Http.PostAsync("/login", new FormUrlEncodedContent([new("password", "editor")]), Ct);
        Assert.Equal(HttpStatusCode.TooManyRequests, right.StatusCode);
    }

    [Fact]
    public async Task In_Production_the_default_password_stops_the_server_from_starting()
    {
        await using var blog = SampleRun.Start(Path.Combine(_directory, "production.db"), "Production");

        var exitCode = await blog.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.NotEqual(0, exitCode);
        Assert.Contains("default editor password", blog.Output, StringComparison.Ordinal);
        Assert.Contains("LiveBlog:EditorPassword", blog.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", blog.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task In_Production_with_a_password_the_server_starts_the_default_one_fails_and_the_cookie_is_Secure()
    {
        await using var blog = SampleRun.Start(Path.Combine(_directory, "secure.db"), "Production", "--LiveBlog:EditorPassword", "correct horse battery staple");
        await blog.WaitForLineAsync("Live blog is running on", TimeSpan.FromSeconds(30));

        using var wrong = await blog.Http.PostAsync("/login", new FormUrlEncodedContent([new("password", "editor")]), Ct);
        Assert.Equal("/login?failed=1", wrong.Headers.Location?.OriginalString);

        using var right = await blog.Http.PostAsync("/login", new FormUrlEncodedContent([new("password", "correct horse battery staple")]), Ct);
        Assert.Equal(HttpStatusCode.Redirect, right.StatusCode);
        var setCookie = Assert.Single(right.Headers.GetValues("Set-Cookie"), c => c.StartsWith("liveblog.editor=", StringComparison.Ordinal));
        Assert.Contains("secure", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
    }

    private static HttpClient NewClient(int port, CookieContainer? cookies = null) =>
        new(new HttpClientHandler { CookieContainer = cookies ?? new CookieContainer(), AllowAutoRedirect = false })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{port}"),
            Timeout = TimeSpan.FromSeconds(15),
        };

    private async Task<HttpStatusCode> GetPostsWithCookieAsync(string cookie)
    {
        using var client = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = new Uri($"http://127.0.0.1:{Blog.Port}") };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/blogs/launch-day/posts");
        request.Headers.Add("Cookie", cookie);
        using var response = await client.SendAsync(request, Ct);
        return response.StatusCode;
    }
}

using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.RateLimiting;

namespace Switchyard.Samples.LiveBlog.Editor;

/// <summary>
/// The editor's login, as a product would ship it: one password (<c>LiveBlog:EditorPassword</c>; the default "editor"
/// only in the Development environment), attempts limited per client address with ASP.NET Core's rate limiter (429),
/// a cookie that is <c>Secure</c> under HTTPS (always in Production) and names a server-side session that logout ends,
/// and a <c>returnUrl</c> followed only when it is a local URL.
/// </summary>
public static class EditorLogin
{
    /// <summary>The sample's default password, accepted only in the Development environment.</summary>
    public const string DefaultPassword = "editor";

    private const string RateLimitPolicy = "login";
    private static readonly TimeSpan SessionLifetime = TimeSpan.FromHours(8);

    // When each client address was last logged for going over the limit: one line a minute per address, not one per attempt.
    private static readonly ConcurrentDictionary<string, long> LastThrottleLog = new(StringComparer.Ordinal);

    /// <summary>The editor's password: <c>LiveBlog:EditorPassword</c>, or the sample's default, "editor".</summary>
    public static string EditorPassword(IConfiguration configuration) => configuration["LiveBlog:EditorPassword"] is { Length: > 0 } password ? password : DefaultPassword;

    /// <summary>
    /// Returns why the server must not start, or <see langword="null"/>: outside the Development environment the default
    /// password is refused, since anyone who has read this sample knows it.
    /// </summary>
    public static string? StartProblem(IConfiguration configuration, IHostEnvironment environment) =>
        EditorPassword(configuration) == DefaultPassword && !environment.IsDevelopment()
            ? $"The live blog does not start in the {environment.EnvironmentName} environment with the sample's default editor password, \"{DefaultPassword}\". " +
              "Set LiveBlog:EditorPassword (--LiveBlog:EditorPassword <password>, or the LiveBlog__EditorPassword environment variable), " +
              "or run in Development (ASPNETCORE_ENVIRONMENT=Development) for a demo."
            : null;

    /// <summary>Adds the cookie login, the editor policy, the login rate limit and the server-side sessions.</summary>
    public static void AddEditorLogin(this WebApplicationBuilder builder)
    {
        // Requests for any other host are refused (400), so no Host header of a client's choosing reaches a redirect.
        if (string.IsNullOrEmpty(builder.Configuration["AllowedHosts"]))
        {
            builder.Configuration["AllowedHosts"] = "localhost;127.0.0.1;[::1]";
        }

        var production = builder.Environment.IsProduction();
        builder.Services.AddSingleton<EditorSessions>();
        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(o =>
        {
            o.LoginPath = "/login";
            o.Cookie.Name = "liveblog.editor";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.HttpOnly = true;
            o.Cookie.SecurePolicy = production ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
            o.ExpireTimeSpan = SessionLifetime;
            o.SlidingExpiration = false;

            // The API answers 401/403 instead of redirecting to the login page; pages are sent to it by a relative URL.
            o.Events.OnRedirectToLogin = context => Deny(context, StatusCodes.Status401Unauthorized);
            o.Events.OnRedirectToAccessDenied = context => Deny(context, StatusCodes.Status403Forbidden);

            // A cookie whose session was logged out (or is from before a restart) signs nobody in.
            o.Events.OnValidatePrincipal = async context =>
            {
                var sessions = context.HttpContext.RequestServices.GetRequiredService<EditorSessions>();
                if (!sessions.IsLive(context.Principal?.FindFirst(EditorSessions.ClaimType)?.Value))
                {
                    context.RejectPrincipal();
                    await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
                }
            };
        });
        builder.Services.AddAuthorizationBuilder().AddPolicy(EditorEndpoints.Policy, p => p.RequireRole(EditorEndpoints.Policy));

        // Login attempts per client address and minute: LiveBlog:LoginAttemptsPerMinute, 10 by default.
        var permits = int.TryParse(builder.Configuration["LiveBlog:LoginAttemptsPerMinute"], NumberStyles.None, CultureInfo.InvariantCulture, out var configured) && configured > 0 ? configured : 10;
        builder.Services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddPolicy(RateLimitPolicy, context => RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
            o.OnRejected = async (rejected, ct) =>
            {
                var context = rejected.HttpContext;
                var address = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
                if (ShouldLogThrottle(address))
                {
                    Logger(context).LogWarning("Login attempts from {Address} went over {Limit} a minute; they are answered 429 (logged once a minute per address).", address, permits);
                }

                if (rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                {
                    context.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                }

                context.Response.ContentType = "text/plain; charset=utf-8";
                await context.Response.WriteAsync("Too many login attempts; try again in a minute.\n", ct);
            };
        });
    }

    /// <summary>Maps <c>POST /login</c> (rate limited) and <c>POST /logout</c>.</summary>
    public static void MapLogin(this WebApplication app)
    {
        app.MapPost("/login", LoginAsync).DisableAntiforgery().RequireRateLimiting(RateLimitPolicy);
        app.MapPost("/logout", async (HttpContext context, EditorSessions sessions) =>
        {
            sessions.End(context.User.FindFirst(EditorSessions.ClaimType)?.Value);
            await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.Redirect("/");
        }).DisableAntiforgery();
    }

    /// <summary>
    /// Returns whether <paramref name="url"/> stays on this site, by the rule of ASP.NET Core's <c>Url.IsLocalUrl</c>:
    /// a path that starts with one <c>/</c> (not <c>//</c> or <c>/\</c>) or with <c>~/</c>, with no control characters.
    /// </summary>
    public static bool IsLocalUrl(string? url)
    {
        if (string.IsNullOrEmpty(url))
        {
            return false;
        }

        if (url[0] == '/')
        {
            return url.Length == 1 || (url[1] is not ('/' or '\\') && !HasControlCharacter(url.AsSpan(1)));
        }

        if (url.Length > 1 && url[0] == '~' && url[1] == '/')
        {
            return url.Length == 2 || (url[2] is not ('/' or '\\') && !HasControlCharacter(url.AsSpan(2)));
        }

        return false;

        static bool HasControlCharacter(ReadOnlySpan<char> text)
        {
            foreach (var c in text)
            {
                if (char.IsControl(c))
                {
                    return true;
                }
            }

            return false;
        }
    }

    private static async Task<IResult> LoginAsync(HttpContext context, IConfiguration configuration, EditorSessions sessions)
    {
        var address = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (!context.Request.HasFormContentType)
        {
            Logger(context).LogInformation("Login request from {Address} without a form; answered 400.", address);
            return BadRequest("POST /login takes a form (application/x-www-form-urlencoded) with a password field.");
        }

        IFormCollection form;
        try
        {
            form = await context.Request.ReadFormAsync(context.RequestAborted);
        }
        catch (Exception ex) when (ex is InvalidDataException or BadHttpRequestException)
        {
            Logger(context).LogInformation("Login request from {Address} with a malformed form ({Problem}); answered 400.", address, LogSanitizer.Sanitize(ex.Message));
            return BadRequest("The login form could not be read.");
        }

        var expected = Encoding.UTF8.GetBytes(EditorPassword(configuration));
        var given = Encoding.UTF8.GetBytes(form["password"].ToString());
        if (!CryptographicOperations.FixedTimeEquals(expected, given))
        {
            Logger(context).LogInformation("Failed editor login from {Address}.", address);
            return Results.Redirect("/login?failed=1");
        }

        var session = sessions.Start(SessionLifetime);
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, "editor"), new Claim(ClaimTypes.Role, EditorEndpoints.Policy), new Claim(EditorSessions.ClaimType, session)],
            CookieAuthenticationDefaults.AuthenticationScheme);
        await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));

        // Only a local URL is followed (no "//evil.example", no "/\evil.example"); anything else goes to the editor.
        var returnUrl = form["returnUrl"].ToString();
        return Results.LocalRedirect(IsLocalUrl(returnUrl) ? returnUrl : "/editor");
    }

    private static IResult BadRequest(string message) => Results.Text(message + "\n", "text/plain; charset=utf-8", statusCode: StatusCodes.Status400BadRequest);

    private static ILogger Logger(HttpContext context) => context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(EditorLogin));

    private static bool ShouldLogThrottle(string address)
    {
        var now = Environment.TickCount64;
        if (LastThrottleLog.Count > 10_000)
        {
            LastThrottleLog.Clear();
        }

        var last = LastThrottleLog.GetOrAdd(address, long.MinValue);
        return (last == long.MinValue || now - last >= 60_000) && LastThrottleLog.TryUpdate(address, now, last);
    }

    private static Task Deny(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        if (context.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal))
        {
            context.Response.StatusCode = status;
        }
        else
        {
            // The login URL relative to this site, not built from the request's Host header.
            context.Response.Redirect(Uri.TryCreate(context.RedirectUri, UriKind.Absolute, out var absolute) ? absolute.PathAndQuery : context.RedirectUri);
        }

        return Task.CompletedTask;
    }
}

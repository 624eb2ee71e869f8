using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Switchyard.Redis.TestServer;

/// <summary>
/// Test-only: authenticates a request that has an <c>X-Test-User</c> header as that user (its
/// <see cref="ClaimTypes.NameIdentifier"/>, so the default <see cref="ClaimUserIdProvider"/> finds the user id); a
/// request without it stays anonymous. Anyone can name any user this way: never use it outside the tests.
/// </summary>
public sealed class HeaderAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "TestHeader";
    public const string UserHeader = "X-Test-User";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var user = Request.Headers[UserHeader].ToString();
        if (string.IsNullOrEmpty(user))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        Claim[] claims = [new(ClaimTypes.NameIdentifier, user), new(ClaimTypes.Name, user)];
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
    }
}

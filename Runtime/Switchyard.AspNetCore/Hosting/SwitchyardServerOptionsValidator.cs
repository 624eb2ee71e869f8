using Microsoft.Extensions.Options;

namespace Switchyard.AspNetCore;

/// <summary>
/// Validates the interface server's options (origins, limits, the WebSocket options) when the host starts (<c>ValidateOnStart</c>, registered by <c>ConfigureServer</c>), naming
/// the option at fault, rather than when they are first used.
/// </summary>
internal sealed class SwitchyardServerOptionsValidator : IValidateOptions<SwitchyardServerOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, SwitchyardServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            options.Validate();
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException ex)
        {
            return ValidateOptionsResult.Fail(ex.Message);
        }
    }
}

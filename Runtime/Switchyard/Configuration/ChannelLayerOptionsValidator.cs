using Microsoft.Extensions.Options;

namespace Switchyard.Configuration;

/// <summary>
/// Validates the channel layer options when the host starts (<c>ValidateOnStart</c>, registered by
/// <c>AddSwitchyard</c>), so a bad capacity or expiry stops the start with the option's name instead of failing the
/// first request that resolves the layer.
/// </summary>
internal sealed class ChannelLayerOptionsValidator : IValidateOptions<ChannelLayerOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ChannelLayerOptions options)
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

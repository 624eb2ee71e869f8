using Microsoft.Extensions.Options;

namespace Switchyard.Ipc;

/// <summary>Validates the IPC layer's options when the host starts (<c>ValidateOnStart</c>), naming the option at fault.</summary>
internal sealed class IpcOptionsValidator : IValidateOptions<IpcChannelLayerOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, IpcChannelLayerOptions options)
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

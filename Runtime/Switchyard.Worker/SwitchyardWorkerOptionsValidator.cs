using Microsoft.Extensions.Options;

namespace Switchyard.Worker;

/// <summary>
/// Validates the worker's options (channels, concurrency, drain timeout) when the host starts (<c>ValidateOnStart</c>, registered by <c>AddWorker</c>), naming
/// the option at fault, rather than when they are first used.
/// </summary>
internal sealed class SwitchyardWorkerOptionsValidator : IValidateOptions<SwitchyardWorkerOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, SwitchyardWorkerOptions options)
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

using Microsoft.Extensions.Options;

namespace Switchyard.Configuration;

/// <summary>
/// Validates options that check themselves — a method that throws <see cref="ArgumentException"/> naming the option at
/// fault — for <c>ValidateOnStart</c>: the exception's message becomes the validation failure, so a bad value stops the
/// host's start with the option's name. Switchyard's packages register one per options type; a layer package can too.
/// </summary>
/// <typeparam name="TOptions">The options type.</typeparam>
/// <param name="validate">The options' own check, such as <c>static o => o.Validate()</c>.</param>
public sealed class OptionsValidator<TOptions>(Action<TOptions> validate) : IValidateOptions<TOptions>
    where TOptions : class
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            validate(options);
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException ex)
        {
            return ValidateOptionsResult.Fail(ex.Message);
        }
    }
}

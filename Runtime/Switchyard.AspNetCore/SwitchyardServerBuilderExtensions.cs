using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Switchyard;
using Switchyard.AspNetCore;
using Switchyard.Configuration;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Configures the interface server on the Switchyard builder.</summary>
public static class SwitchyardServerBuilderExtensions
{
    /// <summary>Configures the interface server: allowed origins, connection limit, WebSocket limits and timers, the consumers' drain timeout.</summary>
    /// <param name="builder">The Switchyard builder from <c>AddSwitchyard()</c>.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The builder.</returns>
    public static SwitchyardBuilder ConfigureServer(this SwitchyardBuilder builder, Action<SwitchyardServerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        // Validated when the host starts, naming the bad option, not when the first request needs it.
        builder.Services.AddOptions<SwitchyardServerOptions>().Configure(configure).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SwitchyardServerOptions>>(new OptionsValidator<SwitchyardServerOptions>(static o => o.Validate())));
        return builder;
    }
}

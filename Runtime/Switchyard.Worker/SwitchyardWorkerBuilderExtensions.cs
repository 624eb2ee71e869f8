using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Switchyard;
using Switchyard.Configuration;
using Switchyard.Worker;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the worker host to a Switchyard application.</summary>
public static class SwitchyardWorkerBuilderExtensions
{
    /// <summary>
    /// Runs the channel consumers of named channels in this process (Channels' <c>runworker</c>), as a hosted service.
    /// </summary>
    /// <param name="builder">The Switchyard builder.</param>
    /// <param name="configure">Chooses channels and concurrency.</param>
    /// <returns>The builder.</returns>
    public static SwitchyardBuilder AddWorker(this SwitchyardBuilder builder, Action<SwitchyardWorkerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // Validated when the host starts, naming the bad option.
        var options = builder.Services.AddOptions<SwitchyardWorkerOptions>().ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SwitchyardWorkerOptions>>(new OptionsValidator<SwitchyardWorkerOptions>(static o => o.Validate())));
        if (configure is not null)
        {
            options.Configure(configure);
        }

        builder.Services.AddHostedService<SwitchyardWorkerService>();
        return builder;
    }
}

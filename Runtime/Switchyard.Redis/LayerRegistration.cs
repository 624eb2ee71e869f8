using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Switchyard.Redis;

/// <summary>How the Redis layers take the channel layer's place in DI.</summary>
internal static class LayerRegistration
{
    /// <summary>
    /// Registers <typeparamref name="TOptions"/> as options (so <c>services.Configure&lt;TOptions&gt;(...)</c> adds to
    /// <paramref name="configure"/>), validated when the host starts (<see cref="RedisOptionsValidator"/>,
    /// <c>ValidateOnStart</c>), and replaces the channel layer with one made from them when it is first resolved (at
    /// startup in a server app); connecting is the one blocking step (one try per server, at most its connect timeout),
    /// and a server that cannot be reached is connected in the background (unless the options say to abort).
    /// </summary>
    public static SwitchyardBuilder Replace<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TOptions>(
        SwitchyardBuilder builder,
        Action<TOptions> configure,
        IValidateOptions<TOptions> validator,
        Func<TOptions, TimeProvider?, ILoggerFactory?, IMeterFactory?, Task<ChannelLayer>> connect)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.AddOptions<TOptions>().Configure(configure).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton(validator));
        builder.Services.Replace(ServiceDescriptor.Singleton(services =>
        {
            var options = services.GetRequiredService<IOptions<TOptions>>().Value;
            return connect(options, services.GetService<TimeProvider>(), services.GetService<ILoggerFactory>(), services.GetService<IMeterFactory>())
                .GetAwaiter().GetResult();
        }));
        return builder;
    }
}

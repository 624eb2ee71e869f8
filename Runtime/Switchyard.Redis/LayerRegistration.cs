using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Switchyard.Redis;

/// <summary>How the Redis layers take the channel layer's place in DI.</summary>
internal static class LayerRegistration
{
    /// <summary>
    /// Registers <typeparamref name="TOptions"/> as options (so <c>services.Configure&lt;TOptions&gt;(...)</c> adds to
    /// <paramref name="configure"/>), validated when the host starts (<see cref="RedisOptionsValidator"/>,
    /// <c>ValidateOnStart</c>), and replaces the channel layer with one made from them when it is first resolved,
    /// without I/O. The layer starts connecting then, in the background; <see cref="RedisLayerStarter"/>, a hosted
    /// service, waits for that first attempt when the host starts (and fails the start when the options say to abort
    /// without Redis, or a server refuses the password).
    /// </summary>
    public static SwitchyardBuilder Replace<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TOptions, TLayer>(
        SwitchyardBuilder builder,
        Action<TOptions> configure,
        IValidateOptions<TOptions> validator,
        Func<TOptions, TimeProvider?, ILoggerFactory?, IMeterFactory?, TLayer> create)
        where TOptions : class
        where TLayer : ChannelLayer, IStartableLayer
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.AddOptions<TOptions>().Configure(configure).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton(validator));
        builder.Services.Replace(ServiceDescriptor.Singleton<ChannelLayer>(services =>
        {
            var options = services.GetRequiredService<IOptions<TOptions>>().Value;
            var layer = create(options, services.GetService<TimeProvider>(), services.GetService<ILoggerFactory>(), services.GetService<IMeterFactory>());

            // Begun here, so a container without hosted services connects too; the starter awaits (and observes) it.
            _ = layer.StartAsync(CancellationToken.None).ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            return layer;
        }));
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, RedisLayerStarter>());
        return builder;
    }
}

using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Switchyard.Worker;

/// <summary>
/// The worker host: runs <see cref="SwitchyardWorkerOptions.Concurrency"/> instances of the channel consumer of each
/// served channel, competing for its messages (each message reaches one instance). An instance whose handler failed
/// is replaced; on shutdown every instance stops taking messages and finishes the ones it holds within
/// <see cref="SwitchyardWorkerOptions.DrainTimeout"/>.
/// </summary>
public sealed class SwitchyardWorkerService : BackgroundService
{
    private readonly IServiceProvider _services;
    private readonly SwitchyardWorkerOptions _options;
    private readonly ChannelLayer _layer;
    private readonly ILoggerFactory _loggerFactory;
    private readonly IMeterFactory? _meterFactory;
    private readonly ILogger _logger;

    /// <summary>Creates the service; the host does this.</summary>
    /// <param name="services">The root services.</param>
    /// <param name="options">The worker options.</param>
    /// <param name="layer">The channel layer.</param>
    public SwitchyardWorkerService(IServiceProvider services, IOptions<SwitchyardWorkerOptions> options, ChannelLayer layer)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        _services = services;
        _options = options.Value;
        _options.Validate();
        _layer = layer;
        _loggerFactory = services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
        _meterFactory = services.GetService<IMeterFactory>();
        _logger = _loggerFactory.CreateLogger("Switchyard.Worker");
    }

    /// <summary>Gets the routes this worker serves, resolved from the route table and the options.</summary>
    /// <returns>One route per served channel.</returns>
    /// <exception cref="InvalidOperationException">A configured channel has no <c>[ChannelConsumer]</c>.</exception>
    public IReadOnlyList<ConsumerRoute> ResolveRoutes()
    {
        var routes = ConsumerRouteTable.Routes.Where(r => r.Kind == ConsumerRouteKind.Channel).ToList();
        if (_options.Channels.Count == 0)
        {
            return routes;
        }

        var served = new List<ConsumerRoute>();
        foreach (var channel in _options.Channels)
        {
            served.Add(routes.FirstOrDefault(r => r.Pattern == channel) ?? throw new InvalidOperationException(
                $"No [ChannelConsumer(\"{channel}\")] is in the route table; known channels: [{string.Join(", ", routes.Select(r => r.Pattern))}]."));
        }

        return served;
    }

    /// <summary>
    /// Checks, before the worker starts, that its channels have consumers and that the container can create each of
    /// them (every constructor parameter registered): a mistake stops the host's start with the consumer's name.
    /// </summary>
    /// <param name="cancellationToken">Aborts the start.</param>
    /// <returns>A task that completes when the worker has started.</returns>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        ConsumerRouteTable.ValidateServices(_services, ResolveRoutes());
        return base.StartAsync(cancellationToken);
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var routes = ResolveRoutes();
        WorkerLog.Started(_logger, string.Join(", ", routes.Select(r => r.Pattern)), _options.Concurrency);
        var instances = new List<Task>();
        foreach (var route in routes)
        {
            for (var i = 0; i < _options.Concurrency; i++)
            {
                instances.Add(RunInstanceAsync(route, stoppingToken));
            }
        }

        await Task.WhenAll(instances).ConfigureAwait(false);
        WorkerLog.Stopped(_logger);
    }

    private async Task RunInstanceAsync(ConsumerRoute route, CancellationToken stoppingToken)
    {
        // An instance takes a message off the channel only when it is free (the runner has no queue of its own), so it
        // never hoards messages its siblings could be handling, and on shutdown it holds only the one it is handling.
        var consumerOptions = new ConsumerOptions { DrainTimeout = _options.DrainTimeout };
        while (!stoppingToken.IsCancellationRequested)
        {
            var scope = _services.CreateAsyncScope();
            await using (scope.ConfigureAwait(false))
            {
                var consumer = route.Factory(scope.ServiceProvider);
                var consumerScope = new ConsumerScope(route.Pattern) { Services = scope.ServiceProvider };
                var runner = new ConsumerRunner(consumer, consumerScope, _layer, consumerOptions, _loggerFactory, _meterFactory);
                var reason = await runner.RunAsync(stoppingToken).ConfigureAwait(false);
                if (reason is ConsumerStopReason.Shutdown or ConsumerStopReason.LayerClosed || stoppingToken.IsCancellationRequested)
                {
                    return;
                }

                WorkerLog.ConsumerRestarted(_logger, route.ConsumerType.Name, route.Pattern, reason);
            }
        }
    }
}

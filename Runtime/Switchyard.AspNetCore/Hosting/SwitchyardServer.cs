using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Switchyard.AspNetCore;

/// <summary>What every endpoint of one <c>MapSwitchyard()</c> shares: options, the layer, limits, logging, metrics.</summary>
internal sealed class SwitchyardServer
{
    public SwitchyardServer(IServiceProvider services)
    {
        Options = services.GetRequiredService<IOptions<SwitchyardServerOptions>>().Value;
        Options.Validate();
        Layer = services.GetRequiredService<ChannelLayer>();
        LoggerFactory = services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
        MeterFactory = services.GetService<IMeterFactory>();
        Time = services.GetService<TimeProvider>() ?? TimeProvider.System;
        Stopping = services.GetService<IHostApplicationLifetime>()?.ApplicationStopping ?? CancellationToken.None;
        Logger = LoggerFactory.CreateLogger("Switchyard.Server");
        Origins = new OriginPolicy(Options);
        Connections = new ConnectionLimiter(Options.MaxConnections);
        WebSocketMetrics = new WebSocketMetrics(MeterFactory?.Create(new MeterOptions(SwitchyardDiagnostics.MeterName)) ?? SharedMeter);
    }

    private static Meter SharedMeter { get; } = new(SwitchyardDiagnostics.MeterName);

    public SwitchyardServerOptions Options { get; }

    public ChannelLayer Layer { get; }

    public ILoggerFactory LoggerFactory { get; }

    public IMeterFactory? MeterFactory { get; }

    public TimeProvider Time { get; }

    public CancellationToken Stopping { get; }

    public ILogger Logger { get; }

    public OriginPolicy Origins { get; }

    public ConnectionLimiter Connections { get; }

    public WebSocketMetrics WebSocketMetrics { get; }
}

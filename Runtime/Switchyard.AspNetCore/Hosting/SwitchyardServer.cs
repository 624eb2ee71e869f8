using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Switchyard.Server;

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
        UserIds = services.GetService<IUserIdProvider>() ?? DefaultUserIds;
        Stopping = services.GetService<IHostApplicationLifetime>()?.ApplicationStopping ?? CancellationToken.None;
        Logger = LoggerFactory.CreateLogger("Switchyard.Server");
        Origins = new OriginPolicy(Options);
        Connections = new ConnectionLimiter(Options.MaxConnections);
        WebSocketMetrics = new WebSocketMetrics(MeterFactory?.Create(new MeterOptions(SwitchyardDiagnostics.MeterName)) ?? SharedMeter);
    }

    private static Meter SharedMeter { get; } = new(SwitchyardDiagnostics.MeterName);

    private static ClaimUserIdProvider DefaultUserIds { get; } = new();

    public SwitchyardServerOptions Options { get; }

    public ChannelLayer Layer { get; }

    public ILoggerFactory LoggerFactory { get; }

    public IMeterFactory? MeterFactory { get; }

    public TimeProvider Time { get; }

    /// <summary>Gets who says which user a connection belongs to.</summary>
    public IUserIdProvider UserIds { get; }

    public CancellationToken Stopping { get; }

    public ILogger Logger { get; }

    public OriginPolicy Origins { get; }

    public ConnectionLimiter Connections { get; }

    public WebSocketMetrics WebSocketMetrics { get; }

    /// <summary>Gets the seconds a client refused while the layer is away is told to wait (<c>Retry-After</c>): about how long a returning server takes to be found.</summary>
    public static int RetryAfterSeconds => 2;

    /// <summary>Gets what a request refused while the channel layer is not connected is told.</summary>
    public string LayerDisconnectedReason => $"the {Layer.Name} channel layer is not connected (its server is away); try again in a few seconds";

    /// <summary>Tells the client when to try again (<c>Retry-After</c>), for a 503 while the layer is away.</summary>
    public void RetryLater(HttpContext context) =>
        context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

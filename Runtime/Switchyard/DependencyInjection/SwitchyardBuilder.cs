using Microsoft.Extensions.DependencyInjection;

namespace Switchyard;

/// <summary>Configures Switchyard's services; returned by <c>AddSwitchyard</c>.</summary>
public sealed class SwitchyardBuilder
{
    internal SwitchyardBuilder(IServiceCollection services) => Services = services;

    /// <summary>Gets the service collection, for layer packages' extension methods.</summary>
    public IServiceCollection Services { get; }
}

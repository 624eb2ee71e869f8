using System.Diagnostics.CodeAnalysis;

// The public API analyzer's RS0026 ("do not add multiple overloads with optional parameters"), reviewed: the overloads
// differ in a required parameter (the configuration section), the optional tail is the same options callback, and a
// call without it binds to exactly one overload. A new overload elsewhere still fails the build until it is reviewed.

[assembly: SuppressMessage("ApiDesign", "RS0026", Justification = "Reviewed: the overloads differ in a required parameter.", Scope = "member", Target = "~M:Microsoft.Extensions.DependencyInjection.IpcLayerBuilderExtensions.AddIpcLayer(Switchyard.SwitchyardBuilder,System.Action{Switchyard.Ipc.IpcChannelLayerOptions})")]
[assembly: SuppressMessage("ApiDesign", "RS0026", Justification = "Reviewed: the overloads differ in a required parameter.", Scope = "member", Target = "~M:Microsoft.Extensions.DependencyInjection.IpcLayerBuilderExtensions.AddIpcLayer(Switchyard.SwitchyardBuilder,Microsoft.Extensions.Configuration.IConfiguration,System.Action{Switchyard.Ipc.IpcChannelLayerOptions})")]

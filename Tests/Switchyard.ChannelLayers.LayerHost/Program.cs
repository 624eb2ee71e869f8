using Switchyard.ChannelLayers.LayerHost;
using Switchyard.ChannelLayers.OutOfProcess;

// A kind is a name, its arguments and a factory: adding a layer kind is one entry here.
LayerKind[] kinds =
[
    new("redis", ["servers (comma-separated host:port)", "key prefix"], LayerKinds.CreateRedisAsync),
    new("ipc", ["directory", "namespace"], LayerKinds.CreateIpcAsync),
];

return LayerHostServer.Run(args, kinds);

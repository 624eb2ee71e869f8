using System.Runtime.CompilerServices;

namespace SwitchyardApp.Tests;

/// <summary>Registers the app's consumer routes before any test runs.</summary>
internal static class AppRoutes
{
    // The generated route table of the app registers itself in the app assembly's module initializer, which runs when
    // the app's code is first used; a test that asks WebSocketCommunicator.ForPath for a route before that would find
    // none, so the initializer runs as soon as this test assembly is loaded.
    [ModuleInitializer]
    internal static void Register() => RuntimeHelpers.RunModuleConstructor(typeof(ChatConsumer).Module.ModuleHandle);
}

using Switchyard.Generators.Helpers;

namespace Switchyard.Generators.Model;

/// <summary>Everything the TypeScript module is written from: equatable, so an unchanged project writes nothing new.</summary>
/// <param name="OutputPath">The <c>SwitchyardTypeScriptOutput</c> MSBuild property; empty when no module is wanted.</param>
/// <param name="AssemblyName">The assembly, named in the module's header.</param>
/// <param name="Messages">Every [Message] record of the compilation.</param>
/// <param name="Consumers">The JSON WebSocket consumers, ordered by name.</param>
internal sealed record TypeScriptInput(string OutputPath, string AssemblyName, EquatableArray<MessageSpec> Messages, EquatableArray<ConsumerSpec> Consumers);

using System.Globalization;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Switchyard.Generators.Helpers;
using Switchyard.Generators.Model;

namespace Switchyard.Generators;

public sealed partial class SwitchyardGenerator
{
    /// <summary>Writes C# from specs. Output is deterministic: invariant culture, ordinal order, <c>global::</c> names.</summary>
    internal static partial class Emitter
    {
        private const string Binary = "global::Switchyard.Serialization";
        private const string JsonReader = "global::Switchyard.Serialization.JsonMessageReader";
        private const string JsonWriter = "global::Switchyard.Serialization.JsonMessageWriter";

        private static readonly string Version = typeof(SwitchyardGenerator).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";
        private static readonly string GeneratedCode = $"[global::System.CodeDom.Compiler.GeneratedCode(\"Switchyard.Generators\", \"{Version}\")]";

        public static void EmitMessage(SourceProductionContext context, MessageSpec spec) =>
            context.AddSource(HintName(spec.Namespace, spec.TypeName), WriteMessage(spec));

        public static void EmitConsumer(SourceProductionContext context, ConsumerSpec spec) =>
            context.AddSource(HintName(spec.Namespace, spec.TypeName), WriteConsumer(spec));

        public static void EmitRouteTable(SourceProductionContext context, EquatableArray<ConsumerSpec> consumers)
        {
            if (consumers.Count > 0)
            {
                context.AddSource("Switchyard.RouteTable.g.cs", WriteRouteTable(consumers));
            }
        }

        internal static string WriteConsumer(ConsumerSpec spec)
        {
            var w = Header();
            using (Namespace(w, spec.Namespace))
            {
                var forwarded = spec.Handlers.Where(h => h.Forward != ForwardKind.None).ToList();
                var layerHandlers = spec.Handlers.Where(h => !h.FromClient).ToList();
                var clientHandlers = spec.Handlers.Where(h => h.FromClient && h.HasJson).ToList();
                var interfaces = "global::Switchyard.IConsumerDispatcher, global::Switchyard.IJsonConsumerDispatcher"
                    + (spec.Groups.Count > 0 ? ", global::Switchyard.IConsumerGroupRules" : string.Empty)
                    + (forwarded.Count > 0 ? ", global::Switchyard.IForwardingConsumer" : string.Empty);
                w.WriteLine(GeneratedCode);
                using (w.Block($"partial class {spec.TypeName} : {interfaces}"))
                {
                    w.WriteLine("/// <summary>Dispatches a channel-layer message to the handler of its type ([FromClient] handlers take only client frames).</summary>");
                    using (w.Block("bool global::Switchyard.IConsumerDispatcher.TryDispatch(global::Switchyard.ChannelMessage message, global::System.Threading.CancellationToken cancellationToken, out global::System.Threading.Tasks.ValueTask handling)"))
                    {
                        using (w.Block("switch (message.Type)"))
                        {
                            foreach (var handler in layerHandlers)
                            {
                                using (w.Block($"case {Literal(handler.MessageType)}:"))
                                {
                                    w.WriteLine($"var decoded = {handler.MessageTypeName}.Read(message.Payload.Span);");
                                    WriteHandlerCall(w, handler);
                                }
                            }

                            w.WriteLine("default:");
                            w.Indentation++;
                            w.WriteLine("handling = default;");
                            w.WriteLine("return false;");
                            w.Indentation--;
                        }
                    }

                    w.WriteLine();
                    w.WriteLine("/// <summary>Dispatches a client's JSON frame to its [FromClient] handler by the UTF-8 type bytes, without allocating a string.</summary>");
                    using (w.Block("bool global::Switchyard.IJsonConsumerDispatcher.TryDispatchJson(global::System.ReadOnlySpan<byte> utf8Type, global::System.ReadOnlySpan<byte> json, global::System.Threading.CancellationToken cancellationToken, out global::System.Threading.Tasks.ValueTask handling)"))
                    {
                        var jsonHandlers = clientHandlers;
                        if (jsonHandlers.Count > 0)
                        {
                            using (w.Block("switch (utf8Type.Length)"))
                            {
                                foreach (var byLength in jsonHandlers.GroupBy(h => System.Text.Encoding.UTF8.GetByteCount(h.MessageType)).OrderBy(g => g.Key))
                                {
                                    w.WriteLine($"case {Int(byLength.Key)}:");
                                    w.Indentation++;
                                    foreach (var handler in byLength)
                                    {
                                        using (w.Block($"if (global::System.MemoryExtensions.SequenceEqual(utf8Type, {Literal(handler.MessageType)}u8))"))
                                        {
                                            w.WriteLine("var reader = new global::System.Text.Json.Utf8JsonReader(json);");
                                            w.WriteLine($"var decoded = {handler.MessageTypeName}.ReadJson(ref reader);");
                                            WriteHandlerCall(w, handler);
                                        }
                                    }

                                    w.WriteLine("break;");
                                    w.Indentation--;
                                }
                            }
                        }

                        w.WriteLine("handling = default;");
                        w.WriteLine("return false;");
                    }

                    if (forwarded.Count > 0)
                    {
                        var keyed = forwarded.Where(h => h.Forward != ForwardKind.Json).ToList();
                        for (var i = 0; i < keyed.Count; i++)
                        {
                            w.WriteLine();
                            w.WriteLine($"private static readonly object __switchyardFrame{Int(i)} = new object();");
                        }

                        w.WriteLine();
                        w.WriteLine("/// <summary>The forwarding path: message types whose handler only sends them (or one of their fields) to the client go straight to its send queue.</summary>");
                        using (w.Block("bool global::Switchyard.IForwardingConsumer.TryGetFrame(global::Switchyard.ChannelMessage message, out global::Switchyard.ForwardedFrame frame)"))
                        {
                            using (w.Block("switch (message.Type)"))
                            {
                                foreach (var handler in forwarded)
                                {
                                    w.WriteLine($"case {Literal(handler.MessageType)}:");
                                    w.Indentation++;
                                    if (handler.Forward == ForwardKind.Json)
                                    {
                                        w.WriteLine($"frame = new global::Switchyard.ForwardedFrame(message.GetJsonFrame<{handler.MessageTypeName}>(), true);");
                                        w.WriteLine("return true;");
                                    }
                                    else
                                    {
                                        var read = $"{handler.MessageTypeName}.Read(m.Payload.Span).{handler.ForwardMember}";
                                        var encode = handler.Forward == ForwardKind.TextString
                                            ? $"{read} is {{ }} text ? global::System.Text.Encoding.UTF8.GetBytes(text) : null"
                                            : $"(byte[]?){read} ?? global::System.Array.Empty<byte>()";
                                        var index = Int(keyed.IndexOf(handler));
                                        w.WriteLine($"var frame{index} = message.GetFrame(__switchyardFrame{index}, static m => {encode});");
                                        w.WriteLine($"frame = new global::Switchyard.ForwardedFrame(frame{index} ?? default(global::System.ReadOnlyMemory<byte>), {(handler.Forward == ForwardKind.Binary ? "false" : "true")});");
                                        w.WriteLine($"return frame{index} is not null;");
                                    }

                                    w.Indentation--;
                                }

                                w.WriteLine("default:");
                                w.Indentation++;
                                w.WriteLine("frame = default;");
                                w.WriteLine("return false;");
                                w.Indentation--;
                            }
                        }
                    }

                    if (spec.Groups.Count > 0)
                    {
                        w.WriteLine();
                        w.WriteLine("/// <summary>The groups this consumer joins when it starts (generated from its [JoinGroup] rules).</summary>");
                        using (w.Block("global::System.Collections.Generic.IReadOnlyList<string> global::Switchyard.IConsumerGroupRules.GetGroups(global::Switchyard.ConsumerScope scope)"))
                        {
                            var groups = spec.Groups.Select(g => string.Join(" + ", g.Parts.Select(p => p.StartsWith("{", System.StringComparison.Ordinal)
                                ? $"scope.RouteValues[{Literal(p.Substring(1, p.Length - 2))}]"
                                : Literal(p))));
                            w.WriteLine($"return new string[] {{ {string.Join(", ", groups)} }};");
                        }
                    }
                }
            }

            return w.ToString();
        }

        // Calls the handler with the decoded message in "decoded", then returns true.
        private static void WriteHandlerCall(SourceWriter w, HandlerSpec handler)
        {
            var call = handler.TakesCancellationToken ? $"{handler.MethodName}(decoded, cancellationToken)" : $"{handler.MethodName}(decoded)";
            w.WriteLine(handler.Returns switch
            {
                HandlerReturn.ValueTask => $"handling = {call};",
                HandlerReturn.Task => $"handling = new global::System.Threading.Tasks.ValueTask({call});",
                HandlerReturn.ValueTaskOfReply or HandlerReturn.TaskOfReply => $"handling = ReplyWhenDoneAsync({call});",
                _ => $"handling = new global::System.Threading.Tasks.ValueTask(global::System.Threading.Tasks.Task.Run(() => {call}, cancellationToken));",
            });
            w.WriteLine("return true;");
        }

        internal static string WriteRouteTable(EquatableArray<ConsumerSpec> consumers)
        {
            var w = Header();
            w.WriteLine("#pragma warning disable CA2255 // A module initializer is how each assembly registers its routes without reflection.");
            w.WriteLine();
            using (w.Block("namespace Switchyard.Generated"))
            {
                w.WriteLine("/// <summary>The consumers of this assembly with their routes, registered when the assembly loads.</summary>");
                w.WriteLine(GeneratedCode);
                using (w.Block("internal static class SwitchyardRoutes"))
                {
                    w.WriteLine("/// <summary>Gets this assembly's routes.</summary>");
                    w.OpenBlock("internal static global::Switchyard.ConsumerRoute[] Routes { get; } = new global::Switchyard.ConsumerRoute[]");
                    {
                        foreach (var consumer in consumers)
                        {
                            var kind = consumer.Kind switch
                            {
                                ConsumerKind.WebSocket => "WebSocket",
                                ConsumerKind.Http => "Http",
                                _ => "Channel",
                            };
                            var methods = consumer.HttpMethods.Count == 0
                                ? "global::System.Array.Empty<string>()"
                                : $"new string[] {{ {string.Join(", ", consumer.HttpMethods.Select(Literal))} }}";
                            var services = string.Join(", ", consumer.ConstructorParameters.Select(t =>
                                $"global::Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<{t}>(services)"));
                            var types = consumer.ConstructorParameters.Count == 0
                                ? "global::System.Array.Empty<global::System.Type>()"
                                : $"new global::System.Type[] {{ {string.Join(", ", consumer.ConstructorParameters.Select(t => $"typeof({t})"))} }}";
                            w.WriteLine($"new(global::Switchyard.ConsumerRouteKind.{kind}, {Literal(consumer.Route)}, {methods}, typeof({consumer.FullName}), static services => new {consumer.FullName}({services}), {types}),");
                        }
                    }

                    w.CloseBlock(";");
                    w.WriteLine();
                    w.WriteLine("[global::System.Runtime.CompilerServices.ModuleInitializer]");
                    w.WriteLine("internal static void Register() => global::Switchyard.ConsumerRouteTable.Register(Routes);");
                }
            }

            return w.ToString();
        }

        private static SourceWriter Header()
        {
            var w = new SourceWriter();
            w.WriteLine("// <auto-generated/>");
            w.WriteLine("#nullable enable");
            w.WriteLine();
            return w;
        }

        private static System.IDisposable Namespace(SourceWriter w, string ns)
        {
            if (ns.Length == 0)
            {
                return new NoBlock();
            }

            return w.Block($"namespace {ns}");
        }

        private static string HintName(string ns, string type) => ns.Length == 0 ? $"{type}.g.cs" : $"{ns}.{type}.g.cs";

        private static string Literal(string value) => SymbolDisplay.FormatLiteral(value, quote: true);

        private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);



        private sealed class NoBlock : System.IDisposable
        {
            public void Dispose()
            {
            }
        }
    }
}

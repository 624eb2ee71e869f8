using System.Linq;
using Switchyard.Generators.Helpers;
using Switchyard.Generators.Model;

namespace Switchyard.Generators;

public sealed partial class SwitchyardGenerator
{
    internal static partial class Emitter
    {
        internal static string WriteMessage(MessageSpec spec)
        {
            var w = Header();
            var self = spec.FullName;
            var name = spec.MessageType ?? spec.TypeName;
            var locals = new Locals();
            using (Namespace(w, spec.Namespace))
            {
                var interfaces = $"{Binary}.IBinaryMessage<{self}>, {Binary}.IJsonMessage<{self}>";
                if (spec.MessageType is not null)
                {
                    interfaces = $"global::Switchyard.IChannelMessage<{self}>, " + interfaces;
                }

                w.WriteLine(GeneratedCode);
                using (w.Block($"partial record {spec.TypeName} : {interfaces}"))
                {
                    if (spec.IsFallback)
                    {
                        WriteFallback(w, spec, self);
                    }
                    else
                    {
                        WriteSerializers(w, spec, self, name, locals);
                    }
                }
            }

            return w.ToString();
        }

        private static void WriteSerializers(SourceWriter w, MessageSpec spec, string self, string name, Locals locals)
        {
            if (spec.MessageType is not null)
            {
                w.WriteLine("/// <summary>Gets the message type that selects the handler.</summary>");
                w.WriteLine($"public static string MessageType => {Literal(spec.MessageType)};");
                w.WriteLine();
                w.WriteLine("/// <summary>Writes the compact binary form used on channel layers.</summary>");
                using (w.Block($"public static void Write({self} message, global::System.Buffers.IBufferWriter<byte> output)"))
                {
                    w.WriteLine($"var writer = new {Binary}.BinaryMessageWriter(output);");
                    w.WriteLine("WriteBinary(message, ref writer);");
                }

                w.WriteLine();
                w.WriteLine("/// <summary>Reads the compact binary form; throws <see cref=\"global::System.FormatException\"/> when it is malformed.</summary>");
                using (w.Block($"public static {self} Read(global::System.ReadOnlySpan<byte> payload)"))
                {
                    w.WriteLine($"var reader = new {Binary}.BinaryMessageReader(payload);");
                    w.WriteLine("var value = ReadBinary(ref reader);");
                    w.WriteLine($"reader.EnsureAtEnd({Literal(name)});");
                    w.WriteLine("return value;");
                }

                w.WriteLine();
            }

            w.WriteLine("/// <summary>Writes the members in declaration order in the compact binary form.</summary>");
            using (w.Block($"public static void WriteBinary({self} value, ref {Binary}.BinaryMessageWriter writer)"))
            {
                foreach (var member in spec.Members)
                {
                    WriteBinaryValue(w, member.Type, $"value.{member.Name}", locals);
                }
            }

            w.WriteLine();
            w.WriteLine("/// <summary>Reads what <see cref=\"WriteBinary\"/> wrote.</summary>");
            using (w.Block($"public static {self} ReadBinary(ref {Binary}.BinaryMessageReader reader)"))
            {
                var arguments = spec.Members.Select((m, i) => $"m{Int(i)}").ToArray();
                for (var i = 0; i < spec.Members.Count; i++)
                {
                    w.WriteLine($"{spec.Members[i].Type.TypeName} m{Int(i)};");
                    ReadBinaryValue(w, spec.Members[i].Type, $"m{Int(i)}", locals);
                }

                w.WriteLine($"return new {self}({string.Join(", ", arguments)});");
            }

            w.WriteLine();
            w.WriteLine("/// <summary>Writes the message as one JSON object with camelCase fields.</summary>");
            using (w.Block($"public static void WriteJson({self} value, global::System.Text.Json.Utf8JsonWriter writer)"))
            {
                w.WriteLine("writer.WriteStartObject();");
                if (spec.MessageType is not null)
                {
                    w.WriteLine("writer.WriteString(SwitchyardJsonNames.__type, SwitchyardJsonNames.__typeValue);");
                }

                foreach (var member in spec.Members)
                {
                    WriteJsonValue(w, member.Type, $"value.{member.Name}", locals, $"SwitchyardJsonNames.{member.Name}");
                }

                w.WriteLine("writer.WriteEndObject();");
            }

            w.WriteLine();
            w.WriteLine("/// <summary>Reads one JSON object; unknown fields are skipped, a missing required field is a <see cref=\"global::System.Text.Json.JsonException\"/>.</summary>");
            using (w.Block($"public static {self} ReadJson(ref global::System.Text.Json.Utf8JsonReader reader)"))
            {
                w.WriteLine($"{JsonReader}.ReadStartObject(ref reader, {Literal(name)});");
                for (var i = 0; i < spec.Members.Count; i++)
                {
                    w.WriteLine($"{spec.Members[i].Type.TypeName} m{Int(i)} = default!;");
                    w.WriteLine($"var has{Int(i)} = false;");
                }

                using (w.Block($"while ({JsonReader}.ReadNextProperty(ref reader, {Literal(name)}))"))
                {
                    var first = true;
                    for (var i = 0; i < spec.Members.Count; i++)
                    {
                        var member = spec.Members[i];
                        using (w.Block($"{(first ? string.Empty : "else ")}if (reader.ValueTextEquals(SwitchyardJsonNames.{member.Name}.EncodedUtf8Bytes))"))
                        {
                            w.WriteLine($"{JsonReader}.ReadValue(ref reader, {Literal(name)});");
                            ReadJsonValue(w, member.Type, $"m{Int(i)}", member.JsonName, name, locals);
                            w.WriteLine($"has{Int(i)} = true;");
                        }

                        first = false;
                    }

                    if (spec.MessageType is not null)
                    {
                        using (w.Block($"{(first ? string.Empty : "else ")}if (reader.ValueTextEquals(SwitchyardJsonNames.__type.EncodedUtf8Bytes))"))
                        {
                            w.WriteLine($"{JsonReader}.ReadValue(ref reader, {Literal(name)});");
                            w.WriteLine($"if (reader.TokenType != global::System.Text.Json.JsonTokenType.String || !reader.ValueTextEquals(SwitchyardJsonNames.__typeValue.EncodedUtf8Bytes))");
                            w.WriteLine($"    throw new global::System.Text.Json.JsonException(\"The 'type' field of a '\" + {Literal(spec.MessageType)} + \"' message must be '\" + {Literal(spec.MessageType)} + \"'.\");");
                        }

                        first = false;
                    }

                    if (first)
                    {
                        w.WriteLine($"{JsonReader}.SkipValue(ref reader, {Literal(name)});");
                    }
                    else
                    {
                        using (w.Block("else"))
                        {
                            w.WriteLine($"{JsonReader}.SkipValue(ref reader, {Literal(name)});");
                        }
                    }
                }

                var arguments = new string[spec.Members.Count];
                for (var i = 0; i < spec.Members.Count; i++)
                {
                    var member = spec.Members[i];
                    if (member.IsRequired)
                    {
                        w.WriteLine($"if (!has{Int(i)}) throw {JsonReader}.MissingField({Literal(member.JsonName)}, {Literal(name)});");
                        arguments[i] = $"m{Int(i)}";
                    }
                    else
                    {
                        arguments[i] = $"has{Int(i)} ? m{Int(i)} : {member.DefaultValue ?? "default"}";
                    }
                }

                w.WriteLine($"return new {self}({string.Join(", ", arguments)});");
            }

            w.WriteLine();
            w.WriteLine("/// <summary>JSON field names, encoded once.</summary>");
            using (w.Block("private static class SwitchyardJsonNames"))
            {
                if (spec.MessageType is not null)
                {
                    w.WriteLine("public static readonly global::System.Text.Json.JsonEncodedText __type = global::System.Text.Json.JsonEncodedText.Encode(\"type\");");
                    w.WriteLine($"public static readonly global::System.Text.Json.JsonEncodedText __typeValue = global::System.Text.Json.JsonEncodedText.Encode({Literal(spec.MessageType)});");
                }

                foreach (var member in spec.Members)
                {
                    w.WriteLine($"public static readonly global::System.Text.Json.JsonEncodedText {member.Name} = global::System.Text.Json.JsonEncodedText.Encode({Literal(member.JsonName)});");
                }
            }
        }

        // A message with an unsupported member (SWY0006) keeps its generated surface, so code that uses it still
        // compiles and the diagnostic is the only error; calling it at run time says why it cannot work.
        private static void WriteFallback(SourceWriter w, MessageSpec spec, string self)
        {
            var error = $"throw new global::System.NotSupportedException({Literal($"{spec.TypeName} has a member Switchyard cannot serialize; see diagnostic SWY0006.")});";
            if (spec.MessageType is not null)
            {
                w.WriteLine("/// <summary>Gets the message type that selects the handler.</summary>");
                w.WriteLine($"public static string MessageType => {Literal(spec.MessageType)};");
                w.WriteLine("/// <summary>Not available: see SWY0006.</summary>");
                w.WriteLine($"public static void Write({self} message, global::System.Buffers.IBufferWriter<byte> output) => {error}");
                w.WriteLine("/// <summary>Not available: see SWY0006.</summary>");
                w.WriteLine($"public static {self} Read(global::System.ReadOnlySpan<byte> payload) => {error}");
            }

            w.WriteLine("/// <summary>Not available: see SWY0006.</summary>");
            w.WriteLine($"public static void WriteBinary({self} value, ref {Binary}.BinaryMessageWriter writer) => {error}");
            w.WriteLine("/// <summary>Not available: see SWY0006.</summary>");
            w.WriteLine($"public static {self} ReadBinary(ref {Binary}.BinaryMessageReader reader) => {error}");
            w.WriteLine("/// <summary>Not available: see SWY0006.</summary>");
            w.WriteLine($"public static void WriteJson({self} value, global::System.Text.Json.Utf8JsonWriter writer) => {error}");
            w.WriteLine("/// <summary>Not available: see SWY0006.</summary>");
            w.WriteLine($"public static {self} ReadJson(ref global::System.Text.Json.Utf8JsonReader reader) => {error}");
        }

        private static void WriteBinaryValue(SourceWriter w, TypeShape shape, string value, Locals locals)
        {
            switch (shape.Kind)
            {
                case ShapeKind.Enum:
                    w.WriteLine($"writer.Write{shape.EnumUnderlying}(({Keyword(shape.EnumUnderlying)}){value});");
                    break;
                case ShapeKind.Nullable:
                {
                    var inner = locals.Next("n");
                    w.WriteLine($"writer.WritePresence({value}.HasValue);");
                    using (w.Block($"if ({value} is {{ }} {inner})"))
                    {
                        WriteBinaryValue(w, shape.Element!, inner, locals);
                    }

                    break;
                }

                case ShapeKind.Message:
                {
                    // A pattern-bound local, because flow analysis does not track an element read twice.
                    var item = locals.Next("m");
                    w.WriteLine($"writer.WritePresence({value} is not null);");
                    using (w.Block($"if ({value} is {{ }} {item})"))
                    {
                        w.WriteLine($"{Static(shape)}.WriteBinary({item}, ref writer);");
                    }

                    break;
                }

                case ShapeKind.Array or ShapeKind.List or ShapeKind.ReadOnlyList:
                {
                    var collection = locals.Next("c");
                    var index = locals.Next("i");
                    var count = shape.Kind == ShapeKind.Array ? "Length" : "Count";
                    w.WriteLine($"var {collection} = {value};");
                    w.WriteLine($"writer.WriteCount({collection}?.{count});");
                    using (w.Block($"if ({collection} is not null)"))
                    {
                        using (w.Block($"for (var {index} = 0; {index} < {collection}.{count}; {index}++)"))
                        {
                            WriteBinaryValue(w, shape.Element!, $"{collection}[{index}]", locals);
                        }
                    }

                    break;
                }

                case ShapeKind.Dictionary:
                {
                    var dictionary = locals.Next("d");
                    var entry = locals.Next("e");
                    w.WriteLine($"var {dictionary} = {value};");
                    w.WriteLine($"writer.WriteCount({dictionary}?.Count);");
                    using (w.Block($"if ({dictionary} is not null)"))
                    {
                        using (w.Block($"foreach (var {entry} in {dictionary})"))
                        {
                            w.WriteLine($"writer.WriteString({entry}.Key);");
                            WriteBinaryValue(w, shape.Element!, $"{entry}.Value", locals);
                        }
                    }

                    break;
                }

                default:
                    w.WriteLine($"writer.Write{shape.Kind}({value});");
                    break;
            }
        }

        private static void ReadBinaryValue(SourceWriter w, TypeShape shape, string target, Locals locals)
        {
            switch (shape.Kind)
            {
                case ShapeKind.String or ShapeKind.Bytes:
                    w.WriteLine($"{target} = reader.Read{shape.Kind}(){(shape.IsNullableReference ? string.Empty : "!")};");
                    break;
                case ShapeKind.Enum:
                    w.WriteLine($"{target} = ({shape.TypeName})reader.Read{shape.EnumUnderlying}();");
                    break;
                case ShapeKind.Nullable:
                {
                    var inner = locals.Next("n");
                    using (w.Block("if (reader.ReadPresence())"))
                    {
                        w.WriteLine($"{shape.Element!.TypeName} {inner};");
                        ReadBinaryValue(w, shape.Element!, inner, locals);
                        w.WriteLine($"{target} = {inner};");
                    }

                    using (w.Block("else"))
                    {
                        w.WriteLine($"{target} = null;");
                    }

                    break;
                }

                case ShapeKind.Message:
                    w.WriteLine($"{target} = reader.ReadPresence() ? {Static(shape)}.ReadBinary(ref reader) : null!;");
                    break;
                case ShapeKind.Array or ShapeKind.List or ShapeKind.ReadOnlyList or ShapeKind.Dictionary:
                {
                    var count = locals.Next("count");
                    var index = locals.Next("i");
                    var item = locals.Next("item");
                    var element = shape.Element!;
                    w.WriteLine($"var {count} = reader.ReadCollectionCount();");
                    using (w.Block($"if ({count} < 0)"))
                    {
                        w.WriteLine($"{target} = null!;");
                    }

                    using (w.Block("else"))
                    {
                        var collection = locals.Next("c");
                        w.WriteLine(shape.Kind switch
                        {
                            ShapeKind.List => $"var {collection} = new global::System.Collections.Generic.List<{element.TypeName}>({count});",
                            ShapeKind.Dictionary => $"var {collection} = new global::System.Collections.Generic.Dictionary<string, {element.TypeName}>({count}, global::System.StringComparer.Ordinal);",
                            _ => $"var {collection} = new {ArrayOf(element.TypeName, count)};",
                        });
                        using (w.Block($"for (var {index} = 0; {index} < {count}; {index}++)"))
                        {
                            var key = locals.Next("key");
                            if (shape.Kind == ShapeKind.Dictionary)
                            {
                                w.WriteLine($"var {key} = reader.ReadString() ?? throw new global::System.FormatException(\"A dictionary key in a binary message is null.\");");
                            }

                            w.WriteLine($"{element.TypeName} {item};");
                            ReadBinaryValue(w, element, item, locals);
                            w.WriteLine(shape.Kind switch
                            {
                                ShapeKind.List => $"{collection}.Add({item});",
                                ShapeKind.Dictionary => $"{collection}[{key}] = {item};",
                                _ => $"{collection}[{index}] = {item};",
                            });
                        }

                        w.WriteLine($"{target} = {collection};");
                    }

                    break;
                }

                default:
                    w.WriteLine($"{target} = reader.Read{shape.Kind}();");
                    break;
            }
        }

        // Writes one value; with a property name, as that property. Where Utf8JsonWriter has a name-and-value overload
        // the name goes with the value in one call, as System.Text.Json's own source generator writes it: the writer
        // validates, separates and tracks state once instead of twice. Other shapes write the name, then the value.
        // The bytes are the same either way.
        private static void WriteJsonValue(SourceWriter w, TypeShape shape, string value, Locals locals, string? name = null)
        {
            if (name is not null && shape.Kind is ShapeKind.Char or ShapeKind.TimeSpan or ShapeKind.Enum or ShapeKind.Message or ShapeKind.Dictionary)
            {
                w.WriteLine($"writer.WritePropertyName({name});");
                name = null;
            }

            string Call(string method, string argument) =>
                name is null ? $"writer.{method}Value({argument});" : $"writer.{method}({name}, {argument});";
            var writeNull = name is null ? "writer.WriteNullValue();" : $"writer.WriteNull({name});";
            switch (shape.Kind)
            {
                case ShapeKind.Boolean:
                    w.WriteLine(Call("WriteBoolean", value));
                    break;
                case ShapeKind.Byte or ShapeKind.SByte or ShapeKind.Int16:
                    w.WriteLine(Call("WriteNumber", $"(int){value}"));
                    break;
                case ShapeKind.UInt16:
                    w.WriteLine(Call("WriteNumber", $"(uint){value}"));
                    break;
                case ShapeKind.Int32 or ShapeKind.UInt32 or ShapeKind.Int64 or ShapeKind.UInt64 or ShapeKind.Single or ShapeKind.Double or ShapeKind.Decimal:
                    w.WriteLine(Call("WriteNumber", value));
                    break;
                case ShapeKind.String or ShapeKind.Guid or ShapeKind.DateTime or ShapeKind.DateTimeOffset:
                    w.WriteLine(Call("WriteString", value));
                    break;
                case ShapeKind.Bytes:
                    w.WriteLine($"if ({value} is null) {writeNull} else {Call("WriteBase64String", value)}");
                    break;
                case ShapeKind.Char:
                    w.WriteLine($"{JsonWriter}.WriteChar(writer, {value});");
                    break;
                case ShapeKind.TimeSpan:
                    w.WriteLine($"{JsonWriter}.WriteTimeSpan(writer, {value});");
                    break;
                case ShapeKind.Enum:
                    using (w.Block($"switch ({value})"))
                    {
                        foreach (var member in shape.EnumMembers)
                        {
                            w.WriteLine($"case {shape.TypeName}.{member}: writer.WriteStringValue({Literal(member)}); break;");
                        }

                        if (shape.FlagValues.Count > 0)
                        {
                            WriteJsonFlags(w, shape, value, locals);
                        }
                        else
                        {
                            w.WriteLine($"default: writer.WriteNumberValue(({Keyword(shape.EnumUnderlying)}){value}); break;");
                        }
                    }

                    break;
                case ShapeKind.Nullable:
                {
                    var inner = locals.Next("n");
                    using (w.Block($"if ({value} is {{ }} {inner})"))
                    {
                        WriteJsonValue(w, shape.Element!, inner, locals, name);
                    }

                    using (w.Block("else"))
                    {
                        w.WriteLine(writeNull);
                    }

                    break;
                }

                case ShapeKind.Message:
                {
                    var item = locals.Next("m");
                    w.WriteLine($"if ({value} is {{ }} {item}) {Static(shape)}.WriteJson({item}, writer); else writer.WriteNullValue();");
                    break;
                }

                case ShapeKind.Array or ShapeKind.List or ShapeKind.ReadOnlyList:
                {
                    var collection = locals.Next("c");
                    var index = locals.Next("i");
                    var count = shape.Kind == ShapeKind.Array ? "Length" : "Count";
                    w.WriteLine($"var {collection} = {value};");
                    using (w.Block($"if ({collection} is null)"))
                    {
                        w.WriteLine(writeNull);
                    }

                    using (w.Block("else"))
                    {
                        w.WriteLine(name is null ? "writer.WriteStartArray();" : $"writer.WriteStartArray({name});");
                        using (w.Block($"for (var {index} = 0; {index} < {collection}.{count}; {index}++)"))
                        {
                            WriteJsonValue(w, shape.Element!, $"{collection}[{index}]", locals);
                        }

                        w.WriteLine("writer.WriteEndArray();");
                    }

                    break;
                }

                case ShapeKind.Dictionary:
                {
                    var dictionary = locals.Next("d");
                    var entry = locals.Next("e");
                    w.WriteLine($"var {dictionary} = {value};");
                    using (w.Block($"if ({dictionary} is null)"))
                    {
                        w.WriteLine("writer.WriteNullValue();");
                    }

                    using (w.Block("else"))
                    {
                        w.WriteLine("writer.WriteStartObject();");
                        using (w.Block($"foreach (var {entry} in {dictionary})"))
                        {
                            w.WriteLine($"writer.WritePropertyName({entry}.Key);");
                            WriteJsonValue(w, shape.Element!, $"{entry}.Value", locals);
                        }

                        w.WriteLine("writer.WriteEndObject();");
                    }

                    break;
                }
            }
        }

        private static void ReadJsonValue(SourceWriter w, TypeShape shape, string target, string field, string message, Locals locals)
        {
            var args = $"{Literal(field)}, {Literal(message)}";
            var nullable = shape.Kind == ShapeKind.Nullable || shape.IsNullableReference;
            if (nullable || shape.Kind is ShapeKind.Message or ShapeKind.Array or ShapeKind.List or ShapeKind.ReadOnlyList or ShapeKind.Dictionary or ShapeKind.Bytes)
            {
                using (w.Block("if (reader.TokenType == global::System.Text.Json.JsonTokenType.Null)"))
                {
                    w.WriteLine(nullable ? $"{target} = null;" : $"throw {JsonReader}.NullField({args});");
                }

                w.OpenBlock("else");
            }
            else
            {
                w.OpenBlock(null);
            }

            switch (shape.Kind)
            {
                case ShapeKind.Nullable:
                {
                    var inner = locals.Next("n");
                    w.WriteLine($"{shape.Element!.TypeName} {inner};");
                    ReadJsonValue(w, shape.Element!, inner, field, message, locals);
                    w.WriteLine($"{target} = {inner};");
                    break;
                }

                case ShapeKind.Boolean:
                    w.WriteLine($"{target} = {JsonReader}.ReadBoolean(ref reader, {args});");
                    break;
                case ShapeKind.Byte or ShapeKind.SByte or ShapeKind.Int16 or ShapeKind.UInt16 or ShapeKind.Int32 or ShapeKind.UInt32 or ShapeKind.Int64:
                {
                    var keyword = Keyword(shape.Kind);
                    w.WriteLine($"{target} = ({keyword}){JsonReader}.ReadInteger(ref reader, {keyword}.MinValue, {keyword}.MaxValue, {args});");
                    break;
                }

                case ShapeKind.UInt64 or ShapeKind.Single or ShapeKind.Double or ShapeKind.Decimal or ShapeKind.Char or ShapeKind.Guid
                    or ShapeKind.DateTime or ShapeKind.DateTimeOffset or ShapeKind.TimeSpan or ShapeKind.Bytes or ShapeKind.String:
                    w.WriteLine($"{target} = {JsonReader}.Read{shape.Kind}(ref reader, {args});");
                    break;
                case ShapeKind.Enum:
                {
                    var keyword = Keyword(shape.EnumUnderlying);
                    using (w.Block("if (reader.TokenType == global::System.Text.Json.JsonTokenType.Number)"))
                    {
                        var number = shape.EnumUnderlying == ShapeKind.UInt64
                            ? $"{JsonReader}.ReadUInt64(ref reader, {args})"
                            : $"({keyword}){JsonReader}.ReadInteger(ref reader, {keyword}.MinValue, {keyword}.MaxValue, {args})";
                        w.WriteLine($"{target} = ({shape.TypeName}){number};");
                    }

                    using (w.Block("else"))
                    {
                        var text = locals.Next("text");
                        w.WriteLine($"var {text} = {JsonReader}.ReadString(ref reader, {args});");
                        var first = true;
                        foreach (var member in shape.EnumMembers)
                        {
                            w.WriteLine($"{(first ? string.Empty : "else ")}if (string.Equals({text}, {Literal(member)}, global::System.StringComparison.OrdinalIgnoreCase)) {target} = {shape.TypeName}.{member};");
                            first = false;
                        }

                        var unknown = $"throw {JsonReader}.UnknownEnumValue(ref reader, {Literal(shape.TypeName.Replace("global::", string.Empty))}, {args});";
                        if (shape.FlagValues.Count > 0)
                        {
                            // Not a single name: a list of them.
                            w.OpenBlock(first ? null : "else");
                            ReadJsonFlags(w, shape, target, text, unknown, locals);
                            w.CloseBlock();
                        }
                        else
                        {
                            w.WriteLine($"{(first ? string.Empty : "else ")}{unknown}");
                        }
                    }

                    break;
                }

                case ShapeKind.Message:
                    w.WriteLine($"{target} = {Static(shape)}.ReadJson(ref reader);");
                    break;
                case ShapeKind.Array or ShapeKind.List or ShapeKind.ReadOnlyList:
                {
                    var list = locals.Next("list");
                    var item = locals.Next("item");
                    var element = shape.Element!;
                    w.WriteLine($"{JsonReader}.RequireStartArray(ref reader, {args});");
                    w.WriteLine($"var {list} = new global::System.Collections.Generic.List<{element.TypeName}>();");
                    using (w.Block($"while ({JsonReader}.ReadNextElement(ref reader, {Literal(message)}))"))
                    {
                        w.WriteLine($"{element.TypeName} {item};");
                        ReadJsonValue(w, element, item, field + "[]", message, locals);
                        w.WriteLine($"{list}.Add({item});");
                    }

                    w.WriteLine(shape.Kind == ShapeKind.Array ? $"{target} = {list}.ToArray();" : $"{target} = {list};");
                    break;
                }

                case ShapeKind.Dictionary:
                {
                    var dictionary = locals.Next("d");
                    var key = locals.Next("key");
                    var item = locals.Next("item");
                    var element = shape.Element!;
                    w.WriteLine($"{JsonReader}.RequireStartObject(ref reader, {args});");
                    w.WriteLine($"var {dictionary} = new global::System.Collections.Generic.Dictionary<string, {element.TypeName}>(global::System.StringComparer.Ordinal);");
                    using (w.Block($"while ({JsonReader}.ReadNextProperty(ref reader, {Literal(message)}))"))
                    {
                        w.WriteLine($"var {key} = {JsonReader}.ReadPropertyName(ref reader, {args});");
                        w.WriteLine($"{JsonReader}.ReadValue(ref reader, {Literal(message)});");
                        w.WriteLine($"{element.TypeName} {item};");
                        ReadJsonValue(w, element, item, field + "{}", message, locals);
                        w.WriteLine($"{dictionary}[{key}] = {item};");
                    }

                    w.WriteLine($"{target} = {dictionary};");
                    break;
                }
            }

            w.CloseBlock();
        }

        // A [Flags] value no single name stands for, as System.Text.Json writes it: the names whose bits it holds,
        // matched against the bits not yet named, flags with more bits first (then smaller values first, all widened to
        // 64 bits with signed types sign-extended), joined by ", " in that order; a number when bits are left over.
        private static void WriteJsonFlags(SourceWriter w, TypeShape shape, string value, Locals locals)
        {
            var bits = locals.Next("bits");
            var names = locals.Next("names");
            using (w.Block("default:"))
            {
                w.WriteLine($"var {bits} = unchecked((ulong)({Keyword(shape.EnumUnderlying)}){value});");
                w.WriteLine($"string? {names} = null;");
                var flags = shape.EnumMembers.Zip(shape.FlagValues, (member, flag) => (Member: member, Flag: flag))
                    .Where(f => f.Flag != 0)
                    .OrderByDescending(f => PopCount(f.Flag))
                    .ThenBy(f => f.Flag);
                foreach (var (member, flag) in flags)
                {
                    var literal = flag.ToString(System.Globalization.CultureInfo.InvariantCulture) + "UL";
                    w.WriteLine($"if (({bits} & {literal}) == {literal}) {{ {bits} &= ~{literal}; {names} = {names} is null ? {Literal(member)} : {names} + {Literal(", " + member)}; }}");
                }

                w.WriteLine($"if ({bits} == 0 && {names} is not null) writer.WriteStringValue({names}); else writer.WriteNumberValue(({Keyword(shape.EnumUnderlying)}){value});");
                w.WriteLine("break;");
            }
        }

        private static int PopCount(ulong value)
        {
            var count = 0;
            for (; value != 0; value &= value - 1)
            {
                count++;
            }

            return count;
        }

        // The reverse: a comma-separated list of names (case-insensitive, spaces allowed, as System.Text.Json reads it).
        private static void ReadJsonFlags(SourceWriter w, TypeShape shape, string target, string text, string unknown, Locals locals)
        {
            var bits = locals.Next("bits");
            var part = locals.Next("part");
            var name = locals.Next("name");
            w.WriteLine($"ulong {bits} = 0;");
            using (w.Block($"foreach (var {part} in {text}.Split(','))"))
            {
                w.WriteLine($"var {name} = {part}.Trim();");
                for (var i = 0; i < shape.EnumMembers.Count; i++)
                {
                    var literal = shape.FlagValues[i].ToString(System.Globalization.CultureInfo.InvariantCulture) + "UL";
                    w.WriteLine($"{(i == 0 ? string.Empty : "else ")}if (string.Equals({name}, {Literal(shape.EnumMembers[i])}, global::System.StringComparison.OrdinalIgnoreCase)) {bits} |= {literal};");
                }

                w.WriteLine($"{(shape.EnumMembers.Count == 0 ? string.Empty : "else ")}{unknown}");
            }

            w.WriteLine($"{target} = unchecked(({shape.TypeName})({Keyword(shape.EnumUnderlying)}){bits});");
        }

        // The type to call static members on: the declared name without its nullable-reference '?'.
        private static string Static(TypeShape shape) => shape.TypeName.TrimEnd('?');

        private static string ArrayOf(string elementType, string count)
        {
            // "int[]" with count 3 is "new int[3]"; "int[][]" is "new int[3][]".
            var bracket = elementType.IndexOf('[');
            return bracket < 0 ? $"{elementType}[{count}]" : $"{elementType.Substring(0, bracket)}[{count}]{elementType.Substring(bracket)}";
        }

        private static string Keyword(ShapeKind kind) => kind switch
        {
            ShapeKind.Byte => "byte",
            ShapeKind.SByte => "sbyte",
            ShapeKind.Int16 => "short",
            ShapeKind.UInt16 => "ushort",
            ShapeKind.Int32 => "int",
            ShapeKind.UInt32 => "uint",
            ShapeKind.Int64 => "long",
            ShapeKind.UInt64 => "ulong",
            _ => "int",
        };

        /// <summary>Hands out unique local variable names within one generated method body.</summary>
        private sealed class Locals
        {
            private int _next;

            public string Next(string stem) => $"__{stem}{Int(_next++)}";
        }
    }
}

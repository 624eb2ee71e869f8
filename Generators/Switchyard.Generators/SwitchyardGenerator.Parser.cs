using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Switchyard.Generators.Helpers;
using Switchyard.Generators.Model;
using Switchyard.Internal;

namespace Switchyard.Generators;

public sealed partial class SwitchyardGenerator
{
    /// <summary>Turns attributed declarations into equatable specs and diagnostics. Runs once per declaration.</summary>
    internal static partial class Parser
    {
        public const string MessageAttribute = "Switchyard.MessageAttribute";
        private const string JsonWebSocketConsumerBase = "Switchyard.JsonWebSocketConsumer";
        private const string WebSocketConsumerBase = "Switchyard.WebSocketConsumer";
        private const string FromClientAttribute = "Switchyard.FromClientAttribute";
        private const string FromLayerAttribute = "Switchyard.FromLayerAttribute";
        public const string ConsumerAttribute = "Switchyard.ConsumerAttribute";
        public const string WebSocketConsumerAttribute = "Switchyard.WebSocketConsumerAttribute";
        public const string HttpConsumerAttribute = "Switchyard.HttpConsumerAttribute";
        public const string ChannelConsumerAttribute = "Switchyard.ChannelConsumerAttribute";
        private const string JoinGroupAttribute = "Switchyard.JoinGroupAttribute";
        private const string HandlerAttribute = "Switchyard.HandlerAttribute";
        private const string SyncHandlerAttribute = "Switchyard.SyncHandlerAttribute";
        private const string ConsumerBase = "Switchyard.Consumer";

        private static readonly SymbolDisplayFormat TypeNameFormat = SymbolDisplayFormat.FullyQualifiedFormat;

        public static ParseResult<MessageSpec> ParseMessage(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            var symbol = (INamedTypeSymbol)context.TargetSymbol;
            var declaration = (TypeDeclarationSyntax)context.TargetNode;
            var anchor = LocationInfo.From(declaration.Identifier.GetLocation());
            var diagnostics = new List<DiagnosticInfo>();
            var attribute = context.Attributes[0];
            var messageType = attribute.ConstructorArguments.Length == 1 ? attribute.ConstructorArguments[0].Value as string : null;
            if (messageType is not null && NameRules.CheckAtCompileTime(messageType, allowLocalPart: false) is { } problem)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidName, AttributeArgumentLocation(attribute, declaration), "Message type", messageType, problem));
            }

            var primaryConstructor = symbol.InstanceConstructors.FirstOrDefault(c =>
                c.DeclaringSyntaxReferences.Any(r => r.GetSyntax(cancellationToken) is RecordDeclarationSyntax { ParameterList: not null }));
            if (!symbol.IsRecord || symbol.ContainingType is not null || symbol.IsGenericType || !IsPartialEverywhere(symbol, cancellationToken) || primaryConstructor is null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MessageNotPartial, declaration.Identifier.GetLocation(), symbol.Name));
                return new ParseResult<MessageSpec>(null, diagnostics.ToEquatableArray(), anchor);
            }

            var members = new List<MemberSpec>();
            var fallback = false;
            foreach (var parameter in primaryConstructor.Parameters)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var shape = Shapes.Of(parameter.Type, parameter.NullableAnnotation, out var unsupported);
                if (shape is null)
                {
                    var location = parameter.Locations.FirstOrDefault();
                    diagnostics.Add(DiagnosticInfo.Create(
                        DiagnosticDescriptors.UnsupportedMemberType, location, parameter.Name, symbol.Name, parameter.Type.ToDisplayString(), unsupported!));
                    fallback = true;
                    continue;
                }

                var jsonName = JsonNames.CamelCase(parameter.Name);
                if (messageType is not null && jsonName == "type")
                {
                    diagnostics.Add(DiagnosticInfo.Create(
                        DiagnosticDescriptors.UnsupportedMemberType, parameter.Locations.FirstOrDefault(), parameter.Name, symbol.Name, parameter.Type.ToDisplayString(), "the JSON field 'type' holds the message type; rename the member"));
                    fallback = true;
                    continue;
                }

                var nullable = shape.Kind == ShapeKind.Nullable || shape.IsNullableReference;
                var defaultValue = parameter.HasExplicitDefaultValue ? DefaultValueExpression(parameter) : null;
                members.Add(new MemberSpec(parameter.Name, jsonName, shape, IsRequired: !nullable && !parameter.HasExplicitDefaultValue, defaultValue));
            }

            var spec = new MessageSpec(
                Namespace(symbol),
                symbol.Name,
                symbol.ToDisplayString(TypeNameFormat),
                Accessibility(symbol),
                messageType,
                fallback ? EquatableArray<MemberSpec>.Empty : members.ToEquatableArray(),
                fallback);
            return new ParseResult<MessageSpec>(spec, diagnostics.ToEquatableArray(), anchor);
        }

        public static ParseResult<ConsumerSpec> ParseConsumer(GeneratorAttributeSyntaxContext context, ConsumerKind kind, CancellationToken cancellationToken)
        {
            var symbol = (INamedTypeSymbol)context.TargetSymbol;
            var declaration = (TypeDeclarationSyntax)context.TargetNode;
            var anchor = LocationInfo.From(declaration.Identifier.GetLocation());
            var diagnostics = new List<DiagnosticInfo>();
            var attribute = context.Attributes[0];

            if (!DerivesFrom(symbol, ConsumerBase))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotAConsumer, declaration.Identifier.GetLocation(), symbol.Name, AttributeShortName(attribute)));
                return new ParseResult<ConsumerSpec>(null, diagnostics.ToEquatableArray(), anchor);
            }

            if (symbol.ContainingType is not null || symbol.IsGenericType || !IsPartialEverywhere(symbol, cancellationToken))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ConsumerNotPartial, declaration.Identifier.GetLocation(), symbol.Name));
                return new ParseResult<ConsumerSpec>(null, diagnostics.ToEquatableArray(), anchor);
            }

            var route = kind == ConsumerKind.Manual ? string.Empty : attribute.ConstructorArguments.FirstOrDefault().Value as string ?? string.Empty;
            var httpMethods = kind == ConsumerKind.Http && attribute.ConstructorArguments.Length > 1
                ? attribute.ConstructorArguments[1].Values.Select(v => (v.Value as string ?? string.Empty).ToUpperInvariant()).Distinct().OrderBy(m => m, System.StringComparer.Ordinal).ToArray()
                : [];
            string[] routeParameters = [];
            switch (kind)
            {
                case ConsumerKind.Channel:
                    if (NameRules.CheckAtCompileTime(route, allowLocalPart: false) is { } channelProblem)
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidName, AttributeArgumentLocation(attribute, declaration), "Channel name", route, channelProblem));
                    }

                    break;
                case ConsumerKind.WebSocket or ConsumerKind.Http:
                    routeParameters = RouteTemplates.ParameterNames(route);
                    break;
            }

            var groups = new List<GroupTemplateSpec>();
            foreach (var join in symbol.GetAttributes().Where(a => a.AttributeClass?.ToDisplayString() == JoinGroupAttribute))
            {
                var template = join.ConstructorArguments.FirstOrDefault().Value as string ?? string.Empty;
                var location = join.ApplicationSyntaxReference?.GetSyntax(cancellationToken).GetLocation();
                var parts = GroupTemplates.Split(template);
                var valid = true;
                foreach (var part in parts.Where(p => p.StartsWith("{", System.StringComparison.Ordinal)))
                {
                    var name = part.Substring(1, part.Length - 2);
                    if (!routeParameters.Contains(name))
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnknownRouteParameter, location, template, name, route, symbol.Name));
                        valid = false;
                    }
                }

                // The literal text must be valid on its own; route values are checked when a consumer starts.
                var literal = string.Concat(parts.Select(p => p.StartsWith("{", System.StringComparison.Ordinal) ? "x" : p));
                if (NameRules.CheckAtCompileTime(literal, allowLocalPart: false) is { } groupProblem)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidName, location, "Group name", template, groupProblem));
                    valid = false;
                }

                if (valid)
                {
                    groups.Add(new GroupTemplateSpec(template, parts.ToEquatableArray()));
                }
            }

            var isWebSocket = DerivesFrom(symbol, WebSocketConsumerBase);
            var isJson = DerivesFrom(symbol, JsonWebSocketConsumerBase);

            // A message type may have one handler for client frames ([FromClient]) and one for the channel layer.
            var handlers = new Dictionary<string, (HandlerSpec Spec, IMethodSymbol Method)>(System.StringComparer.Ordinal);
            foreach (var method in symbol.GetMembers().OfType<IMethodSymbol>())
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (method.MethodKind != MethodKind.Ordinary || !IsHandlerCandidate(method))
                {
                    continue;
                }

                var handler = ParseHandler(method, out var problem);
                var location = method.Locations.FirstOrDefault();
                if (handler is null && problem is null)
                {
                    continue;
                }

                if (handler is null)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidHandlerSignature, location, symbol.Name, method.Name, problem!));
                    continue;
                }

                var fromClient = HasAttribute(method, FromClientAttribute);
                var fromLayer = HasAttribute(method, FromLayerAttribute);
                var misplaced = (fromClient, fromLayer) switch
                {
                    (true, true) => "it is marked both [FromClient] and [FromLayer]; a handler takes one of the two",
                    (true, _) when !isJson => $"only JsonWebSocketConsumer handlers take client frames; {symbol.Name} gets its clients' frames in {(isWebSocket ? "OnReceiveAsync" : "no handler")}",
                    (_, true) when !isJson => $"[FromLayer] only applies to JsonWebSocketConsumer handlers; every handler of {symbol.Name} takes messages from the channel layer",
                    (true, _) when !handler.HasJson => $"its message '{handler.MessageType}' has no JSON form",
                    (false, _) when handler.ReplyTypeName.Length > 0 => isJson
                        ? "it returns a reply, which only a [FromClient] handler gives (a client's request is answered with it); mark it [FromClient], or return ValueTask"
                        : $"it returns a reply, which only a JsonWebSocketConsumer's [FromClient] handler gives; {symbol.Name}'s handlers return ValueTask or Task",
                    _ => null,
                };
                if (misplaced is not null)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MisplacedSourceAttribute, location, symbol.Name, Describe(method), misplaced));
                    continue;
                }

                var key = (fromClient ? "client:" : "layer:") + handler.MessageType;
                if (handlers.TryGetValue(key, out var existing))
                {
                    diagnostics.Add(DiagnosticInfo.Create(
                        DiagnosticDescriptors.DuplicateHandler, location, symbol.Name, handler.MessageType, Describe(existing.Method), Describe(method)));
                    continue;
                }

                if (fromClient)
                {
                    handler = handler with { FromClient = true };
                }
                else if (isWebSocket)
                {
                    var (forward, member, why) = Forwarding(symbol, method, isJson, handler.HasJson, cancellationToken);
                    handler = handler with { Forward = forward, ForwardMember = member };
                    diagnostics.Add(forward == ForwardKind.None
                        ? DiagnosticInfo.Create(DiagnosticDescriptors.ForwardingPath, location, symbol.Name, Describe(method), $"does not take the forwarding path: {why}; every '{handler.MessageType}' wakes the consumer")
                        : DiagnosticInfo.Create(DiagnosticDescriptors.ForwardingPath, location, symbol.Name, Describe(method), $"takes the forwarding path: every '{handler.MessageType}' from the channel layer goes to the client as {why} without waking the consumer"));
                    if (isJson && !fromLayer && forward == ForwardKind.None)
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.HandlerSourceNotDeclared, location, symbol.Name, Describe(method), handler.MessageType));
                    }
                }

                handlers.Add(key, (handler, method));
            }

            var constructorParameters = EquatableArray<string>.Empty;
            var hasFactory = false;
            if (!symbol.IsAbstract)
            {
                var constructors = symbol.InstanceConstructors.Where(c => c.DeclaredAccessibility == Microsoft.CodeAnalysis.Accessibility.Public).ToArray();
                if (constructors.Length != 1)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ConsumerConstructor, declaration.Identifier.GetLocation(), symbol.Name, constructors.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                }
                else
                {
                    constructorParameters = constructors[0].Parameters.Select(p => p.Type.ToDisplayString(TypeNameFormat)).ToEquatableArray();
                    hasFactory = true;
                }
            }

            var spec = new ConsumerSpec(
                Namespace(symbol),
                symbol.Name,
                symbol.ToDisplayString(TypeNameFormat),
                kind,
                route,
                httpMethods.ToEquatableArray(),
                routeParameters.ToEquatableArray(),
                groups.ToEquatableArray(),
                handlers.Values.Select(h => h.Spec).OrderBy(h => h.MessageType, System.StringComparer.Ordinal).ThenBy(h => h.FromClient).ToEquatableArray(),
                constructorParameters,
                hasFactory,
                isJson && kind == ConsumerKind.WebSocket ? ClientContract(symbol, handlers.Values, context.SemanticModel, cancellationToken) : null);
            return new ParseResult<ConsumerSpec>(spec, diagnostics.ToEquatableArray(), anchor);
        }

        private static string DefaultValueExpression(IParameterSymbol parameter)
        {
            var value = parameter.ExplicitDefaultValue;
            var type = parameter.Type.ToDisplayString(TypeNameFormat);
            return value switch
            {
                null => $"default({type})",
                string text => SymbolDisplay.FormatLiteral(text, quote: true),
                char c => SymbolDisplay.FormatLiteral(c, quote: true),
                bool b => b ? "true" : "false",
                _ when parameter.Type.TypeKind == TypeKind.Enum || parameter.Type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } =>
                    $"({type})({System.Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)})",
                float f => f.ToString("R", System.Globalization.CultureInfo.InvariantCulture) + "F",
                double d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture) + "D",
                decimal m => m.ToString(System.Globalization.CultureInfo.InvariantCulture) + "M",
                _ => $"({type})({System.Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)})",
            };
        }

        private static bool IsHandlerCandidate(IMethodSymbol method) =>
            method.Name is "Handle" or "HandleAsync" ||
            method.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() is HandlerAttribute or SyncHandlerAttribute or FromClientAttribute or FromLayerAttribute);

        private static bool HasAttribute(IMethodSymbol method, string attribute) =>
            method.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == attribute);

        // A handler that only forwards its message to the client, decided from syntax (with the member types from the
        // message's symbol): 'ValueTask Handle(T m[, CancellationToken ct]) => SendAsync(m[, ct]);' in a JSON consumer,
        // '=> SendTextAsync(m.Text[, ct])' or '=> SendBytesAsync(m.Data[, ct])' in any WebSocket consumer, or the same
        // as a block with one return. Returns the kind, the forwarded member, and the frame it makes or why it is none.
        private static (ForwardKind Kind, string Member, string Why) Forwarding(INamedTypeSymbol consumer, IMethodSymbol method, bool isJson, bool hasJson, CancellationToken cancellationToken)
        {
            const string DoesMore = "its body does more than send the message or one of its fields to the client (write it as '=> SendAsync(message, ct)', '=> SendTextAsync(message.Field, ct)' or '=> SendBytesAsync(message.Field, ct)')";
            if (method.DeclaringSyntaxReferences.Length != 1 ||
                method.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken) is not MethodDeclarationSyntax declaration)
            {
                return (ForwardKind.None, string.Empty, DoesMore);
            }

            if (declaration.Modifiers.Any(SyntaxKind.AsyncKeyword))
            {
                return (ForwardKind.None, string.Empty, "it is 'async' (a forwarder returns the send: '=> SendAsync(message, ct)')");
            }

            var expression = declaration.ExpressionBody?.Expression
                ?? (declaration.Body is { Statements.Count: 1 } body && body.Statements[0] is ReturnStatementSyntax { Expression: { } returned } ? returned : null);
            if (expression is not InvocationExpressionSyntax invocation)
            {
                return (ForwardKind.None, string.Empty, DoesMore);
            }

            var name = invocation.Expression switch
            {
                IdentifierNameSyntax identifier => identifier.Identifier.ValueText,
                GenericNameSyntax generic => generic.Identifier.ValueText,
                MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax } access => access.Name.Identifier.ValueText,
                _ => null,
            };
            var arguments = invocation.ArgumentList.Arguments;
            var tokenPassedOn = arguments.Count == 1 ||
                (arguments.Count == 2 && method.Parameters.Length == 2 && arguments[1].Expression is IdentifierNameSyntax second && second.Identifier.ValueText == method.Parameters[1].Name);
            if (name is not ("SendAsync" or "SendTextAsync" or "SendBytesAsync") || !tokenPassedOn)
            {
                return (ForwardKind.None, string.Empty, DoesMore);
            }

            if (DeclaredOutsideSwitchyard(consumer, name))
            {
                return (ForwardKind.None, string.Empty, $"{name} is declared by the consumer, not Switchyard's");
            }

            var messageName = method.Parameters[0].Name;
            if (name == "SendAsync")
            {
                return isJson && hasJson && arguments[0].Expression is IdentifierNameSyntax whole && whole.Identifier.ValueText == messageName
                    ? (ForwardKind.Json, string.Empty, "its JSON")
                    : (ForwardKind.None, string.Empty, DoesMore);
            }

            if (arguments[0].Expression is not MemberAccessExpressionSyntax { Expression: IdentifierNameSyntax target } field || target.Identifier.ValueText != messageName)
            {
                return (ForwardKind.None, string.Empty, DoesMore);
            }

            var memberName = field.Name.Identifier.ValueText;
            var memberType = method.Parameters[0].Type.GetMembers(memberName).FirstOrDefault() switch
            {
                IPropertySymbol property => property.Type,
                IFieldSymbol member => member.Type,
                _ => null,
            };
            var bytes = memberType is IArrayTypeSymbol { ElementType.SpecialType: SpecialType.System_Byte };
            return (name, memberType?.SpecialType, bytes) switch
            {
                ("SendTextAsync", SpecialType.System_String, _) => (ForwardKind.TextString, memberName, $"a text frame of its '{memberName}'"),
                ("SendTextAsync", _, true) => (ForwardKind.TextBytes, memberName, $"a text frame of its '{memberName}' bytes"),
                ("SendBytesAsync", _, true) => (ForwardKind.Binary, memberName, $"a binary frame of its '{memberName}'"),
                _ => (ForwardKind.None, string.Empty, DoesMore),
            };
        }

        // Whether the consumer or one of its own base classes (not Switchyard's) declares a member by this name.
        private static bool DeclaredOutsideSwitchyard(INamedTypeSymbol consumer, string name)
        {
            for (var type = consumer; type is not null; type = type.BaseType)
            {
                if (type.ContainingNamespace?.ToDisplayString() == "Switchyard")
                {
                    return false;
                }

                if (!type.GetMembers(name).IsEmpty)
                {
                    return true;
                }
            }

            return false;
        }

        private static HandlerSpec? ParseHandler(IMethodSymbol method, out string? problem)
        {
            problem = null;
            if (method.IsStatic)
            {
                problem = "it is static";
                return null;
            }

            if (method.IsGenericMethod)
            {
                problem = "it is generic";
                return null;
            }

            var synchronous = method.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == SyncHandlerAttribute);
            HandlerReturn returns;
            string replyTypeName = string.Empty, replyMessageType = string.Empty;
            switch (method.ReturnType.ToDisplayString())
            {
                case var _ when !synchronous && method.ReturnType is INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } generic &&
                    generic.OriginalDefinition.ToDisplayString() is "System.Threading.Tasks.ValueTask<TResult>" or "System.Threading.Tasks.Task<TResult>":
                    var reply = generic.TypeArguments[0];
                    if (MessageTypeOf(reply) is not { } replyType || !IsGeneratableMessage(reply))
                    {
                        problem = $"it returns '{method.ReturnType.ToDisplayString()}': a handler's reply must be a [Message(\"type\")] record";
                        return null;
                    }

                    returns = generic.OriginalDefinition.Name == "ValueTask" ? HandlerReturn.ValueTaskOfReply : HandlerReturn.TaskOfReply;
                    replyTypeName = reply.ToDisplayString(TypeNameFormat);
                    replyMessageType = replyType;
                    break;
                case "void" when synchronous:
                    returns = HandlerReturn.Void;
                    break;
                case "void":
                    problem = "it returns 'void' instead of ValueTask or Task (mark a synchronous handler [SyncHandler] to run it off the event path)";
                    return null;
                case var _ when synchronous:
                    problem = $"it is marked [SyncHandler] but returns '{method.ReturnType.ToDisplayString()}' instead of void";
                    return null;
                case "System.Threading.Tasks.Task":
                    returns = HandlerReturn.Task;
                    break;
                case "System.Threading.Tasks.ValueTask":
                    returns = HandlerReturn.ValueTask;
                    break;
                default:
                    problem = $"it returns '{method.ReturnType.ToDisplayString()}' instead of ValueTask or Task (or ValueTask<TReply> for a [FromClient] handler that answers requests)";
                    return null;
            }

            if (method.Parameters.Length is 0 or > 2)
            {
                problem = $"it takes {method.Parameters.Length} parameters instead of a message and an optional CancellationToken";
                return null;
            }

            var messageParameter = method.Parameters[0];
            var messageType = MessageTypeOf(messageParameter.Type);
            if (messageType is not null && !IsGeneratableMessage(messageParameter.Type))
            {
                // The message itself is reported (SWY0008); a handler for it would only add a second error.
                problem = null;
                return null;
            }

            if (messageType is null)
            {
                problem = $"its first parameter's type '{messageParameter.Type.ToDisplayString()}' is not a [Message(\"type\")] record";
                return null;
            }

            if (messageParameter.RefKind != RefKind.None)
            {
                problem = "its message parameter is passed by reference";
                return null;
            }

            var takesToken = method.Parameters.Length == 2;
            if (takesToken && method.Parameters[1].Type.ToDisplayString() != "System.Threading.CancellationToken")
            {
                problem = $"its second parameter is '{method.Parameters[1].Type.ToDisplayString()}' instead of CancellationToken";
                return null;
            }

            var hasJson = messageParameter.Type.DeclaringSyntaxReferences.Length > 0 ||
                messageParameter.Type.AllInterfaces.Any(i => i.OriginalDefinition.ToDisplayString() == "Switchyard.Serialization.IJsonMessage<TSelf>");
            return new HandlerSpec(method.Name, messageType, messageParameter.Type.ToDisplayString(TypeNameFormat), takesToken, returns, hasJson,
                ReplyTypeName: replyTypeName, ReplyMessageType: replyMessageType);
        }

        // A message from a referenced assembly was generated there; one from this compilation must be a top-level
        // partial positional record, or the generator reports SWY0008 for it and writes nothing.
        private static bool IsGeneratableMessage(ITypeSymbol type) =>
            type is INamedTypeSymbol { DeclaringSyntaxReferences.Length: 0 } ||
            (type is INamedTypeSymbol { IsRecord: true, ContainingType: null, IsGenericType: false } named &&
             named.DeclaringSyntaxReferences.All(r => r.GetSyntax() is RecordDeclarationSyntax record && record.Modifiers.Any(SyntaxKind.PartialKeyword)) &&
             named.DeclaringSyntaxReferences.Any(r => r.GetSyntax() is RecordDeclarationSyntax { ParameterList: not null }));

        private static string? MessageTypeOf(ITypeSymbol type)
        {
            foreach (var attribute in type.GetAttributes())
            {
                if (attribute.AttributeClass?.ToDisplayString() == MessageAttribute && attribute.ConstructorArguments.Length == 1)
                {
                    return attribute.ConstructorArguments[0].Value as string;
                }
            }

            return null;
        }

        private static string Describe(IMethodSymbol method) =>
            $"{method.Name}({string.Join(", ", method.Parameters.Select(p => p.Type.Name))})";

        private static bool DerivesFrom(INamedTypeSymbol symbol, string baseName)
        {
            for (var type = symbol.BaseType; type is not null; type = type.BaseType)
            {
                if (type.ToDisplayString() == baseName)
                {
                    return true;
                }
            }

            return false;
        }

        private static bool IsPartialEverywhere(INamedTypeSymbol symbol, CancellationToken cancellationToken) =>
            symbol.DeclaringSyntaxReferences.All(r =>
                r.GetSyntax(cancellationToken) is TypeDeclarationSyntax t && t.Modifiers.Any(SyntaxKind.PartialKeyword));

        private static string Namespace(INamedTypeSymbol symbol) =>
            symbol.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() : string.Empty;

        private static string Accessibility(INamedTypeSymbol symbol) =>
            symbol.DeclaredAccessibility == Microsoft.CodeAnalysis.Accessibility.Public ? "public" : "internal";

        private static string AttributeShortName(AttributeData attribute)
        {
            var name = attribute.AttributeClass?.Name ?? "attribute";
            return name.EndsWith("Attribute", System.StringComparison.Ordinal) ? name.Substring(0, name.Length - "Attribute".Length) : name;
        }

        private static Location? AttributeArgumentLocation(AttributeData attribute, SyntaxNode fallback) =>
            attribute.ApplicationSyntaxReference?.GetSyntax() is AttributeSyntax { ArgumentList.Arguments.Count: > 0 } syntax
                ? syntax.ArgumentList.Arguments[0].GetLocation()
                : fallback.GetLocation();
    }

    /// <summary>The shapes of serializable member types, and why a type is not one.</summary>
    internal static class Shapes
    {
        // Fully qualified, with '?' on nullable reference types at every level ("global::System.Collections.Generic.List<string?>?").
        private static readonly SymbolDisplayFormat DeclarationFormat =
            SymbolDisplayFormat.FullyQualifiedFormat.AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

        private const string Supported =
            "use a primitive, string, Guid, DateTime, DateTimeOffset, TimeSpan, an enum, a nullable of these, byte[], T[], List<T>, IReadOnlyList<T>, Dictionary<string, T> or another [Message] record";

        public static TypeShape? Of(ITypeSymbol type, NullableAnnotation annotation, out string? unsupported)
        {
            unsupported = null;
            var nullableReference = annotation == NullableAnnotation.Annotated && type.IsReferenceType;
            var name = type.WithNullableAnnotation(nullableReference ? NullableAnnotation.Annotated : NullableAnnotation.NotAnnotated).ToDisplayString(DeclarationFormat);
            if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
            {
                var inner = Of(nullable.TypeArguments[0], NullableAnnotation.NotAnnotated, out unsupported);
                return inner is null ? null : new TypeShape(ShapeKind.Nullable, name, inner, default, EquatableArray<string>.Empty, false);
            }

            var simple = type.SpecialType switch
            {
                SpecialType.System_Boolean => ShapeKind.Boolean,
                SpecialType.System_Byte => ShapeKind.Byte,
                SpecialType.System_SByte => ShapeKind.SByte,
                SpecialType.System_Int16 => ShapeKind.Int16,
                SpecialType.System_UInt16 => ShapeKind.UInt16,
                SpecialType.System_Int32 => ShapeKind.Int32,
                SpecialType.System_UInt32 => ShapeKind.UInt32,
                SpecialType.System_Int64 => ShapeKind.Int64,
                SpecialType.System_UInt64 => ShapeKind.UInt64,
                SpecialType.System_Single => ShapeKind.Single,
                SpecialType.System_Double => ShapeKind.Double,
                SpecialType.System_Decimal => ShapeKind.Decimal,
                SpecialType.System_Char => ShapeKind.Char,
                SpecialType.System_String => ShapeKind.String,
                SpecialType.System_DateTime => ShapeKind.DateTime,
                _ => (ShapeKind?)null,
            };
            if (simple is { } kind)
            {
                return TypeShape.Simple(kind, name, nullableReference);
            }

            switch (type.ToDisplayString())
            {
                case "System.Guid":
                    return TypeShape.Simple(ShapeKind.Guid, name);
                case "System.DateTimeOffset":
                    return TypeShape.Simple(ShapeKind.DateTimeOffset, name);
                case "System.TimeSpan":
                    return TypeShape.Simple(ShapeKind.TimeSpan, name);
            }

            if (type is INamedTypeSymbol { TypeKind: TypeKind.Enum, EnumUnderlyingType: { } underlying } enumType)
            {
                // One name per value (the first declared), so the generated switch has no duplicate case labels.
                var fields = enumType.GetMembers().OfType<IFieldSymbol>().Where(f => f.IsConst)
                    .GroupBy(f => System.Convert.ToString(f.ConstantValue, System.Globalization.CultureInfo.InvariantCulture))
                    .Select(g => g.First())
                    .ToList();
                var members = fields.Select(f => f.Name).ToEquatableArray();
                var underlyingKind = Of(underlying, NullableAnnotation.NotAnnotated, out _)!.Kind;
                var flags = enumType.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == "System.FlagsAttribute")
                    ? fields.Select(f => FlagBits(f.ConstantValue)).ToEquatableArray()
                    : EquatableArray<ulong>.Empty;
                return new TypeShape(ShapeKind.Enum, name, null, underlyingKind, members, false, flags);
            }

            if (type is IArrayTypeSymbol array)
            {
                if (array.Rank != 1)
                {
                    unsupported = "multi-dimensional arrays are not supported; " + Supported;
                    return null;
                }

                if (array.ElementType.SpecialType == SpecialType.System_Byte)
                {
                    return TypeShape.Simple(ShapeKind.Bytes, name, nullableReference);
                }

                return Container(ShapeKind.Array, name, array.ElementType, array.ElementNullableAnnotation, nullableReference, out unsupported);
            }

            if (type is INamedTypeSymbol { IsGenericType: true } generic)
            {
                switch (generic.OriginalDefinition.ToDisplayString())
                {
                    case "System.Collections.Generic.List<T>":
                        return Container(ShapeKind.List, name, generic.TypeArguments[0], generic.TypeArgumentNullableAnnotations[0], nullableReference, out unsupported);
                    case "System.Collections.Generic.IReadOnlyList<T>":
                        return Container(ShapeKind.ReadOnlyList, name, generic.TypeArguments[0], generic.TypeArgumentNullableAnnotations[0], nullableReference, out unsupported);
                    case "System.Collections.Generic.Dictionary<TKey, TValue>":
                        if (generic.TypeArguments[0].SpecialType != SpecialType.System_String)
                        {
                            unsupported = "dictionary keys must be strings; " + Supported;
                            return null;
                        }

                        return Container(ShapeKind.Dictionary, name, generic.TypeArguments[1], generic.TypeArgumentNullableAnnotations[1], nullableReference, out unsupported);
                }
            }

            if (type is INamedTypeSymbol named && named.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == Parser.MessageAttribute))
            {
                return TypeShape.Simple(ShapeKind.Message, name, nullableReference);
            }

            unsupported = Supported;
            return null;
        }

        // An enum constant's bits widened to 64 as System.Text.Json keys flags: signed types sign-extended (-1 is all ones).
        private static ulong FlagBits(object? value) => value switch
        {
            sbyte v => unchecked((ulong)v),
            short v => unchecked((ulong)v),
            int v => unchecked((ulong)v),
            long v => unchecked((ulong)v),
            byte v => v,
            ushort v => v,
            uint v => v,
            ulong v => v,
            _ => 0,
        };

        private static TypeShape? Container(ShapeKind kind, string name, ITypeSymbol element, NullableAnnotation elementAnnotation, bool nullableReference, out string? unsupported)
        {
            var elementShape = Of(element, elementAnnotation, out unsupported);
            return elementShape is null ? null : new TypeShape(kind, name, elementShape, default, EquatableArray<string>.Empty, nullableReference);
        }
    }

    /// <summary>System.Text.Json's camelCase policy (JsonCamelCaseNamingPolicy), so generated JSON matches it field for field.</summary>
    internal static class JsonNames
    {
        public static string CamelCase(string name)
        {
            if (string.IsNullOrEmpty(name) || !char.IsUpper(name[0]))
            {
                return name;
            }

            var chars = name.ToCharArray();
            for (var i = 0; i < chars.Length; i++)
            {
                if (i == 1 && !char.IsUpper(chars[i]))
                {
                    break;
                }

                var hasNext = i + 1 < chars.Length;
                if (i > 0 && hasNext && !char.IsUpper(chars[i + 1]))
                {
                    if (chars[i + 1] == ' ')
                    {
                        chars[i] = char.ToLowerInvariant(chars[i]);
                    }

                    break;
                }

                chars[i] = char.ToLowerInvariant(chars[i]);
            }

            return new string(chars);
        }
    }

    /// <summary>Reads parameter names out of ASP.NET Core route templates such as <c>/ws/{room}/{id:int}/{*rest}</c>.</summary>
    internal static class RouteTemplates
    {
        public static string[] ParameterNames(string template)
        {
            var names = new List<string>();
            var i = 0;
            while ((i = template.IndexOf('{', i)) >= 0)
            {
                if (i + 1 < template.Length && template[i + 1] == '{')
                {
                    i += 2;
                    continue;
                }

                var end = template.IndexOf('}', i);
                if (end < 0)
                {
                    break;
                }

                var body = template.Substring(i + 1, end - i - 1).TrimStart('*');
                var stop = body.IndexOfAny([':', '=', '?']);
                names.Add(stop < 0 ? body : body.Substring(0, stop));
                i = end + 1;
            }

            return [.. names];
        }
    }

    /// <summary>Splits group templates such as <c>chat.{room}</c> into literal and placeholder parts.</summary>
    internal static class GroupTemplates
    {
        public static string[] Split(string template)
        {
            var parts = new List<string>();
            var literal = new StringBuilder();
            var i = 0;
            while (i < template.Length)
            {
                var open = template.IndexOf('{', i);
                var close = open < 0 ? -1 : template.IndexOf('}', open);
                if (open < 0 || close < 0)
                {
                    literal.Append(template, i, template.Length - i);
                    break;
                }

                literal.Append(template, i, open - i);
                if (literal.Length > 0)
                {
                    parts.Add(literal.ToString());
                    literal.Clear();
                }

                parts.Add(template.Substring(open, close - open + 1));
                i = close + 1;
            }

            if (literal.Length > 0)
            {
                parts.Add(literal.ToString());
            }

            return [.. parts];
        }
    }
}

using Microsoft.CodeAnalysis;

namespace Switchyard.Generators;

/// <summary>
/// The generator's diagnostics. IDs are assigned by hand and never renumbered; each has a page at
/// <c>docs/diagnostics/SWYxxxx.md</c> and an entry in AnalyzerReleases.Unshipped.md.
/// </summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "Switchyard";
    private const string HelpRoot = "https://github.com/switchyard-dotnet/switchyard/blob/main/docs/diagnostics/";

    public static readonly DiagnosticDescriptor DuplicateRoute = Error(
        "SWY0001", "Duplicate route", "Route '{0}' is declared by both {1} and {2}");

    public static readonly DiagnosticDescriptor UnknownRouteParameter = Error(
        "SWY0002", "Group rule uses a parameter the route does not have", "Group rule '{0}' uses '{{{1}}}', but route '{2}' of {3} has no parameter '{1}'");

    public static readonly DiagnosticDescriptor DuplicateHandler = Error(
        "SWY0003", "Two handlers for one message type", "{0} has two handlers for message type '{1}' from the same source: {2} and {3} (a JSON WebSocket consumer may have one [FromClient] handler and one channel-layer handler per type)");

    public static readonly DiagnosticDescriptor InvalidHandlerSignature = Error(
        "SWY0004", "Handler has an invalid signature", "Handler {0}.{1} is invalid: {2}. A handler is 'ValueTask Handle(TMessage message, CancellationToken cancellationToken)' (Task is allowed, the token is optional) where TMessage is a [Message(\"type\")] record");

    public static readonly DiagnosticDescriptor ConsumerNotPartial = Error(
        "SWY0005", "Consumer must be partial", "Consumer {0} must be a top-level, non-generic 'partial' class so the generator can add its dispatch switch");

    public static readonly DiagnosticDescriptor UnsupportedMemberType = Error(
        "SWY0006", "Message member has an unsupported type", "Member '{0}' of message {1} has type '{2}', which Switchyard cannot serialize: {3}");

    public static readonly DiagnosticDescriptor InvalidName = Error(
        "SWY0007", "Invalid channel, group or message type name", "{0} '{1}' is invalid: {2}");

    public static readonly DiagnosticDescriptor MessageNotPartial = Error(
        "SWY0008", "Message must be a partial record", "Message {0} must be a top-level 'partial record' with a primary constructor so the generator can add its serializers");

    public static readonly DiagnosticDescriptor ConsumerConstructor = Error(
        "SWY0009", "Consumer needs exactly one public constructor", "Consumer {0} has {1} public constructors; the generated factory needs exactly one to inject services into");

    public static readonly DiagnosticDescriptor NotAConsumer = Error(
        "SWY0010", "Consumer attribute on a class that is not a consumer", "{0} has [{1}] but does not derive from Switchyard.Consumer");

    public static readonly DiagnosticDescriptor DuplicateMessageType = Error(
        "SWY0011", "Two messages share a type", "Message type '{0}' is declared by both {1} and {2}");

    public static readonly DiagnosticDescriptor HandlerSourceNotDeclared = new(
        "SWY0012", "JSON WebSocket handler does not say where its messages come from",
        "{0}.{1} does not say where '{2}' comes from: a client's JSON frame reaches only [FromClient] handlers, so this handler takes '{2}' from the channel layer only; mark it [FromClient] if clients send this type, or [FromLayer] to say it is for layer messages",
        Category, DiagnosticSeverity.Warning, isEnabledByDefault: true, helpLinkUri: HelpRoot + "SWY0012.md");

    public static readonly DiagnosticDescriptor MisplacedSourceAttribute = Error(
        "SWY0013", "[FromClient] or [FromLayer] where it does not apply", "{0}.{1} cannot be a handler as marked: {2}");

    public static readonly DiagnosticDescriptor ForwardingPath = new(
        "SWY0014", "Whether a handler takes the forwarding path", "{0}.{1} {2}",
        Category, DiagnosticSeverity.Info, isEnabledByDefault: true, helpLinkUri: HelpRoot + "SWY0014.md");

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpRoot + id + ".md");
}

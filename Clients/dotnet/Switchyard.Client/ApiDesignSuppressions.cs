using System.Diagnostics.CodeAnalysis;

// The public API analyzer's RS0026 ("do not add multiple overloads with optional parameters"), reviewed: the two
// RequestAsync overloads differ in their generic arity (a question answered by a typed reply, or acknowledged only), so a
// call binds to exactly one; the optional tail (timeout, CancellationToken) is the .NET convention for async calls.
// A new overload elsewhere still fails the build until it is reviewed.

[assembly: SuppressMessage("ApiDesign", "RS0026", Justification = "Reviewed: the overloads differ in their generic arity.", Scope = "member", Target = "~M:Switchyard.Client.SwitchyardClient.RequestAsync``1(``0,System.Nullable{System.TimeSpan},System.Threading.CancellationToken)")]
[assembly: SuppressMessage("ApiDesign", "RS0026", Justification = "Reviewed: the overloads differ in their generic arity.", Scope = "member", Target = "~M:Switchyard.Client.SwitchyardClient.RequestAsync``2(``0,System.Nullable{System.TimeSpan},System.Threading.CancellationToken)")]

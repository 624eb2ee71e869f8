namespace Switchyard.Client.Internal;

/// <summary>A received message waiting for its <c>On</c> handlers: a copy of its bytes in a rented array.</summary>
internal readonly record struct IncomingMessage(Subscription[] Subscriptions, byte[] Rented, int Length);

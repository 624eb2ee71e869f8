namespace Switchyard.Generators.Benchmarks;

// Eight message types for DispatchBenchmarks, in the ordinal order of their type strings (the order of the generated
// switch's case labels). Each carries two numbers, so decoding one is cheap next to dispatching it.

/// <summary>First case of the switch.</summary>
/// <param name="Sequence">A number the handler adds up.</param>
/// <param name="Ticks">A timestamp.</param>
[Message("chat.join")]
public sealed partial record ChatJoin(int Sequence, long Ticks);

/// <summary>Second case.</summary>
/// <param name="Sequence">A number the handler adds up.</param>
/// <param name="Ticks">A timestamp.</param>
[Message("chat.leave")]
public sealed partial record ChatLeave(int Sequence, long Ticks);

/// <summary>Third case.</summary>
/// <param name="Sequence">A number the handler adds up.</param>
/// <param name="Ticks">A timestamp.</param>
[Message("chat.line")]
public sealed partial record ChatLine(int Sequence, long Ticks);

/// <summary>Fourth case.</summary>
/// <param name="Sequence">A number the handler adds up.</param>
/// <param name="Ticks">A timestamp.</param>
[Message("chat.typing")]
public sealed partial record ChatTyping(int Sequence, long Ticks);

/// <summary>Fifth case.</summary>
/// <param name="Sequence">A number the handler adds up.</param>
/// <param name="Ticks">A timestamp.</param>
[Message("presence.away")]
public sealed partial record PresenceAway(int Sequence, long Ticks);

/// <summary>Sixth case.</summary>
/// <param name="Sequence">A number the handler adds up.</param>
/// <param name="Ticks">A timestamp.</param>
[Message("presence.online")]
public sealed partial record PresenceOnline(int Sequence, long Ticks);

/// <summary>Seventh case.</summary>
/// <param name="Sequence">A number the handler adds up.</param>
/// <param name="Ticks">A timestamp.</param>
[Message("room.closed")]
public sealed partial record RoomClosed(int Sequence, long Ticks);

/// <summary>Eighth and last case.</summary>
/// <param name="Sequence">A number the handler adds up.</param>
/// <param name="Ticks">A timestamp.</param>
[Message("room.topic")]
public sealed partial record RoomTopic(int Sequence, long Ticks);

namespace Switchyard.Generators.Tests.Integration;

public enum Mood
{
    Calm,
    Excited,
    Grumpy = 7,
}

[Message("test.chat")]
public sealed partial record ChatLine(string Room, string User, string Text, DateTimeOffset At);

[Message]
public sealed partial record Author(string Name, string? Homepage);

[Message("test.everything")]
public sealed partial record Everything(
    bool Flag,
    byte Byte,
    sbyte SByte,
    short Short,
    ushort UShort,
    int Int,
    uint UInt,
    long Long,
    ulong ULong,
    float Single,
    double Double,
    decimal Decimal,
    char Char,
    string Text,
    string? OptionalText,
    Guid Id,
    DateTime When,
    DateTimeOffset WhenOffset,
    TimeSpan Duration,
    Mood Mood,
    Mood? MaybeMood,
    int? MaybeInt,
    byte[] Blob,
    int[] Numbers,
    List<string> Tags,
    IReadOnlyList<Author> Authors,
    Dictionary<string, int> Counts,
    Author Lead,
    Author? CoAuthor,
    int Priority = 5);

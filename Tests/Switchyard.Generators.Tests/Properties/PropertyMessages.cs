namespace Switchyard.Generators.Tests.Properties;

// Messages compiled with the generator (it is this project's analyzer) and exercised by JsonOracleProperties against
// System.Text.Json. Together with Integration.Everything they cover every member shape the generator supports.

public enum Colour : byte
{
    Red,
    Green,
    Blue = 200,
}

public enum Signed : sbyte
{
    Low = sbyte.MinValue,
    Zero = 0,
    High = sbyte.MaxValue,
}

public enum Wide : long
{
    Min = long.MinValue,
    One = 1,
    Max = long.MaxValue,
}

public enum Huge : ulong
{
    Zero = 0,
    Top = ulong.MaxValue,
}

public enum Small : ushort
{
    None,
    Most = 65000,
}

[Flags]
public enum Access
{
    None = 0,
    Read = 1,
    Write = 2,
    ReadWrite = Read | Write,
    Execute = 4,
    Admin = 64,
}

// Flags over the widest type, with the top bit that is the sign in a signed view.
[Flags]
public enum Bits : ulong
{
    None = 0,
    Low = 1,
    Middle = 0x1_0000_0000,
    High = 0x8000_0000_0000_0000,
}

// Flags over a signed byte with a negative flag, and no name for zero.
[Flags]
#pragma warning disable CA1008 // No zero name: System.Text.Json and the generator both write 0 as a number.
public enum Tiny : sbyte
#pragma warning restore CA1008
{
    A = 1,
    B = 2,
    AB = A | B,
    Sign = sbyte.MinValue,
}

// Composite flags that overlap, declared out of value order: which names System.Text.Json picks, and in what order,
// depends on its ordering (more bits first, then smaller values), not on declaration or Enum.ToString's.
[Flags]
public enum Overlap
{
    C = 4,
    BC = 6,
    A = 1,
    AB = 3,
    B = 2,
    High = 1 << 30,
}

// Two names for one value: both System.Text.Json and the generator write the first declared.
public enum Alias
{
    First = 1,
#pragma warning disable CA1069 // The duplicate is the point.
    Second = 1,
#pragma warning restore CA1069
    Third = 2,
}

[Message]
public sealed partial record Leaf(string Name, int? Weight);

[Message("prop.scalars")]
public sealed partial record Scalars(
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
    Guid Id,
    DateTime When,
    DateTimeOffset WhenOffset,
    TimeSpan Duration);

[Message("prop.nullables")]
public sealed partial record Nullables(
    bool? Flag,
    byte? Byte,
    sbyte? SByte,
    short? Short,
    ushort? UShort,
    int? Int,
    uint? UInt,
    long? Long,
    ulong? ULong,
    float? Single,
    double? Double,
    decimal? Decimal,
    char? Char,
    string? Text,
    Guid? Id,
    DateTime? When,
    DateTimeOffset? WhenOffset,
    TimeSpan? Duration,
    Colour? Colour,
    Access? Access,
    byte[]? Blob,
    Leaf? Leaf,
    int[]? Numbers,
    List<string>? Tags,
    Dictionary<string, int>? Counts);

[Message("prop.enums")]
public sealed partial record Enums(
    Colour Colour,
    Signed Signed,
    Small Small,
    Wide Wide,
    Huge Huge,
    Access Access,
    Bits Bits,
    Tiny? Tiny,
    Overlap Overlap,
    Alias Alias,
    Huge? MaybeHuge,
    Access? MaybeAccess,
    List<Access> Accesses,
    Dictionary<string, Wide> WideByName);

[Message("prop.collections")]
public sealed partial record Collections(
    int[] Ints,
    string?[] MaybeStrings,
    int[][] Jagged,
    List<int?> MaybeInts,
    List<byte[]> Blobs,
    List<byte[]?> MaybeBlobs,
    IReadOnlyList<Leaf> Leaves,
    IReadOnlyList<Leaf?> MaybeLeaves,
    Dictionary<string, string?> Notes,
    Dictionary<string, List<double>> Series,
    Dictionary<string, Leaf> LeafByName,
    Dictionary<string, Dictionary<string, char>> Nested,
    List<DateTime> Dates,
    List<DateTimeOffset?> Offsets,
    TimeSpan[] Durations,
    List<Guid> Ids,
    List<decimal> Amounts);

[Message("prop.tree")]
public sealed partial record Tree(string Label, Tree? Left, Tree? Right, List<Tree> Children);

[Message("prop.defaults")]
public sealed partial record Defaults(
    string Name,
    int Priority = 5,
    string Label = "a \"quoted\" \\ label\u00e9",
    Access Access = Access.ReadWrite,
    Colour Colour = Colour.Blue,
    double Ratio = 0.5,
    float Scale = -1.5f,
    decimal Money = 1.25m,
    bool Enabled = true,
    char Separator = ',',
    long Big = long.MaxValue,
    ulong Bigger = ulong.MaxValue,
    int? Limit = 10,
    Colour? MaybeColour = Colour.Green,
    string? Note = null,
    byte[]? Blob = null);

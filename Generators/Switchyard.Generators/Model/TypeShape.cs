using Switchyard.Generators.Helpers;

namespace Switchyard.Generators.Model;

/// <summary>How a message member's type is serialized.</summary>
internal enum ShapeKind
{
    Boolean,
    Byte,
    SByte,
    Int16,
    UInt16,
    Int32,
    UInt32,
    Int64,
    UInt64,
    Single,
    Double,
    Decimal,
    Char,
    String,
    Guid,
    DateTime,
    DateTimeOffset,
    TimeSpan,
    Enum,
    Bytes,
    Nullable,
    Array,
    List,
    ReadOnlyList,
    Dictionary,
    Message,
}

/// <summary>
/// The serializable shape of a type: its kind, its <c>global::</c>-qualified name and, for containers and
/// <see cref="ShapeKind.Nullable"/>, the shape of its element. Enums carry their member names and underlying kind;
/// <c>[Flags]</c> enums also <c>FlagValues</c>, the value of each of <c>EnumMembers</c> widened to 64 bits (signed
/// types sign-extended), so combinations are written and read as System.Text.Json does ("Read, Write").
/// <c>FlagValues</c> is empty for any other type.
/// </summary>
internal sealed record TypeShape(
    ShapeKind Kind,
    string TypeName,
    TypeShape? Element,
    ShapeKind EnumUnderlying,
    EquatableArray<string> EnumMembers,
    bool IsNullableReference,
    EquatableArray<ulong> FlagValues = default)
{
    public static TypeShape Simple(ShapeKind kind, string typeName, bool isNullableReference = false) =>
        new(kind, typeName, null, default, EquatableArray<string>.Empty, isNullableReference);
}

using FsCheck;
using FsCheck.Fluent;
using Switchyard.Generators.Tests.Integration;

namespace Switchyard.Generators.Tests.Properties;

/// <summary>
/// FsCheck generators for every member type and for the messages: each mixes hand-picked edge values (extremes,
/// escaping-heavy text, every <see cref="DateTimeKind"/>, undefined enum values, null and empty collections)
/// with values drawn from the whole range of the type. Strings are valid UTF-16 (surrogates only in pairs): lone
/// surrogates cannot round-trip through UTF-8 in any serializer and have their own test.
/// </summary>
internal static class MessageGenerators
{
    // ---- Building blocks ----

    private static Gen<T> EdgeOr<T>(T[] edges, Gen<T> random) => Gen.Frequency((1, Gen.Elements(edges)), (3, random));

    public static Gen<T?> OrNull<T>(Gen<T> gen)
        where T : struct => Gen.Frequency((1, Gen.Constant<T?>(null)), (3, gen.Select(v => (T?)v)));

    public static Gen<T?> OrNullReference<T>(Gen<T> gen)
        where T : class => Gen.Frequency((1, Gen.Constant<T?>(null)), (3, gen.Select(v => (T?)v)));

    // Empty half as often as not, and up to five elements.
    private static readonly Gen<int> Count = Gen.Frequency((1, Gen.Constant(0)), (2, Gen.Choose(1, 5)));

    public static Gen<T[]> ArrayOf<T>(Gen<T> gen) => Count.SelectMany(gen.ArrayOf);

    public static Gen<List<T>> ListOf<T>(Gen<T> gen) => ArrayOf(gen).Select(items => items.ToList());

    public static Gen<Dictionary<string, T>> DictionaryOf<T>(Gen<T> gen) =>
        from keys in ArrayOf(Text)
        from values in gen.ArrayOf(keys.Length)
        select keys.Zip(values).DistinctBy(p => p.First, StringComparer.Ordinal).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal);

    // ---- Numbers ----

    public static readonly Gen<int> Int32Bits = Gen.Choose(int.MinValue, int.MaxValue);

    public static readonly Gen<long> Int64Bits = from hi in Int32Bits from lo in Int32Bits select ((long)hi << 32) | (uint)lo;

    private static readonly Gen<int> SmallInt = Gen.Choose(-1000, 1000);

    private static Gen<T> Integer<T>(T min, T max, Func<long, T> fromBits) =>
        EdgeOr([min, max, fromBits(0), fromBits(1), fromBits(-1)], Gen.OneOf(Int64Bits.Select(fromBits), SmallInt.Select(i => fromBits(i))));

    public static readonly Gen<bool> Boolean = Gen.Elements(true, false);
    public static readonly Gen<byte> Byte = Integer(byte.MinValue, byte.MaxValue, b => unchecked((byte)b));
    public static readonly Gen<sbyte> SByte = Integer(sbyte.MinValue, sbyte.MaxValue, b => unchecked((sbyte)b));
    public static readonly Gen<short> Int16 = Integer(short.MinValue, short.MaxValue, b => unchecked((short)b));
    public static readonly Gen<ushort> UInt16 = Integer(ushort.MinValue, ushort.MaxValue, b => unchecked((ushort)b));
    public static readonly Gen<int> Int32 = Integer(int.MinValue, int.MaxValue, b => unchecked((int)b));
    public static readonly Gen<uint> UInt32 = Integer(uint.MinValue, uint.MaxValue, b => unchecked((uint)b));
    public static readonly Gen<long> Int64 = Integer(long.MinValue, long.MaxValue, b => b);
    public static readonly Gen<ulong> UInt64 = Integer(ulong.MinValue, ulong.MaxValue, b => unchecked((ulong)b));

    public static readonly Gen<double> Double = EdgeOr(
        [
            0.0, -0.0, 1.0, -1.0, 0.1, 1.0 / 3, double.MaxValue, double.MinValue, double.Epsilon, -double.Epsilon,
            2.2250738585072014E-308, 1e-300, 1e300, 9007199254740993, 123456789012345680, 5e-324, 1.7976931348623157E+308,
        ],
        Gen.OneOf(
            Int64Bits.Select(BitConverter.Int64BitsToDouble).Where(double.IsFinite),
            SmallInt.Select(i => i / 64.0),
            from i in Int32Bits from scale in Gen.Choose(-30, 30) select i * Math.Pow(10, scale)));

    public static readonly Gen<float> Single = EdgeOr(
        [0f, -0f, 1f, -1f, 0.1f, 1f / 3, float.MaxValue, float.MinValue, float.Epsilon, -float.Epsilon, 1.17549435E-38f, 16777217f, 3.4028235E+38f],
        Gen.OneOf(
            Int32Bits.Select(BitConverter.Int32BitsToSingle).Where(float.IsFinite),
            SmallInt.Select(i => i / 64f)));

    public static readonly Gen<decimal> Decimal = EdgeOr(
        [
            0m, 1m, -1m, 1.0m, 1.00m, 0.000m, decimal.MaxValue, decimal.MinValue, 0.0000000000000000000000000001m,
            -0.0000000000000000000000000001m, 7.9228162514264337593543950335m, new decimal(0, 0, 0, true, 5), 0.1m, 1m / 3,
        ],
        Gen.OneOf(
            from lo in Int32Bits from mid in Int32Bits from hi in Int32Bits from negative in Boolean from scale in Gen.Choose(0, 28)
            select new decimal(lo, mid, hi, negative, (byte)scale),
            from i in Int32Bits from scale in Gen.Choose(0, 9) select new decimal(i, 0, 0, i < 0, (byte)scale)));

    // ---- Text ----

    private static readonly string[] TextAtoms =
    [
        "", "a", "Z", "0", " ", "\"", "\\", "/", "\u0000", "\u0001", "\u001f", "\b", "\f", "\n", "\r", "\t", "\u007f", "\u0080",
        "\u00a0", "\u00e9", "\u00df", "\u2028", "\u2029", "<", ">", "&", "'", "+", "`", "\u4e2d", "\ufeff", "\ufffd", "\uffff",
        "\ud83d\ude00", "\ud800\udc00", "\udbff\udfff", "\ud834\udd1e", "e\u0301", "\u200d", "\\u0041", "\"\"", "\\\\", "</script>",
    ];

    private static readonly char[] CharEdges = ['\0', 'a', '"', '\\', '/', '\u001f', '\u007f', '\u00e9', '\u2028', '\ufeff', '\ufffd', '\uffff', ' ', '\n'];

    // Any UTF-16 code unit that is not a surrogate.
    private static readonly Gen<char> NonSurrogate = Gen.Choose(0, 0xFFFF - 0x800).Select(i => (char)(i < 0xD800 ? i : i + 0x800));

    private static readonly Gen<string> SurrogatePair =
        from high in Gen.Choose(0xD800, 0xDBFF) from low in Gen.Choose(0xDC00, 0xDFFF) select new string([(char)high, (char)low]);

    private static readonly Gen<string> TextAtom = Gen.Frequency(
        (4, Gen.Elements(TextAtoms)),
        (3, Gen.Choose(0x20, 0x7E).Select(i => ((char)i).ToString())),
        (2, NonSurrogate.Select(c => c.ToString())),
        (1, Gen.Choose(0, 0x1F).Select(i => ((char)i).ToString())),
        (1, SurrogatePair));

    public static readonly Gen<string> Text = Gen.Frequency(
        (1, Gen.Elements(TextAtoms)),
        (4, Gen.Choose(0, 12).SelectMany(TextAtom.ArrayOf).Select(string.Concat)));

    public static readonly Gen<char> Char = EdgeOr(CharEdges, NonSurrogate);

    // ---- Dates, times and identifiers ----

    private static readonly Gen<long> Ticks = Gen.OneOf(
        Int64Bits.Select(b => (long)((ulong)b % (ulong)(System.DateTime.MaxValue.Ticks + 1))),
        Gen.Choose(-1_000_000, 1_000_000).Select(seconds => System.DateTime.UnixEpoch.Ticks + (seconds * 3_600L * System.TimeSpan.TicksPerSecond / 100)));

    // Local times are written with the machine's offset and read back converted, so only times that exist exactly
    // once in the local zone (not skipped or repeated by a daylight-saving change) and are a day clear of the ends of
    // the range (where the offset would push them out of it) can round-trip. On a UTC machine that is every time.
    private static bool RoundTripsAsLocal(DateTime local) =>
        local.Ticks > System.TimeSpan.TicksPerDay && local.Ticks < System.DateTime.MaxValue.Ticks - System.TimeSpan.TicksPerDay &&
        !TimeZoneInfo.Local.IsInvalidTime(local) && !TimeZoneInfo.Local.IsAmbiguousTime(local);

    public static readonly Gen<DateTime> DateTime = Gen.Frequency(
        (1, Gen.Elements(System.DateTime.MinValue, System.DateTime.MaxValue, System.DateTime.UnixEpoch)
            .SelectMany(d => Gen.Elements(DateTimeKind.Utc, DateTimeKind.Unspecified).Select(kind => System.DateTime.SpecifyKind(d, kind)))),
        (4, from ticks in Ticks from kind in Gen.Elements(DateTimeKind.Utc, DateTimeKind.Unspecified, DateTimeKind.Local) select new DateTime(ticks, kind)))
        .Where(d => d.Kind != DateTimeKind.Local || RoundTripsAsLocal(d));

    private static readonly Gen<TimeSpan> Offset = Gen.Frequency(
        (2, Gen.Elements(0, 60, -60, 330, 345, -210, 525, 840, -840).Select(m => System.TimeSpan.FromMinutes(m))),
        (1, Gen.Choose(-840, 840).Select(m => System.TimeSpan.FromMinutes(m))));

    public static readonly Gen<DateTimeOffset> DateTimeOffset = EdgeOr(
        [
            System.DateTimeOffset.MinValue, System.DateTimeOffset.MaxValue, System.DateTimeOffset.UnixEpoch,
            new DateTimeOffset(System.DateTime.MinValue.Ticks + System.TimeSpan.TicksPerHour * 14, System.TimeSpan.FromHours(14)),
            new DateTimeOffset(System.DateTime.MaxValue.Ticks - System.TimeSpan.TicksPerHour * 14, System.TimeSpan.FromHours(-14)),
        ],
        from ticks in Ticks
        from offset in Offset
        where ticks - offset.Ticks >= 0 && ticks - offset.Ticks <= System.DateTime.MaxValue.Ticks
        select new DateTimeOffset(ticks, offset));

    public static readonly Gen<TimeSpan> TimeSpan = EdgeOr(
        [System.TimeSpan.MinValue, System.TimeSpan.MaxValue, System.TimeSpan.Zero, System.TimeSpan.FromTicks(1), System.TimeSpan.FromTicks(-1), System.TimeSpan.FromDays(1), System.TimeSpan.FromDays(-1.5)],
        Gen.OneOf(Int64Bits.Select(System.TimeSpan.FromTicks), SmallInt.Select(s => System.TimeSpan.FromSeconds(s * 37.123))));

    public static readonly Gen<Guid> Guid = EdgeOr(
        [System.Guid.Empty, System.Guid.AllBitsSet],
        from a in Int64Bits from b in Int64Bits select new Guid([.. BitConverter.GetBytes(a), .. BitConverter.GetBytes(b)]));

    public static readonly Gen<byte[]> Bytes = Gen.Frequency(
        (1, Gen.Constant(Array.Empty<byte>())),
        (3, Gen.Choose(1, 40).SelectMany(n => Gen.Choose(0, 255).Select(b => (byte)b).ArrayOf(n))));

    // ---- Enums: defined values, and numbers no name stands for ----

    private static Gen<T> Enum<T>(Gen<T> undefined)
        where T : struct, Enum => Gen.Frequency((3, Gen.Elements(System.Enum.GetValues<T>())), (1, undefined));

    public static readonly Gen<Mood> Mood = Enum(Int32.Select(i => (Mood)i));
    public static readonly Gen<Colour> Colour = Enum(Byte.Select(b => (Colour)b));
    public static readonly Gen<Signed> Signed = Enum(SByte.Select(b => (Signed)b));
    public static readonly Gen<Small> Small = Enum(UInt16.Select(b => (Small)b));
    public static readonly Gen<Wide> Wide = Enum(Int64.Select(b => (Wide)b));
    public static readonly Gen<Huge> Huge = Enum(UInt64.Select(b => (Huge)b));
    public static readonly Gen<Alias> Alias = Enum(Int32.Select(i => (Alias)i));

    // Flags: single flags, combinations of defined flags (written as "Read, Write" by System.Text.Json), and
    // numbers with undefined bits (written as numbers).
    private static Gen<T> Flags<T>(Func<IEnumerable<T>, T> combine, Gen<T> undefined)
        where T : struct, Enum => Gen.Frequency(
            (2, Gen.Elements(System.Enum.GetValues<T>())),
            (2, Gen.SubListOf(System.Enum.GetValues<T>()).Select(flags => combine(flags))),
            (1, undefined));

    public static readonly Gen<Access> Access = Flags(flags => flags.Aggregate((Access)0, (all, flag) => all | flag), Int32.Select(i => (Access)i));
    public static readonly Gen<Bits> Bits = Flags(flags => flags.Aggregate((Bits)0, (all, flag) => all | flag), UInt64.Select(b => (Bits)b));
    public static readonly Gen<Tiny> Tiny = Flags(flags => flags.Aggregate((Tiny)0, (all, flag) => all | flag), SByte.Select(b => (Tiny)b));
    public static readonly Gen<Overlap> Overlap = Flags(flags => flags.Aggregate((Overlap)0, (all, flag) => all | flag), Int32.Select(i => (Overlap)i));

    // ---- Messages ----

    public static readonly Gen<Leaf> Leaf = from name in Text from weight in OrNull(Int32) select new Leaf(name, weight);

    public static readonly Gen<Author> Author = from name in Text from homepage in OrNullReference(Text) select new Author(name, homepage);

    public static readonly Gen<Everything> Everything =
        from flag in Boolean
        from @byte in Byte
        from @sbyte in SByte
        from @short in Int16
        from @ushort in UInt16
        from @int in Int32
        from @uint in UInt32
        from @long in Int64
        from @ulong in UInt64
        from single in Single
        from @double in Double
        from @decimal in Decimal
        from @char in Char
        from text in Text
        from optionalText in OrNullReference(Text)
        from id in Guid
        from when in DateTime
        from whenOffset in DateTimeOffset
        from duration in TimeSpan
        from mood in Mood
        from maybeMood in OrNull(Mood)
        from maybeInt in OrNull(Int32)
        from blob in Bytes
        from numbers in ArrayOf(Int32)
        from tags in ListOf(Text)
        from authors in ArrayOf(Author)
        from counts in DictionaryOf(Int32)
        from lead in Author
        from coAuthor in OrNullReference(Author)
        from priority in Int32
        select new Everything(
            flag, @byte, @sbyte, @short, @ushort, @int, @uint, @long, @ulong, single, @double, @decimal, @char, text, optionalText, id, when, whenOffset,
            duration, mood, maybeMood, maybeInt, blob, numbers, tags, authors, counts, lead, coAuthor, priority);

    public static readonly Gen<Scalars> Scalars =
        from flag in Boolean
        from @byte in Byte
        from @sbyte in SByte
        from @short in Int16
        from @ushort in UInt16
        from @int in Int32
        from @uint in UInt32
        from @long in Int64
        from @ulong in UInt64
        from single in Single
        from @double in Double
        from @decimal in Decimal
        from @char in Char
        from text in Text
        from id in Guid
        from when in DateTime
        from whenOffset in DateTimeOffset
        from duration in TimeSpan
        select new Scalars(flag, @byte, @sbyte, @short, @ushort, @int, @uint, @long, @ulong, single, @double, @decimal, @char, text, id, when, whenOffset, duration);

    // Every member null at once, which independent choices reach only rarely.
    public static readonly Nullables AllNull = new(
        null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);

    private static readonly Gen<Nullables> SomeNullables =
        from flag in OrNull(Boolean)
        from @byte in OrNull(Byte)
        from @sbyte in OrNull(SByte)
        from @short in OrNull(Int16)
        from @ushort in OrNull(UInt16)
        from @int in OrNull(Int32)
        from @uint in OrNull(UInt32)
        from @long in OrNull(Int64)
        from @ulong in OrNull(UInt64)
        from single in OrNull(Single)
        from @double in OrNull(Double)
        from @decimal in OrNull(Decimal)
        from @char in OrNull(Char)
        from text in OrNullReference(Text)
        from id in OrNull(Guid)
        from when in OrNull(DateTime)
        from whenOffset in OrNull(DateTimeOffset)
        from duration in OrNull(TimeSpan)
        from colour in OrNull(Colour)
        from access in OrNull(Access)
        from blob in OrNullReference(Bytes)
        from leaf in OrNullReference(Leaf)
        from numbers in OrNullReference(ArrayOf(Int32))
        from tags in OrNullReference(ListOf(Text))
        from counts in OrNullReference(DictionaryOf(Int32))
        select new Nullables(
            flag, @byte, @sbyte, @short, @ushort, @int, @uint, @long, @ulong, single, @double, @decimal, @char, text, id, when, whenOffset, duration,
            colour, access, blob, leaf, numbers, tags, counts);

    public static readonly Gen<Nullables> Nullables = Gen.Frequency((1, Gen.Constant(AllNull)), (9, SomeNullables));

    public static readonly Gen<Enums> Enums =
        from colour in Colour
        from signed in Signed
        from small in Small
        from wide in Wide
        from huge in Huge
        from access in Access
        from bits in Bits
        from tiny in OrNull(Tiny)
        from overlap in Overlap
        from alias in Alias
        from maybeHuge in OrNull(Huge)
        from maybeAccess in OrNull(Access)
        from accesses in ListOf(Access)
        from wideByName in DictionaryOf(Wide)
        select new Enums(colour, signed, small, wide, huge, access, bits, tiny, overlap, alias, maybeHuge, maybeAccess, accesses, wideByName);

    public static readonly Gen<Collections> Collections =
        from ints in ArrayOf(Int32)
        from maybeStrings in ArrayOf(OrNullReference(Text))
        from jagged in ArrayOf(ArrayOf(Int32))
        from maybeInts in ListOf(OrNull(Int32))
        from blobs in ListOf(Bytes)
        from maybeBlobs in ListOf(OrNullReference(Bytes))
        from leaves in ArrayOf(Leaf)
        from maybeLeaves in ListOf(OrNullReference(Leaf))
        from notes in DictionaryOf(OrNullReference(Text))
        from series in DictionaryOf(ListOf(Double))
        from leafByName in DictionaryOf(Leaf)
        from nested in DictionaryOf(DictionaryOf(Char))
        from dates in ListOf(DateTime)
        from offsets in ListOf(OrNull(DateTimeOffset))
        from durations in ArrayOf(TimeSpan)
        from ids in ListOf(Guid)
        from amounts in ListOf(Decimal)
        select new Collections(ints, maybeStrings, jagged, maybeInts, blobs, maybeBlobs, leaves, maybeLeaves, notes, series, leafByName, nested, dates, offsets, durations, ids, amounts);

    public static readonly Gen<Tree> Tree = TreeOf(3);

    private static Gen<Tree> TreeOf(int depth)
    {
        if (depth == 0)
        {
            return Text.Select(label => new Tree(label, null, null, []));
        }

        var child = TreeOf(depth - 1);
        return from label in Text
               from left in OrNullReference(child)
               from right in OrNullReference(child)
               from children in Gen.Choose(0, 3).SelectMany(child.ArrayOf)
               select new Tree(label, left, right, [.. children]);
    }

    public static readonly Gen<Defaults> Defaults =
        from name in Text
        from priority in Int32
        from label in Text
        from access in Access
        from colour in Colour
        from ratio in Double
        from scale in Single
        from money in Decimal
        from enabled in Boolean
        from separator in Char
        from big in Int64
        from bigger in UInt64
        from limit in OrNull(Int32)
        from maybeColour in OrNull(Colour)
        from note in OrNullReference(Text)
        from blob in OrNullReference(Bytes)
        select new Defaults(name, priority, label, access, colour, ratio, scale, money, enabled, separator, big, bigger, limit, maybeColour, note, blob);
}

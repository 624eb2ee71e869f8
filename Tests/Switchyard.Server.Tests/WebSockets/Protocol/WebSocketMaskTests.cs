using System.Numerics;
using Switchyard.Server.Tests.Support;
using Xunit;

namespace Switchyard.Server.Tests.WebSockets.Protocol;

/// <summary>
/// Unmasking against a byte-at-a-time reference (RFC 6455 §5.3: byte i is XORed with key byte i mod 4), across the
/// vector, 8-byte and single-byte paths: every length up to past two vectors, at several memory and key offsets.
/// </summary>
public sealed class WebSocketMaskTests
{
    private static readonly byte[][] Keys =
    [
        [0, 0, 0, 0],
        [0xFF, 0xFF, 0xFF, 0xFF],
        [0x01, 0x02, 0x03, 0x04],
        [0x37, 0xFA, 0x21, 0x3D],
        [0x80, 0x00, 0x00, 0x01],
    ];

    public static TheoryData<int> KeyIndexes() => [.. Enumerable.Range(0, Keys.Length)];

    [Theory]
    [MemberData(nameof(KeyIndexes))]
    public void Apply_matches_the_reference_for_every_length_memory_offset_and_key_offset(int keyIndex)
    {
        var key = Keys[keyIndex];
        var maxLength = Math.Max(70, (2 * Vector<byte>.Count) + 9);
        var source = Payloads.Binary(maxLength + 16, seed: keyIndex);
        var failures = new List<string>();
        foreach (var memoryOffset in new[] { 0, 1, 3, 7, 8 })
        {
            for (var length = 0; length <= maxLength; length++)
            {
                for (var maskOffset = 0; maskOffset < 4; maskOffset++)
                {
                    var data = (byte[])source.Clone();
                    WebSocketMask.Apply(data.AsSpan(memoryOffset, length), KeyAsRead(key), maskOffset);

                    var expected = (byte[])source.Clone();
                    for (var i = 0; i < length; i++)
                    {
                        expected[memoryOffset + i] ^= key[(maskOffset + i) % 4];
                    }

                    // The bytes around the span are checked too: nothing outside it may change.
                    if (!expected.AsSpan().SequenceEqual(data))
                    {
                        failures.Add($"offset {memoryOffset} length {length} key offset {maskOffset}");
                    }
                }
            }
        }

        Assert.Empty(failures);
    }

    [Fact]
    public void A_zero_key_leaves_the_bytes_as_they_are_and_applying_a_key_twice_restores_them()
    {
        var original = Payloads.Binary(333);
        var data = (byte[])original.Clone();

        WebSocketMask.Apply(data, 0u, 0);
        Assert.Equal(original, data);

        WebSocketMask.Apply(data, KeyAsRead([9, 8, 7, 6]), 1);
        Assert.NotEqual(original, data);
        WebSocketMask.Apply(data, KeyAsRead([9, 8, 7, 6]), 1);
        Assert.Equal(original, data);
    }

    [Theory]
    [InlineData(0, new[] { 1 })]
    [InlineData(1, new[] { 3, 5, 7 })]
    [InlineData(2, new[] { 1, 1, 1, 1, 1, 1 })]
    [InlineData(3, new[] { 64, 1, 63, 2 })]
    [InlineData(0, new[] { 0, 33, 0, 17 })]
    public void Unmask_over_a_sequence_of_odd_segments_matches_the_reference_and_returns_the_key_offset_after(int maskOffset, int[] sizes)
    {
        var key = new byte[] { 0xA1, 0xB2, 0xC3, 0xD4 };
        var masked = Payloads.Binary(sizes.Sum() + 50, seed: sizes.Length);
        var destination = new byte[masked.Length];

        var after = WebSocketMask.Unmask(SegmentedSequence.Split(masked, sizes), destination, KeyAsRead(key), maskOffset);

        var expected = masked.Select((b, i) => (byte)(b ^ key[(maskOffset + i) % 4])).ToArray();
        Assert.Equal(expected, destination);
        Assert.Equal((maskOffset + masked.Length) % 4, after);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(1001)]
    public void The_reader_unmasks_frames_under_different_keys_including_the_zero_key(int length)
    {
        var payload = Payloads.Binary(length, seed: length);
        var stream = ClientFrame.Concat([.. Keys.Select(k => new ClientFrame { Opcode = ClientFrame.Binary, Payload = payload, MaskKey = k }.ToBytes())]);

        var events = FrameReaderHarness.ReadAll(stream);

        Assert.Equal(Keys.Length, events.Count);
        Assert.All(events, e => Assert.Equal(payload, e.Data));
    }

    // The reader loads the 4 key bytes as a little-endian uint; this does the same without BinaryPrimitives.
    private static uint KeyAsRead(byte[] key) => key[0] | ((uint)key[1] << 8) | ((uint)key[2] << 16) | ((uint)key[3] << 24);
}

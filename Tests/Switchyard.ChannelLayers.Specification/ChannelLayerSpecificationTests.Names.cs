using Xunit;

namespace Switchyard.ChannelLayers.Specification;

/// <summary>Name rules (Django's <c>BaseChannelLayer</c>) on every operation, and new channel names.</summary>
public abstract partial class ChannelLayerSpecificationTests
{
    private static readonly string[] InvalidNames = ["has space", "", "semi;colon", "slash/name", "brace{x}", "tab\u00e9"];

    private static readonly string[] InvalidChannelOnlyNames = ["a!b!c", "!leading"];

    /// <summary>Gets operations that take a channel name, with invalid channel names.</summary>
    public static TheoryData<string, string> InvalidChannelNameCases
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var operation in ChannelOperations)
            {
                foreach (var name in InvalidNames.Concat(InvalidChannelOnlyNames))
                {
                    data.Add(operation, name);
                }
            }

            return data;
        }
    }

    /// <summary>Gets operations that take a group name, with invalid group names (including <c>!</c>).</summary>
    public static TheoryData<string, string> InvalidGroupNameCases
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var operation in GroupOperations)
            {
                foreach (var name in InvalidNames.Concat(["group!x", "a!b!c"]))
                {
                    data.Add(operation, name);
                }
            }

            return data;
        }
    }

    /// <summary>Gets the operations that take a channel name.</summary>
    public static TheoryData<string> ChannelOperationCases => new(ChannelOperations);

    /// <summary>Gets the operations that take a group name.</summary>
    public static TheoryData<string> GroupOperationCases => new(GroupOperations);

    private static string[] ChannelOperations => ["send", "receive", "group_add", "group_discard"];

    private static string[] GroupOperations => ["group_add", "group_discard", "group_send"];

    [Theory]
    [MemberData(nameof(InvalidChannelNameCases))]
    public async Task Invalid_channel_names_are_rejected_with_a_message_naming_them(string operation, string name)
    {
        var layer = await LayerForOperationAsync(operation);

        var error = await Assert.ThrowsAsync<ArgumentException>(async () => await InvokeWithChannelAsync(layer, operation, name));

        Assert.Contains($"'{ShownName(name)}'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(InvalidGroupNameCases))]
    public async Task Invalid_group_names_are_rejected_with_a_message_naming_them(string operation, string name)
    {
        var layer = await LayerForOperationAsync(operation);

        var error = await Assert.ThrowsAsync<ArgumentException>(async () => await InvokeWithGroupAsync(layer, operation, name));

        Assert.Contains($"'{ShownName(name)}'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ChannelOperationCases))]
    public async Task Channel_names_of_100_characters_are_rejected(string operation)
    {
        var layer = await LayerForOperationAsync(operation);
        var name = NameOfLength(100);

        var error = await Assert.ThrowsAsync<ArgumentException>(async () => await InvokeWithChannelAsync(layer, operation, name));

        Assert.Contains(name, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(GroupOperationCases))]
    public async Task Group_names_of_100_characters_are_rejected(string operation)
    {
        var layer = await LayerForOperationAsync(operation);
        var name = NameOfLength(100);

        var error = await Assert.ThrowsAsync<ArgumentException>(async () => await InvokeWithGroupAsync(layer, operation, name));

        Assert.Contains(name, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Channel_names_of_99_characters_are_accepted_by_send_and_receive()
    {
        var layer = await NewLayerAsync();
        RequireCapability(layer, ChannelLayerCapabilities.Queued);
        var plain = NameOfLength(99);
        var local = (await LocalNameAsync(layer, "l", string.Empty)).PadRight(99, 'y');
        Assert.Equal(99, local.Length);

        await layer.SendAsync(plain, Message("plain"));
        await layer.SendAsync(local, Message("local"));

        Assert.Equal("plain", await ReceiveTextAsync(layer, plain));
        Assert.Equal("local", await ReceiveTextAsync(layer, local));
    }

    [Fact]
    public async Task Names_of_99_characters_are_accepted_by_group_operations()
    {
        var layer = await NewGroupLayerAsync();
        RequireCapability(layer, ChannelLayerCapabilities.GroupMemberCounts);
        var group = NameOfLength(99);
        var channel = NameOfLength(99).Replace("n-", "c-", StringComparison.Ordinal);
        var other = Name("other");

        await layer.GroupAddAsync(group, channel);
        await layer.GroupAddAsync(group, other);
        Assert.Equal(new GroupSendResult(2, 0), await layer.GroupSendAsync(group, Message("to 99")));
        await layer.GroupDiscardAsync(group, channel);
        Assert.Equal(new GroupSendResult(1, 0), await layer.GroupSendAsync(group, Message("after discard")));

        Assert.Equal("to 99", await ReceiveTextAsync(layer, channel));
        await AssertNothingArrivesAsync(layer, channel);
    }

    [Theory]
    [MemberData(nameof(ChannelOperationCases))]
    public async Task A_null_channel_name_throws_ArgumentNullException(string operation)
    {
        var layer = await LayerForOperationAsync(operation);

        await Assert.ThrowsAsync<ArgumentNullException>(async () => await InvokeWithChannelAsync(layer, operation, null));
    }

    [Theory]
    [MemberData(nameof(GroupOperationCases))]
    public async Task A_null_group_name_throws_ArgumentNullException(string operation)
    {
        var layer = await LayerForOperationAsync(operation);

        await Assert.ThrowsAsync<ArgumentNullException>(async () => await InvokeWithGroupAsync(layer, operation, null));
    }

    [Fact]
    public async Task A_null_message_throws_ArgumentNullException()
    {
        var layer = await NewLayerAsync();

        await Assert.ThrowsAsync<ArgumentNullException>(async () => await layer.SendAsync(Name("chan"), null!));
        if ((layer.Capabilities & ChannelLayerCapabilities.Groups) != 0)
        {
            await Assert.ThrowsAsync<ArgumentNullException>(async () => await layer.GroupSendAsync(Name("group"), null!));
        }
    }

    [Fact]
    public async Task New_channel_names_are_valid_process_local_and_carry_at_least_96_random_bits()
    {
        var layer = await NewLayerAsync();
        var alphabet = new HashSet<char>();
        var shortest = int.MaxValue;

        for (var i = 0; i < 2_000; i++)
        {
            var name = await layer.NewChannelAsync();
            Assert.True(ChannelNames.IsValidChannelName(name), $"'{name}' is not a valid channel name.");
            Assert.True(ChannelNames.IsProcessLocal(name), $"'{name}' is not process-local.");
            Assert.StartsWith("specific.", name, StringComparison.Ordinal);
            var suffix = name[(name.IndexOf('!', StringComparison.Ordinal) + 1)..];
            Assert.All(suffix, c => Assert.True(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.', $"Suffix character '{c}' of '{name}'."));
            alphabet.UnionWith(suffix);
            shortest = Math.Min(shortest, suffix.Length);
        }

        // Every suffix character carries at most log2(|alphabet|) bits; the shortest suffix must be able to hold 96.
        var bits = shortest * Math.Log2(alphabet.Count);
        Assert.True(bits >= 96, $"The random suffix has {shortest} characters over an alphabet of {alphabet.Count}: {bits:F1} bits, fewer than 96.");
    }

    [Fact]
    public async Task New_channel_names_are_unique_across_10000_calls()
    {
        var layer = await NewLayerAsync();
        var names = new HashSet<string>(StringComparer.Ordinal);

        for (var i = 0; i < 10_000; i++)
        {
            var name = await layer.NewChannelAsync(Name("u"));
            Assert.True(names.Add(name), $"'{name}' was returned twice.");
        }
    }

    [Fact]
    public async Task New_channel_names_honour_the_prefix_and_can_be_used()
    {
        var layer = await NewLayerAsync();
        RequireCapability(layer, ChannelLayerCapabilities.Queued);
        var prefix = Name("chat.room_1");

        var first = await layer.NewChannelAsync(prefix);
        var second = await layer.NewChannelAsync(prefix);

        Assert.StartsWith(prefix + ".", first, StringComparison.Ordinal);
        Assert.DoesNotContain('!', prefix);
        Assert.Equal(ChannelNames.NonLocalPart(first), ChannelNames.NonLocalPart(second));
        Assert.NotEqual(first, second);

        await layer.SendAsync(first, Message("to first"));
        await layer.SendAsync(second, Message("to second"));
        Assert.Equal("to first", await ReceiveTextAsync(layer, first));
        Assert.Equal("to second", await ReceiveTextAsync(layer, second));
    }

    [Theory]
    [InlineData("bad!prefix")]
    [InlineData("bad prefix")]
    [InlineData("")]
    [InlineData("bad/prefix")]
    public async Task New_channel_rejects_an_invalid_prefix(string prefix)
    {
        var layer = await NewLayerAsync();

        var error = await Assert.ThrowsAsync<ArgumentException>(async () => await layer.NewChannelAsync(prefix));

        Assert.Contains($"'{prefix}'", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await layer.NewChannelAsync(null!));
    }

    [Theory]
    [InlineData(80)]
    [InlineData(99)]
    [InlineData(100)]
    public async Task New_channel_rejects_a_prefix_that_makes_the_name_too_long(int length)
    {
        var layer = await NewLayerAsync();
        var prefix = NameOfLength(length);

        var error = await Assert.ThrowsAsync<ArgumentException>(async () => await layer.NewChannelAsync(prefix));

        Assert.Contains(prefix, error.Message, StringComparison.Ordinal);
    }

    // The layer's message shows non-printable characters as '?'; the kit's invalid names are printable ASCII
    // except for one, which the layer must still name recognisably.
    private static string ShownName(string name) =>
        string.Concat(name.Select(c => c is >= ' ' and <= '~' ? c : '?'));

    private async Task<ChannelLayer> LayerForOperationAsync(string operation) =>
        operation.StartsWith("group_", StringComparison.Ordinal) ? await NewGroupLayerAsync() : await NewLayerAsync();

    private async Task InvokeWithChannelAsync(ChannelLayer layer, string operation, string? channel)
    {
        using var timeout = new CancellationTokenSource(WaitTimeout);
        switch (operation)
        {
            case "send":
                await layer.SendAsync(channel!, Message("x"), timeout.Token);
                break;
            case "receive":
                await layer.ReceiveAsync(channel!, timeout.Token);
                break;
            case "group_add":
                await layer.GroupAddAsync(Name("group"), channel!, timeout.Token);
                break;
            case "group_discard":
                await layer.GroupDiscardAsync(Name("group"), channel!, timeout.Token);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(operation), operation, "Unknown operation.");
        }
    }

    private async Task InvokeWithGroupAsync(ChannelLayer layer, string operation, string? group)
    {
        using var timeout = new CancellationTokenSource(WaitTimeout);
        switch (operation)
        {
            case "group_add":
                await layer.GroupAddAsync(group!, Name("chan"), timeout.Token);
                break;
            case "group_discard":
                await layer.GroupDiscardAsync(group!, Name("chan"), timeout.Token);
                break;
            case "group_send":
                await layer.GroupSendAsync(group!, Message("x"), timeout.Token);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(operation), operation, "Unknown operation.");
        }
    }
}

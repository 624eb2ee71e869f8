using Microsoft.Extensions.DependencyInjection;
using Switchyard;
using Switchyard.Samples.Chat;

// A chat room on Switchyard's embedded in-memory channel layer: three people join the room's group, lines go
// through a moderator worker on a named channel, and the moderator broadcasts each cleaned line to the group.
// Run with --interactive to type lines yourself (an empty line ends).
var interactive = args.Contains("--interactive");
await using var services = new ServiceCollection().AddLogging().AddSingleton(Console.Out).AddSwitchyard().Services.BuildServiceProvider();
var layer = services.GetRequiredService<ChannelLayer>();
var output = Console.Out;

var members = new[] { "alice", "bob", "carol" }.Select(user => new RoomMemberConsumer(user, "lobby", output)).ToArray();
var runners = new List<ConsumerRunner>();
foreach (var member in members)
{
    var runner = new ConsumerRunner(member, new ConsumerScope(await layer.NewChannelAsync()), layer);
    runners.Add(runner);
    _ = runner.RunAsync();
}

// The moderator comes from the generated route table: [ChannelConsumer("chat.moderate")] with a factory that
// injects its constructor's services, no reflection involved.
var route = ConsumerRouteTable.Routes.Single(r => r.Kind == ConsumerRouteKind.Channel && r.Pattern == ModeratorConsumer.Channel);
var moderator = new ConsumerRunner(route.Factory(services), new ConsumerScope(route.Pattern), layer);
runners.Add(moderator);
_ = moderator.RunAsync();

// Group joins happen as each member starts; wait until all three are in the room before talking.
await Task.WhenAll(members.Select(m => m.Joined)).WaitAsync(TimeSpan.FromSeconds(10));

var lines = new List<ChatMessage>();
if (interactive)
{
    output.WriteLine("Type a line and press Enter; an empty line ends.");
    while (Console.ReadLine() is { Length: > 0 } line)
    {
        lines.Add(new ChatMessage("lobby", "you", line));
        await layer.SendAsync(ModeratorConsumer.Channel, ChannelMessage.Create(lines[^1]));
    }
}
else
{
    lines.AddRange(
    [
        new ChatMessage("lobby", "alice", "Hello, lobby!"),
        new ChatMessage("lobby", "bob", "Darn, I missed the start."),
        new ChatMessage("lobby", "carol", "Welcome, both of you."),
    ]);
    foreach (var line in lines)
    {
        output.WriteLine($"{line.User} says: {line.Text}");
        await layer.SendAsync(ModeratorConsumer.Channel, ChannelMessage.Create(line));
    }
}

await Task.WhenAll(members.Select(m => m.HeardAsync(lines.Count))).WaitAsync(TimeSpan.FromSeconds(10));
foreach (var runner in runners)
{
    runner.Stop();
}

await Task.WhenAll(runners.Select(r => r.Completion));
output.WriteLine($"Done: {lines.Count} line(s), each heard by all {members.Length} members.");

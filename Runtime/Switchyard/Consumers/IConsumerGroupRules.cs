namespace Switchyard;

/// <summary>
/// The groups a consumer joins when it starts, computed from its scope's route values. The source generator
/// implements it from <c>[JoinGroup("chat.{room}")]</c>; the runner joins these groups before
/// <see cref="Consumer.OnStartedAsync"/> and leaves them when the consumer stops.
/// </summary>
public interface IConsumerGroupRules
{
    /// <summary>Returns the names of the groups to join.</summary>
    /// <param name="scope">The consumer's scope.</param>
    /// <returns>The group names.</returns>
    /// <exception cref="KeyNotFoundException">A route value the rule uses is missing.</exception>
    IReadOnlyList<string> GetGroups(ConsumerScope scope);
}

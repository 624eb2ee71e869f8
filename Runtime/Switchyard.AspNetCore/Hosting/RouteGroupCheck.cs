namespace Switchyard.AspNetCore;

/// <summary>
/// Checks, before a consumer runs, that the groups its <c>[JoinGroup]</c> rules make of the request's route values are
/// valid group names. A route value such as <c>a b</c> in <c>/ws/chat/{room}/</c> cannot name the group
/// <c>chat.{room}</c>: that is the client's bad input, refused with 400 before the handshake, not a consumer fault.
/// </summary>
internal static class RouteGroupCheck
{
    /// <summary>Returns <see langword="null"/> when every group is valid, else the reason to refuse the request with.</summary>
    public static string? FindProblem(Consumer consumer, ConsumerScope scope)
    {
        if (consumer is not IConsumerGroupRules rules)
        {
            return null;
        }

        IReadOnlyList<string> groups;
        try
        {
            groups = rules.GetGroups(scope);
        }
        catch (KeyNotFoundException)
        {
            // A rule names a route value the route does not have: a programming error, which the consumer's start
            // reports as one.
            return null;
        }

        foreach (var group in groups)
        {
            if (!ChannelNames.IsValidGroupName(group))
            {
                return $"the route values make the group name '{LogSanitizer.Sanitize(group, ChannelNames.MaxLength)}', which is not valid: " +
                    $"group names are shorter than {ChannelNames.MaxLength} characters and use only ASCII letters, digits, hyphens, underscores and periods";
            }
        }

        return null;
    }
}

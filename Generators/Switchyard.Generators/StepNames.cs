namespace Switchyard.Generators;

/// <summary>Tracking names of the generator's pipeline steps, for the incremental-caching tests.</summary>
public static class StepNames
{
    /// <summary>Parsed <c>[Message]</c> records.</summary>
    public const string Messages = nameof(Messages);

    /// <summary>Message specs feeding the serializer emitter.</summary>
    public const string MessageSpecs = nameof(MessageSpecs);

    /// <summary>Parsed consumer classes.</summary>
    public const string Consumers = nameof(Consumers);

    /// <summary>Consumer specs feeding the dispatcher emitter.</summary>
    public const string ConsumerSpecs = nameof(ConsumerSpecs);

    /// <summary>The aggregated route table.</summary>
    public const string RouteTable = nameof(RouteTable);

    /// <summary>The input of the TypeScript module.</summary>
    public const string TypeScript = nameof(TypeScript);
}

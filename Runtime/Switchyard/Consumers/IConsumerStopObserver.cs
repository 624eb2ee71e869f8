namespace Switchyard;

/// <summary>Told when a runner's consumer has stopped, before its completion is published (no task or continuation needed).</summary>
internal interface IConsumerStopObserver
{
    void OnConsumerStopped(ConsumerStopReason reason);
}

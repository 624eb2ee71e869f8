namespace Switchyard.Analyzers.Rules;

/// <summary>How the SWY1001 code fix rewrites a blocking wait; carried in the diagnostic's properties.</summary>
public static class BlockingWaitFix
{
    /// <summary><c>t.Result</c>, <c>t.Wait()</c>, <c>t.GetAwaiter().GetResult()</c> → <c>await t</c>.</summary>
    public const string Await = "Await";

    /// <summary><c>Thread.Sleep(n)</c> → <c>await Task.Delay(n, token)</c>.</summary>
    public const string Delay = "Delay";

    /// <summary><c>semaphore.Wait(...)</c> → <c>await semaphore.WaitAsync(..., token)</c>.</summary>
    public const string WaitAsync = "WaitAsync";

    /// <summary><c>Task.WaitAll(tasks)</c> → <c>await Task.WhenAll(tasks)</c>.</summary>
    public const string WhenAll = "WhenAll";

    /// <summary><c>Task.WaitAny(tasks);</c> (result unused) → <c>await Task.WhenAny(tasks);</c>.</summary>
    public const string WhenAny = "WhenAny";
}

// Consumer code that looks like blocking but is not, one per line marked SAFE, and synchronous helpers (unmarked: out
// of scope for a rule about async code).
using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Switchyard;

namespace Corpus;

public sealed record Quote(int Id);

public sealed class QuoteConsumer : ChannelConsumer
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ManualResetEventSlim _ready = new(true);

    public async ValueTask Handle(Quote quote, CancellationToken cancellationToken)
    {
        var a = Price(1);
        var b = Price(2);
        await Task.WhenAll(a, b);
        var total = a.Result + b.Result; // SAFE

        var all = new List<Task<int>> { Price(3), Price(4) };
        await Task.WhenAll(all);
        foreach (var each in all)
        {
            total += each.Result; // SAFE
        }

        var first = await Task.WhenAny(a, b);
        total += first.Result; // SAFE

        var c = Price(5);
        await c;
        total += c.GetAwaiter().GetResult(); // SAFE

        var d = Price(6);
        if (d.IsCompletedSuccessfully)
        {
            total += d.Result; // SAFE
        }

        var e = Price(7);
        total += e.IsCompleted ? e.Result : await e; // SAFE

        var f = Price(8);
        await f.ConfigureAwait(false);
        total += f.Result; // SAFE

        var g = new ValueTask<int>(9);
        if (g.IsCompleted)
        {
            total += g.Result; // SAFE
        }

        if (_gate.Wait(0)) // SAFE
        {
            _gate.Release();
        }

        _ = _ready.Wait(TimeSpan.Zero); // SAFE
        using var memory = new MemoryStream();
        memory.Write(new byte[4], 0, 4); // SAFE
        using var text = new StringReader("x");
        _ = text.ReadToEnd(); // SAFE
        var check = new Check();
        total += check.Result; // SAFE
        check.Wait(); // SAFE
        Console.WriteLine(total); // SAFE
        _ = File.Exists("x"); // SAFE
        await Task.Yield();
    }

    public async Task Handle(int id)
    {
        var value = Helper(id);
        await Task.Yield();
        _ = value;
    }

    private static int Helper(int id) => Price(id).Result;

    private static Task<int> Price(int id) => Task.FromResult(id);
}

public sealed class Check
{
    public int Result => 1;

    public void Wait() { }
}

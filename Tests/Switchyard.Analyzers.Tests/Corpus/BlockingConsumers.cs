// Consumer code with known blocking calls, one per line marked BLOCKING: what a Django Channels user writes by habit.
using System;
using System.Collections.Generic;
using System.Data.Common;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using Switchyard;

namespace Corpus;

public sealed record Order(int Id, string Path);

public sealed class OrderConsumer(HttpClient http, DbConnection database) : ChannelConsumer
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ManualResetEventSlim _ready = new();
    private readonly object _sync = new();

    public async ValueTask Handle(Order order, CancellationToken cancellationToken)
    {
        var price = LoadPrice(order.Id).Result; // BLOCKING
        LoadPrice(order.Id).Wait(); // BLOCKING
        price += LoadPrice(order.Id).GetAwaiter().GetResult(); // BLOCKING
        price += new ValueTask<int>(LoadPrice(order.Id)).Result; // BLOCKING
        Task.WaitAll(LoadPrice(1), LoadPrice(2)); // BLOCKING
        Task.WaitAny(LoadPrice(1), LoadPrice(2)); // BLOCKING
        _gate.Wait(); // BLOCKING
        Thread.Sleep(100); // BLOCKING
        lock (_sync)
        {
            Monitor.Wait(_sync, 10); // BLOCKING
        }

        _ready.Wait(cancellationToken); // BLOCKING
        using var handle = new ManualResetEvent(true);
        handle.WaitOne(); // BLOCKING
        await Task.Yield();
    }

    public async Task Handle(string path, CancellationToken cancellationToken)
    {
        var text = File.ReadAllText(path); // BLOCKING
        using var file = File.OpenRead(path);
        var buffer = new byte[1024];
        _ = file.Read(buffer, 0, buffer.Length); // BLOCKING
        using var reader = new StreamReader(file);
        text += reader.ReadToEnd(); // BLOCKING
        using var writer = new StreamWriter(path + ".out");
        writer.WriteLine(text); // BLOCKING
        using var response = http.Send(new HttpRequestMessage(HttpMethod.Get, "https://example.org/")); // BLOCKING
        database.Open(); // BLOCKING
        using var command = database.CreateCommand();
        using var rows = command.ExecuteReader(); // BLOCKING
        while (rows.Read()) // BLOCKING
        {
        }

        var addresses = Dns.GetHostAddresses("example.org"); // BLOCKING
        using var process = Process.Start("true")!;
        process.WaitForExit(); // BLOCKING
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        _ = socket.Receive(buffer); // BLOCKING
        await Task.Yield();
    }

    public async Task Handle(int audit)
    {
        Func<Task> later = async () =>
        {
            Thread.Sleep(10); // BLOCKING
            await Task.Yield();
        };
        await later();
        await Local();

        async Task Local()
        {
            _ = LoadPrice(audit).Result; // BLOCKING
            await Task.Yield();
        }

        new Ledger().Record(audit); // BLOCKING
    }

    private static Task<int> LoadPrice(int id) => Task.FromResult(id);
}

public sealed class Ledger
{
    public void Record(int entry) { }

    public Task RecordAsync(int entry, CancellationToken cancellationToken = default) => Task.CompletedTask;
}

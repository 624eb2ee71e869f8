using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Switchyard.Redis.Tests.Support;

namespace Switchyard.LiveBlog.Tests.Support;

/// <summary>
/// The live-blog sample as a process with every line it writes kept, for tests about what it says: a refusal to start,
/// a log line. Waits are on its output and its exit, each bounded.
/// </summary>
internal sealed class SampleRun : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private TaskCompletionSource _wrote = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private SampleRun(Process process, int port)
    {
        _process = process;
        Port = port;
        Http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{port}"),
            Timeout = TimeSpan.FromSeconds(15),
        };
    }

    public int Port { get; }

    public HttpClient Http { get; }

    public string Output => string.Join('\n', _lines);

    /// <summary>Starts the sample on a free port with its own SQLite file; <paramref name="environment"/> sets ASPNETCORE_ENVIRONMENT.</summary>
    public static SampleRun Start(string database, string environment, params string[] options)
    {
        var port = ChildProcess.FreePort();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])[LiveBlogProcess.FindSample(), "--urls", $"http://127.0.0.1:{port}", "--ConnectionStrings:LiveBlog", $"Data Source={database}", .. options])
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = environment;
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var run = new SampleRun(process, port);
        process.OutputDataReceived += (_, e) => run.Add(e.Data);
        process.ErrorDataReceived += (_, e) => run.Add(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return run;
    }

    /// <summary>Waits for a line containing <paramref name="text"/>; fails after <paramref name="timeout"/>.</summary>
    public async Task<string> WaitForLineAsync(string text, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            var wrote = Volatile.Read(ref _wrote).Task;
            if (_lines.FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal)) is { } line)
            {
                return line;
            }

            try
            {
                await wrote.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"The live blog wrote no line with '{text}' within {timeout}:\n{Output}");
            }
        }
    }

    /// <summary>Waits for the process to exit and returns its exit code; fails after <paramref name="timeout"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The live blog was still running after {timeout}:\n{Output}");
        }

        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None);
        }

        _process.Dispose();
    }

    private void Add(string? line)
    {
        if (line is null)
        {
            return;
        }

        _lines.Enqueue(line);
        Interlocked.Exchange(ref _wrote, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }
}

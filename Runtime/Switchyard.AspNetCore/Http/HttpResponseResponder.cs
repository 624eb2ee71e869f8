using Microsoft.AspNetCore.Http;
using Switchyard.Server;

namespace Switchyard.AspNetCore;

/// <summary>Writes an HTTP consumer's (or a worker's) response to the ASP.NET Core response, flushing each chunk so streams reach the client as they are sent.</summary>
internal sealed class HttpResponseResponder(HttpResponse response) : IHttpResponder
{
    public ValueTask StartAsync(int status, IReadOnlyList<KeyValuePair<string, string>> headers, CancellationToken cancellationToken)
    {
        response.StatusCode = status;
        foreach (var (name, value) in headers)
        {
            response.Headers.Append(name, value);
        }

        return new ValueTask(response.StartAsync(cancellationToken));
    }

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> body, bool moreBody, CancellationToken cancellationToken)
    {
        if (!body.IsEmpty)
        {
            await response.Body.WriteAsync(body, cancellationToken).ConfigureAwait(false);
        }

        if (moreBody)
        {
            await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await response.CompleteAsync().ConfigureAwait(false);
        }
    }
}

using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DrsNotify.Tests.Delivery;

/// <summary>One request that the receiver got, with its headers and exact body bytes.</summary>
public sealed record ReceivedCall(string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public JsonNode Json => JsonNode.Parse(Body)!;

    public string Header(string name) => Headers.TryGetValue(name, out var value) ? value : "";
}

/// <summary>
/// A small real HTTP server on 127.0.0.1 that records every request and responds with the status
/// that <see cref="Respond"/> returns; a responder may also hang until the caller gives up.
/// </summary>
public sealed class HttpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stopping = new();

    private HttpReceiver(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;

    public ConcurrentQueue<ReceivedCall> Calls { get; } = new();

    /// <summary>Decides the status of each request; the token is cancelled when the caller disconnects or the receiver stops.</summary>
    public Func<ReceivedCall, CancellationToken, Task<int>> Respond { get; set; } = (_, _) => Task.FromResult(200);

    public static async Task<HttpReceiver> StartAsync(int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        var receiver = new HttpReceiver(app);
        app.Run(receiver.HandleAsync);
        await app.StartAsync();
        receiver.BaseAddress = new Uri(app.Urls.First());
        return receiver;
    }

    /// <summary>Makes every request hang until the caller gives up or the receiver stops.</summary>
    public void Hang() => Respond = async (_, token) =>
    {
        await Task.Delay(Timeout.Infinite, token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return 503;
    };

    private async Task HandleAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        var headers = context.Request.Headers.ToDictionary(header => header.Key, header => header.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var call = new ReceivedCall(context.Request.Path, headers, body.ToArray());
        Calls.Enqueue(call);

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        context.Response.StatusCode = await Respond(call, linked.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _stopping.Dispose();
    }
}

using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DrsNotify.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace DrsNotify.Tests.Infrastructure;

/// <summary>
/// A real server on Kestrel, on a free loopback port, with its SQLite store in a new temporary
/// folder. Holds the bootstrap credentials and a token-authenticated client.
/// </summary>
public sealed class TestServer : IAsyncDisposable
{
    private WebApplication? _app;
    private readonly bool _ownsDirectory;

    private TestServer(string dataDirectory, bool ownsDirectory)
    {
        DataDirectory = dataDirectory;
        _ownsDirectory = ownsDirectory;
    }

    public string DataDirectory { get; }

    public Uri BaseAddress { get; private set; } = null!;

    public IServiceProvider Services => _app!.Services;

    /// <summary>The bootstrap credentials: project_id, project_name, region, user_name, password, ...</summary>
    public JsonObject Credentials { get; private set; } = null!;

    public string ProjectId => (string)Credentials["project_id"]!;

    public string Region => (string)Credentials["region"]!;

    /// <summary>A client that sends the administrator's token in <c>X-Auth-Token</c>.</summary>
    public HttpClient Client { get; private set; } = null!;

    /// <summary>A client that sends no credentials.</summary>
    public HttpClient Anonymous { get; private set; } = null!;

    public string Token { get; private set; } = null!;

    /// <summary>
    /// Starts a server. <paramref name="settings"/> are configuration keys such as
    /// <c>DrsNotify:Bootstrap:Region</c>; <paramref name="dataDirectory"/> reuses a folder,
    /// for restart tests.
    /// </summary>
    public static async Task<TestServer> StartAsync(
        IDictionary<string, string>? settings = null,
        Action<IServiceCollection>? services = null,
        string? dataDirectory = null)
    {
        var ownsDirectory = dataDirectory is null;
        dataDirectory ??= Directory.CreateTempSubdirectory("drsnotify-test-").FullName;
        var server = new TestServer(dataDirectory, ownsDirectory);
        await server.StartAppAsync(settings, services);
        return server;
    }

    private async Task StartAppAsync(IDictionary<string, string>? settings, Action<IServiceCollection>? services)
    {
        var args = new List<string>
        {
            "--urls", "http://127.0.0.1:0",
            "--DrsNotify:DataDirectory", DataDirectory,
            "--Logging:LogLevel:Default", "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            args.Add("--" + key);
            args.Add(value);
        }

        _app = await ServerApp.CreateAsync([.. args], services);
        await _app.StartAsync();
        BaseAddress = new Uri(_app.Urls.First());
        Credentials = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(DataDirectory, "initial-credentials.json")))!.AsObject();

        Anonymous = new HttpClient { BaseAddress = BaseAddress };
        Token = await IssueTokenAsync((string)Credentials["user_name"]!, (string)Credentials["password"]!, ProjectId);
        Client = new HttpClient { BaseAddress = BaseAddress };
        Client.DefaultRequestHeaders.Add("X-Auth-Token", Token);
    }

    /// <summary>
    /// Stops the server and starts a new one on the same data directory. <paramref name="whileStopped"/>
    /// runs in between, for example to change the database file.
    /// </summary>
    public async Task RestartAsync(
        IDictionary<string, string>? settings = null, Action<IServiceCollection>? services = null, Action? whileStopped = null)
    {
        await StopAppAsync();
        whileStopped?.Invoke();
        await StartAppAsync(settings, services);
    }

    public async Task<string> IssueTokenAsync(string user, string password, string projectId)
    {
        var body = new JsonObject
        {
            ["auth"] = new JsonObject
            {
                ["identity"] = new JsonObject
                {
                    ["methods"] = new JsonArray("password"),
                    ["password"] = new JsonObject
                    {
                        ["user"] = new JsonObject { ["name"] = user, ["password"] = password },
                    },
                },
                ["scope"] = new JsonObject { ["project"] = new JsonObject { ["id"] = projectId } },
            },
        };
        using var response = await Anonymous.PostAsync("/v3/auth/tokens", Json(body.ToJsonString()));
        if ((int)response.StatusCode != 201)
        {
            throw new InvalidOperationException($"Token request failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        return response.Headers.GetValues("X-Subject-Token").Single();
    }

    /// <summary>Sends <paramref name="json"/> with the admin token and returns status and parsed body.</summary>
    public Task<ApiResponse> PostAsync(string path, string json, string? language = null) =>
        SendAsync(HttpMethod.Post, path, json, language);

    public async Task<ApiResponse> SendAsync(
        HttpMethod method, string path, string? json, string? language = null, HttpClient? client = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path.Replace("{project_id}", ProjectId));
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        if (language is not null)
        {
            request.Headers.Add("X-Language", language);
        }

        using var response = await (client ?? Client).SendAsync(request);
        return await ApiResponse.ReadAsync(response);
    }

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private async Task StopAppAsync()
    {
        Client?.Dispose();
        Anonymous?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _app = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAppAsync();
        if (_ownsDirectory)
        {
            try
            {
                Directory.Delete(DataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A file still held open by a pooled connection; the OS cleans the temp folder.
            }
        }
    }
}

/// <summary>Status, headers and body of a response, with the body parsed when it is JSON.</summary>
public sealed record ApiResponse(int Status, string Body, JsonNode? Json, string? ContentType, string? RequestId, HttpResponseMessage Raw)
{
    public static async Task<ApiResponse> ReadAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        JsonNode? json = null;
        try
        {
            json = body.Length > 0 ? JsonNode.Parse(body) : null;
        }
        catch (JsonException)
        {
        }

        response.Headers.TryGetValues("X-Request-Id", out var ids);
        return new ApiResponse((int)response.StatusCode, body, json, response.Content.Headers.ContentType?.MediaType, ids?.FirstOrDefault(), response);
    }

    public string? ErrorCode => (string?)Json?["error_code"];

    public string? ErrorMessage => (string?)Json?["error_msg"];
}

using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using DrsNotify.Tests.Infrastructure;

namespace DrsNotify.Tests.Delivery;

/// <summary>
/// The server as a separate process (<c>dotnet DrsNotify.Server.dll</c> from the test output
/// folder) on a free loopback port, so that a test can kill it with SIGKILL.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServerProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public HttpClient Client { get; } = new();

    public string ProjectId { get; private set; } = "";

    /// <summary>The last lines the process wrote, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts the server on <paramref name="dataDirectory"/> and waits until it is ready and a token is issued.</summary>
    public static async Task<ServerProcess> StartAsync(string dataDirectory, IDictionary<string, string> settings)
    {
        var port = FreePort.Next();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "DrsNotify.Server.dll"));
        foreach (var (key, value) in new Dictionary<string, string>(settings)
                 {
                     ["urls"] = $"http://127.0.0.1:{port}",
                     ["DrsNotify:DataDirectory"] = dataDirectory,
                     ["Logging:LogLevel:Default"] = "Warning",
                 })
        {
            start.ArgumentList.Add("--" + key);
            start.ArgumentList.Add(value);
        }

        var process = Process.Start(start)!;
        var server = new ServerProcess(process, new Uri($"http://127.0.0.1:{port}"));
        process.OutputDataReceived += (_, line) => server.Append(line.Data);
        process.ErrorDataReceived += (_, line) => server.Append(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        server.Client.BaseAddress = server.BaseAddress;
        await server.WaitUntilReadyAsync();
        await server.AuthenticateAsync(dataDirectory);
        return server;
    }

    public async Task<ApiResponse> PostAsync(string path, string json)
    {
        using var content = TestServer.Json(json);
        using var response = await Client.PostAsync(path.Replace("{project_id}", ProjectId), content);
        return await ApiResponse.ReadAsync(response);
    }

    /// <summary>Kills the process with SIGKILL: no shutdown code runs.</summary>
    public void Kill()
    {
        _process.Kill();
        _process.WaitForExit();
    }

    public ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Kill();
        }

        _process.Dispose();
        Client.Dispose();
        return ValueTask.CompletedTask;
    }

    private void Append(string? line)
    {
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private async Task WaitUntilReadyAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            Assert.False(_process.HasExited, $"The server process exited with {(_process.HasExited ? _process.ExitCode : 0)}:\n{Output}");
            try
            {
                using var response = await Client.GetAsync("/health/ready");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
            }

            Assert.True(DateTime.UtcNow < deadline, $"The server process was not ready within 60 s:\n{Output}");
            await Task.Delay(100);
        }
    }

    private async Task AuthenticateAsync(string dataDirectory)
    {
        var credentials = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(dataDirectory, "initial-credentials.json")))!;
        ProjectId = (string)credentials["project_id"]!;
        var body = new JsonObject
        {
            ["auth"] = new JsonObject
            {
                ["identity"] = new JsonObject
                {
                    ["methods"] = new JsonArray("password"),
                    ["password"] = new JsonObject
                    {
                        ["user"] = new JsonObject { ["name"] = (string?)credentials["user_name"], ["password"] = (string?)credentials["password"] },
                    },
                },
                ["scope"] = new JsonObject { ["project"] = new JsonObject { ["id"] = ProjectId } },
            },
        };
        using var response = await Client.PostAsJsonAsync("/v3/auth/tokens", body);
        Assert.Equal(201, (int)response.StatusCode);
        Client.DefaultRequestHeaders.Add("X-Auth-Token", response.Headers.GetValues("X-Subject-Token").Single());
    }
}

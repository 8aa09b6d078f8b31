using System.Text.Json.Nodes;
using DrsNotify.Tests.Infrastructure;

namespace DrsNotify.Tests.Api;

/// <summary>Inputs and requests found by trying to break the server as a hostile client.</summary>
public sealed class HardeningTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("aaaaaaaa-0000-4000-8000-00000001jb01\\n", "job-a", "jobs[0].job_id")]
    [InlineData("aaaaaaaa-0000-4000-8000-00000001jb01", "job-a\\n", "jobs[0].name")]
    public async Task BatchCreation_TrailingNewline_Rejected(string jobId, string name, string parameter)
    {
        var before = StoreSnapshot.Take(_server);

        var response = await _server.PostAsync("/v3/{project_id}/jobs/batch-creation", $$"""
            {"jobs":[{"job_id":"{{jobId}}","name":"{{name}}","engine_type":"mysql","db_use_type":"sync","task_type":"FULL_TRANS","job_direction":"up"}]}
            """);

        Assert.Equal(400, response.Status);
        Assert.Equal("DRS.M00202", response.ErrorCode);
        Assert.Contains(parameter, response.ErrorMessage);
        Assert.Equal(before, StoreSnapshot.Take(_server));
    }

    [Fact]
    public async Task Token_LoneSurrogateUserName_Returns400()
    {
        var body = """
            {"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"\ud800","password":"x"}}},
             "scope":{"project":{"id":"PROJECT"}}}}
            """.Replace("PROJECT", _server.ProjectId);

        var response = await _server.SendAsync(HttpMethod.Post, "/v3/auth/tokens", body, client: _server.Anonymous);

        Assert.Equal(400, response.Status);
        Assert.Equal("DRS.M00202", response.ErrorCode);
        Assert.Contains("auth.identity.password.user.name", response.ErrorMessage);
    }

    [Fact]
    public async Task PathJobId_LongerThan64_Rejected()
    {
        var response = await _server.SendAsync(
            HttpMethod.Get, $"/v3/{{project_id}}/jobs/{new string('a', 5000)}/notification-history", null);

        Assert.Equal(400, response.Status);
        Assert.Equal("DRS.M00202", response.ErrorCode);
        Assert.True(response.Body.Length < 300, response.Body);
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task Health_Head_Returns200(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, path);

        using var response = await _server.Anonymous.SendAsync(request);

        Assert.Equal(200, (int)response.StatusCode);
    }

    [Theory]
    [InlineData("POST", "/v3/{project_id}/jobs/batch-set-smn", """{"jobs":[{"job_id":"unknown-job","status":"CONFIGURATION","engine_type":"mysql"}],"alarm_notify_info":{"subscriptions":[{"protocol":"email","endpoints":["ops@example.com"]}]}}""", 200)]
    [InlineData("POST", "/v3/{project_id}/jobs/batch-set-smn", "[]", 400)]
    [InlineData("GET", "/v3/{project_id}/no-such-path", null, 404)]
    [InlineData("GET", "/health/live", null, 200)]
    public async Task Response_HasContentLength_NotChunked(string method, string path, string? json, int status)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path.Replace("{project_id}", _server.ProjectId));
        if (json is not null)
        {
            request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        }

        using var response = await _server.Client.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(status, (int)response.StatusCode);
        Assert.NotEmpty(body);
        Assert.Equal(body.Length, response.Content.Headers.ContentLength);
        Assert.NotEqual(true, response.Headers.TransferEncodingChunked);
    }

    [Fact]
    public async Task TruncatedBody_NotCalledTooDeep()
    {
        var response = await _server.PostAsync("/v3/{project_id}/jobs/batch-status", """{"jobs": [""");

        Assert.Equal(400, response.Status);
        Assert.Equal("DRS.M00007", response.ErrorCode);
        Assert.DoesNotContain("nested", response.ErrorMessage);
    }

    [Fact]
    public async Task DeepBody_CalledTooDeep()
    {
        var response = await _server.PostAsync("/v3/{project_id}/jobs/batch-status", new string('[', 40) + new string(']', 40));

        Assert.Equal(400, response.Status);
        Assert.Equal("DRS.M00007", response.ErrorCode);
        Assert.Contains("nested deeper than 32", response.ErrorMessage);
    }

    [Theory]
    [InlineData("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", "第 1 行第 33 个字节：嵌套超过 32 层")]
    [InlineData("""{"jobs": [""", "第 1 行第 11 个字节")]
    [InlineData("""{"jobs": x}""", "第 1 行第 10 个字节")]
    public async Task InvalidJson_ZhCn_DetailInChinese(string body, string detail)
    {
        var response = await _server.PostAsync("/v3/{project_id}/jobs/batch-status", body, "zh-cn");

        Assert.Equal(400, response.Status);
        Assert.Equal("DRS.M00007", response.ErrorCode);
        Assert.Equal("请求体不是合法的 JSON：" + detail, response.ErrorMessage);
    }

    [Fact]
    public async Task OpenApi_DrsPath_DeclaresProjectIdAndSecurity()
    {
        var document = JsonNode.Parse(await _server.Anonymous.GetStringAsync("/openapi/v1.json"))!;

        var parameters = document["paths"]!["/v3/{project_id}/jobs/batch-set-smn"]!["post"]!["parameters"]!.AsArray();
        Assert.Contains(parameters, parameter => (string?)parameter!["name"] == "project_id" && (string?)parameter["in"] == "path");
        Assert.Contains(parameters, parameter => (string?)parameter!["name"] == "X-Language");
        Assert.NotNull(document["components"]!["securitySchemes"]!["token"]);
        Assert.NotNull(document["components"]!["securitySchemes"]!["aksk"]);
    }
}

public sealed class StartupValidationTests
{
    [Fact]
    public async Task InvalidOption_StopsBeforeBootstrap()
    {
        var directory = Directory.CreateTempSubdirectory("drsnotify-test-").FullName;
        try
        {
            await Assert.ThrowsAnyAsync<Exception>(() => TestServer.StartAsync(
                new Dictionary<string, string> { ["DrsNotify:Api:MaxJobsPerRequest"] = "0" }, dataDirectory: directory));

            Assert.False(File.Exists(Path.Combine(directory, "initial-credentials.json")));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData("DrsNotify:Api:MaxJobsPerRequest", "0", "error: invalid configuration: ")]
    [InlineData("urls", "http://127.0.0.1:{port}", "error: the server could not start: ")]
    public async Task StartFailure_ExitsWithOneLine(string key, string value, string prefix)
    {
        var directory = Directory.CreateTempSubdirectory("drsnotify-test-").FullName;
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var error = new StringWriter();
        try
        {
            var exitCode = await DrsNotify.Server.ServerApp.RunAsync(
                [
                    "--urls", "http://127.0.0.1:0", "--DrsNotify:DataDirectory", directory,
                    "--" + key, value.Replace("{port}", port),
                ],
                error);

            Assert.Equal(1, exitCode);
            Assert.StartsWith(prefix, error.ToString());
            Assert.Single(error.ToString().TrimEnd().Split('\n'));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }
}

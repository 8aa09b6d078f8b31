using System.Text.Json.Nodes;
using DrsNotify.Tests.Infrastructure;

namespace DrsNotify.Tests.Identity;

public sealed class TokenTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Issue_ValidPassword_Returns201WithIamBody()
    {
        var body = """
            {"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"admin","password":"PASSWORD","domain":{"name":"drsnotify"}}}},
             "scope":{"project":{"name":"PROJECT_NAME"}}}}
            """.Replace("PASSWORD", (string)_server.Credentials["password"]!).Replace("PROJECT_NAME", (string)_server.Credentials["project_name"]!).Replace("PROJECT_ID", _server.ProjectId);

        var response = await _server.SendAsync(HttpMethod.Post, "/v3/auth/tokens", body, client: _server.Anonymous);

        Assert.Equal(201, response.Status);
        Assert.True(response.Raw.Headers.Contains("X-Subject-Token"));
        Assert.Equal(_server.ProjectId, (string?)response.Json!["token"]!["project"]!["id"]);
        Assert.Equal("admin", (string?)response.Json!["token"]!["user"]!["name"]);
        Assert.Equal("drsnotify", (string?)response.Json!["token"]!["user"]!["domain"]!["name"]);
        Assert.DoesNotContain((string)_server.Credentials["password"]!, response.Body);
    }

    [Fact]
    public async Task Issue_WrongPassword_Returns401()
    {
        var body = """
            {"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"admin","password":"wrong-password"}}},
             "scope":{"project":{"id":"PROJECT_ID"}}}}
            """.Replace("PASSWORD", (string)_server.Credentials["password"]!).Replace("PROJECT_NAME", (string)_server.Credentials["project_name"]!).Replace("PROJECT_ID", _server.ProjectId);

        var response = await _server.SendAsync(HttpMethod.Post, "/v3/auth/tokens", body, client: _server.Anonymous);

        Assert.Equal(401, response.Status);
        Assert.Equal("APIGW.0301", response.ErrorCode);
        Assert.Equal(response.RequestId, (string?)response.Json!["request_id"]);
    }

    [Fact]
    public async Task Issue_UnknownUser_Returns401()
    {
        var body = """
            {"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"nobody","password":"whatever1"}}},
             "scope":{"project":{"id":"PROJECT_ID"}}}}
            """.Replace("PASSWORD", (string)_server.Credentials["password"]!).Replace("PROJECT_NAME", (string)_server.Credentials["project_name"]!).Replace("PROJECT_ID", _server.ProjectId);

        var response = await _server.SendAsync(HttpMethod.Post, "/v3/auth/tokens", body, client: _server.Anonymous);

        Assert.Equal(401, response.Status);
        Assert.Equal("APIGW.0301", response.ErrorCode);
    }

    [Fact]
    public async Task Revoke_Token_RejectsItAfterwards()
    {
        var token = await _server.IssueTokenAsync("admin", (string)_server.Credentials["password"]!, _server.ProjectId);
        using var request = new HttpRequestMessage(HttpMethod.Delete, "/v3/auth/tokens");
        request.Headers.Add("X-Auth-Token", _server.Token);
        request.Headers.Add("X-Subject-Token", token);

        using var revoke = await _server.Anonymous.SendAsync(request);

        Assert.Equal(204, (int)revoke.StatusCode);
        using var client = new HttpClient { BaseAddress = _server.BaseAddress };
        client.DefaultRequestHeaders.Add("X-Auth-Token", token);
        var after = await _server.SendAsync(HttpMethod.Post, "/v3/{project_id}/jobs/batch-status", """{"jobs":["x"]}""", client: client);
        Assert.Equal(401, after.Status);
        Assert.Contains("revoked", after.ErrorMessage);
    }
}

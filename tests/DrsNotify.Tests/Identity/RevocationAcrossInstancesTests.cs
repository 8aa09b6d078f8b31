using DrsNotify.Tests.Infrastructure;

namespace DrsNotify.Tests.Identity;

/// <summary>Two server instances on one data directory honour each other's revocations.</summary>
public sealed class RevocationAcrossInstancesTests : IAsyncLifetime
{
    private static readonly Dictionary<string, string> FastRefresh = new()
    {
        ["DrsNotify:Tokens:RevocationRefreshInterval"] = "00:00:00.200",
    };

    private TestServer _first = null!;
    private TestServer _second = null!;

    public async Task InitializeAsync()
    {
        _first = await TestServer.StartAsync(FastRefresh);
        _second = await TestServer.StartAsync(FastRefresh, dataDirectory: _first.DataDirectory);
    }

    public async Task DisposeAsync()
    {
        await _second.DisposeAsync();
        await _first.DisposeAsync();
    }

    private static async Task<int> StatusWithTokenAsync(TestServer server, string token)
    {
        using var client = new HttpClient { BaseAddress = server.BaseAddress };
        client.DefaultRequestHeaders.Add("X-Auth-Token", token);
        var response = await server.SendAsync(HttpMethod.Post, "/v3/{project_id}/jobs/batch-status", """{"jobs":["x"]}""", client: client);
        return response.Status;
    }

    private static async Task<TimeSpan?> TimeUntilRejectedAsync(TestServer server, string token)
    {
        var started = DateTime.UtcNow;
        while (DateTime.UtcNow - started < TimeSpan.FromSeconds(5))
        {
            if (await StatusWithTokenAsync(server, token) == 401)
            {
                return DateTime.UtcNow - started;
            }

            await Task.Delay(50);
        }

        return null;
    }

    [Fact]
    public async Task RevokeToken_OnFirst_RejectedBySecond()
    {
        var token = await _first.IssueTokenAsync("admin", (string)_first.Credentials["password"]!, _first.ProjectId);
        Assert.Equal(200, await StatusWithTokenAsync(_second, token));
        using var request = new HttpRequestMessage(HttpMethod.Delete, "/v3/auth/tokens");
        request.Headers.Add("X-Auth-Token", _first.Token);
        request.Headers.Add("X-Subject-Token", token);

        using var revoke = await _first.Anonymous.SendAsync(request);

        Assert.Equal(204, (int)revoke.StatusCode);
        Assert.NotNull(await TimeUntilRejectedAsync(_second, token));
    }

    [Fact]
    public async Task RevokeUserTokens_ThroughCli_RejectedByBoth()
    {
        var token = await _second.IssueTokenAsync("admin", (string)_second.Credentials["password"]!, _second.ProjectId);
        Assert.Equal(200, await StatusWithTokenAsync(_first, token));

        var revoke = await AdminCli.RunAsync(_first.DataDirectory, "tokens", "revoke", "--user", "admin");

        Assert.Equal(0, revoke.ExitCode);
        Assert.NotNull(await TimeUntilRejectedAsync(_first, token));
        Assert.NotNull(await TimeUntilRejectedAsync(_second, token));
    }
}

using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using DrsNotify.Tests.Infrastructure;

namespace DrsNotify.Tests.Admin;

/// <summary>
/// The administration commands against a store on which a server is running, checked through
/// the server's API where the command changes what callers can do.
/// </summary>
public sealed class AdminCommandsTests : IAsyncLifetime
{
    private const string SecondProjectId = "04f9aca88c00d3202fd4c01ed679daf0";

    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(new Dictionary<string, string>
    {
        ["DrsNotify:Tokens:RevocationRefreshInterval"] = "00:00:00.200",
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private Task<AdminResult> Cli(params string[] args) => AdminCli.RunAsync(_server.DataDirectory, args);

    private async Task<ApiResponse> SignedAsync(string projectId, string accessKey, string secretKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_server.BaseAddress, $"/v3/{projectId}/jobs/batch-status"));
        var body = Encoding.UTF8.GetBytes("""{"jobs":["no-such-job"]}""");
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("X-Project-Id", projectId);
        new SdkRequestSigner(accessKey, secretKey).Sign(request, body, DateTimeOffset.UtcNow);
        using var client = new HttpClient();
        using var response = await client.SendAsync(request);
        return await ApiResponse.ReadAsync(response);
    }

    private async Task<ApiResponse> WithTokenAsync(string token, string projectId)
    {
        using var client = new HttpClient { BaseAddress = _server.BaseAddress };
        client.DefaultRequestHeaders.Add("X-Auth-Token", token);
        return await _server.SendAsync(HttpMethod.Post, $"/v3/{projectId}/jobs/batch-status", """{"jobs":["no-such-job"]}""", client: client);
    }

    /// <summary>Polls until <paramref name="condition"/> holds, for at most five seconds.</summary>
    private static async Task<bool> EventuallyAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(100);
        }

        return await condition();
    }

    [Fact]
    public async Task ProjectsCreate_GivenId_Listed()
    {
        var create = await Cli("projects", "create", "--name", "cn-north-7", "--id", SecondProjectId, "--output", "json");
        var list = await Cli("projects", "list", "-o", "json");

        Assert.Equal(0, create.ExitCode);
        Assert.Equal(SecondProjectId, (string?)create.Json["id"]);
        Assert.Equal("cn-north-7", (string?)create.Json["region"]);
        Assert.Equal("drsnotify", (string?)create.Json["account"]);
        Assert.False((bool)create.Json["account_created"]!);
        Assert.Equal(0, list.ExitCode);
        var projects = list.Json.AsArray();
        Assert.Contains(projects, project => (string?)project!["id"] == SecondProjectId && (string?)project["name"] == "cn-north-7");
        Assert.Contains(projects, project => (string?)project!["id"] == _server.ProjectId);
    }

    [Fact]
    public async Task ProjectsCreate_Grant_UserGetsTokenForIt()
    {
        var create = await Cli("projects", "create", "--name", "cn-north-7", "--id", SecondProjectId, "--grant", "admin");

        var token = await _server.IssueTokenAsync("admin", (string)_server.Credentials["password"]!, SecondProjectId);

        Assert.Equal(0, create.ExitCode);
        Assert.False(string.IsNullOrEmpty(token));
    }

    [Fact]
    public async Task ProjectsCreate_GrantUnknownUser_FailsAndChangesNothing()
    {
        var before = StoreSnapshot.Take(_server);

        var result = await Cli("projects", "create", "--name", "cn-north-7", "--grant", "nobody");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("no user named nobody", result.Error);
        Assert.Equal(before, StoreSnapshot.Take(_server));
    }

    [Theory]
    [InlineData("--id", "04F9ACA88C00D3202FD4C01ED679DAF0", "Invalid project id")]
    [InlineData("--region", "Not_A_Region", "Invalid region")]
    public async Task ProjectsCreate_InvalidValue_FailsAndChangesNothing(string option, string value, string message)
    {
        var before = StoreSnapshot.Take(_server);

        var result = await Cli("projects", "create", "--name", "cn-north-7", option, value);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(message, result.Error);
        Assert.Equal("", result.Output);
        Assert.Equal(before, StoreSnapshot.Take(_server));
    }

    [Fact]
    public async Task ProjectsCreate_ExistingId_Fails()
    {
        var result = await Cli("projects", "create", "--name", "other", "--id", _server.ProjectId);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"A project with id {_server.ProjectId} already exists", result.Error);
    }

    [Fact]
    public async Task UsersCreate_GeneratedPassword_IssuesTokenForGrantedProject()
    {
        await Cli("projects", "create", "--name", "cn-north-7", "--id", SecondProjectId);

        var create = await Cli("users", "create", "--name", "alice", "--project", SecondProjectId, "-o", "json");
        var password = (string)create.Json["password"]!;
        var token = await _server.IssueTokenAsync("alice", password, SecondProjectId);
        var denied = await Assert.ThrowsAsync<InvalidOperationException>(() => _server.IssueTokenAsync("alice", password, _server.ProjectId));

        Assert.Equal(0, create.ExitCode);
        Assert.Equal(24, password.Length);
        Assert.Equal(200, (await WithTokenAsync(token, SecondProjectId)).Status);
        Assert.Contains("401", denied.Message);
    }

    [Fact]
    public async Task UsersCreate_ExistingName_Fails()
    {
        var result = await Cli("users", "create", "--name", "ADMIN", "--password", "long enough");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("already has a user named ADMIN", result.Error);
    }

    [Fact]
    public async Task UsersCreate_ShortPassword_Fails()
    {
        var result = await Cli("users", "create", "--name", "bob", "--password", "short");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Invalid password", result.Error);
    }

    [Fact]
    public async Task UsersSetPassword_NewPasswordWorksOldFails()
    {
        var oldPassword = (string)_server.Credentials["password"]!;

        var result = await Cli("users", "set-password", "--name", "admin", "--password", "a new password");

        Assert.Equal(0, result.ExitCode);
        Assert.DoesNotContain("a new password", result.Output);
        await _server.IssueTokenAsync("admin", "a new password", _server.ProjectId);
        await Assert.ThrowsAsync<InvalidOperationException>(() => _server.IssueTokenAsync("admin", oldPassword, _server.ProjectId));
    }

    [Fact]
    public async Task KeysCreate_KeySignsUntilDisabledOrDeleted()
    {
        await Cli("users", "create", "--name", "carol", "--password", "carol's password");

        var create = await Cli("keys", "create", "--user", "carol", "-o", "json");
        var accessKey = (string)create.Json["access_key"]!;
        var secretKey = (string)create.Json["secret_key"]!;
        var list = await Cli("keys", "list", "-o", "json");
        var listTable = await Cli("keys", "list");
        var enabled = await SignedAsync(_server.ProjectId, accessKey, secretKey);
        var disable = await Cli("keys", "disable", accessKey);
        var disabled = await SignedAsync(_server.ProjectId, accessKey, secretKey);
        await Cli("keys", "enable", accessKey);
        var reenabled = await SignedAsync(_server.ProjectId, accessKey, secretKey);
        var delete = await Cli("keys", "delete", accessKey);
        var deleted = await SignedAsync(_server.ProjectId, accessKey, secretKey);

        Assert.Equal(0, create.ExitCode);
        Assert.Matches("^[A-Z0-9]{20}$", accessKey);
        Assert.Matches("^[A-Za-z0-9]{40}$", secretKey);
        Assert.Contains(list.Json.AsArray(), key => (string?)key!["access_key"] == accessKey && (string?)key["user"] == "carol");
        Assert.DoesNotContain(secretKey, list.Output);
        Assert.DoesNotContain(secretKey, listTable.Output);
        Assert.Equal(200, enabled.Status);
        Assert.Equal(0, disable.ExitCode);
        Assert.Equal(401, disabled.Status);
        Assert.Contains("disabled", disabled.ErrorMessage);
        Assert.Equal(200, reenabled.Status);
        Assert.Equal(0, delete.ExitCode);
        Assert.Equal(401, deleted.Status);
        Assert.Contains("unknown access key", deleted.ErrorMessage);
    }

    [Theory]
    [InlineData("disable")]
    [InlineData("enable")]
    [InlineData("delete")]
    public async Task Keys_UnknownAccessKey_Fails(string verb)
    {
        var result = await Cli("keys", verb, "AKUNKNOWN00000000000");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("No access key AKUNKNOWN00000000000 exists", result.Error);
    }

    [Fact]
    public async Task TokensRevoke_RunningServerRejectsEarlierTokens()
    {
        var password = (string)_server.Credentials["password"]!;
        var token = await _server.IssueTokenAsync("admin", password, _server.ProjectId);
        Assert.Equal(200, (await WithTokenAsync(token, _server.ProjectId)).Status);

        var revoke = await Cli("tokens", "revoke", "--user", "admin");

        Assert.Equal(0, revoke.ExitCode);
        Assert.True(await EventuallyAsync(async () => (await WithTokenAsync(token, _server.ProjectId)).Status == 401));
        Assert.Contains("revoked", (await WithTokenAsync(_server.Token, _server.ProjectId)).ErrorMessage);
        await Task.Delay(5);
        var fresh = await _server.IssueTokenAsync("admin", password, _server.ProjectId);
        Assert.Equal(200, (await WithTokenAsync(fresh, _server.ProjectId)).Status);
    }

    [Fact]
    public async Task UsersDelete_RejectsTokensAndKeys()
    {
        await Cli("users", "create", "--name", "dave", "--password", "dave's password");
        var key = (await Cli("keys", "create", "--user", "dave", "-o", "json")).Json;
        var token = await _server.IssueTokenAsync("dave", "dave's password", _server.ProjectId);

        var delete = await Cli("users", "delete", "--name", "dave");

        Assert.Equal(0, delete.ExitCode);
        Assert.True(await EventuallyAsync(async () => (await WithTokenAsync(token, _server.ProjectId)).Status == 401));
        Assert.Equal(401, (await SignedAsync(_server.ProjectId, (string)key["access_key"]!, (string)key["secret_key"]!)).Status);
        Assert.DoesNotContain("dave", (await Cli("users", "list")).Output);
    }

    [Fact]
    public async Task UsersDelete_UnknownUser_Fails()
    {
        var result = await Cli("users", "delete", "--name", "nobody");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("No user named nobody exists", result.Error);
    }

    [Theory]
    [InlineData("projects", "create")]
    [InlineData("projects", "list")]
    [InlineData("users", "create")]
    [InlineData("users", "list")]
    [InlineData("users", "delete")]
    [InlineData("users", "set-password")]
    [InlineData("keys", "create")]
    [InlineData("keys", "list")]
    [InlineData("keys", "disable")]
    [InlineData("keys", "enable")]
    [InlineData("keys", "delete")]
    [InlineData("tokens", "revoke")]
    public async Task Help_EachCommand_Explains(string group, string command)
    {
        var result = await Cli(group, command, "--help");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Usage:", result.Output);
        Assert.Contains("--output", result.Output);
    }

    [Fact]
    public async Task MissingRequiredOption_FailsWithMessage()
    {
        var result = await Cli("keys", "create");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("--user", result.Error);
    }

    [Fact]
    public async Task Cli_EmptyDirectory_BootstrapsStore()
    {
        var directory = Directory.CreateTempSubdirectory("drsnotify-cli-").FullName;
        try
        {
            var result = await AdminCli.RunAsync(directory, "projects", "list", "-o", "json");

            Assert.Equal(0, result.ExitCode);
            Assert.Single(result.Json.AsArray());
            Assert.True(File.Exists(Path.Combine(directory, "initial-credentials.json")));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }
}

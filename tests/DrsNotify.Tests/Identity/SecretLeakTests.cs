using System.Net.Http.Headers;
using System.Text;
using DrsNotify.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DrsNotify.Tests.Identity;

/// <summary>
/// Runs a server and the administration commands with every log level captured, through token
/// issue and revocation, signed requests, failed logins and key creation, and checks that no
/// password, secret key or token used appears in a log entry, a response body or an error.
/// </summary>
public sealed class SecretLeakTests
{
    private static readonly Dictionary<string, string> TraceLogging = new()
    {
        ["Logging:LogLevel:Default"] = "Trace",
        ["Logging:LogLevel:Microsoft"] = "Trace",
    };

    [Fact]
    public async Task WholeSession_NoSecretInLogsOrResponses()
    {
        var logs = new CapturingLoggerProvider();
        void Capture(IServiceCollection services) => services.AddSingleton<ILoggerProvider>(logs);
        await using var server = await TestServer.StartAsync(TraceLogging, Capture);
        var secrets = new List<string>
        {
            (string)server.Credentials["password"]!,
            (string)server.Credentials["secret_key"]!,
            server.Token,
        };
        var responses = new List<string>();

        // Failed logins, with the guessed passwords counted as secrets too.
        foreach (var guess in new[] { "guessed-password-1", "guessed-password-2" })
        {
            secrets.Add(guess);
            var body = """
                {"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"admin","password":"GUESS"}}},
                 "scope":{"project":{"id":"PROJECT_ID"}}}}
                """.Replace("GUESS", guess).Replace("PROJECT_ID", server.ProjectId);
            var failed = await server.SendAsync(HttpMethod.Post, "/v3/auth/tokens", body, client: server.Anonymous);
            Assert.Equal(401, failed.Status);
            responses.Add(failed.Body);
        }

        // A user and an access key created with the administration commands.
        var user = await AdminCli.RunAsync(server.DataDirectory, ["users", "create", "--name", "erin", "-o", "json"], Capture, TraceLogging);
        var password = (string)user.Json["password"]!;
        var key = await AdminCli.RunAsync(server.DataDirectory, ["keys", "create", "--user", "erin", "-o", "json"], Capture, TraceLogging);
        var accessKey = (string)key.Json["access_key"]!;
        var secretKey = (string)key.Json["secret_key"]!;
        secrets.AddRange([password, secretKey]);
        var list = await AdminCli.RunAsync(server.DataDirectory, ["keys", "list"], Capture, TraceLogging);
        responses.AddRange([user.Error, key.Error, list.Output, list.Error]);

        // Tokens: issue, use, revoke, use again.
        var token = await server.IssueTokenAsync("erin", password, server.ProjectId);
        secrets.Add(token);
        using (var client = new HttpClient { BaseAddress = server.BaseAddress })
        {
            client.DefaultRequestHeaders.Add("X-Auth-Token", token);
            responses.Add((await server.SendAsync(HttpMethod.Post, "/v3/{project_id}/jobs/batch-status", """{"jobs":["x"]}""", client: client)).Body);
            using var revoke = new HttpRequestMessage(HttpMethod.Delete, "/v3/auth/tokens");
            revoke.Headers.Add("X-Auth-Token", server.Token);
            revoke.Headers.Add("X-Subject-Token", token);
            using var revoked = await server.Anonymous.SendAsync(revoke);
            responses.Add(await revoked.Content.ReadAsStringAsync());
            responses.Add((await server.SendAsync(HttpMethod.Post, "/v3/{project_id}/jobs/batch-status", """{"jobs":["x"]}""", client: client)).Body);
        }

        // Signed requests: with the right secret key and with a wrong one.
        foreach (var (ak, sk) in new[] { (accessKey, secretKey), (accessKey, secretKey + "-wrong"), ((string)server.Credentials["access_key"]!, (string)server.Credentials["secret_key"]!) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(server.BaseAddress, $"/v3/{server.ProjectId}/jobs/batch-status"));
            var body = Encoding.UTF8.GetBytes("""{"jobs":["x"]}""");
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            new SdkRequestSigner(ak, sk).Sign(request, body, DateTimeOffset.UtcNow);
            using var response = await server.Anonymous.SendAsync(request);
            responses.Add(await response.Content.ReadAsStringAsync());
        }

        var entries = logs.Entries.ToList();
        Assert.True(entries.Count > 20, $"only {entries.Count} log entries were captured");
        Assert.Contains(entries, entry => entry.Contains("Applied schema migration") || entry.Contains("Request starting"));
        foreach (var secret in secrets)
        {
            var leak = entries.Concat(responses).FirstOrDefault(text => text.Contains(secret, StringComparison.Ordinal));
            Assert.True(leak is null, $"a secret of {secret.Length} characters appears in: {leak}");
        }
    }
}

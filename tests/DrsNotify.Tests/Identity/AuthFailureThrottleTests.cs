using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using DrsNotify.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace DrsNotify.Tests.Identity;

/// <summary>Failed authentications are counted per client address and answered with 429 once too many.</summary>
public sealed class AuthFailureThrottleTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private TestServer _server = null!;

    public async Task InitializeAsync() =>
        _server = await TestServer.StartAsync(services: services => services.AddSingleton<TimeProvider>(_time));

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private string Password => (string)_server.Credentials["password"]!;

    private static string TokenBody(string password, string projectId) => """
        {"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"admin","password":"PASSWORD"}}},
         "scope":{"project":{"id":"PROJECT_ID"}}}}
        """.Replace("PASSWORD", password).Replace("PROJECT_ID", projectId);

    /// <summary>A client whose connections come from <paramref name="localAddress"/>, another loopback address.</summary>
    private HttpClient ClientFrom(string localAddress)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellation) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                socket.Bind(new IPEndPoint(IPAddress.Parse(localAddress), 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellation);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        return new HttpClient(handler) { BaseAddress = _server.BaseAddress };
    }

    private Task<ApiResponse> IssueAsync(string password, HttpClient? client = null, string? language = null) =>
        _server.SendAsync(HttpMethod.Post, "/v3/auth/tokens", TokenBody(password, _server.ProjectId), language, client ?? _server.Anonymous);

    [Fact]
    public async Task WrongPasswords_TenthFailureBlocksAddress()
    {
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(401, (await IssueAsync("wrong password " + i)).Status);
        }

        var blocked = await IssueAsync(Password);
        var blockedChinese = await IssueAsync(Password, language: "zh-cn");
        var blockedSignedPath = await _server.SendAsync(HttpMethod.Post, "/v3/{project_id}/jobs/batch-status", """{"jobs":["x"]}""");

        Assert.Equal(429, blocked.Status);
        Assert.Equal("DRS.M01503", blocked.ErrorCode);
        Assert.Equal("application/json", blocked.ContentType);
        Assert.Contains("10", blocked.ErrorMessage);
        Assert.Equal(TimeSpan.FromSeconds(60), blocked.Raw.Headers.RetryAfter?.Delta);
        Assert.Contains("认证失败次数过多", blockedChinese.ErrorMessage);
        Assert.Equal(429, blockedSignedPath.Status);
    }

    [Fact]
    public async Task BlockedAddress_AfterWindow_AcceptedAgain()
    {
        for (var i = 0; i < 10; i++)
        {
            await IssueAsync("wrong password " + i);
        }

        _time.Advance(TimeSpan.FromSeconds(30));
        var stillBlocked = await IssueAsync(Password);
        _time.Advance(TimeSpan.FromSeconds(30));
        var accepted = await IssueAsync(Password);

        Assert.Equal(429, stillBlocked.Status);
        Assert.Equal(TimeSpan.FromSeconds(30), stillBlocked.Raw.Headers.RetryAfter?.Delta);
        Assert.Equal(201, accepted.Status);
    }

    [Fact]
    public async Task FailuresSpreadOverWindow_NotBlocked()
    {
        for (var i = 0; i < 12; i++)
        {
            Assert.Equal(401, (await IssueAsync("wrong password " + i)).Status);
            _time.Advance(TimeSpan.FromSeconds(7));
        }

        Assert.Equal(201, (await IssueAsync(Password)).Status);
    }

    [Fact]
    public async Task BlockedAddress_OtherAddressUnaffected()
    {
        using var attacker = ClientFrom("127.0.0.2");
        using var user = ClientFrom("127.0.0.3");
        for (var i = 0; i < 10; i++)
        {
            await IssueAsync("wrong password " + i, attacker);
        }

        var attackerResponse = await IssueAsync(Password, attacker);
        var userResponse = await IssueAsync(Password, user);

        Assert.Equal(429, attackerResponse.Status);
        Assert.Equal(201, userResponse.Status);
    }

    [Fact]
    public async Task BadSignaturesAndTokens_CountAsFailures()
    {
        var accessKey = (string)_server.Credentials["access_key"]!;
        for (var i = 0; i < 5; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_server.BaseAddress, $"/v3/{_server.ProjectId}/jobs/batch-status"));
            var body = Encoding.UTF8.GetBytes("""{"jobs":["x"]}""");
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            new SdkRequestSigner(accessKey, "wrong secret key " + i).Sign(request, body, _time.GetUtcNow());
            using var response = await _server.Anonymous.SendAsync(request);
            Assert.Equal(401, (int)response.StatusCode);
        }

        using var badToken = new HttpClient { BaseAddress = _server.BaseAddress };
        badToken.DefaultRequestHeaders.Add("X-Auth-Token", "DRS1.not-a-token");
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(401, (await _server.SendAsync(HttpMethod.Post, "/v3/{project_id}/jobs/batch-status", """{"jobs":["x"]}""", client: badToken)).Status);
        }

        Assert.Equal(429, (await _server.SendAsync(HttpMethod.Post, "/v3/{project_id}/jobs/batch-status", """{"jobs":["x"]}""")).Status);
    }

    [Fact]
    public async Task ConfiguredLimit_Applies()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string>
        {
            ["DrsNotify:Auth:MaxFailures"] = "2",
            ["DrsNotify:Auth:FailureWindow"] = "00:00:10",
        });

        for (var i = 0; i < 2; i++)
        {
            await server.SendAsync(HttpMethod.Post, "/v3/auth/tokens", TokenBody("wrong password", server.ProjectId), client: server.Anonymous);
        }

        var blocked = await server.SendAsync(HttpMethod.Post, "/v3/auth/tokens", TokenBody((string)server.Credentials["password"]!, server.ProjectId), client: server.Anonymous);

        Assert.Equal(429, blocked.Status);
        Assert.True(blocked.Raw.Headers.RetryAfter?.Delta <= TimeSpan.FromSeconds(10));
    }

    [Theory]
    [InlineData("DrsNotify:Auth:MaxFailures", "0")]
    [InlineData("DrsNotify:Auth:FailureWindow", "00:00:00")]
    public async Task InvalidOption_StopsStart(string setting, string value)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            TestServer.StartAsync(new Dictionary<string, string> { [setting] = value }));

        Assert.Contains(setting.Split(':')[^1], error.Message);
    }
}

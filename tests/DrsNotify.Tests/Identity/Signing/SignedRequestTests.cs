using System.Net.Http.Headers;
using System.Text;
using DrsNotify.Server.Identity.AccessKeys;
using DrsNotify.Server.Storage;
using DrsNotify.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DrsNotify.Tests.Identity.Signing;

/// <summary>
/// Signed requests over real Kestrel, with the bootstrap access key and a signer written in the
/// tests. The server's clock is a <see cref="FakeTimeProvider"/>.
/// </summary>
public sealed class SignedRequestTests : IAsyncLifetime
{
    private const string BatchSetSmnPath = "/v3/{project_id}/jobs/batch-set-smn";
    private const string OtherProjectId = "0ac6eb2c8000d2ee2fd9c006dededbe6";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 4, 19, 30, 0, TimeSpan.Zero));
    private TestServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync(services: services => services.AddSingleton<TimeProvider>(_time));
        await Topics.TopicHarness.CreateTopicAsync(_server, "drs-zw");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private string AccessKey => (string)_server.Credentials["access_key"]!;

    private string SecretKey => (string)_server.Credentials["secret_key"]!;

    private string TopicBody(string jobId) => $$$"""
        {"jobs":[{"job_id":"{{{jobId}}}","status":"CONFIGURATION","engine_type":"mysql"}],
         "alarm_notify_info":{"topic_urn":"urn:smn:{{{_server.Region}}}:{{{_server.ProjectId}}}:drs-zw","delay_time":1200}}
        """;

    /// <summary>
    /// Sends a request signed with the bootstrap access key (or <paramref name="secretKey"/>).
    /// <paramref name="afterSigning"/> changes the request after the signature was computed.
    /// </summary>
    private async Task<ApiResponse> SendSignedAsync(
        HttpMethod method, string pathAndQuery, string? json,
        DateTimeOffset? signedAt = null, string? accessKey = null, string? secretKey = null, string? projectHeader = null,
        Action<HttpRequestMessage>? afterSigning = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(_server.BaseAddress, pathAndQuery.Replace("{project_id}", _server.ProjectId)));
        var body = json is null ? [] : Encoding.UTF8.GetBytes(json);
        if (json is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        request.Headers.Add("X-Project-Id", projectHeader ?? _server.ProjectId);
        new SdkRequestSigner(accessKey ?? AccessKey, secretKey ?? SecretKey).Sign(request, body, signedAt ?? _time.GetUtcNow());
        afterSigning?.Invoke(request);

        using var client = new HttpClient();
        using var response = await client.SendAsync(request);
        return await ApiResponse.ReadAsync(response);
    }

    /// <summary>Inserts a job row through the store, so that the test does not depend on the job registry API.</summary>
    private async Task SeedJobAsync(string jobId)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        await _server.Services.GetRequiredService<Database>().WriteAsync((connection, transaction) => connection.Exec(
            """
            INSERT INTO jobs (project_id, id, name, engine_type, db_use_type, task_type, job_direction, status, create_time, update_time)
            VALUES ($project, $id, $name, 'mysql', 'sync', 'FULL_INCR_TRANS', 'up', 'CONFIGURATION', $now, $now)
            """,
            transaction, ("$project", _server.ProjectId), ("$id", jobId), ("$name", "job-" + jobId[..8]), ("$now", now)));
    }

    private static void AssertAuthenticationFailure(ApiResponse response, string code, string reason)
    {
        Assert.Equal(401, response.Status);
        Assert.Equal(code, response.ErrorCode);
        Assert.Contains(reason, response.ErrorMessage);
    }

    [Fact]
    public async Task BatchSetSmn_Signed_SucceedsAndRecordsKey()
    {
        var jobId = JobSeeds.NewJobId();
        await SeedJobAsync(jobId);

        var response = await SendSignedAsync(HttpMethod.Post, BatchSetSmnPath, TopicBody(jobId));

        Assert.Equal(200, response.Status);
        Assert.Equal($$"""{"count":1,"results":[{"id":"{{jobId}}","status":"success"}]}""", response.Body);
        var history = await SendSignedAsync(HttpMethod.Get, $"/v3/{{project_id}}/jobs/{jobId}/notification-history", null);
        Assert.Equal(200, history.Status);
        Assert.Equal(AccessKey, (string?)history.Json!["history"]![0]!["changed_by"]!["access_key"]);
        Assert.Equal("admin", (string?)history.Json!["history"]![0]!["changed_by"]!["user_name"]);
    }

    [Fact]
    public async Task History_PercentEncodedPathAndQuery_PassesAuthentication()
    {
        var response = await SendSignedAsync(
            HttpMethod.Get, "/v3/{project_id}/jobs/job%20id%2B%C3%A9~(x)/notification-history?limit=5&x=a%20b+c&a=1=2&b='!*", null);

        // The route's job-not-found error shows that authentication passed.
        Assert.Equal(400, response.Status);
        Assert.Equal("DRS.M00289", response.ErrorCode);
        Assert.Contains("job id+é~(x)", response.ErrorMessage);
    }

    [Fact]
    public async Task History_EncodedPercentSign_PassesAuthentication()
    {
        // Kestrel decodes %25 to % but keeps %2F, so the decoded path contains %2F twice and the raw
        // target does not. The signature matches only if the server signs the raw target.
        var response = await SendSignedAsync(HttpMethod.Get, "/v3/{project_id}/jobs/a%2Fb%252Fc/notification-history", null);

        Assert.Equal(400, response.Status);
        Assert.Equal("DRS.M00289", response.ErrorCode);
    }

    [Fact]
    public async Task EveryDrsPath_Signed_PassesAuthentication()
    {
        // Every route under a project: the route table is the list, so a new path is covered
        // without editing this test. Route values other than the project are placeholders.
        var routes = _server.Services.GetRequiredService<Microsoft.AspNetCore.Routing.EndpointDataSource>().Endpoints
            .OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>()
            .Where(endpoint => endpoint.RoutePattern.RawText is { } text
                && (text.StartsWith("/v2/{project_id}", StringComparison.Ordinal)
                    || text.StartsWith("/v3/{project_id}", StringComparison.Ordinal)
                    || text.StartsWith("/v5/{project_id}", StringComparison.Ordinal)))
            .SelectMany(endpoint => endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()!.HttpMethods
                .Select(method => (Method: method, Pattern: endpoint.RoutePattern.RawText!)))
            .ToList();
        Assert.True(routes.Count >= 25, $"only {routes.Count} DRS routes found");

        foreach (var (method, pattern) in routes)
        {
            var path = System.Text.RegularExpressions.Regex.Replace(
                pattern.Replace("{project_id}", _server.ProjectId), @"\{[^}]+\}", "placeholder-id");
            var json = method is "GET" ? null : "{}";

            var response = await SendSignedAsync(new HttpMethod(method), path, json);

            Assert.True(response.Status is not (401 or 403), $"{method} {pattern}: {response.Status} {response.Body}");
        }
    }

    [Fact]
    public async Task BatchSetSmn_BodyChangedAfterSigning_Returns401()
    {
        var jobId = JobSeeds.NewJobId();
        await SeedJobAsync(jobId);
        var before = StoreSnapshot.Take(_server);
        var tampered = TopicBody(jobId).Replace("1200", "1300", StringComparison.Ordinal);

        var response = await SendSignedAsync(
            HttpMethod.Post, BatchSetSmnPath, TopicBody(jobId),
            afterSigning: request => request.Content = new StringContent(tampered, Encoding.UTF8, "application/json"));

        AssertAuthenticationFailure(response, "APIGW.0301", "signature mismatch");
        Assert.Equal(before, StoreSnapshot.Take(_server));
    }

    [Theory]
    [InlineData(-16)]
    [InlineData(16)]
    public async Task BatchSetSmn_DateSkewed_Returns0303(int minutes)
    {
        var response = await SendSignedAsync(
            HttpMethod.Post, BatchSetSmnPath, TopicBody(JobSeeds.NewJobId()), signedAt: _time.GetUtcNow().AddMinutes(minutes));

        AssertAuthenticationFailure(response, "APIGW.0303", "is more than 15 minutes from the server time");
        Assert.Equal(response.RequestId, (string?)response.Json!["request_id"]);
    }

    [Fact]
    public async Task BatchSetSmn_WrongProjectHeader_Returns403()
    {
        var response = await SendSignedAsync(HttpMethod.Post, BatchSetSmnPath, TopicBody(JobSeeds.NewJobId()), projectHeader: OtherProjectId);

        Assert.Equal(403, response.Status);
        Assert.Equal("DRS.M00261", response.ErrorCode);
        Assert.Contains(OtherProjectId, response.ErrorMessage);
    }

    [Fact]
    public async Task BatchSetSmn_ProjectNotGranted_Returns403()
    {
        var response = await SendSignedAsync(
            HttpMethod.Post, $"/v3/{OtherProjectId}/jobs/batch-set-smn", TopicBody(JobSeeds.NewJobId()), projectHeader: OtherProjectId);

        Assert.Equal(403, response.Status);
        Assert.Equal("DRS.M00261", response.ErrorCode);
        Assert.Contains("has no access to the project " + OtherProjectId, response.ErrorMessage);
    }

    [Fact]
    public async Task BatchSetSmn_DisabledKey_Returns401()
    {
        var keys = _server.Services.GetRequiredService<AccessKeyStore>();
        Assert.True(await keys.SetEnabledAsync(AccessKey, enabled: false));

        var disabled = await SendSignedAsync(HttpMethod.Post, BatchSetSmnPath, TopicBody(JobSeeds.NewJobId()));

        AssertAuthenticationFailure(disabled, "APIGW.0301", $"the access key {AccessKey} is disabled");
        Assert.True(await keys.SetEnabledAsync(AccessKey, enabled: true));
        var enabled = await SendSignedAsync(HttpMethod.Post, BatchSetSmnPath, TopicBody(JobSeeds.NewJobId()));
        Assert.Equal(200, enabled.Status);
    }

    [Fact]
    public async Task BatchSetSmn_WrongSecretKey_Returns401Json()
    {
        var wrongSecret = AccessKeyStore.GenerateSecretKey();

        var response = await SendSignedAsync(HttpMethod.Post, BatchSetSmnPath, TopicBody(JobSeeds.NewJobId()), secretKey: wrongSecret);

        AssertAuthenticationFailure(response, "APIGW.0301", "Incorrect IAM authentication information: signature mismatch");
        Assert.Equal("application/json", response.ContentType);
        Assert.Matches("^[0-9a-f]{32}$", response.RequestId);
        Assert.Equal(response.RequestId, (string?)response.Json!["request_id"]);
        Assert.DoesNotContain(SecretKey, response.Body);
        Assert.DoesNotContain(wrongSecret, response.Body);
    }

    [Fact]
    public async Task BatchSetSmn_UnknownAccessKey_Returns401()
    {
        var unknown = AccessKeyStore.GenerateAccessKey();

        var response = await SendSignedAsync(HttpMethod.Post, BatchSetSmnPath, TopicBody(JobSeeds.NewJobId()), accessKey: unknown);

        AssertAuthenticationFailure(response, "APIGW.0301", "unknown access key " + unknown);
    }

    [Fact]
    public async Task BatchSetSmn_ZhCn_LocalizesRejection()
    {
        var response = await SendSignedAsync(
            HttpMethod.Post, BatchSetSmnPath, TopicBody(JobSeeds.NewJobId()), secretKey: AccessKeyStore.GenerateSecretKey(),
            afterSigning: request => request.Headers.Add("X-Language", "zh-cn"));

        AssertAuthenticationFailure(response, "APIGW.0301", "IAM 认证信息错误：签名不匹配");
    }

    [Fact]
    public async Task BatchSetSmn_SignedBodyOverLimit_Returns413()
    {
        var padding = new string(' ', 1024 * 1024);

        var response = await SendSignedAsync(HttpMethod.Post, BatchSetSmnPath, TopicBody(JobSeeds.NewJobId()) + padding);

        Assert.Equal(413, response.Status);
        Assert.Equal("DRS.M00300", response.ErrorCode);
    }

    [Fact]
    public async Task BatchSetSmn_ChunkedBodyOverLimit_Returns413()
    {
        var json = TopicBody(JobSeeds.NewJobId()) + new string(' ', 1024 * 1024);

        var response = await SendSignedAsync(
            HttpMethod.Post, BatchSetSmnPath, json,
            afterSigning: request =>
            {
                // A stream of unknown length is sent chunked, without Content-Length.
                request.Content = new StreamContent(new UnseekableStream(Encoding.UTF8.GetBytes(json)));
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                request.Headers.TransferEncodingChunked = true;
            });

        Assert.Equal(413, response.Status);
        Assert.Equal("DRS.M00300", response.ErrorCode);
    }

    [Fact]
    public async Task SignedRequest_RecordsLastUse()
    {
        var keys = _server.Services.GetRequiredService<AccessKeyStore>();
        Assert.Null(keys.LastUsedAt(AccessKey));

        var response = await SendSignedAsync(HttpMethod.Get, "/v3/{project_id}/jobs/unknown-job/notification-history", null);

        Assert.Equal(400, response.Status);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (keys.LastUsedAt(AccessKey) is null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal(_time.GetUtcNow().ToUnixTimeMilliseconds(), keys.LastUsedAt(AccessKey));
    }

    [Fact]
    public async Task CreatedKey_SignsRequests()
    {
        var keys = _server.Services.GetRequiredService<AccessKeyStore>();
        var userId = keys.Find(AccessKey)!.UserId;
        var (accessKey, secretKey) = await keys.CreateAsync(userId);

        var response = await SendSignedAsync(
            HttpMethod.Post, BatchSetSmnPath, TopicBody(JobSeeds.NewJobId()), accessKey: accessKey, secretKey: secretKey);

        Assert.Equal(200, response.Status);
        Assert.Matches("^[A-Z0-9]{20}$", accessKey);
        Assert.Matches("^[A-Za-z0-9]{40}$", secretKey);
    }

    [Fact]
    public async Task Token_StillAcceptedAlongsideSignatures()
    {
        var response = await _server.PostAsync(BatchSetSmnPath, TopicBody(JobSeeds.NewJobId()));

        Assert.Equal(200, response.Status);
    }

    /// <summary>A read-only stream that cannot report its length, so HttpClient sends it chunked.</summary>
    private sealed class UnseekableStream(byte[] content) : MemoryStream(content, writable: false)
    {
        public override bool CanSeek => false;
    }
}

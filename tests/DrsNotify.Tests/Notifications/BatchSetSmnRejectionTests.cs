using System.Text;
using DrsNotify.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DrsNotify.Tests.Notifications;

/// <summary>One server with one registered job, shared by the rejection cases of this class.</summary>
public sealed class RejectionFixture : IAsyncLifetime
{
    public TestServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await TestServer.StartAsync();
        await JobSeeds.CreateAsync(Server, JobSeeds.ConfigurationJobId);
        await Topics.TopicHarness.CreateTopicAsync(Server, "drs-zw");
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>
/// Every bad input of batch-set-smn gets its documented status and DRS code, an error_msg that
/// names the parameter in the requested language, and leaves the store exactly as it was.
/// </summary>
public sealed class BatchSetSmnRejectionTests(RejectionFixture fixture) : IClassFixture<RejectionFixture>
{
    private const string Path = "/v3/{project_id}/jobs/batch-set-smn";
    private const string Job = """{"job_id":"c7296a3b-0d9f-424c-8d74-816ca62jb2a2","status":"CONFIGURATION","engine_type":"mysql"}""";
    private const string Sms = """{"protocol":"sms","endpoints":["12345678910"]}""";
    private const string Email = """{"protocol":"email","endpoints":["123456@abc.com"]}""";

    private static string Body(string jobs = "[" + Job + "]", string info = """{"subscriptions":[""" + Sms + "]}") =>
        $$"""{"jobs":{{jobs}},"alarm_notify_info":{{info}}}""";

    private static string Info(string extra) => """{"subscriptions":[""" + Sms + "]," + extra + "}";

    private static string Subscriptions(params string[] items) => """{"subscriptions":[""" + string.Join(",", items) + "]}";

    private static string Endpoints(string protocol, params string[] endpoints) =>
        $$"""{"protocol":"{{protocol}}","endpoints":[{{string.Join(",", endpoints.Select(e => "\"" + e + "\""))}}]}""";

    public static IEnumerable<object[]> Cases()
    {
        var cases = new (string Name, string Body, int Status, string Code, string Parameter)[]
        {
            ("not JSON", """{"jobs": [""", 400, "DRS.M00007", ""),
            ("array instead of object", "[" + Body() + "]", 400, "DRS.M00007", ""),
            ("missing jobs", """{"alarm_notify_info":{"subscriptions":[""" + Sms + "]}}", 400, "DRS.M00201", "jobs"),
            ("empty jobs", Body(jobs: "[]"), 400, "DRS.M00201", "jobs"),
            ("jobs not an array", Body(jobs: Job), 400, "DRS.M00202", "jobs"),
            ("101 jobs", Body(jobs: "[" + string.Join(",", Enumerable.Range(0, 101).Select(i =>
                $$"""{"job_id":"job-{{i}}","status":"CONFIGURATION","engine_type":"mysql"}""")) + "]"), 400, "DRS.M00202", "jobs"),
            ("duplicate job_id", Body(jobs: "[" + Job + "," + Job + "]"), 400, "DRS.M00301", "jobs[1].job_id"),
            ("missing job_id", Body(jobs: """[{"status":"CONFIGURATION","engine_type":"mysql"}]"""), 400, "DRS.M00201", "jobs[0].job_id"),
            ("unknown status", Body(jobs: """[{"job_id":"a","status":"RUNNING","engine_type":"mysql"}]"""), 400, "DRS.M00202", "jobs[0].status"),
            ("unknown engine_type", Body(jobs: """[{"job_id":"a","status":"CONFIGURATION","engine_type":"db2"}]"""), 400, "DRS.M00202", "jobs[0].engine_type"),
            ("missing alarm_notify_info", "{\"jobs\":[" + Job + "]}", 400, "DRS.M00201", "alarm_notify_info"),
            ("both topic_urn and subscriptions", Body(info: """{"topic_urn":"urn:smn:local-1:0ac6eb2c8000d2ee2fd9c006dededbe6:drs-zw","subscriptions":[""" + Sms + "]}"),
                400, "DRS.M00202", "alarm_notify_info"),
            ("neither topic_urn nor subscriptions", Body(info: """{"delay_time":100}"""), 400, "DRS.M00202", "alarm_notify_info"),
            ("malformed topic_urn", Body(info: """{"topic_urn":"urn:smn:cn-north-7:drs-zw"}"""), 400, "DRS.M00202", "alarm_notify_info.topic_urn"),
            ("topic_urn of unknown project", Body(info: """{"topic_urn":"urn:smn:local-1:0ac6eb2c8000d2ee2fd9c006dededbe6:drs-zw"}"""),
                400, "DRS.M00202", "alarm_notify_info.topic_urn"),
            ("topic_urn of a topic never created", Body(info: """{"topic_urn":"urn:smn:local-1:PROJECT_ID:not-created"}"""),
                400, "DRS.M00202", "alarm_notify_info.topic_urn"),
            ("delay_time -1", Body(info: Info("\"delay_time\":-1")), 400, "DRS.M00202", "alarm_notify_info.delay_time"),
            ("delay_time 3601", Body(info: Info("\"delay_time\":3601")), 400, "DRS.M00202", "alarm_notify_info.delay_time"),
            ("delay_time 1.5", Body(info: Info("\"delay_time\":1.5")), 400, "DRS.M00202", "alarm_notify_info.delay_time"),
            ("delay_time string", Body(info: Info("\"delay_time\":\"100\"")), 400, "DRS.M00202", "alarm_notify_info.delay_time"),
            ("delay_time null", Body(info: Info("\"delay_time\":null")), 400, "DRS.M00202", "alarm_notify_info.delay_time"),
            ("rpo_delay 3601", Body(info: Info("\"rpo_delay\":3601")), 400, "DRS.M00202", "alarm_notify_info.rpo_delay"),
            ("rto_delay -5", Body(info: Info("\"rto_delay\":-5")), 400, "DRS.M00202", "alarm_notify_info.rto_delay"),
            ("alarm_to_user string", Body(info: Info("\"alarm_to_user\":\"true\"")), 400, "DRS.M00202", "alarm_notify_info.alarm_to_user"),
            ("three subscriptions", Body(info: Subscriptions(Sms, Email, Endpoints("email", "b@abc.com"))), 400, "DRS.M00202", "alarm_notify_info.subscriptions"),
            ("same protocol twice", Body(info: Subscriptions(Sms, Endpoints("sms", "12345678"))), 400, "DRS.M00202", "alarm_notify_info.subscriptions[1].protocol"),
            ("unknown protocol", Body(info: Subscriptions(Endpoints("http", "12345678"))), 400, "DRS.M00202", "alarm_notify_info.subscriptions[0].protocol"),
            ("11 endpoints", Body(info: Subscriptions(Endpoints("sms", Enumerable.Range(0, 11).Select(i => "1380000000" + i).ToArray()))),
                400, "DRS.M00202", "alarm_notify_info.subscriptions[0].endpoints"),
            ("empty endpoints", Body(info: Subscriptions(Endpoints("sms"))), 400, "DRS.M00201", "alarm_notify_info.subscriptions[0].endpoints"),
            ("duplicate endpoints", Body(info: Subscriptions(Endpoints("email", "a@abc.com", "A@abc.com"))), 400, "DRS.M00202", "alarm_notify_info.subscriptions[0].endpoints[1]"),
            ("invalid e-mail", Body(info: Subscriptions(Endpoints("email", "a@@abc.com"))), 400, "DRS.M00202", "alarm_notify_info.subscriptions[0].endpoints[0]"),
            ("e-mail without domain dot", Body(info: Subscriptions(Endpoints("email", "ops@localhost"))), 400, "DRS.M00202", "alarm_notify_info.subscriptions[0].endpoints[0]"),
            ("invalid phone number", Body(info: Subscriptions(Endpoints("sms", "12-34"))), 400, "DRS.M00202", "alarm_notify_info.subscriptions[0].endpoints[0]"),
            ("e-mail with a trailing newline", Body(info: Subscriptions(Endpoints("email", "ops@example.com\\n"))), 400, "DRS.M00202", "alarm_notify_info.subscriptions[0].endpoints[0]"),
            ("phone number with a trailing newline", Body(info: Subscriptions(Endpoints("sms", "12345678\\n"))), 400, "DRS.M00202", "alarm_notify_info.subscriptions[0].endpoints[0]"),
            ("topic_urn with a trailing newline", Body(info: "{\"topic_urn\":\"urn:smn:local-1:0ac6eb2c8000d2ee2fd9c006dededbe6:drs-zw\\n\"}"), 400, "DRS.M00202", "alarm_notify_info.topic_urn"),
            ("lone surrogate in job_id", Body(jobs: """[{"job_id":"\udc00","status":"CONFIGURATION","engine_type":"mysql"}]"""), 400, "DRS.M00202", "jobs[0].job_id"),
            ("duplicate property names", """{"jobs":[],"jobs":[]}""", 400, "DRS.M00007", "twice"),
            ("phone number too long", Body(info: Subscriptions(Endpoints("sms", "+1234567890123456"))), 400, "DRS.M00202", "alarm_notify_info.subscriptions[0].endpoints[0]"),
        };

        // Texts that error_msg names differently in zh-cn; parameter paths are the same in both.
        var zhCnTexts = new Dictionary<string, string> { ["duplicate property names"] = "属性名重复" };
        foreach (var language in new[] { "en-us", "zh-cn" })
        {
            foreach (var c in cases)
            {
                var text = language == "zh-cn" ? zhCnTexts.GetValueOrDefault(c.Name, c.Parameter) : c.Parameter;
                yield return [c.Name, language, c.Body, c.Status, c.Code, text];
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task BatchSetSmn_BadBody_RejectedAndNothingChanged(
        string name, string language, string body, int status, string code, string parameter)
    {
        var before = StoreSnapshot.Take(fixture.Server);

        var response = await fixture.Server.PostAsync(Path, body.Replace("PROJECT_ID", fixture.Server.ProjectId), language);

        Assert.True(status == response.Status, $"{name}: status {response.Status}, body {response.Body}");
        Assert.Equal(code, response.ErrorCode);
        Assert.Equal("application/json", response.ContentType);
        Assert.Contains(parameter, response.ErrorMessage);
        AssertLanguage(language, response.ErrorMessage!);
        Assert.Equal(before, StoreSnapshot.Take(fixture.Server));
    }

    [Fact]
    public async Task BatchSetSmn_InvalidUtf8Byte_Returns400()
    {
        var before = StoreSnapshot.Take(fixture.Server);
        var bytes = Encoding.UTF8.GetBytes(Body(jobs: """[{"job_id":"abX","status":"CONFIGURATION","engine_type":"mysql"}]"""));
        bytes[Array.IndexOf(bytes, (byte)'X')] = 0xFF;
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        using var raw = await fixture.Server.Client.PostAsync(Path.Replace("{project_id}", fixture.Server.ProjectId), content);
        var response = await ApiResponse.ReadAsync(raw);

        Assert.Equal(400, response.Status);
        Assert.Equal("DRS.M00007", response.ErrorCode);
        Assert.Contains("UTF-8", response.ErrorMessage);
        Assert.Equal(before, StoreSnapshot.Take(fixture.Server));
    }

    [Theory]
    [InlineData("en-us", "text/plain")]
    [InlineData("zh-cn", "text/plain")]
    [InlineData("en-us", "application/json; charset=utf-16")]
    [InlineData("zh-cn", "application/json; charset=iso-8859-1")]
    public async Task BatchSetSmn_WrongContentType_Returns415(string language, string contentType)
    {
        var before = StoreSnapshot.Take(fixture.Server);

        var response = await fixture.Server.SendAsync(HttpMethod.Post, Path, Body(), language, contentType: contentType);

        Assert.Equal(415, response.Status);
        Assert.Equal("DRS.M00300", response.ErrorCode);
        AssertLanguage(language, response.ErrorMessage!);
        Assert.Equal(before, StoreSnapshot.Take(fixture.Server));
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("application/json;charset=UTF-8")]
    [InlineData("application/json; charset=\"utf-8\"")]
    public async Task BatchSetSmn_Utf8ContentType_Accepted(string contentType)
    {
        var response = await fixture.Server.SendAsync(HttpMethod.Post, Path, Body(), contentType: contentType);

        Assert.Equal(200, response.Status);
    }

    [Theory]
    [InlineData("en-us")]
    [InlineData("zh-cn")]
    public async Task BatchSetSmn_BodyOverOneMebibyte_Returns413(string language)
    {
        var before = StoreSnapshot.Take(fixture.Server);
        var padding = new string(' ', 1024 * 1024);

        var response = await fixture.Server.PostAsync(Path, Body() + padding, language);

        Assert.Equal(413, response.Status);
        Assert.Equal("DRS.M00300", response.ErrorCode);
        AssertLanguage(language, response.ErrorMessage!);
        Assert.Equal(before, StoreSnapshot.Take(fixture.Server));
    }

    [Theory]
    [InlineData(null, "token missing")]
    [InlineData("garbage", "token malformed")]
    [InlineData("DRS1.eyJ0aWQiOiJ4In0.AAAA", "token malformed")]
    public async Task BatchSetSmn_BadToken_Returns401(string? token, string reason)
    {
        var before = StoreSnapshot.Take(fixture.Server);
        using var client = new HttpClient { BaseAddress = fixture.Server.BaseAddress };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Add("X-Auth-Token", token);
        }

        var response = await fixture.Server.SendAsync(HttpMethod.Post, Path, Body(), client: client);

        Assert.Equal(401, response.Status);
        Assert.Equal("APIGW.0301", response.ErrorCode);
        Assert.Equal("application/json", response.ContentType);
        Assert.Contains(reason, response.ErrorMessage);
        Assert.Equal(response.RequestId, (string?)response.Json!["request_id"]);
        Assert.Equal(before, StoreSnapshot.Take(fixture.Server));
    }

    [Fact]
    public async Task BatchSetSmn_ExpiredToken_Returns401()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await TestServer.StartAsync(services: services => services.AddSingleton<TimeProvider>(time));
        var token = await server.IssueTokenAsync("admin", (string)server.Credentials["password"]!, server.ProjectId);
        time.Advance(TimeSpan.FromHours(24) + TimeSpan.FromSeconds(1));
        using var client = new HttpClient { BaseAddress = server.BaseAddress };
        client.DefaultRequestHeaders.Add("X-Auth-Token", token);
        var before = StoreSnapshot.Take(server);

        var response = await server.SendAsync(HttpMethod.Post, Path, Body(), "zh-cn", client);

        Assert.Equal(401, response.Status);
        Assert.Equal("APIGW.0301", response.ErrorCode);
        Assert.Contains("token 已过期", response.ErrorMessage);
        Assert.Equal(before, StoreSnapshot.Take(server));
    }

    [Theory]
    [InlineData("en-us")]
    [InlineData("zh-cn")]
    public async Task BatchSetSmn_OtherProjectInPath_Returns403(string language)
    {
        var before = StoreSnapshot.Take(fixture.Server);

        var response = await fixture.Server.PostAsync("/v3/0ac6eb2c8000d2ee2fd9c006dededbe6/jobs/batch-set-smn", Body(), language);

        Assert.Equal(403, response.Status);
        Assert.Equal("DRS.M00261", response.ErrorCode);
        Assert.Contains("0ac6eb2c8000d2ee2fd9c006dededbe6", response.ErrorMessage);
        AssertLanguage(language, response.ErrorMessage!);
        Assert.Equal(before, StoreSnapshot.Take(fixture.Server));
    }

    private static void AssertLanguage(string language, string message)
    {
        var hasChinese = message.Any(c => c is >= '\u4e00' and <= '\u9fff');
        Assert.True(language == "zh-cn" ? hasChinese : !hasChinese, $"error_msg not in {language}: {message}");
    }
}

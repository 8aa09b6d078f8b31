using DrsNotify.Tests.Infrastructure;
using static DrsNotify.Tests.Topics.TopicHarness;

namespace DrsNotify.Tests.Topics;

/// <summary>Every error of an SMN path has the SMN shape, in both languages; DRS paths keep theirs.</summary>
public sealed class SmnErrorShapeTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() =>
        _server = await TestServer.StartAsync(new Dictionary<string, string> { ["DrsNotify:Api:MaxBodyBytes"] = "2048" });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("en-us", "The topic urn:smn:")]
    [InlineData("zh-cn", "当前项目中不存在主题 urn:smn:")]
    public async Task TopicNotFoundInBothLanguages(string language, string message)
    {
        var response = await _server.SendAsync(
            HttpMethod.Get, $"{TopicsPath}/urn:smn:{_server.Region}:{_server.ProjectId}:nope", null, language);

        AssertSmnError(response, 404, "SMN.0006", message);
    }

    [Theory]
    [InlineData("en-us", "is invalid")]
    [InlineData("zh-cn", "主题 URN urn:smn:x 无效")]
    public async Task InvalidTopicUrnInBothLanguages(string language, string message)
    {
        var response = await _server.SendAsync(HttpMethod.Post, $"{TopicsPath}/urn:smn:x/publish", """{"message":"m"}""", language);

        AssertSmnError(response, 400, "SMN.0005", message);
    }

    [Theory]
    [InlineData("en-us", "Incorrect IAM authentication information")]
    [InlineData("zh-cn", "IAM 认证信息错误")]
    public async Task UnauthenticatedIs401(string language, string message)
    {
        var response = await _server.SendAsync(HttpMethod.Get, TopicsPath, null, language, _server.Anonymous);

        AssertSmnError(response, 401, "APIGW.0301", message);
    }

    [Fact]
    public async Task OtherProjectIs403()
    {
        var response = await _server.SendAsync(HttpMethod.Get, "/v2/0ac6eb2c8000d2ee2fd9c006dededbe6/notifications/topics", null, "zh-cn");

        AssertSmnError(response, 403, "SMN.0004", "0ac6eb2c8000d2ee2fd9c006dededbe6");
    }

    [Fact]
    public async Task LargeBodyIs413()
    {
        var response = await _server.PostAsync(TopicsPath, $$"""{"name":"t","display_name":"{{new string('d', 3000)}}"}""");

        AssertSmnError(response, 413, "SMN.0002", "2048");
    }

    [Fact]
    public async Task WrongContentTypeIs415()
    {
        var response = await _server.SendAsync(HttpMethod.Post, TopicsPath, """{"name":"t"}""", contentType: "text/plain");

        AssertSmnError(response, 415, "SMN.0003", "text/plain");
    }

    [Fact]
    public async Task InvalidJsonIs400()
    {
        var response = await _server.PostAsync(TopicsPath, """{"name":""", "zh-cn");

        AssertSmnError(response, 400, "SMN.0001", "请求体不是合法的 JSON");
    }

    [Fact]
    public async Task UnknownSmnPathIs404()
    {
        var response = await _server.SendAsync(HttpMethod.Get, "/v2/{project_id}/notifications/nothing-here", null);

        AssertSmnError(response, 404, "APIGW.0101");
    }

    [Fact]
    public async Task DrsPathsKeepDrsShape()
    {
        var response = await _server.SendAsync(HttpMethod.Get, "/v3/{project_id}/jobs/nope/notification-history", null);

        Assert.Equal(400, response.Status);
        Assert.Equal(["error_code", "error_msg"], response.Json!.AsObject().Select(property => property.Key).ToArray());
        Assert.StartsWith("DRS.", response.ErrorCode);
    }
}

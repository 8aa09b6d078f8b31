using System.Text.Json.Nodes;
using DrsNotify.Tests.Infrastructure;
using static DrsNotify.Tests.Topics.TopicHarness;

namespace DrsNotify.Tests.Topics;

/// <summary>Topic create, list, read and delete on a real server.</summary>
public sealed class TopicsApiTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() =>
        _server = await TestServer.StartAsync(new Dictionary<string, string> { ["DrsNotify:Delivery:Capture"] = "true" });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task CreateThenSameNameReturnsExisting()
    {
        var first = await _server.PostAsync(TopicsPath, """{"name":"drs-zw","display_name":"DRS alarms"}""");
        var again = await _server.PostAsync(TopicsPath, """{"name":"drs-zw","display_name":"other"}""");

        var urn = $"urn:smn:{_server.Region}:{_server.ProjectId}:drs-zw";
        Assert.Equal(201, first.Status);
        Assert.Equal(urn, (string?)first.Json!["topic_urn"]);
        Assert.Equal(first.RequestId, (string?)first.Json!["request_id"]);
        Assert.Equal(200, again.Status);
        Assert.Equal(urn, (string?)again.Json!["topic_urn"]);

        var read = await _server.SendAsync(HttpMethod.Get, $"{TopicsPath}/{urn}", null);
        Assert.Equal(200, read.Status);
        Assert.Equal("drs-zw", (string?)read.Json!["name"]);
        Assert.Equal("DRS alarms", (string?)read.Json!["display_name"]);
        Assert.Equal(0, (int)read.Json!["push_policy"]!);
        Assert.EndsWith("Z", (string?)read.Json!["create_time"]);
    }

    [Fact]
    public async Task ListPagesWithOffsetAndLimit()
    {
        foreach (var name in new[] { "a-1", "b_2", "C3" })
        {
            await CreateTopicAsync(_server, name);
        }

        var all = await _server.SendAsync(HttpMethod.Get, TopicsPath, null);
        var page = await _server.SendAsync(HttpMethod.Get, TopicsPath + "?offset=1&limit=1", null);

        Assert.Equal(200, all.Status);
        Assert.Equal(3, (int)all.Json!["topic_count"]!);
        Assert.Equal(["a-1", "b_2", "C3"], all.Json!["topics"]!.AsArray().Select(topic => (string)topic!["name"]!).ToArray());
        var topic = all.Json!["topics"]![0]!.AsObject();
        Assert.Equal(["topic_urn", "name", "display_name", "push_policy"], topic.Select(property => property.Key).ToArray());
        Assert.Equal(3, (int)page.Json!["topic_count"]!);
        Assert.Equal("b_2", (string?)Assert.Single(page.Json!["topics"]!.AsArray())!["name"]);
    }

    [Theory]
    [InlineData("""{"name":"-starts-with-dash"}""", "name")]
    [InlineData("""{"name":"has space"}""", "name")]
    [InlineData("""{"name":"dot.name"}""", "name")]
    [InlineData("""{}""", "name")]
    [InlineData("""{"name":""}""", "name")]
    [InlineData("""{"name":"ok","display_name":7}""", "display_name")]
    public async Task CreateRejectsInvalidInput(string body, string parameter)
    {
        var response = await _server.PostAsync(TopicsPath, body);

        AssertSmnError(response, 400, "SMN.0001", parameter);
    }

    [Fact]
    public async Task CreateChecksLengthLimits()
    {
        var longest = "t" + new string('x', 254);
        var accepted = await _server.PostAsync(TopicsPath, new JsonObject { ["name"] = longest, ["display_name"] = new string('d', 192) }.ToJsonString());
        var nameTooLong = await _server.PostAsync(TopicsPath, new JsonObject { ["name"] = longest + "x" }.ToJsonString());
        var displayTooLong = await _server.PostAsync(TopicsPath, new JsonObject { ["name"] = "n", ["display_name"] = new string('d', 193) }.ToJsonString());

        Assert.Equal(201, accepted.Status);
        AssertSmnError(nameTooLong, 400, "SMN.0001", "name");
        AssertSmnError(displayTooLong, 400, "SMN.0001", "display_name");
    }

    [Fact]
    public async Task ReadRejectsBadAndForeignUrns()
    {
        var malformed = await _server.SendAsync(HttpMethod.Get, $"{TopicsPath}/urn:smn:drs-zw", null);
        var missing = await _server.SendAsync(HttpMethod.Get, $"{TopicsPath}/urn:smn:{_server.Region}:{_server.ProjectId}:nope", null);
        var foreign = await _server.SendAsync(HttpMethod.Get, $"{TopicsPath}/urn:smn:{_server.Region}:0ac6eb2c8000d2ee2fd9c006dededbe6:drs-zw", null);

        AssertSmnError(malformed, 400, "SMN.0005", "urn:smn:drs-zw");
        AssertSmnError(missing, 404, "SMN.0006", "nope");
        AssertSmnError(foreign, 404, "SMN.0006");
    }

    [Fact]
    public async Task DeleteRemovesTopicAndSubscriptions()
    {
        var urn = await CreateTopicAsync(_server, "short-lived");
        await SubscribeUrnAsync(_server, urn, "email", "ops@example.com");

        var deleted = await _server.SendAsync(HttpMethod.Delete, $"{TopicsPath}/{urn}", null);
        var read = await _server.SendAsync(HttpMethod.Get, $"{TopicsPath}/{urn}", null);
        var again = await _server.SendAsync(HttpMethod.Delete, $"{TopicsPath}/{urn}", null);

        Assert.Equal(200, deleted.Status);
        Assert.Equal(deleted.RequestId, (string?)deleted.Json!["request_id"]);
        AssertSmnError(read, 404, "SMN.0006");
        AssertSmnError(again, 404, "SMN.0006");

        // The name is free again, and the new topic starts without subscriptions.
        var recreated = await CreateTopicAsync(_server, "short-lived");
        Assert.Equal(urn, recreated);
        Assert.Empty(await SubscriptionsAsync(_server, urn));
    }

    [Fact]
    public async Task DeleteInUseIsRejectedNamingJobs()
    {
        var urn = await CreateTopicAsync(_server, "drs-zw");
        var live = JobSeeds.NewJobId();
        var ended = JobSeeds.NewJobId();
        await JobSeeds.CreateAsync(_server, live);
        await JobSeeds.CreateAsync(_server, ended);
        var set = await _server.PostAsync("/v3/{project_id}/jobs/batch-set-smn", $$$"""
            {"jobs":[{"job_id":"{{{live}}}","status":"CONFIGURATION","engine_type":"mysql"},
                     {"job_id":"{{{ended}}}","status":"CONFIGURATION","engine_type":"mysql"}],
             "alarm_notify_info":{"topic_urn":"{{{urn}}}","delay_time":60}}
            """);
        Assert.All(set.Json!["results"]!.AsArray(), result => Assert.Equal("success", (string?)result!["status"]));

        var inUse = await _server.SendAsync(HttpMethod.Delete, $"{TopicsPath}/{urn}", null);
        var inUseZh = await _server.SendAsync(HttpMethod.Delete, $"{TopicsPath}/{urn}", null, "zh-cn");

        AssertSmnError(inUse, 409, "SMN.0010", "2 job(s)");
        Assert.Contains(live, inUse.ErrorMessage);
        Assert.Contains(ended, inUse.ErrorMessage);
        AssertSmnError(inUseZh, 409, "SMN.0010", "正在被 2 个任务");

        // An ended job no longer counts as a user.
        var end = await _server.SendAsync(
            HttpMethod.Delete, "/v3/{project_id}/jobs/batch-jobs", $$"""{"jobs":[{"job_id":"{{ended}}","delete_type":"terminate"}]}""");
        Assert.Equal(202, end.Status);
        var oneLeft = await _server.SendAsync(HttpMethod.Delete, $"{TopicsPath}/{urn}", null);
        AssertSmnError(oneLeft, 409, "SMN.0010", "1 job(s)");
        Assert.DoesNotContain(ended, oneLeft.ErrorMessage);

        // Once the job notifies someone else, the topic can go.
        var moved = await _server.PostAsync("/v3/{project_id}/jobs/batch-set-smn", $$$"""
            {"jobs":[{"job_id":"{{{live}}}","status":"CONFIGURATION","engine_type":"mysql"}],
             "alarm_notify_info":{"subscriptions":[{"protocol":"email","endpoints":["ops@example.com"]}]}}
            """);
        Assert.Equal("success", (string?)moved.Json!["results"]![0]!["status"]);
        var deleted = await _server.SendAsync(HttpMethod.Delete, $"{TopicsPath}/{urn}", null);
        Assert.Equal(200, deleted.Status);
    }

    [Fact]
    public async Task TopicInfoListsStoredTopics()
    {
        await CreateTopicAsync(_server, "drs-zw", "DRS alarms");
        await CreateTopicAsync(_server, "unused");

        var response = await _server.SendAsync(HttpMethod.Get, "/v5/{project_id}/smn/topic-info", null);

        Assert.Equal(200, response.Status);
        Assert.Equal(2, (int)response.Json!["total_count"]!);
        var first = response.Json!["topics"]![0]!;
        Assert.Equal("drs-zw", (string?)first["name"]);
        Assert.Equal($"urn:smn:{_server.Region}:{_server.ProjectId}:drs-zw", (string?)first["urn"]);
        Assert.Equal("DRS alarms", (string?)first["description"]);
        Assert.Equal("unused", (string?)response.Json!["topics"]![1]!["name"]);
    }
}

using DrsNotify.Tests.Infrastructure;

namespace DrsNotify.Tests.Notifications;

public sealed class V5SettingsTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync();
        await JobSeeds.CreateAsync(_server, JobSeeds.ConfigurationJobId);
        await Topics.TopicHarness.CreateTopicAsync(_server, "drs-zw");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private string DetailPath => $"/v5/{{project_id}}/jobs/{JobSeeds.ConfigurationJobId}/smn-subscription-detail";

    private string AssociatePath => $"/v5/{{project_id}}/jobs/{JobSeeds.ConfigurationJobId}/associate-smn-topic";

    [Fact]
    public async Task SubscriptionDetail_NothingSet_ReturnsZeros()
    {
        var response = await _server.SendAsync(HttpMethod.Get, DetailPath, null);

        Assert.Equal(200, response.Status);
        Assert.Equal("""{"delay_time":0,"rpo_delay":0,"rto_delay":0,"is_alarm_user":false}""", response.Body);
    }

    [Fact]
    public async Task AssociateTopic_ThenDetail_ReturnsTopicAndThresholds()
    {
        var urn = $"urn:smn:{_server.Region}:{_server.ProjectId}:drs-zw";
        var associate = await _server.PostAsync(AssociatePath, $$"""
            {"topic_urn":"{{urn}}","is_alarm_to_user":true,"increment_delay_threshold":300,"rto_delay_threshold":20,"rpo_delay_threshold":10}
            """);

        var detail = await _server.SendAsync(HttpMethod.Get, DetailPath, null);

        Assert.Equal(200, associate.Status);
        Assert.Equal("", associate.Body);
        Assert.Equal("drs-zw", (string?)detail.Json!["topic_name"]);
        Assert.Equal(urn, (string?)detail.Json!["topic_urn"]);
        Assert.Equal(300, (long)detail.Json!["delay_time"]!);
        Assert.Equal(10, (long)detail.Json!["rpo_delay"]!);
        Assert.Equal(20, (long)detail.Json!["rto_delay"]!);
        Assert.True((bool)detail.Json!["is_alarm_user"]!);
    }

    [Fact]
    public async Task AssociateTopic_MissingUrn_Returns400AndChangesNothing()
    {
        var before = StoreSnapshot.Take(_server);

        var response = await _server.PostAsync(AssociatePath, """{"increment_delay_threshold":300}""", "zh-cn");

        Assert.Equal(400, response.Status);
        Assert.Equal("DRS.M00201", response.ErrorCode);
        Assert.Contains("topic_urn", response.ErrorMessage);
        Assert.Equal(before, StoreSnapshot.Take(_server));
    }

    [Fact]
    public async Task AssociateTopic_TopicNeverCreated_Returns400()
    {
        var urn = $"urn:smn:{_server.Region}:{_server.ProjectId}:not-created";
        var before = StoreSnapshot.Take(_server);

        var response = await _server.PostAsync(AssociatePath, $$"""{"topic_urn":"{{urn}}"}""", "zh-cn");

        Assert.Equal(400, response.Status);
        Assert.Equal("DRS.M00202", response.ErrorCode);
        Assert.Contains("topic_urn", response.ErrorMessage);
        Assert.Contains("主题 " + urn + " 不存在", response.ErrorMessage);
        Assert.Equal(before, StoreSnapshot.Take(_server));
    }

    [Fact]
    public async Task AssociateTopic_UnknownJob_Returns400()
    {
        var urn = $"urn:smn:{_server.Region}:{_server.ProjectId}:drs-zw";

        var response = await _server.PostAsync("/v5/{project_id}/jobs/nope/associate-smn-topic", $$"""{"topic_urn":"{{urn}}"}""");

        Assert.Equal(400, response.Status);
        Assert.Equal("DRS.M00289", response.ErrorCode);
    }

    [Fact]
    public async Task AssociateTopic_EndedJob_Returns400StoppedJob()
    {
        var ended = JobSeeds.NewJobId();
        await JobSeeds.CreateAsync(_server, ended, "RELEASE_RESOURCE_COMPLETE");
        var urn = $"urn:smn:{_server.Region}:{_server.ProjectId}:drs-zw";

        var response = await _server.PostAsync($"/v5/{{project_id}}/jobs/{ended}/associate-smn-topic", $$"""{"topic_urn":"{{urn}}"}""");

        Assert.Equal(400, response.Status);
        Assert.Equal("DRS.M00304", response.ErrorCode);
    }

    [Fact]
    public async Task SubscriptionDetail_UnknownJob_Returns400()
    {
        var response = await _server.SendAsync(HttpMethod.Get, "/v5/{project_id}/jobs/nope/smn-subscription-detail", null);

        Assert.Equal(400, response.Status);
        Assert.Equal("DRS.M00289", response.ErrorCode);
    }
}

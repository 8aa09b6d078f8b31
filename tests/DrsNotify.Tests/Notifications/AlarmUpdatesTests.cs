using System.Text.Json.Nodes;
using DrsNotify.Tests.Infrastructure;

namespace DrsNotify.Tests.Notifications;

/// <summary>The happy paths of batch-modification, the v5 job update and topic-info.</summary>
public sealed class AlarmUpdatesTests : IAsyncLifetime
{
    private const string BatchModificationPath = "/v3/{project_id}/jobs/batch-modification";

    private TestServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync();
        await JobSeeds.CreateAsync(_server, JobSeeds.ConfigurationJobId);
        await JobSeeds.CreateAsync(_server, JobSeeds.IncrementalJobId, "INCRE_TRANSFER_STARTED");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private string Urn(string topic) => $"urn:smn:{_server.Region}:{_server.ProjectId}:{topic}";

    private Task<ApiResponse> Detail(string jobId) =>
        _server.SendAsync(HttpMethod.Get, $"/v5/{{project_id}}/jobs/{jobId}/smn-subscription-detail", null);

    /// <summary>Creates the topic (or finds it) and sets it on the job through the v5 job update.</summary>
    private async Task<ApiResponse> UpdateJob(string jobId, string topic, string language = "en-us")
    {
        await Topics.TopicHarness.CreateTopicAsync(_server, topic);
        return await _server.SendAsync(HttpMethod.Put, $"/v5/{{project_id}}/jobs/{jobId}", """
            {"job":{"type":"notify","params":{"alarm_notify":{"alarm_to_user":true,"topic_urn":"TOPIC_URN","delay_time":300,"rpo_delay":10,"rto_delay":20}}}}
            """.Replace("TOPIC_URN", Urn(topic)), language);
    }

    [Fact]
    public async Task BatchModification_PerJobSettings_StoredSeparately()
    {
        var response = await _server.SendAsync(HttpMethod.Put, BatchModificationPath, $$$"""
            {"jobs":[
              {"job_id":"{{{JobSeeds.ConfigurationJobId}}}","alarm_notify":{"delay_time":100,"alarm_to_user":true,
                "subscriptions":[{"protocol":"email","endpoints":["ops@example.com"]}]}},
              {"job_id":"{{{JobSeeds.IncrementalJobId}}}","alarm_notify":{"rpo_delay":30,"rto_delay":40,
                "subscriptions":[{"protocol":"sms","endpoints":["+8613800000000"]}]}}]}
            """);
        var first = await Detail(JobSeeds.ConfigurationJobId);
        var second = await Detail(JobSeeds.IncrementalJobId);
        var history = await _server.SendAsync(HttpMethod.Get, $"/v3/{{project_id}}/jobs/{JobSeeds.IncrementalJobId}/notification-history", null);

        Assert.Equal(200, response.Status);
        Assert.Equal(
            $$$"""{"count":2,"results":[{"id":"{{{JobSeeds.ConfigurationJobId}}}","status":"success"},{"id":"{{{JobSeeds.IncrementalJobId}}}","status":"success"}]}""",
            response.Body);
        Assert.Equal(100, (long)first.Json!["delay_time"]!);
        Assert.True((bool)first.Json!["is_alarm_user"]!);
        Assert.Equal("ops@example.com", (string?)first.Json!["subscriptions"]![0]!["endpoints"]![0]);
        Assert.Equal(0, (long)second.Json!["delay_time"]!);
        Assert.Equal(30, (long)second.Json!["rpo_delay"]!);
        Assert.Equal(40, (long)second.Json!["rto_delay"]!);
        Assert.Equal("sms", (string?)second.Json!["subscriptions"]![0]!["protocol"]);
        Assert.Equal("batch-modification", (string?)history.Json!["history"]![0]!["operation"]);
    }

    [Fact]
    public async Task BatchModification_UnknownAndEndedJobs_FailAlone()
    {
        var ended = JobSeeds.NewJobId();
        await JobSeeds.CreateAsync(_server, ended, "RELEASE_RESOURCE_COMPLETE");
        var alarmNotify = """{"subscriptions":[{"protocol":"sms","endpoints":["13800000000"]}]}""";

        var response = await _server.SendAsync(HttpMethod.Put, BatchModificationPath, $$$"""
            {"jobs":[{"job_id":"no-such-job","alarm_notify":{{{alarmNotify}}}},
                     {"job_id":"{{{ended}}}","alarm_notify":{{{alarmNotify}}}},
                     {"job_id":"{{{JobSeeds.ConfigurationJobId}}}","alarm_notify":{{{alarmNotify}}}}]}
            """, "zh-cn");

        Assert.Equal(200, response.Status);
        var results = response.Json!["results"]!.AsArray();
        Assert.Equal(3, (int)response.Json!["count"]!);
        Assert.Equal("failed", (string?)results[0]!["status"]);
        Assert.Equal("DRS.M00289", (string?)results[0]!["error_code"]);
        Assert.Contains("不存在", (string?)results[0]!["error_msg"]);
        Assert.Equal("DRS.M00304", (string?)results[1]!["error_code"]);
        Assert.Equal("success", (string?)results[2]!["status"]);
    }

    [Fact]
    public async Task BatchModification_GoSdkEmptyFields_Accepted()
    {
        var response = await _server.SendAsync(HttpMethod.Put, BatchModificationPath, $$$"""
            {"jobs":[{"job_id":"{{{JobSeeds.ConfigurationJobId}}}","name":"","source_endpoint":null,"target_endpoint":null,
                      "node_type":"","engine_type":"","net_type":"","store_db_info":false,
                      "alarm_notify":{"alarm_to_user":false,"subscriptions":[{"protocol":"sms","endpoints":["13800000000"]}]}}]}
            """);

        Assert.Equal(200, response.Status);
        Assert.Equal("success", (string?)response.Json!["results"]![0]!["status"]);
    }

    [Fact]
    public async Task BatchModification_SameRequestTwice_WritesOnce()
    {
        var body = $$$"""
            {"jobs":[{"job_id":"{{{JobSeeds.ConfigurationJobId}}}","alarm_notify":{"subscriptions":[{"protocol":"sms","endpoints":["13800000000"]}]}}]}
            """;
        await _server.SendAsync(HttpMethod.Put, BatchModificationPath, body);
        var before = StoreSnapshot.Take(_server);

        var again = await _server.SendAsync(HttpMethod.Put, BatchModificationPath, body);

        Assert.Equal(200, again.Status);
        Assert.Equal(before, StoreSnapshot.Take(_server));
    }

    [Fact]
    public async Task UpdateJob_Notify_StoresTopicAndReturnsJob()
    {
        var response = await UpdateJob(JobSeeds.IncrementalJobId, "drs-zw");
        var detail = await Detail(JobSeeds.IncrementalJobId);

        Assert.Equal(200, response.Status);
        Assert.Equal(JobSeeds.IncrementalJobId, (string?)response.Json!["id"]);
        Assert.Equal("success", (string?)response.Json!["status"]);
        Assert.StartsWith("job-", (string?)response.Json!["name"]);
        Assert.Null(response.Json!["error_code"]);
        Assert.Equal(Urn("drs-zw"), (string?)detail.Json!["topic_urn"]);
        Assert.Equal(300, (long)detail.Json!["delay_time"]!);
        Assert.Equal(10, (long)detail.Json!["rpo_delay"]!);
        Assert.Equal(20, (long)detail.Json!["rto_delay"]!);
        Assert.True((bool)detail.Json!["is_alarm_user"]!);
    }

    [Fact]
    public async Task TopicInfo_ListsProjectTopics()
    {
        var deleted = JobSeeds.NewJobId();
        await JobSeeds.CreateAsync(_server, deleted);
        await UpdateJob(deleted, "of-deleted-job");
        await JobSeeds.CreateAsync(_server, JobSeeds.NewJobId(), "INCRE_TRANSFER_FAILED");
        await _server.SendAsync(HttpMethod.Delete, "/v3/{project_id}/jobs/batch-jobs", $$$"""{"jobs":[{"job_id":"{{{deleted}}}","delete_type":"terminate"}]}""");
        await _server.SendAsync(HttpMethod.Delete, "/v3/{project_id}/jobs/batch-jobs", $$$"""{"jobs":[{"job_id":"{{{deleted}}}","delete_type":"delete"}]}""");
        await UpdateJob(JobSeeds.ConfigurationJobId, "zeta");
        await UpdateJob(JobSeeds.IncrementalJobId, "alpha");

        var response = await _server.SendAsync(HttpMethod.Get, "/v5/{project_id}/smn/topic-info", null);

        // Every topic of the project, oldest first, whether a job uses it or not.
        Assert.Equal(200, response.Status);
        Assert.Equal(3, (int)response.Json!["total_count"]!);
        var topics = response.Json!["topics"]!.AsArray();
        Assert.Equal(
            $$$"""{"name":"of-deleted-job","urn":"{{{Urn("of-deleted-job")}}}","description":"","push_policy":0}""",
            topics[0]!.ToJsonString());
        Assert.Equal(["of-deleted-job", "zeta", "alpha"], topics.Select(topic => (string)topic!["name"]!).ToArray());
    }

    [Fact]
    public async Task TopicInfo_NoTopics_EmptyList()
    {
        var response = await _server.SendAsync(HttpMethod.Get, "/v5/{project_id}/smn/topic-info", null);

        Assert.Equal(200, response.Status);
        Assert.Equal("""{"topics":[],"total_count":0}""", response.Body);
    }

    [Theory]
    [InlineData("BatchUpdateJob")]
    [InlineData("UpdateJob")]
    [InlineData("ShowTopicInfo")]
    public async Task OpenApi_Operation_IsDocumented(string operationId)
    {
        var response = await _server.SendAsync(HttpMethod.Get, "/openapi/v1.json", null, client: _server.Anonymous);

        Assert.Contains($"\"operationId\": \"{operationId}\"", response.Body);
    }
}

using System.Text.Json.Nodes;
using DrsNotify.Server.Identity;
using DrsNotify.Server.Storage;
using DrsNotify.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DrsNotify.Tests.Notifications;

public sealed class BatchSetSmnTests : IAsyncLifetime
{
    private const string Path = "/v3/{project_id}/jobs/batch-set-smn";

    private TestServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync();
        await Topics.TopicHarness.CreateTopicAsync(_server, "drs-zw");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private string TopicExample(string? projectId = null) => $$"""
        {
          "jobs" : [ {
            "job_id" : "c7296a3b-0d9f-424c-8d74-816ca62jb2a2",
            "status" : "CONFIGURATION",
            "engine_type" : "mysql"
          } ],
          "alarm_notify_info" : {
            "topic_urn" : "urn:smn:{{_server.Region}}:{{projectId ?? _server.ProjectId}}:drs-zw",
            "delay_time" : 1200
          }
        }
        """;

    private const string SubscriptionsExample = """
        {
          "jobs" : [ {
            "job_id" : "2b36da5c-44a7-41af-8889-247b14djb2a2",
            "status" : "INCRE_TRANSFER_STARTED",
            "engine_type" : "oracle-to-gaussdbv5"
          } ],
          "alarm_notify_info" : {
            "subscriptions" : [ {
              "protocol" : "sms",
              "endpoints" : [ "12345678910" ]
            }, {
              "protocol" : "email",
              "endpoints" : [ "123456@abc.com" ]
            } ],
            "delay_time" : 100
          }
        }
        """;

    private async Task<JsonNode> DetailAsync(string jobId)
    {
        var response = await _server.PostAsync("/v3/{project_id}/jobs/batch-detail", $$"""{"jobs":["{{jobId}}"]}""");
        Assert.Equal(200, response.Status);
        return response.Json!["results"]![0]!;
    }

    [Fact]
    public async Task TopicExample_RegisteredJob_ReturnsExactSuccessBody()
    {
        await JobSeeds.CreateAsync(_server, JobSeeds.ConfigurationJobId);

        var response = await _server.PostAsync(Path, TopicExample());

        Assert.Equal(200, response.Status);
        Assert.Equal("""{"count":1,"results":[{"id":"c7296a3b-0d9f-424c-8d74-816ca62jb2a2","status":"success"}]}""", response.Body);
        Assert.Matches("^[0-9a-f]{32}$", response.RequestId);
    }

    [Fact]
    public async Task SubscriptionsExample_IncrementalJob_ReturnsExactSuccessBody()
    {
        await JobSeeds.CreateAsync(_server, JobSeeds.IncrementalJobId, "INCRE_TRANSFER_STARTED", "oracle-to-gaussdbv5");

        var response = await _server.PostAsync(Path, SubscriptionsExample);

        Assert.Equal(200, response.Status);
        Assert.Equal("""{"count":1,"results":[{"id":"2b36da5c-44a7-41af-8889-247b14djb2a2","status":"success"}]}""", response.Body);
    }

    [Fact]
    public async Task BatchDetail_AfterSet_ShowsTopicNameAndUrn()
    {
        await JobSeeds.CreateAsync(_server, JobSeeds.ConfigurationJobId);
        await _server.PostAsync(Path, TopicExample());

        var alarm = (await DetailAsync(JobSeeds.ConfigurationJobId))["alarm_notify"]!;

        Assert.Equal("drs-zw", (string?)alarm["topic_name"]);
        Assert.Equal($"urn:smn:{_server.Region}:{_server.ProjectId}:drs-zw", (string?)alarm["topic_urn"]);
        Assert.Equal(1200, (long)alarm["delay_time"]!);
        Assert.Equal(0, (long)alarm["rpo_delay"]!);
        Assert.Equal(0, (long)alarm["rto_delay"]!);
        Assert.False((bool)alarm["alarm_to_user"]!);
        Assert.Null(alarm["subscriptions"]);
    }

    [Fact]
    public async Task BatchDetail_AfterSubscriptions_ShowsEndpoints()
    {
        await JobSeeds.CreateAsync(_server, JobSeeds.IncrementalJobId, "INCRE_TRANSFER_STARTED", "oracle-to-gaussdbv5");
        await _server.PostAsync(Path, SubscriptionsExample);

        var alarm = (await DetailAsync(JobSeeds.IncrementalJobId))["alarm_notify"]!;

        Assert.Equal("sms", (string?)alarm["subscriptions"]![0]!["protocol"]);
        Assert.Equal("12345678910", (string?)alarm["subscriptions"]![0]!["endpoints"]![0]);
        Assert.Equal("email", (string?)alarm["subscriptions"]![1]!["protocol"]);
        Assert.Equal("123456@abc.com", (string?)alarm["subscriptions"]![1]!["endpoints"]![0]);
        Assert.Equal(100, (long)alarm["delay_time"]!);
        Assert.Null(alarm["topic_urn"]);
        Assert.Null(alarm["topic_name"]);
    }

    [Fact]
    public async Task Settings_AfterRestart_AreStillStored()
    {
        await JobSeeds.CreateAsync(_server, JobSeeds.ConfigurationJobId);
        await _server.PostAsync(Path, TopicExample());

        await _server.RestartAsync();

        var alarm = (await DetailAsync(JobSeeds.ConfigurationJobId))["alarm_notify"]!;
        Assert.Equal(1200, (long)alarm["delay_time"]!);
        Assert.Equal("drs-zw", (string?)alarm["topic_name"]);
    }

    [Fact]
    public async Task BatchSetSmn_Change_MovesJobUpdateTime()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 4, 10, 0, 0, TimeSpan.Zero));
        await using var server = await TestServer.StartAsync(services: services => services.AddSingleton<TimeProvider>(clock));
        await Topics.TopicHarness.CreateTopicAsync(server, "drs-zw");
        await JobSeeds.CreateAsync(server, JobSeeds.ConfigurationJobId);
        var body = $$$"""
            {"jobs":[{"job_id":"{{{JobSeeds.ConfigurationJobId}}}","status":"CONFIGURATION","engine_type":"mysql"}],
             "alarm_notify_info":{"topic_urn":"urn:smn:{{{server.Region}}}:{{{server.ProjectId}}}:drs-zw","delay_time":60}}
            """;
        async Task<string?> UpdateTimeAsync()
        {
            var detail = await server.PostAsync("/v3/{project_id}/jobs/batch-detail", $$"""{"jobs":["{{JobSeeds.ConfigurationJobId}}"]}""");
            return (string?)detail.Json!["results"]![0]!["update_time"];
        }

        var created = await UpdateTimeAsync();
        clock.Advance(TimeSpan.FromMinutes(5));
        await server.PostAsync(Path, body);
        var changed = await UpdateTimeAsync();
        clock.Advance(TimeSpan.FromMinutes(5));
        await server.PostAsync(Path, body);
        var repeated = await UpdateTimeAsync();

        Assert.NotEqual(created, changed);
        Assert.Equal(changed, repeated);
    }

    [Fact]
    public async Task BatchSetSmn_MixedJobs_ReportsEachInRequestOrder()
    {
        var good = JobSeeds.NewJobId();
        var deleted = JobSeeds.NewJobId();
        var ended = JobSeeds.NewJobId();
        var running = JobSeeds.NewJobId();
        var postgres = JobSeeds.NewJobId();
        await JobSeeds.CreateAsync(_server, good);
        await JobSeeds.CreateAsync(_server, deleted, "DELETED");
        await JobSeeds.CreateAsync(_server, ended, "RELEASE_RESOURCE_COMPLETE");
        await JobSeeds.CreateAsync(_server, running, "INCRE_TRANSFER_STARTED");
        await JobSeeds.CreateAsync(_server, postgres, engineType: "postgresql");
        var body = $$"""
            {"jobs":[
              {"job_id":"{{good}}","status":"CONFIGURATION","engine_type":"mysql"},
              {"job_id":"unknown-job","status":"CONFIGURATION","engine_type":"mysql"},
              {"job_id":"{{deleted}}","status":"DELETED","engine_type":"mysql"},
              {"job_id":"{{ended}}","status":"RELEASE_RESOURCE_COMPLETE","engine_type":"mysql"},
              {"job_id":"{{running}}","status":"CONFIGURATION","engine_type":"mysql"},
              {"job_id":"{{postgres}}","status":"CONFIGURATION","engine_type":"mysql"}],
             "alarm_notify_info":{"subscriptions":[{"protocol":"email","endpoints":["ops@example.com"]}],"delay_time":60}
            }
            """;

        var response = await _server.PostAsync(Path, body);

        Assert.Equal(200, response.Status);
        var results = response.Json!["results"]!.AsArray();
        Assert.Equal(6, (int)response.Json!["count"]!);
        Assert.Equal([good, "unknown-job", deleted, ended, running, postgres], results.Select(r => (string)r!["id"]!));
        Assert.Equal("success", (string?)results[0]!["status"]);
        Assert.Null(results[0]!["error_code"]);
        Assert.Equal(["DRS.M00289", "DRS.M05004", "DRS.M00304", "DRS.M00304", "DRS.M00202"], results.Skip(1).Select(r => (string)r!["error_code"]!));
        Assert.All(results.Skip(1), r => Assert.Equal("failed", (string?)r!["status"]));
        Assert.Contains("INCRE_TRANSFER_STARTED", (string?)results[4]!["error_msg"]);
        Assert.Contains("postgresql", (string?)results[5]!["error_msg"]);
        Assert.Null((await DetailAsync(running))["alarm_notify"]);
    }

    [Fact]
    public async Task BatchSetSmn_HundredJobs_StoresAndAuditsEach()
    {
        var ids = Enumerable.Range(0, 100).Select(_ => JobSeeds.NewJobId()).ToList();
        var creation = string.Join(",", ids.Select((id, i) =>
            $$"""{"job_id":"{{id}}","name":"bulk-{{i:D3}}","engine_type":"mysql","db_use_type":"sync","task_type":"FULL_INCR_TRANS","job_direction":"up"}"""));
        Assert.Equal(202, (await _server.PostAsync("/v3/{project_id}/jobs/batch-creation", $$"""{"jobs":[{{creation}}]}""")).Status);
        var jobs = string.Join(",", ids.Select(id => $$"""{"job_id":"{{id}}","status":"CONFIGURATION","engine_type":"mysql"}"""));
        var body = "{\"jobs\":[" + jobs + "],\"alarm_notify_info\":{\"subscriptions\":[{\"protocol\":\"sms\",\"endpoints\":[\"+8613800000000\"]}],\"rto_delay\":15}}";

        var response = await _server.PostAsync(Path, body);

        Assert.Equal(100, (int)response.Json!["count"]!);
        Assert.All(response.Json!["results"]!.AsArray(), result => Assert.Equal("success", (string?)result!["status"]));
        Assert.Equal(15, (long)(await DetailAsync(ids[0]))["alarm_notify"]!["rto_delay"]!);
        Assert.Equal(15, (long)(await DetailAsync(ids[99]))["alarm_notify"]!["rto_delay"]!);
        var history = await _server.SendAsync(HttpMethod.Get, $"/v3/{{project_id}}/jobs/{ids[57]}/notification-history", null);
        Assert.Equal(1, (long)history.Json!["total_count"]!);
        Assert.Equal(response.RequestId, (string?)history.Json!["history"]![0]!["request_id"]);
    }

    [Fact]
    public async Task BatchSetSmn_ConcurrentChangesToOneJob_ChainInHistory()
    {
        await JobSeeds.CreateAsync(_server, JobSeeds.ConfigurationJobId);
        var requests = Enumerable.Range(1, 50).Select(delay =>
            _server.PostAsync(Path, TopicExample().Replace("\"delay_time\" : 1200", $"\"delay_time\" : {delay}")));

        var responses = await Task.WhenAll(requests);

        Assert.All(responses, response => Assert.Equal("success", (string?)response.Json!["results"]![0]!["status"]));
        var history = await _server.SendAsync(
            HttpMethod.Get, $"/v3/{{project_id}}/jobs/{JobSeeds.ConfigurationJobId}/notification-history?limit=1000", null);
        var entries = history.Json!["history"]!.AsArray();
        Assert.Equal(50, entries.Count);
        for (var i = 0; i < entries.Count - 1; i++)
        {
            Assert.Equal(
                entries[i + 1]!["current"]!["alarm_notify"]!.ToJsonString(),
                entries[i]!["previous"]!["alarm_notify"]!.ToJsonString());
        }

        var current = (await DetailAsync(JobSeeds.ConfigurationJobId))["alarm_notify"]!;
        Assert.Equal(entries[0]!["current"]!["alarm_notify"]!.ToJsonString(), current.ToJsonString());
    }

    [Fact]
    public async Task BatchSetSmn_MissingTopicAmongConcurrent_FailsAlone()
    {
        await JobSeeds.CreateAsync(_server, JobSeeds.ConfigurationJobId);
        var requests = Enumerable.Range(1, 30).Select(delay => _server.PostAsync(
            Path,
            TopicExample()
                .Replace("\"delay_time\" : 1200", $"\"delay_time\" : {delay}")
                .Replace(":drs-zw\"", delay == 15 ? ":no-such-topic\"" : ":drs-zw\"")));

        var responses = await Task.WhenAll(requests);

        Assert.Equal(400, responses[14].Status);
        Assert.Equal("DRS.M00202", responses[14].ErrorCode);
        Assert.Contains("alarm_notify_info.topic_urn", responses[14].ErrorMessage);
        Assert.All(responses.Where((_, index) => index != 14), response => Assert.Equal(200, response.Status));
        var history = await _server.SendAsync(
            HttpMethod.Get, $"/v3/{{project_id}}/jobs/{JobSeeds.ConfigurationJobId}/notification-history?limit=1000", null);
        Assert.Equal(29, (long)history.Json!["total_count"]!);
    }

    [Fact]
    public async Task BatchSetSmn_FailedJobZhCn_LocalizesErrorMsg()
    {
        var response = await _server.PostAsync(Path, TopicExample(), "zh-cn");

        Assert.Equal(200, response.Status);
        Assert.Equal("DRS.M00289", (string?)response.Json!["results"]![0]!["error_code"]);
        Assert.Equal("任务 c7296a3b-0d9f-424c-8d74-816ca62jb2a2 在当前项目中不存在。", (string?)response.Json!["results"]![0]!["error_msg"]);
    }

    [Fact]
    public async Task BatchSetSmn_SameRequestTwice_SameResultAndState()
    {
        await JobSeeds.CreateAsync(_server, JobSeeds.ConfigurationJobId);
        var first = await _server.PostAsync(Path, TopicExample());
        var state = StoreSnapshot.Take(_server);

        var second = await _server.PostAsync(Path, TopicExample());

        Assert.Equal(first.Body, second.Body);
        Assert.Equal(state, StoreSnapshot.Take(_server));
    }

    [Fact]
    public async Task BatchSetSmn_NewSettings_ReplaceOldOnesWhole()
    {
        await JobSeeds.CreateAsync(_server, JobSeeds.ConfigurationJobId);
        await _server.PostAsync(Path, TopicExample());

        var body = """
            {"jobs":[{"job_id":"c7296a3b-0d9f-424c-8d74-816ca62jb2a2","status":"CONFIGURATION","engine_type":"mysql"}],
             "alarm_notify_info":{"subscriptions":[{"protocol":"email","endpoints":["a@example.com"]}],"rpo_delay":30,"alarm_to_user":true}}
            """;
        await _server.PostAsync(Path, body);

        var alarm = (await DetailAsync(JobSeeds.ConfigurationJobId))["alarm_notify"]!;
        Assert.Null(alarm["topic_urn"]);
        Assert.Equal(0, (long)alarm["delay_time"]!);
        Assert.Equal(30, (long)alarm["rpo_delay"]!);
        Assert.True((bool)alarm["alarm_to_user"]!);
    }

    [Fact]
    public async Task BatchSetSmn_TopicOfSecondProjectInAccount_Succeeds()
    {
        var second = await AddProjectAsync("04f9aca88c00d3202fd4c01ed679daf0", "cn-north-7", sameAccount: true);
        await Topics.TopicHarness.InsertTopicAsync(_server, second, "cn-north-7", "drs-zw");
        await JobSeeds.CreateAsync(_server, JobSeeds.ConfigurationJobId);
        var body = TopicExample(second).Replace(_server.Region, "cn-north-7");

        var response = await _server.PostAsync(Path, body);

        Assert.Equal("""{"count":1,"results":[{"id":"c7296a3b-0d9f-424c-8d74-816ca62jb2a2","status":"success"}]}""", response.Body);
    }

    [Fact]
    public async Task BatchSetSmn_TopicOfOtherAccount_TreatedAsNotFound()
    {
        var foreign = await AddProjectAsync("1111aca88c00d3202fd4c01ed679daf0", "cn-north-7", sameAccount: false);
        await Topics.TopicHarness.InsertTopicAsync(_server, foreign, "cn-north-7", "drs-zw");
        await JobSeeds.CreateAsync(_server, JobSeeds.ConfigurationJobId);
        var body = TopicExample(foreign).Replace(_server.Region, "cn-north-7");

        var response = await _server.PostAsync(Path, body);

        Assert.Equal(400, response.Status);
        Assert.Equal("DRS.M00202", response.ErrorCode);
        Assert.Contains("alarm_notify_info.topic_urn", response.ErrorMessage);
        Assert.Contains("does not exist", response.ErrorMessage);
    }

    [Fact]
    public async Task BatchSetSmn_TopicRegionNotProjects_Rejected()
    {
        await JobSeeds.CreateAsync(_server, JobSeeds.ConfigurationJobId);
        var body = TopicExample().Replace(_server.Region, "cn-south-1");

        var response = await _server.PostAsync(Path, body);

        Assert.Equal(400, response.Status);
        Assert.Equal("DRS.M00202", response.ErrorCode);
        Assert.Contains("cn-south-1", response.ErrorMessage);
    }

    [Fact]
    public async Task NotificationHistory_TwoChanges_NewestFirstWithWhoAndWhat()
    {
        await JobSeeds.CreateAsync(_server, JobSeeds.ConfigurationJobId);
        var first = await _server.PostAsync(Path, TopicExample());
        var second = await _server.PostAsync(Path, TopicExample().Replace("1200", "60"), "zh-cn");

        var response = await _server.SendAsync(HttpMethod.Get, $"/v3/{{project_id}}/jobs/{JobSeeds.ConfigurationJobId}/notification-history", null);

        Assert.Equal(200, response.Status);
        Assert.Equal(2, (long)response.Json!["total_count"]!);
        var newest = response.Json!["history"]![0]!;
        Assert.Equal(second.RequestId, (string?)newest["request_id"]);
        Assert.Equal("admin", (string?)newest["changed_by"]!["user_name"]);
        Assert.Equal("batch-set-smn", (string?)newest["operation"]);
        Assert.Equal(1200, (long)newest["previous"]!["alarm_notify"]!["delay_time"]!);
        Assert.Equal(60, (long)newest["current"]!["alarm_notify"]!["delay_time"]!);
        Assert.Equal("zh-cn", (string?)newest["current"]!["language"]);
        var oldest = response.Json!["history"]![1]!;
        Assert.Equal(first.RequestId, (string?)oldest["request_id"]);
        Assert.Null(oldest["previous"]);
    }

    [Fact]
    public async Task NotificationHistory_OffsetAndLimit_ReturnsThatPage()
    {
        await JobSeeds.CreateAsync(_server, JobSeeds.ConfigurationJobId);
        foreach (var delay in new[] { 10, 20, 30, 40, 50 })
        {
            await _server.PostAsync(Path, TopicExample().Replace("\"delay_time\" : 1200", $"\"delay_time\" : {delay}"));
        }

        var response = await _server.SendAsync(
            HttpMethod.Get, $"/v3/{{project_id}}/jobs/{JobSeeds.ConfigurationJobId}/notification-history?offset=1&limit=2", null);

        Assert.Equal(5, (long)response.Json!["total_count"]!);
        var entries = response.Json!["history"]!.AsArray();
        Assert.Equal([40L, 30L], entries.Select(entry => (long)entry!["current"]!["alarm_notify"]!["delay_time"]!));
        Assert.Equal([30L, 20L], entries.Select(entry => (long)entry!["previous"]!["alarm_notify"]!["delay_time"]!));
    }

    [Fact]
    public async Task NotificationHistory_UnknownJob_Returns400()
    {
        var response = await _server.SendAsync(HttpMethod.Get, "/v3/{project_id}/jobs/nope/notification-history", null, "zh-cn");

        Assert.Equal(400, response.Status);
        Assert.Equal("DRS.M00289", response.ErrorCode);
        Assert.Contains("nope", response.ErrorMessage);
    }

    /// <summary>Adds a project, in the bootstrap account or in a new one, through the store.</summary>
    private async Task<string> AddProjectAsync(string id, string region, bool sameAccount)
    {
        var database = _server.Services.GetRequiredService<Database>();
        var identity = _server.Services.GetRequiredService<IdentityStore>();
        var accountId = sameAccount ? identity.FindProject(_server.ProjectId)!.AccountId : Bootstrap.NewId();
        await database.WriteAsync((connection, transaction) =>
        {
            if (!sameAccount)
            {
                IdentityStore.InsertAccount(connection, transaction, new Account(accountId, "other-" + accountId[..6]), 0);
            }

            IdentityStore.InsertProject(connection, transaction, new Project(id, accountId, region, region), 0);
            return 0;
        });
        return id;
    }
}

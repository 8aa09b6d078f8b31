using System.Text.Json.Nodes;
using DrsNotify.Server.Notifications;
using DrsNotify.Server.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace DrsNotify.Tests.Jobs;

public sealed class JobQueryTests(JobServerFixture fixture) : IClassFixture<JobServerFixture>
{
    private const string UnknownId = "00000000-0000-4000-8000-00000000jb00";

    private readonly JobClient _jobs = fixture.Jobs;

    [Fact]
    public async Task List_NameFilter_ReturnsNewestFirstPaged()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var first = await _jobs.CreateAsync($"list-{tag}-a");
        var second = await _jobs.CreateAsync($"list-{tag}-b");
        var third = await _jobs.CreateAsync($"list-{tag}-c");

        var all = await ListAsync(new JsonObject { ["name"] = $"LIST-{tag}" });
        var page2 = await ListAsync(new JsonObject { ["name"] = $"list-{tag}", ["cur_page"] = 2, ["per_page"] = 1 });

        Assert.Equal(3, (long?)all["total_record"]);
        Assert.Equal([third, second, first], all["jobs"]!.AsArray().Select(job => (string?)job!["id"]));
        Assert.Equal(3, (long?)page2["total_record"]);
        Assert.Equal([second], page2["jobs"]!.AsArray().Select(job => (string?)job!["id"]));
        var job = all["jobs"]![0]!;
        Assert.Equal($"list-{tag}-c", (string?)job["name"]);
        Assert.Equal("CONFIGURATION", (string?)job["status"]);
        Assert.Equal("", (string?)job["description"]);
        Assert.Equal("FULL_INCR_TRANS", (string?)job["task_type"]);
        Assert.Equal("mysql", (string?)job["engine_type"]);
        Assert.Equal("up", (string?)job["job_direction"]);
        Assert.Equal("sync", (string?)job["db_use_type"]);
        Assert.Matches("^[0-9]{13}$", (string?)job["create_time"]);
    }

    [Fact]
    public async Task List_ExactIdAndFilters_ReturnsMatches()
    {
        var id = await _jobs.CreateAsync(engineType: "mongodb", dbUseType: "migration");

        var byId = await ListAsync(new JsonObject { ["name"] = id, ["db_use_type"] = "migration" });
        var otherUse = await ListAsync(new JsonObject { ["name"] = id, ["db_use_type"] = "sync" });
        var otherEngine = await ListAsync(new JsonObject { ["name"] = id, ["db_use_type"] = "migration", ["engine_type"] = "mysql" });
        var byStatus = await ListAsync(new JsonObject { ["name"] = id, ["db_use_type"] = "migration", ["status"] = "CONFIGURATION" });

        Assert.Equal(1, (long?)byId["total_record"]);
        Assert.Equal(0, (long?)otherUse["total_record"]);
        Assert.Equal(0, (long?)otherEngine["total_record"]);
        Assert.Equal(1, (long?)byStatus["total_record"]);
    }

    [Fact]
    public async Task List_DeletedJob_OnlyWithStatusFilter()
    {
        var id = await _jobs.CreateAsync();
        await _jobs.OperateAsync("batch-jobs", id, new JsonObject { ["delete_type"] = "terminate" }, method: HttpMethod.Delete);
        await _jobs.OperateAsync("batch-jobs", id, new JsonObject { ["delete_type"] = "delete" }, method: HttpMethod.Delete);

        var unfiltered = await ListAsync(new JsonObject { ["name"] = id });
        var deleted = await ListAsync(new JsonObject { ["name"] = id, ["status"] = "DELETED" });

        Assert.Equal(0, (long?)unfiltered["total_record"]);
        Assert.Equal(1, (long?)deleted["total_record"]);
        Assert.Equal("DELETED", (string?)deleted["jobs"]![0]!["status"]);
    }

    [Fact]
    public async Task List_PerPageZero_ReturnsTotalOnly()
    {
        var id = await _jobs.CreateAsync();

        var list = await ListAsync(new JsonObject { ["name"] = id, ["per_page"] = 0 });

        Assert.Equal(1, (long?)list["total_record"]);
        Assert.Empty(list["jobs"]!.AsArray());
    }

    [Theory]
    [InlineData("""{"per_page": 10, "db_use_type": "sync"}""", "DRS.M00201", "cur_page")]
    [InlineData("""{"cur_page": 0, "per_page": 10, "db_use_type": "sync"}""", "DRS.M00202", "cur_page")]
    [InlineData("""{"cur_page": 1, "per_page": 101, "db_use_type": "sync"}""", "DRS.M00202", "per_page")]
    [InlineData("""{"cur_page": 1, "per_page": 10}""", "DRS.M00201", "db_use_type")]
    [InlineData("""{"cur_page": 1, "per_page": 10, "db_use_type": "sync", "status": "RUNNING"}""", "DRS.M00202", "status")]
    public async Task List_InvalidRequest_Returns400(string body, string code, string parameter)
    {
        var response = await fixture.Server.PostAsync("/v3/{project_id}/jobs", body);

        Assert.Equal(400, response.Status);
        Assert.Equal(code, response.ErrorCode);
        Assert.Contains(parameter, response.ErrorMessage);
    }

    [Fact]
    public async Task Status_KnownUnknownAndRepeated_ReturnsEntryEach()
    {
        var id = await _jobs.CreateAsync();

        var response = await _jobs.QueryAsync("batch-status", id, UnknownId, id);

        Assert.Equal(200, response.Status);
        Assert.Equal(3, (int?)response.Json!["count"]);
        var results = response.Json["results"]!.AsArray();
        Assert.Equal(id, (string?)results[0]!["id"]);
        Assert.Equal("CONFIGURATION", (string?)results[0]!["status"]);
        Assert.Equal(UnknownId, (string?)results[1]!["id"]);
        Assert.Equal("DRS.M00289", (string?)results[1]!["error_code"]);
        Assert.Contains(UnknownId, (string?)results[1]!["error_message"]);
        Assert.Null(results[1]!["error_msg"]);
        Assert.Null(results[1]!["status"]);
        Assert.Equal("CONFIGURATION", (string?)results[2]!["status"]);
    }

    [Fact]
    public async Task Status_DeletedJob_ReturnsDeleted()
    {
        var id = await _jobs.CreateAsync();
        await _jobs.OperateAsync("batch-jobs", id, new JsonObject { ["delete_type"] = "terminate" }, method: HttpMethod.Delete);
        await _jobs.OperateAsync("batch-jobs", id, new JsonObject { ["delete_type"] = "delete" }, method: HttpMethod.Delete);

        Assert.Equal("DELETED", await _jobs.StatusAsync(id));
    }

    [Theory]
    [InlineData("""{"jobs": []}""", "DRS.M00201")]
    [InlineData("""{"jobs": [""]}""", "DRS.M00201")]
    [InlineData("""{"jobs": [42]}""", "DRS.M00202")]
    [InlineData("""{"jobs": "abc"}""", "DRS.M00202")]
    [InlineData("""{}""", "DRS.M00201")]
    public async Task Status_InvalidJobsList_Returns400(string body, string code)
    {
        var response = await fixture.Server.PostAsync("/v3/{project_id}/jobs/batch-status", body);

        Assert.Equal(400, response.Status);
        Assert.Equal(code, response.ErrorCode);
    }

    [Fact]
    public async Task Status_TooManyIds_Returns400()
    {
        var ids = Enumerable.Range(0, 101).Select(_ => UnknownId).ToArray();

        var response = await _jobs.QueryAsync("batch-status", ids);

        Assert.Equal(400, response.Status);
        Assert.Equal("DRS.M00202", response.ErrorCode);
    }

    [Fact]
    public async Task Detail_KnownJob_ReturnsFullRecord()
    {
        var id = await _jobs.CreateAsync(engineType: "gaussdbv5", dbUseType: "cloudDataGuard");

        var response = await _jobs.QueryAsync("batch-detail", id);

        Assert.Equal(200, response.Status);
        Assert.Equal(1, (int?)response.Json!["count"]);
        var job = response.Json["results"]![0]!;
        Assert.Equal(id, (string?)job["id"]);
        Assert.Equal("CONFIGURATION", (string?)job["status"]);
        Assert.Equal("gaussdbv5", (string?)job["engine_type"]);
        Assert.Equal("cloudDataGuard", (string?)job["db_use_type"]);
        Assert.Equal("FULL_INCR_TRANS", (string?)job["task_type"]);
        Assert.Equal("up", (string?)job["job_direction"]);
        Assert.Equal("", (string?)job["description"]);
        Assert.Matches("^[0-9]{13}$", (string?)job["create_time"]);
        Assert.Matches("^[0-9]{13}$", (string?)job["update_time"]);
        Assert.Null(job["alarm_notify"]);
        Assert.Null(job["source_endpoint"]);
        Assert.Null(job["error_code"]);
    }

    [Fact]
    public async Task Detail_UnknownId_Returns400Envelope()
    {
        var id = await _jobs.CreateAsync();

        var response = await _jobs.QueryAsync("batch-detail", id, UnknownId);

        Assert.Equal(400, response.Status);
        Assert.Equal(2, (int?)response.Json!["count"]);
        Assert.Equal("CONFIGURATION", (string?)response.Json["results"]![0]!["status"]);
        var unknown = response.Json["results"]![1]!;
        Assert.Equal(UnknownId, (string?)unknown["id"]);
        Assert.Equal("DRS.M00289", (string?)unknown["error_code"]);
        Assert.Contains(UnknownId, (string?)unknown["error_message"]);
        Assert.Null(unknown["name"]);
    }

    [Fact]
    public async Task Detail_DeletedJob_ReturnsDeletedStatus()
    {
        var id = await _jobs.CreateAsync();
        await _jobs.OperateAsync("batch-jobs", id, new JsonObject { ["delete_type"] = "terminate" }, method: HttpMethod.Delete);
        await _jobs.OperateAsync("batch-jobs", id, new JsonObject { ["delete_type"] = "delete" }, method: HttpMethod.Delete);

        var response = await _jobs.QueryAsync("batch-detail", id);

        Assert.Equal(200, response.Status);
        Assert.Equal("DELETED", (string?)response.Json!["results"]![0]!["status"]);
    }

    [Fact]
    public async Task Detail_StoredAlarmSettings_ReturnsAlarmNotify()
    {
        var id = await _jobs.CreateAsync();
        var settings = new AlarmSettings($"urn:smn:local-1:{fixture.Server.ProjectId}:drs-alarms", null, 60, 0, 30, true);
        await Topics.TopicHarness.CreateTopicAsync(fixture.Server, "drs-alarms");
        var set = await fixture.Server.PostAsync("/v3/{project_id}/jobs/batch-set-smn", $$"""
            {"jobs":[{"job_id":"{{id}}","status":"CONFIGURATION","engine_type":"mysql"}],
             "alarm_notify_info":{"topic_urn":"{{settings.TopicUrn}}","delay_time":60,"rpo_delay":30,"alarm_to_user":true}
            }
            """);
        Assert.Equal("success", (string?)set.Json!["results"]![0]!["status"]);

        var response = await _jobs.QueryAsync("batch-detail", id);

        var alarm = response.Json!["results"]![0]!["alarm_notify"]!;
        Assert.Equal("drs-alarms", (string?)alarm["topic_name"]);
        Assert.Equal(settings.TopicUrn, (string?)alarm["topic_urn"]);
        Assert.Equal(60, (long?)alarm["delay_time"]);
        Assert.Equal(0, (long?)alarm["rto_delay"]);
        Assert.Equal(30, (long?)alarm["rpo_delay"]);
        Assert.Equal(true, (bool?)alarm["alarm_to_user"]);
    }

    [Fact]
    public async Task Progress_ReportedDelay_ReturnsSecondsAndMillis()
    {
        var reported = await _jobs.CreateAsync();
        var silent = await _jobs.CreateAsync();
        await _jobs.ReportAsync(new JsonObject { ["job_id"] = reported, ["delay"] = 12.3456 });

        var response = await _jobs.QueryAsync("batch-progress", reported, silent, UnknownId);

        Assert.Equal(200, response.Status);
        Assert.Equal(3, (int?)response.Json!["count"]);
        var results = response.Json["results"]!.AsArray();
        Assert.Equal(reported, (string?)results[0]!["job_id"]);
        Assert.Equal(12, (long?)results[0]!["incre_trans_delay"]);
        Assert.Equal(12346, (long?)results[0]!["incre_trans_delay_millis"]);
        Assert.Equal(silent, (string?)results[1]!["job_id"]);
        Assert.Null(results[1]!["incre_trans_delay"]);
        Assert.Null(results[1]!["error_code"]);
        Assert.Equal("DRS.M00289", (string?)results[2]!["error_code"]);
        Assert.Contains(UnknownId, (string?)results[2]!["error_msg"]);
    }

    [Fact]
    public async Task RpoAndRto_Reported_ReturnsObservedTime()
    {
        var id = await _jobs.CreateAsync();
        var silent = await _jobs.CreateAsync();
        var observed = DateTimeOffset.UtcNow.AddSeconds(-30);
        await _jobs.ReportAsync(new JsonObject { ["job_id"] = id, ["rpo"] = 3.5, ["observed_at"] = observed.ToString("O") });

        var response = await _jobs.QueryAsync("batch-rpo-and-rto", id, silent, UnknownId);

        Assert.Equal(200, response.Status);
        var results = response.Json!["results"]!.AsArray();
        var info = results[0]!["rpo_and_rto_info"]!;
        Assert.Equal(id, (string?)results[0]!["id"]);
        Assert.Equal(3, (long?)info["rpo_info"]!["rpo_delay"]);
        Assert.Equal(3500, (long?)info["rpo_info"]!["rpo_delay_millis"]);
        Assert.Equal(observed.ToUnixTimeMilliseconds().ToString(), (string?)info["rpo_info"]!["current_time"]);
        Assert.Null(info["rto_info"]);
        Assert.Null(results[1]!["rpo_and_rto_info"]!["rpo_info"]);
        Assert.Equal("DRS.M00289", (string?)results[2]!["error_code"]);
    }

    [Fact]
    public async Task Progress_DeletedJob_FailsWithM05004()
    {
        var id = await _jobs.CreateAsync();
        await _jobs.OperateAsync("batch-jobs", id, new JsonObject { ["delete_type"] = "terminate" }, method: HttpMethod.Delete);
        await _jobs.OperateAsync("batch-jobs", id, new JsonObject { ["delete_type"] = "delete" }, method: HttpMethod.Delete);

        var response = await _jobs.QueryAsync("batch-progress", id);

        Assert.Equal("DRS.M05004", (string?)response.Json!["results"]![0]!["error_code"]);
    }

    private async Task<JsonNode> ListAsync(JsonObject filters)
    {
        filters["cur_page"] ??= 1;
        filters["per_page"] ??= 100;
        filters["db_use_type"] ??= "sync";
        var response = await fixture.Server.PostAsync("/v3/{project_id}/jobs", filters.ToJsonString());
        Assert.Equal(200, response.Status);
        return response.Json!;
    }
}

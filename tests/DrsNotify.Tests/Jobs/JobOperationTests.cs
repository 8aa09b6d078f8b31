using System.Text.Json.Nodes;

namespace DrsNotify.Tests.Jobs;

public sealed class JobOperationTests(JobServerFixture fixture) : IClassFixture<JobServerFixture>
{
    private const string UnknownId = "00000000-0000-4000-8000-00000000jb00";

    private readonly JobClient _jobs = fixture.Jobs;

    private static JsonNode Result(Infrastructure.ApiResponse response) => response.Json!["results"]![0]!;

    private async Task<string> CreateDeletedAsync()
    {
        var id = await _jobs.CreateAsync();
        await _jobs.OperateAsync("batch-jobs", id, new JsonObject { ["delete_type"] = "terminate" }, method: HttpMethod.Delete);
        await _jobs.OperateAsync("batch-jobs", id, new JsonObject { ["delete_type"] = "delete" }, method: HttpMethod.Delete);
        return id;
    }

    [Fact]
    public async Task Start_Configuration_MovesToStartjobing()
    {
        var id = await _jobs.CreateAsync();

        var response = await _jobs.OperateAsync("batch-starting", id);

        Assert.Equal(200, response.Status);
        Assert.Equal(1, (int?)response.Json!["count"]);
        Assert.Equal(id, (string?)Result(response)["id"]);
        Assert.Equal("success", (string?)Result(response)["status"]);
        Assert.Null(Result(response)["error_code"]);
        Assert.Equal("STARTJOBING", await _jobs.StatusAsync(id));
    }

    [Fact]
    public async Task Start_PastStartTime_MovesToStartjobing()
    {
        var id = await _jobs.CreateAsync();
        var past = DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds();

        var response = await _jobs.OperateAsync("batch-starting", id, new JsonObject { ["start_time"] = past });

        Assert.Equal("success", (string?)Result(response)["status"]);
        Assert.Equal("STARTJOBING", await _jobs.StatusAsync(id));
    }

    [Fact]
    public async Task Start_FutureStartTime_WaitsForStart()
    {
        var id = await _jobs.CreateAsync();
        var future = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds().ToString();

        var response = await _jobs.OperateAsync("batch-starting", id, new JsonObject { ["start_time"] = future });

        Assert.Equal("success", (string?)Result(response)["status"]);
        Assert.Equal("WAITING_FOR_START", await _jobs.StatusAsync(id));
    }

    [Theory]
    [InlineData("\"soon\"")]
    [InlineData("-5")]
    [InlineData("1.5")]
    [InlineData("null")]
    public async Task Start_InvalidStartTime_Returns400(string startTime)
    {
        var id = await _jobs.CreateAsync();

        var response = await fixture.Server.PostAsync(
            "/v3/{project_id}/jobs/batch-starting", $$"""{"jobs": [{"job_id": "{{id}}", "start_time": {{startTime}}}]}""");

        Assert.Equal(400, response.Status);
        Assert.Equal("DRS.M00202", response.ErrorCode);
        Assert.Contains("jobs[0].start_time", response.ErrorMessage);
        Assert.Equal("CONFIGURATION", await _jobs.StatusAsync(id));
    }

    [Fact]
    public async Task Start_NotConfiguration_FailsWithM00304()
    {
        var id = await _jobs.CreateAsync();
        await _jobs.OperateAsync("batch-starting", id);

        var response = await _jobs.OperateAsync("batch-starting", id);

        Assert.Equal(200, response.Status);
        Assert.Equal("failed", (string?)Result(response)["status"]);
        Assert.Equal("DRS.M00304", (string?)Result(response)["error_code"]);
        Assert.Contains("STARTJOBING", (string?)Result(response)["error_msg"]);
        Assert.Contains("CONFIGURATION", (string?)Result(response)["error_msg"]);
    }

    [Fact]
    public async Task Start_UnknownJob_FailsWithM00289()
    {
        var response = await _jobs.OperateAsync("batch-starting", UnknownId);

        Assert.Equal("failed", (string?)Result(response)["status"]);
        Assert.Equal("DRS.M00289", (string?)Result(response)["error_code"]);
        Assert.Contains(UnknownId, (string?)Result(response)["error_msg"]);
    }

    [Fact]
    public async Task Start_UnknownJobZhCn_LocalizesMessage()
    {
        var response = await _jobs.OperateAsync("batch-starting", UnknownId, language: "zh-cn");

        Assert.Equal("DRS.M00289", (string?)Result(response)["error_code"]);
        Assert.Equal($"任务 {UnknownId} 在当前项目中不存在。", (string?)Result(response)["error_msg"]);
    }

    [Fact]
    public async Task Start_DeletedJob_FailsWithM05004()
    {
        var id = await CreateDeletedAsync();

        var response = await _jobs.OperateAsync("batch-starting", id);

        Assert.Equal("DRS.M05004", (string?)Result(response)["error_code"]);
    }

    [Fact]
    public async Task Start_RepeatedJobId_Returns400M00301()
    {
        var id = await _jobs.CreateAsync();

        var response = await fixture.Server.PostAsync(
            "/v3/{project_id}/jobs/batch-starting", $$"""{"jobs": [{"job_id": "{{id}}"}, {"job_id": "{{id}}"}]}""");

        Assert.Equal(400, response.Status);
        Assert.Equal("DRS.M00301", response.ErrorCode);
        Assert.Contains("jobs[1].job_id", response.ErrorMessage);
        Assert.Equal("CONFIGURATION", await _jobs.StatusAsync(id));
    }

    [Fact]
    public async Task Start_MixedBatch_ReportsEachInOrder()
    {
        var ready = await _jobs.CreateAsync();
        var started = await _jobs.CreateAsync();
        await _jobs.OperateAsync("batch-starting", started);

        var response = await fixture.Server.PostAsync(
            "/v3/{project_id}/jobs/batch-starting",
            $$"""{"jobs": [{"job_id": "{{UnknownId}}"}, {"job_id": "{{ready}}"}, {"job_id": "{{started}}"}]}""");

        var results = response.Json!["results"]!.AsArray();
        Assert.Equal(3, (int?)response.Json["count"]);
        Assert.Equal(UnknownId, (string?)results[0]!["id"]);
        Assert.Equal("failed", (string?)results[0]!["status"]);
        Assert.Equal(ready, (string?)results[1]!["id"]);
        Assert.Equal("success", (string?)results[1]!["status"]);
        Assert.Equal(started, (string?)results[2]!["id"]);
        Assert.Equal("failed", (string?)results[2]!["status"]);
    }

    [Theory]
    [InlineData("FULL_TRANSFER_STARTED")]
    [InlineData("FULL_TRANSFER_COMPLETE")]
    [InlineData("INCRE_TRANSFER_STARTED")]
    public async Task PauseThenRetry_Running_ReturnsToLeftStatus(string running)
    {
        var id = await _jobs.CreateAsync();
        await _jobs.OperateAsync("batch-starting", id);
        var path = running switch
        {
            "FULL_TRANSFER_COMPLETE" => new[] { "FULL_TRANSFER_STARTED", "FULL_TRANSFER_COMPLETE" },
            _ => [running],
        };
        await _jobs.ReportStatusesAsync(id, path);

        var pause = await _jobs.OperateAsync("batch-pause-task", id, new JsonObject { ["pause_mode"] = "target" });
        var pausedStatus = await _jobs.StatusAsync(id);
        var retry = await _jobs.OperateAsync("batch-retry-task", id);

        Assert.Equal("success", (string?)Result(pause)["status"]);
        Assert.Equal("PAUSING", pausedStatus);
        Assert.Equal("success", (string?)Result(retry)["status"]);
        Assert.Equal(running, await _jobs.StatusAsync(id));
    }

    [Fact]
    public async Task Pause_NotRunning_FailsWithM00304()
    {
        var id = await _jobs.CreateAsync();

        var response = await _jobs.OperateAsync("batch-pause-task", id);

        Assert.Equal("failed", (string?)Result(response)["status"]);
        Assert.Equal("DRS.M00304", (string?)Result(response)["error_code"]);
        Assert.Equal("CONFIGURATION", await _jobs.StatusAsync(id));
    }

    [Fact]
    public async Task Pause_InvalidMode_Returns400()
    {
        var id = await _jobs.CreateAsync();

        var response = await _jobs.OperateAsync("batch-pause-task", id, new JsonObject { ["pause_mode"] = "half" });

        Assert.Equal(400, response.Status);
        Assert.Contains("jobs[0].pause_mode", response.ErrorMessage);
    }

    [Theory]
    [InlineData("START_JOB_FAILED", "STARTJOBING")]
    [InlineData("FULL_TRANSFER_FAILED", "FULL_TRANSFER_STARTED")]
    [InlineData("INCRE_TRANSFER_FAILED", "INCRE_TRANSFER_STARTED")]
    public async Task Retry_Failed_ReturnsToFailedFrom(string failed, string expected)
    {
        var id = await _jobs.CreateAsync();
        await _jobs.OperateAsync("batch-starting", id);
        string[] path = failed switch
        {
            "START_JOB_FAILED" => [failed],
            "FULL_TRANSFER_FAILED" => ["FULL_TRANSFER_STARTED", failed],
            _ => ["INCRE_TRANSFER_STARTED", failed],
        };
        await _jobs.ReportStatusesAsync(id, path);

        var response = await _jobs.OperateAsync("batch-retry-task", id);

        Assert.Equal("success", (string?)Result(response)["status"]);
        Assert.Equal(expected, await _jobs.StatusAsync(id));
    }

    [Fact]
    public async Task Retry_Configuration_FailsWithM00304()
    {
        var id = await _jobs.CreateAsync();

        var response = await _jobs.OperateAsync("batch-retry-task", id);

        Assert.Equal("failed", (string?)Result(response)["status"]);
        Assert.Equal("DRS.M00304", (string?)Result(response)["error_code"]);
        Assert.Contains("PAUSING", (string?)Result(response)["error_msg"]);
    }

    [Fact]
    public async Task Retry_DeletedJob_FailsWithM05004()
    {
        var id = await CreateDeletedAsync();

        var response = await _jobs.OperateAsync("batch-retry-task", id);

        Assert.Equal("DRS.M05004", (string?)Result(response)["error_code"]);
    }

    [Fact]
    public async Task TerminateThenDelete_RunningJob_EndsAndDeletes()
    {
        var id = await _jobs.CreateAsync();
        await _jobs.OperateAsync("batch-starting", id);
        await _jobs.ReportStatusesAsync(id, "INCRE_TRANSFER_STARTED");

        var terminate = await _jobs.OperateAsync("batch-jobs", id, new JsonObject { ["delete_type"] = "terminate" }, method: HttpMethod.Delete);
        var ended = await _jobs.StatusAsync(id);
        var delete = await _jobs.OperateAsync("batch-jobs", id, new JsonObject { ["delete_type"] = "delete" }, method: HttpMethod.Delete);

        Assert.Equal(202, terminate.Status);
        Assert.Equal("success", (string?)Result(terminate)["status"]);
        Assert.Equal("RELEASE_RESOURCE_COMPLETE", ended);
        Assert.Equal(202, delete.Status);
        Assert.Equal("success", (string?)Result(delete)["status"]);
        Assert.Equal("DELETED", await _jobs.StatusAsync(id));
    }

    [Fact]
    public async Task ForceTerminate_ReleaseStarted_CompletesRelease()
    {
        var id = await _jobs.CreateAsync();
        await _jobs.ReportStatusesAsync(id, "RELEASE_RESOURCE_STARTED");

        var response = await _jobs.OperateAsync("batch-jobs", id, new JsonObject { ["delete_type"] = "force_terminate" }, method: HttpMethod.Delete);

        Assert.Equal("success", (string?)Result(response)["status"]);
        Assert.Equal("RELEASE_RESOURCE_COMPLETE", await _jobs.StatusAsync(id));
    }

    [Fact]
    public async Task Delete_RunningJob_FailsWithM00304()
    {
        var id = await _jobs.CreateAsync();

        var response = await _jobs.OperateAsync("batch-jobs", id, new JsonObject { ["delete_type"] = "delete" }, method: HttpMethod.Delete);

        Assert.Equal(202, response.Status);
        Assert.Equal("failed", (string?)Result(response)["status"]);
        Assert.Equal("DRS.M00304", (string?)Result(response)["error_code"]);
        Assert.Contains("RELEASE_RESOURCE_COMPLETE", (string?)Result(response)["error_msg"]);
        Assert.Equal("CONFIGURATION", await _jobs.StatusAsync(id));
    }

    [Fact]
    public async Task Terminate_EndedJob_FailsWithM00304()
    {
        var id = await _jobs.CreateAsync();
        await _jobs.OperateAsync("batch-jobs", id, new JsonObject { ["delete_type"] = "terminate" }, method: HttpMethod.Delete);

        var response = await _jobs.OperateAsync("batch-jobs", id, new JsonObject { ["delete_type"] = "terminate" }, method: HttpMethod.Delete);

        Assert.Equal("failed", (string?)Result(response)["status"]);
        Assert.Equal("DRS.M00304", (string?)Result(response)["error_code"]);
    }

    [Fact]
    public async Task Delete_DeletedJob_FailsWithM05004()
    {
        var id = await CreateDeletedAsync();

        var response = await _jobs.OperateAsync("batch-jobs", id, new JsonObject { ["delete_type"] = "delete" }, method: HttpMethod.Delete);

        Assert.Equal("DRS.M05004", (string?)Result(response)["error_code"]);
    }

    [Fact]
    public async Task Delete_MissingDeleteType_Returns400()
    {
        var id = await _jobs.CreateAsync();

        var response = await _jobs.OperateAsync("batch-jobs", id, method: HttpMethod.Delete);

        Assert.Equal(400, response.Status);
        Assert.Equal("DRS.M00201", response.ErrorCode);
        Assert.Contains("jobs[0].delete_type", response.ErrorMessage);
    }
}

using System.Text.Json.Nodes;
using DrsNotify.Server.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace DrsNotify.Tests.Jobs;

public sealed class JobReportTests(JobServerFixture fixture) : IClassFixture<JobServerFixture>
{
    private const string UnknownId = "00000000-0000-4000-8000-00000000jb00";

    private readonly JobClient _jobs = fixture.Jobs;

    private static string Iso(DateTimeOffset time) => time.ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz");

    private long CountReports(string id) =>
        fixture.Server.Services.GetRequiredService<Database>().Read(connection =>
            (long)connection.Scalar("SELECT count(*) FROM job_reports WHERE job_id = $id", null, ("$id", id))!);

    private async Task<long?> DelayMillisAsync(string id)
    {
        var response = await _jobs.QueryAsync("batch-progress", id);
        return (long?)response.Json!["results"]![0]!["incre_trans_delay_millis"];
    }

    [Fact]
    public async Task Report_StatusSequence_AppliedInOrder()
    {
        var id = await _jobs.CreateAsync();

        var response = await _jobs.ReportAsync(
            new JsonObject { ["job_id"] = id, ["status"] = "STARTJOBING" },
            new JsonObject { ["job_id"] = id, ["status"] = "FULL_TRANSFER_STARTED", ["delay"] = 4 },
            new JsonObject { ["job_id"] = id, ["status"] = "FULL_TRANSFER_COMPLETE" });

        Assert.Equal(200, response.Status);
        Assert.Equal(3, (int?)response.Json!["count"]);
        Assert.All(response.Json["results"]!.AsArray(), result => Assert.Equal("success", (string?)result!["status"]));
        Assert.All(response.Json["results"]!.AsArray(), result => Assert.Equal(id, (string?)result!["id"]));
        Assert.Equal("FULL_TRANSFER_COMPLETE", await _jobs.StatusAsync(id));
        Assert.Equal(4000, await DelayMillisAsync(id));
        Assert.Equal(3, CountReports(id));
    }

    [Fact]
    public async Task Report_SameStatus_IsAccepted()
    {
        var id = await _jobs.CreateAsync();

        var response = await _jobs.ReportAsync(new JsonObject { ["job_id"] = id, ["status"] = "CONFIGURATION" });

        Assert.Equal("success", (string?)response.Json!["results"]![0]!["status"]);
        Assert.Equal("CONFIGURATION", await _jobs.StatusAsync(id));
    }

    [Fact]
    public async Task Report_IllegalTransition_FailsAndChangesNothing()
    {
        var id = await _jobs.CreateAsync();
        await _jobs.ReportStatusesAsync(id, "STARTJOBING");

        var response = await _jobs.ReportAsync(new JsonObject { ["job_id"] = id, ["status"] = "FULL_TRANSFER_COMPLETE", ["delay"] = 9 });

        Assert.Equal(200, response.Status);
        var result = response.Json!["results"]![0]!;
        Assert.Equal("failed", (string?)result["status"]);
        Assert.Equal("DRS.M00304", (string?)result["error_code"]);
        Assert.Equal(
            $"The job {id} cannot go from STARTJOBING to FULL_TRANSFER_COMPLETE. Allowed next statuses: "
            + "START_JOB_FAILED, FULL_TRANSFER_STARTED, INCRE_TRANSFER_STARTED, RELEASE_RESOURCE_STARTED.",
            (string?)result["error_msg"]);
        Assert.Equal("STARTJOBING", await _jobs.StatusAsync(id));
        Assert.Null(await DelayMillisAsync(id));
        Assert.Equal(1, CountReports(id));
    }

    [Fact]
    public async Task Report_UnknownAndDeletedJobs_Fail()
    {
        var deleted = await _jobs.CreateAsync();
        await _jobs.OperateAsync("batch-jobs", deleted, new JsonObject { ["delete_type"] = "terminate" }, method: HttpMethod.Delete);
        await _jobs.OperateAsync("batch-jobs", deleted, new JsonObject { ["delete_type"] = "delete" }, method: HttpMethod.Delete);

        var response = await _jobs.ReportAsync(
            new JsonObject { ["job_id"] = UnknownId, ["delay"] = 1 },
            new JsonObject { ["job_id"] = deleted, ["delay"] = 1 });

        Assert.Equal("DRS.M00289", (string?)response.Json!["results"]![0]!["error_code"]);
        Assert.Equal("DRS.M05004", (string?)response.Json["results"]![1]!["error_code"]);
        Assert.Equal(0, CountReports(deleted));
    }

    [Fact]
    public async Task Report_OutOfOrder_KeepsNewerValue()
    {
        var id = await _jobs.CreateAsync();
        var now = DateTimeOffset.UtcNow;
        await _jobs.ReportAsync(new JsonObject { ["job_id"] = id, ["delay"] = 10, ["observed_at"] = Iso(now) });

        var late = await _jobs.ReportAsync(
            new JsonObject { ["job_id"] = id, ["delay"] = 99, ["rto"] = 7, ["observed_at"] = Iso(now.AddMinutes(-1)) });

        Assert.Equal("success", (string?)late.Json!["results"]![0]!["status"]);
        Assert.Equal(10_000, await DelayMillisAsync(id));
        var rpoRto = await _jobs.QueryAsync("batch-rpo-and-rto", id);
        Assert.Equal(7000, (long?)rpoRto.Json!["results"]![0]!["rpo_and_rto_info"]!["rto_info"]!["rto_delay_millis"]);
        Assert.Equal(2, CountReports(id));
    }

    [Fact]
    public async Task Report_SameObservedTime_MovesValue()
    {
        var id = await _jobs.CreateAsync();
        var now = Iso(DateTimeOffset.UtcNow);
        await _jobs.ReportAsync(new JsonObject { ["job_id"] = id, ["delay"] = 10, ["observed_at"] = now });

        await _jobs.ReportAsync(new JsonObject { ["job_id"] = id, ["delay"] = 11, ["observed_at"] = now });

        Assert.Equal(11_000, await DelayMillisAsync(id));
    }

    [Fact]
    public async Task Report_FutureObservedAt_Returns400AndChangesNothing()
    {
        var id = await _jobs.CreateAsync();

        var response = await _jobs.ReportAsync(
            new JsonObject { ["job_id"] = id, ["status"] = "STARTJOBING" },
            new JsonObject { ["job_id"] = id, ["delay"] = 1, ["observed_at"] = Iso(DateTimeOffset.UtcNow.AddMinutes(6)) });

        Assert.Equal(400, response.Status);
        Assert.Equal("DRS.M00202", response.ErrorCode);
        Assert.Contains("reports[1].observed_at", response.ErrorMessage);
        Assert.Equal("CONFIGURATION", await _jobs.StatusAsync(id));
        Assert.Equal(0, CountReports(id));
    }

    [Theory]
    [InlineData("observed_at", "\"2026-01-01T10:00:00\"")]
    [InlineData("observed_at", "\"yesterday\"")]
    [InlineData("observed_at", "1767261600000")]
    [InlineData("delay", "-1")]
    [InlineData("delay", "\"5\"")]
    [InlineData("rpo", "null")]
    [InlineData("status", "\"RUNNING\"")]
    public async Task Report_InvalidField_Returns400(string field, string value)
    {
        var id = await _jobs.CreateAsync();

        var response = await fixture.Server.PostAsync(
            "/v3/{project_id}/jobs/batch-report", $$"""{"reports": [{"job_id": "{{id}}", "{{field}}": {{value}}}]}""");

        Assert.Equal(400, response.Status);
        Assert.Equal("DRS.M00202", response.ErrorCode);
        Assert.Contains($"reports[0].{field}", response.ErrorMessage);
    }

    [Fact]
    public async Task Report_MissingJobId_Returns400M00201()
    {
        var response = await fixture.Server.PostAsync("/v3/{project_id}/jobs/batch-report", """{"reports": [{"delay": 1}]}""");

        Assert.Equal(400, response.Status);
        Assert.Equal("DRS.M00201", response.ErrorCode);
        Assert.Contains("reports[0].job_id", response.ErrorMessage);
    }

    [Fact]
    public async Task Report_OperationFromPausing_ReturnsToPausedStatus()
    {
        var id = await _jobs.CreateAsync();
        await _jobs.OperateAsync("batch-starting", id);
        await _jobs.ReportStatusesAsync(id, "INCRE_TRANSFER_STARTED");
        await _jobs.OperateAsync("batch-pause-task", id);

        await _jobs.ReportStatusesAsync(id, "NODE_UPGRADE_START", "NODE_UPGRADE_COMPLETE", "INCRE_TRANSFER_STARTED");

        Assert.Equal("INCRE_TRANSFER_STARTED", await _jobs.StatusAsync(id));
    }

    [Fact]
    public async Task Report_ChangeJob_ReturnsToStartedFrom()
    {
        var id = await _jobs.CreateAsync();
        await _jobs.OperateAsync("batch-starting", id);
        await _jobs.ReportStatusesAsync(id, "FULL_TRANSFER_STARTED", "CHANGE_JOB_STARTED", "CHANGE_JOB_FAILED");
        await _jobs.OperateAsync("batch-retry-task", id);

        var wrongReturn = await _jobs.ReportAsync(new JsonObject { ["job_id"] = id, ["status"] = "INCRE_TRANSFER_STARTED" });
        await _jobs.ReportStatusesAsync(id, "FULL_TRANSFER_STARTED");

        Assert.Equal("failed", (string?)wrongReturn.Json!["results"]![0]!["status"]);
        Assert.Equal("FULL_TRANSFER_STARTED", await _jobs.StatusAsync(id));
    }
}

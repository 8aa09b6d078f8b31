namespace DrsNotify.Tests.Alarms;

public sealed class AlarmsApiTests
{
    /// <summary>Makes job_exception fire on <paramref name="job"/>, and resolve when <paramref name="resolve"/> is set.</summary>
    private static async Task FailJobAsync(AlarmHarness harness, string job, bool resolve)
    {
        await harness.ReportAsync(job, status: "INCRE_TRANSFER_FAILED");
        await harness.EvaluateAsync();
        if (resolve)
        {
            await harness.OperateAsync("batch-retry-task", job);
            await harness.EvaluateAsync();
        }
    }

    [Fact]
    public async Task List_ShowsEpisodeFields()
    {
        await using var harness = await AlarmHarness.StartAsync();
        var job = await harness.CreateJobAsync();
        await harness.SetSettingsAsync(job, delayTime: 60);
        for (var i = 0; i < 6; i++)
        {
            await harness.ReportAsync(job, delay: 120.25);
            harness.Advance(TimeSpan.FromMinutes(1));
        }

        await harness.EvaluateAsync();

        var response = await harness.Server.SendAsync(HttpMethod.Get, "/v3/{project_id}/alarms", null);
        Assert.Equal(200, response.Status);
        Assert.Equal(1, (int?)response.Json!["total_count"]);
        var alarm = response.Json["alarms"]![0]!;
        Assert.True((long?)alarm["id"] > 0);
        Assert.Equal(job, (string?)alarm["job_id"]);
        Assert.Equal("sync_delay", (string?)alarm["kind"]);
        Assert.Equal("firing", (string?)alarm["state"]);
        Assert.Equal(1, (int?)alarm["episode"]);
        Assert.Equal(harness.DedupKey(job, "sync_delay", 1), (string?)alarm["dedup_key"]);
        Assert.Equal(120.25, (double?)alarm["value"]);
        Assert.Equal(60, (double?)alarm["threshold"]);
        Assert.Equal("2026-12-04T10:00:00.000000Z", (string?)alarm["since_at"]);
        Assert.Equal("2026-12-04T10:06:00.000000Z", (string?)alarm["opened_at"]);
        Assert.Equal("2026-12-04T10:06:00.000000Z", (string?)alarm["last_notified_at"]);
        Assert.Null(alarm["resolved_at"]);
        Assert.Null(alarm["closed_at"]);
        Assert.Equal(1, (int?)alarm["notices"]);
        Assert.Equal("subscriptions", (string?)alarm["recipients_from"]);
        Assert.Equal(harness.Outbox(job)[0].AlarmId, (long?)alarm["id"]);
    }

    [Fact]
    public async Task List_FiltersAndPagesNewestFirst()
    {
        await using var harness = await AlarmHarness.StartAsync();
        var first = await harness.CreateJobAsync();
        var second = await harness.CreateJobAsync();
        await harness.SetSettingsAsync(first, alarmToUser: true);
        await harness.SetSettingsAsync(second, alarmToUser: true);
        await FailJobAsync(harness, first, resolve: true);
        await FailJobAsync(harness, second, resolve: false);

        async Task AssertListAsync(string query, int total, params string[] jobs)
        {
            var response = await harness.Server.SendAsync(HttpMethod.Get, "/v3/{project_id}/alarms" + query, null);
            Assert.Equal(200, response.Status);
            Assert.Equal(total, (int?)response.Json!["total_count"]);
            Assert.Equal(jobs, response.Json["alarms"]!.AsArray().Select(alarm => (string)alarm!["job_id"]!));
        }

        await AssertListAsync("", 2, second, first);
        await AssertListAsync($"?job_id={first}", 1, first);
        await AssertListAsync("?state=resolved", 1, first);
        await AssertListAsync("?state=firing&kind=job_exception", 1, second);
        await AssertListAsync("?state=closed", 0);
        await AssertListAsync("?kind=sync_delay", 0);
        await AssertListAsync("?offset=1&limit=1", 2, first);
        await AssertListAsync("?limit=1", 2, second);
    }

    [Theory]
    [InlineData("kind=bogus", "kind")]
    [InlineData("state=open", "state")]
    [InlineData("job_id=", "job_id")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=1001", "limit")]
    [InlineData("offset=-1", "offset")]
    [InlineData("offset=x", "offset")]
    [InlineData("state=firing&state=resolved", "state")]
    public async Task List_BadQuery_Returns400NamingParameter(string query, string parameter)
    {
        await using var harness = await AlarmHarness.StartAsync();

        var response = await harness.Server.SendAsync(HttpMethod.Get, "/v3/{project_id}/alarms?" + query, null);

        Assert.Equal(400, response.Status);
        Assert.Equal("DRS.M00202", response.ErrorCode);
        Assert.StartsWith($"The parameter {parameter} has an invalid value", response.ErrorMessage);
    }

    [Fact]
    public async Task List_IsInOpenApiDocument()
    {
        await using var harness = await AlarmHarness.StartAsync();

        var response = await harness.Server.SendAsync(HttpMethod.Get, "/openapi/v1.json", null, client: harness.Server.Anonymous);

        Assert.Equal(200, response.Status);
        Assert.Contains("\"operationId\": \"ListAlarms\"", response.Body);
    }

    [Fact]
    public async Task Notices_ChineseSettings_WrittenInChinese()
    {
        await using var harness = await AlarmHarness.StartAsync();
        var job = await harness.CreateJobAsync();
        await harness.SetSettingsAsync(job, delayTime: 60, language: "zh-cn");
        for (var i = 0; i < 6; i++)
        {
            await harness.ReportAsync(job, delay: 120);
            harness.Advance(TimeSpan.FromMinutes(1));
        }

        await harness.EvaluateAsync();

        var rows = harness.Outbox(job);
        var email = rows.Single(row => row.Channel == "email");
        var sms = rows.Single(row => row.Channel == "sms");
        var name = AlarmHarness.JobName(job);
        Assert.Equal("zh-cn", email.Language);
        Assert.Equal($"【DRS告警】任务 {name}：同步时延超过阈值", email.Subject);
        Assert.Contains($"任务：{name} ({job})", email.Body);
        Assert.Contains("当前值：120 秒", email.Body);
        Assert.Contains("阈值：60 秒", email.Body);
        Assert.Contains("开始时间：2026-12-04T10:00:00Z", email.Body);
        Assert.Contains($"去重键：{harness.DedupKey(job, "sync_delay", 1)}", email.Body);
        Assert.Equal("zh-cn", sms.Language);
        Assert.StartsWith($"【DRS告警】任务 {name}：同步时延超过阈值。", sms.Body);
        Assert.EndsWith(harness.DedupKey(job, "sync_delay", 1), sms.Body);
    }

    [Fact]
    public async Task Notices_EnglishSettings_WrittenInEnglish()
    {
        await using var harness = await AlarmHarness.StartAsync();
        var job = await harness.CreateJobAsync(engineType: "postgresql");
        await harness.SetSettingsAsync(job, rtoDelay: 10);
        for (var i = 0; i < 6; i++)
        {
            await harness.ReportAsync(job, rto: 42);
            harness.Advance(TimeSpan.FromMinutes(1));
        }

        await harness.EvaluateAsync();

        var email = harness.Outbox(job).Single(row => row.Channel == "email");
        Assert.Equal("en-us", email.Language);
        Assert.Equal($"[DRS alarm] Job {AlarmHarness.JobName(job)}: RTO delay above threshold", email.Subject);
        Assert.Contains($"Project: {harness.ProjectId}", email.Body);
        Assert.Contains("Engine type: postgresql", email.Body);
        Assert.Contains("Alarm: RTO delay (rto_delay)", email.Body);
        Assert.Contains("Observed: 42 s", email.Body);
        Assert.Contains("Threshold: 10 s", email.Body);
        Assert.Contains("Since: 2026-12-04T10:00:00Z", email.Body);
    }
}

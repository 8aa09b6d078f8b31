namespace DrsNotify.Tests.Alarms;

/// <summary>
/// job_exception, flapping, ended and deleted jobs, alarm_to_user, report_missing and topic
/// recipients, with the default sustain window (6 min) and group interval (1 min).
/// </summary>
public sealed class JobRuleTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    private static async Task FireSyncDelayAsync(AlarmHarness harness, string job)
    {
        for (var i = 0; i < 6; i++)
        {
            await harness.ReportAsync(job, delay: 120);
            harness.Advance(Minute);
        }

        await harness.EvaluateAsync();
        Assert.Equal(["firing"], harness.Notices(job, "sync_delay"));
    }

    [Fact]
    public async Task JobException_FiresAtOnceAndResolves()
    {
        await using var harness = await AlarmHarness.StartAsync();
        var job = await harness.CreateJobAsync();
        await harness.SetSettingsAsync(job, alarmToUser: true);

        await harness.ReportAsync(job, status: "INCRE_TRANSFER_FAILED");
        await harness.EvaluateAsync();
        Assert.Equal(["firing"], harness.Notices(job, "job_exception"));
        Assert.Contains("INCRE_TRANSFER_FAILED", harness.Outbox(job)[0].Body);

        await harness.OperateAsync("batch-retry-task", job);
        await harness.EvaluateAsync();
        harness.Advance(Minute);
        await harness.EvaluateAsync();

        Assert.Equal(["firing", "resolved"], harness.Notices(job, "job_exception"));
        var resolved = harness.Outbox(job).Single(row => row.Channel == "email" && row.EventKey == "resolved");
        Assert.Contains("INCRE_TRANSFER_STARTED", resolved.Body);
        Assert.Equal(harness.DedupKey(job, "job_exception", 1), resolved.DedupKey);
    }

    [Fact]
    public async Task JobException_Flap_CollapsesNotices()
    {
        await using var harness = await AlarmHarness.StartAsync();
        var job = await harness.CreateJobAsync();
        await harness.SetSettingsAsync(job, alarmToUser: true);
        await harness.ReportAsync(job, status: "INCRE_TRANSFER_FAILED");
        await harness.EvaluateAsync();

        // Three quick retries that fail again, 20 s apart.
        for (var i = 0; i < 3; i++)
        {
            await harness.OperateAsync("batch-retry-task", job);
            await harness.EvaluateAsync();
            harness.Advance(TimeSpan.FromSeconds(20));
            await harness.ReportAsync(job, status: "INCRE_TRANSFER_FAILED");
            await harness.EvaluateAsync();
        }

        harness.Advance(TimeSpan.FromMinutes(10));
        await harness.EvaluateAsync();
        Assert.Equal(["firing"], harness.Notices(job, "job_exception"));

        // The last retry holds: one resolved notice, after the group interval.
        await harness.OperateAsync("batch-retry-task", job);
        await harness.EvaluateAsync();
        harness.Advance(TimeSpan.FromSeconds(59));
        await harness.EvaluateAsync();
        Assert.Equal(["firing"], harness.Notices(job, "job_exception"));
        harness.Advance(TimeSpan.FromSeconds(1));
        await harness.EvaluateAsync();

        Assert.Equal(["firing", "resolved"], harness.Notices(job, "job_exception"));
        Assert.Single(await harness.AlarmsAsync(job, "job_exception"));
    }

    [Fact]
    public async Task BackgroundEvaluator_RunsAfterReport()
    {
        await using var harness = await AlarmHarness.StartAsync();
        var job = await harness.CreateJobAsync();
        await harness.SetSettingsAsync(job, alarmToUser: true);

        // The report wakes the evaluator, which waits until a second has passed since its last run.
        await harness.ReportAsync(job, status: "INCRE_TRANSFER_FAILED");
        harness.Advance(TimeSpan.FromSeconds(1));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (harness.Outbox(job).Count == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.Equal(["firing"], harness.Notices(job, "job_exception"));
    }

    [Fact]
    public async Task AlarmToUserFalse_SuppressesJobExceptionOnly()
    {
        await using var harness = await AlarmHarness.StartAsync();
        var job = await harness.CreateJobAsync();
        await harness.SetSettingsAsync(job, rpoDelay: 30, alarmToUser: false);

        for (var i = 0; i < 6; i++)
        {
            await harness.ReportAsync(job, rpo: 45);
            harness.Advance(Minute);
        }

        await harness.ReportAsync(job, rpo: 45, status: "INCRE_TRANSFER_FAILED");
        await harness.EvaluateAsync();

        Assert.Empty(harness.Notices(job, "job_exception"));
        Assert.Equal(["firing"], harness.Notices(job, "rpo_delay"));
        Assert.Single(await harness.AlarmsAsync(job));
    }

    [Fact]
    public async Task EndedJob_ClosesOpenEpisodesSilently()
    {
        await using var harness = await AlarmHarness.StartAsync();
        var job = await harness.CreateJobAsync();
        await harness.SetSettingsAsync(job, delayTime: 60, alarmToUser: true);
        await FireSyncDelayAsync(harness, job);
        await harness.ReportAsync(job, status: "INCRE_TRANSFER_FAILED");
        await harness.EvaluateAsync();
        var before = harness.Outbox(job).Count;

        await harness.EndAsync(job, "terminate");
        await harness.EvaluateAsync();
        harness.Advance(TimeSpan.FromHours(5));
        await harness.EvaluateAsync();

        Assert.Equal(before, harness.Outbox(job).Count);
        var alarms = await harness.AlarmsAsync(job);
        Assert.Equal(2, alarms.Count);
        Assert.All(alarms, alarm => Assert.Equal("closed", (string?)alarm!["state"]));
        Assert.All(alarms, alarm => Assert.Equal("job_ended", (string?)alarm!["close_reason"]));
        Assert.All(alarms, alarm => Assert.NotNull((string?)alarm!["closed_at"]));
    }

    [Fact]
    public async Task DeletedJob_ClosesSilentlyAndDropsHeldNotice()
    {
        await using var harness = await AlarmHarness.StartAsync();
        var job = await harness.CreateJobAsync();
        await harness.SetSettingsAsync(job, delayTime: 60);
        await FireSyncDelayAsync(harness, job);

        // Resolved, with its notice held back, when the job is ended and deleted.
        await harness.ReportAsync(job, delay: 10);
        await harness.EvaluateAsync();
        await harness.EndAsync(job, "terminate");
        await harness.EndAsync(job, "delete");
        await harness.EvaluateAsync();
        harness.Advance(TimeSpan.FromMinutes(2));
        await harness.EvaluateAsync();

        Assert.Equal(["firing"], harness.Notices(job, "sync_delay"));
        var alarm = (await harness.AlarmsAsync(job)).Single()!;
        Assert.Equal("closed", (string?)alarm["state"]);
        Assert.Equal("job_deleted", (string?)alarm["close_reason"]);
    }

    [Fact]
    public async Task ReportMissing_FiresAndResolves()
    {
        await using var harness = await AlarmHarness.StartAsync(new Dictionary<string, string>
        {
            ["DrsNotify:Alarms:ReportMissingAfter"] = "00:10:00",
        });
        var job = await harness.CreateJobAsync();
        await harness.SetSettingsAsync(job, delayTime: 60);

        harness.Advance(TimeSpan.FromSeconds(599));
        await harness.EvaluateAsync();
        Assert.Empty(harness.Outbox(job));
        harness.Advance(TimeSpan.FromSeconds(1));
        await harness.EvaluateAsync();
        Assert.Equal(["firing"], harness.Notices(job, "report_missing"));
        var firing = harness.Outbox(job).Single(row => row.Channel == "email");
        Assert.Contains("Observed: 600 s", firing.Body);
        Assert.Contains("Threshold: 600 s", firing.Body);

        await harness.ReportAsync(job, delay: 5);
        await harness.EvaluateAsync();
        harness.Advance(Minute);
        await harness.EvaluateAsync();

        Assert.Equal(["firing", "resolved"], harness.Notices(job, "report_missing"));
    }

    [Fact]
    public async Task ReportMissing_OffByDefault()
    {
        await using var harness = await AlarmHarness.StartAsync();
        var job = await harness.CreateJobAsync();
        await harness.SetSettingsAsync(job, delayTime: 60);

        harness.Advance(TimeSpan.FromHours(2));
        await harness.EvaluateAsync();

        Assert.Empty(harness.Outbox(job));
        Assert.Empty(await harness.AlarmsAsync(job));
    }

    [Fact]
    public async Task ReportMissing_PausedJob_ClosesSilently()
    {
        await using var harness = await AlarmHarness.StartAsync(new Dictionary<string, string>
        {
            ["DrsNotify:Alarms:ReportMissingAfter"] = "00:10:00",
        });
        var job = await harness.CreateJobAsync();
        await harness.SetSettingsAsync(job, delayTime: 60);
        harness.Advance(TimeSpan.FromMinutes(10));
        await harness.EvaluateAsync();

        await harness.OperateAsync("batch-pause-task", job);
        await harness.EvaluateAsync();
        harness.Advance(TimeSpan.FromMinutes(2));
        await harness.EvaluateAsync();

        Assert.Equal(["firing"], harness.Notices(job, "report_missing"));
        Assert.Equal("closed", (string?)(await harness.AlarmsAsync(job)).Single()!["state"]);
    }

    [Fact]
    public async Task TopicSettings_RecordTopicAndEnqueueNothing()
    {
        await using var harness = await AlarmHarness.StartAsync();
        var job = await harness.CreateJobAsync();
        var topic = await Topics.TopicHarness.CreateTopicAsync(harness.Server, "drs-alarms");
        await Topics.TopicHarness.SubscribeUrnAsync(harness.Server, topic, "email", "unconfirmed@example.com");
        await harness.SetSettingsAsync(job, alarmToUser: true, recipients: $"\"topic_urn\":\"{topic}\"");

        await harness.ReportAsync(job, status: "INCRE_TRANSFER_FAILED");
        await harness.EvaluateAsync();

        Assert.Empty(harness.Outbox(job));
        var alarm = (await harness.AlarmsAsync(job)).Single()!;
        Assert.Equal("firing", (string?)alarm["state"]);
        Assert.Equal("topic", (string?)alarm["recipients_from"]);
        Assert.Equal(topic, (string?)alarm["topic_urn"]);
        Assert.Equal(1, (int?)alarm["notices"]);
    }
}

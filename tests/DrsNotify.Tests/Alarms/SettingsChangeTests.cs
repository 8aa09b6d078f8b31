namespace DrsNotify.Tests.Alarms;

/// <summary>Settings changes: the next run applies the new thresholds, recipients and language.</summary>
public sealed class SettingsChangeTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    private static async Task ReportDelaysAsync(AlarmHarness harness, string job, int count, double delay)
    {
        for (var i = 0; i < count; i++)
        {
            await harness.ReportAsync(job, delay: delay);
            harness.Advance(Minute);
        }
    }

    [Fact]
    public async Task LowerThreshold_FiresOnNextRun()
    {
        await using var harness = await AlarmHarness.StartAsync();
        var job = await harness.CreateJobAsync();
        await harness.SetSettingsAsync(job, delayTime: 200);
        await ReportDelaysAsync(harness, job, 6, 120);
        await harness.EvaluateAsync();
        Assert.Empty(harness.Outbox(job));

        await harness.SetSettingsAsync(job, delayTime: 60);
        await harness.EvaluateAsync();

        Assert.Equal(["firing"], harness.Notices(job, "sync_delay"));
        Assert.Contains("Threshold: 60 s", harness.Outbox(job)[0].Body);
    }

    [Fact]
    public async Task RaisedThreshold_ResolvesWithNotice()
    {
        await using var harness = await AlarmHarness.StartAsync();
        var job = await harness.CreateJobAsync();
        await harness.SetSettingsAsync(job, delayTime: 60);
        await ReportDelaysAsync(harness, job, 6, 120);
        await harness.EvaluateAsync();

        await harness.SetSettingsAsync(job, delayTime: 300);
        await harness.EvaluateAsync();
        harness.Advance(Minute);
        await harness.EvaluateAsync();

        Assert.Equal(["firing", "resolved"], harness.Notices(job, "sync_delay"));
        var alarm = (await harness.AlarmsAsync(job)).Single()!;
        Assert.Equal("resolved", (string?)alarm["state"]);
        Assert.Equal(300, (double?)alarm["threshold"]);
    }

    [Fact]
    public async Task KindTurnedOff_ClosesSilently()
    {
        await using var harness = await AlarmHarness.StartAsync();
        var job = await harness.CreateJobAsync();
        await harness.SetSettingsAsync(job, delayTime: 60, rpoDelay: 30);
        await ReportDelaysAsync(harness, job, 6, 120);
        await harness.EvaluateAsync();

        await harness.SetSettingsAsync(job, delayTime: 0, rpoDelay: 30);
        await harness.EvaluateAsync();
        harness.Advance(TimeSpan.FromHours(5));
        await harness.EvaluateAsync();

        Assert.Equal(["firing"], harness.Notices(job, "sync_delay"));
        var alarm = (await harness.AlarmsAsync(job)).Single()!;
        Assert.Equal("closed", (string?)alarm["state"]);
        Assert.Equal("not_configured", (string?)alarm["close_reason"]);
    }

    [Fact]
    public async Task AlarmToUserOff_ClosesJobException()
    {
        await using var harness = await AlarmHarness.StartAsync();
        var job = await harness.CreateJobAsync();
        await harness.SetSettingsAsync(job, alarmToUser: true);
        await harness.ReportAsync(job, status: "INCRE_TRANSFER_FAILED");
        await harness.EvaluateAsync();

        await harness.SetSettingsAsync(job, alarmToUser: false, delayTime: 60);
        await harness.EvaluateAsync();
        harness.Advance(TimeSpan.FromHours(5));
        await harness.EvaluateAsync();

        Assert.Equal(["firing"], harness.Notices(job, "job_exception"));
        Assert.Equal("closed", (string?)(await harness.AlarmsAsync(job)).Single()!["state"]);
    }

    [Fact]
    public async Task NewRecipientsAndLanguage_UsedForNextNotice()
    {
        await using var harness = await AlarmHarness.StartAsync(new Dictionary<string, string>
        {
            ["DrsNotify:Alarms:RepeatInterval"] = "01:00:00",
        });
        var job = await harness.CreateJobAsync();
        await harness.SetSettingsAsync(job, delayTime: 60);
        await ReportDelaysAsync(harness, job, 6, 120);
        await harness.EvaluateAsync();

        await harness.SetSettingsAsync(
            job, delayTime: 60, language: "zh-cn",
            recipients: """ "subscriptions":[{"protocol":"email","endpoints":["dba@example.com","oncall@example.com"]}] """);
        await ReportDelaysAsync(harness, job, 60, 120);
        await harness.EvaluateAsync();

        var repeat = harness.Outbox(job).Where(row => row.EventKey == "repeat-1").ToList();
        Assert.Equal(["dba@example.com", "oncall@example.com"], repeat.Select(row => row.Recipient));
        Assert.All(repeat, row => Assert.Equal("zh-cn", row.Language));
        Assert.All(repeat, row => Assert.StartsWith("【DRS告警·第 1 次提醒】", row.Subject));
    }
}

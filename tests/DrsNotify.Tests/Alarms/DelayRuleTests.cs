namespace DrsNotify.Tests.Alarms;

/// <summary>
/// The rules of sync_delay, rpo_delay and rto_delay with the default sustain window of 6
/// minutes and group interval of 1 minute. Reports are one minute apart, so six reports above
/// the threshold, at minutes 0 to 5, cover the window at minute 6.
/// </summary>
public sealed class DelayRuleTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    /// <summary>Reports <paramref name="values"/> of <paramref name="metric"/> one a minute, the first now; the clock ends one minute after the last.</summary>
    private static async Task ReportEveryMinuteAsync(AlarmHarness harness, string jobId, string metric, params double[] values)
    {
        foreach (var value in values)
        {
            await (metric switch
            {
                "delay" => harness.ReportAsync(jobId, delay: value),
                "rpo" => harness.ReportAsync(jobId, rpo: value),
                _ => harness.ReportAsync(jobId, rto: value),
            });
            harness.Advance(Minute);
        }
    }

    [Fact]
    public async Task SyncDelay_FiresOnlyAfterWholeWindow()
    {
        await using var harness = await AlarmHarness.StartAsync();
        var job = await harness.CreateJobAsync();
        await harness.SetSettingsAsync(job, delayTime: 60);

        // Reports above 60 s at 0..5 min. At 5:59 the window starts before the first report, so
        // the reports do not cover it yet; at 6:00 they do.
        await ReportEveryMinuteAsync(harness, job, "delay", 120, 120, 120, 120, 120);
        await harness.ReportAsync(job, delay: 120);
        harness.Advance(TimeSpan.FromSeconds(59));
        await harness.EvaluateAsync();
        Assert.Empty(harness.Outbox(job));

        harness.Advance(TimeSpan.FromSeconds(1));
        await harness.EvaluateAsync();

        var rows = harness.Outbox(job);
        Assert.Equal(2, rows.Count);
        Assert.All(rows, row => Assert.Equal(harness.DedupKey(job, "sync_delay", 1), row.DedupKey));
        Assert.All(rows, row => Assert.Equal("firing", row.EventKey));
        Assert.Equal(["email", "sms"], rows.Select(row => row.Channel).Order());
        Assert.Equal(AlarmHarness.Email, rows.Single(row => row.Channel == "email").Recipient);
        Assert.Equal(AlarmHarness.Phone, rows.Single(row => row.Channel == "sms").Recipient);
    }

    [Fact]
    public async Task SyncDelay_DipInWindow_PreventsFiring()
    {
        await using var harness = await AlarmHarness.StartAsync();
        var job = await harness.CreateJobAsync();
        await harness.SetSettingsAsync(job, delayTime: 60);

        // 60 s at minute 3 is at the threshold, not above it.
        await ReportEveryMinuteAsync(harness, job, "delay", 120, 120, 120, 60, 120, 120, 120, 120, 120);
        Assert.Equal(AlarmHarness.Start.AddMinutes(9), harness.Now);
        await harness.EvaluateAsync();
        Assert.Empty(harness.Outbox(job));

        // From minute 4 on every report is above, so the window (4, 10] is covered at minute 10.
        await ReportEveryMinuteAsync(harness, job, "delay", 120);
        await harness.EvaluateAsync();
        Assert.Equal(["firing"], harness.Notices(job, "sync_delay"));
    }

    [Fact]
    public async Task SyncDelay_NotIncremental_DoesNotFire()
    {
        await using var harness = await AlarmHarness.StartAsync();
        var job = await harness.CreateJobAsync("CONFIGURATION");
        await harness.SetSettingsAsync(job, delayTime: 60);

        await ReportEveryMinuteAsync(harness, job, "delay", 120, 120, 120, 120, 120, 120, 120, 120);
        await harness.EvaluateAsync();

        Assert.Empty(harness.Outbox(job));
    }

    [Fact]
    public async Task SyncDelay_Recovery_ResolvesAfterGroupInterval()
    {
        await using var harness = await AlarmHarness.StartAsync();
        var job = await harness.CreateJobAsync();
        await harness.SetSettingsAsync(job, delayTime: 60);
        await ReportEveryMinuteAsync(harness, job, "delay", 120, 120, 120, 120, 120, 120);
        await harness.EvaluateAsync();

        await harness.ReportAsync(job, delay: 60);
        await harness.EvaluateAsync();
        var alarm = (await harness.AlarmsAsync(job))[0]!;
        Assert.Equal("resolved", (string?)alarm["state"]);
        Assert.Equal(["firing"], harness.Notices(job, "sync_delay"));

        harness.Advance(Minute);
        await harness.EvaluateAsync();

        var resolved = harness.Outbox(job).Where(row => row.EventKey == "resolved").ToList();
        Assert.Equal(2, resolved.Count);
        Assert.All(resolved, row => Assert.Equal(harness.DedupKey(job, "sync_delay", 1), row.DedupKey));
        Assert.Equal(2, (int?)(await harness.AlarmsAsync(job))[0]!["notices"]);
    }

    [Fact]
    public async Task Resolve_ZeroGroupInterval_NotifiesAtOnce()
    {
        await using var harness = await AlarmHarness.StartAsync(new Dictionary<string, string>
        {
            ["DrsNotify:Alarms:GroupInterval"] = "00:00:00",
        });
        var job = await harness.CreateJobAsync();
        await harness.SetSettingsAsync(job, delayTime: 60);
        await ReportEveryMinuteAsync(harness, job, "delay", 120, 120, 120, 120, 120, 120);
        await harness.EvaluateAsync();

        await harness.ReportAsync(job, delay: 10);
        await harness.EvaluateAsync();

        Assert.Equal(["firing", "resolved"], harness.Notices(job, "sync_delay"));
    }

    [Fact]
    public async Task SyncDelay_ShortDip_SendsNoNotice()
    {
        await using var harness = await AlarmHarness.StartAsync();
        var job = await harness.CreateJobAsync();
        await harness.SetSettingsAsync(job, delayTime: 60);
        await ReportEveryMinuteAsync(harness, job, "delay", 120, 120, 120, 120, 120, 120);
        await harness.EvaluateAsync();

        // Down for 30 s, then up again: the held resolved notice is dropped.
        await harness.ReportAsync(job, delay: 30);
        await harness.EvaluateAsync();
        harness.Advance(TimeSpan.FromSeconds(30));
        await harness.ReportAsync(job, delay: 150);
        await harness.EvaluateAsync();
        harness.Advance(TimeSpan.FromMinutes(5));
        await harness.EvaluateAsync();

        Assert.Equal(["firing"], harness.Notices(job, "sync_delay"));
        var alarms = await harness.AlarmsAsync(job);
        Assert.Single(alarms);
        Assert.Equal("firing", (string?)alarms[0]!["state"]);
        Assert.Equal(150, (double?)alarms[0]!["value"]);
    }

    [Fact]
    public async Task RpoDelay_FiresInAnyStatusAndResolves()
    {
        await using var harness = await AlarmHarness.StartAsync();
        var job = await harness.CreateJobAsync("PAUSING");
        await harness.SetSettingsAsync(job, rpoDelay: 30);

        await ReportEveryMinuteAsync(harness, job, "rpo", 45, 45, 45, 45, 45);
        await harness.EvaluateAsync();
        Assert.Empty(harness.Outbox(job));
        await ReportEveryMinuteAsync(harness, job, "rpo", 45);
        await harness.EvaluateAsync();
        Assert.Equal(["firing"], harness.Notices(job, "rpo_delay"));

        await harness.ReportAsync(job, rpo: 5);
        await harness.EvaluateAsync();
        harness.Advance(Minute);
        await harness.EvaluateAsync();

        Assert.Equal(["firing", "resolved"], harness.Notices(job, "rpo_delay"));
        Assert.All(harness.Outbox(job), row => Assert.Equal(harness.DedupKey(job, "rpo_delay", 1), row.DedupKey));
    }

    [Fact]
    public async Task RtoDelay_OneReportAtThreshold_PreventsFiring()
    {
        await using var harness = await AlarmHarness.StartAsync();
        var job = await harness.CreateJobAsync();
        await harness.SetSettingsAsync(job, rtoDelay: 20);

        await ReportEveryMinuteAsync(harness, job, "rto", 25, 25, 20, 25, 25, 25, 25);
        await harness.EvaluateAsync();
        Assert.Empty(harness.Outbox(job));

        await ReportEveryMinuteAsync(harness, job, "rto", 25, 25);
        await harness.EvaluateAsync();
        Assert.Equal(["firing"], harness.Notices(job, "rto_delay"));
    }

    [Fact]
    public async Task Repeat_AfterEachRepeatInterval()
    {
        await using var harness = await AlarmHarness.StartAsync(new Dictionary<string, string>
        {
            ["DrsNotify:Alarms:RepeatInterval"] = "00:30:00",
        });
        var job = await harness.CreateJobAsync();
        await harness.SetSettingsAsync(job, delayTime: 60);
        await ReportEveryMinuteAsync(harness, job, "delay", 120, 120, 120, 120, 120, 120);
        await harness.EvaluateAsync();

        harness.Advance(TimeSpan.FromMinutes(29));
        await harness.EvaluateAsync();
        Assert.Equal(["firing"], harness.Notices(job, "sync_delay"));

        harness.Advance(Minute);
        await harness.EvaluateAsync();
        harness.Advance(TimeSpan.FromMinutes(30));
        await harness.EvaluateAsync();

        Assert.Equal(["firing", "repeat-1", "repeat-2"], harness.Notices(job, "sync_delay"));
        Assert.Equal(6, harness.Outbox(job).Count);
        Assert.All(harness.Outbox(job), row => Assert.Equal(harness.DedupKey(job, "sync_delay", 1), row.DedupKey));
    }

    [Fact]
    public async Task Repeat_ZeroInterval_NeverRepeats()
    {
        await using var harness = await AlarmHarness.StartAsync(new Dictionary<string, string>
        {
            ["DrsNotify:Alarms:RepeatInterval"] = "00:00:00",
        });
        var job = await harness.CreateJobAsync();
        await harness.SetSettingsAsync(job, delayTime: 60);
        await ReportEveryMinuteAsync(harness, job, "delay", 120, 120, 120, 120, 120, 120);
        await harness.EvaluateAsync();

        harness.Advance(TimeSpan.FromHours(9));
        await harness.EvaluateAsync();

        Assert.Equal(["firing"], harness.Notices(job, "sync_delay"));
    }

    [Fact]
    public async Task NewEpisode_AfterResolvedNotice_GetsNextNumber()
    {
        await using var harness = await AlarmHarness.StartAsync();
        var job = await harness.CreateJobAsync();
        await harness.SetSettingsAsync(job, delayTime: 60);
        await ReportEveryMinuteAsync(harness, job, "delay", 120, 120, 120, 120, 120, 120);
        await harness.EvaluateAsync();
        await ReportEveryMinuteAsync(harness, job, "delay", 10);
        await harness.EvaluateAsync();
        harness.Advance(Minute);
        await harness.EvaluateAsync();

        await ReportEveryMinuteAsync(harness, job, "delay", 120, 120, 120, 120, 120, 120);
        await harness.EvaluateAsync();

        var firing = harness.Outbox(job).Where(row => row.EventKey == "firing" && row.Channel == "email").ToList();
        Assert.Equal(
            [harness.DedupKey(job, "sync_delay", 1), harness.DedupKey(job, "sync_delay", 2)],
            firing.Select(row => row.DedupKey));
        var alarms = await harness.AlarmsAsync(job);
        Assert.Equal([2, 1], alarms.Select(alarm => (int)alarm!["episode"]!));
    }
}

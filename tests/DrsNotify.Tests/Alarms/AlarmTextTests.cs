using DrsNotify.Server.Alarms;
using DrsNotify.Server.Localization;

namespace DrsNotify.Tests.Alarms;

public sealed class AlarmTextTests
{
    private static readonly DateTimeOffset Since = new(2026, 12, 4, 10, 0, 0, TimeSpan.Zero);

    private static AlarmNotice Notice(string kind, NoticeType type) => new(
        "0ac6eb2c8000d2ee2fd9c006dededbe6", "9a470239-2308-4bb5-a6bc-1040402fjb21", "orders-sync", "mysql", kind, type,
        type == NoticeType.Repeat ? 2 : 0, kind == AlarmKinds.JobException ? "INCRE_TRANSFER_FAILED" : "INCRE_TRANSFER_STARTED",
        kind == AlarmKinds.JobException ? null : 120_500, kind == AlarmKinds.JobException ? null : 60_000, Since,
        type == NoticeType.Resolved ? Since.AddMinutes(30) : null, TimeSpan.FromMinutes(6),
        "0ac6eb2c8000d2ee2fd9c006dededbe6:9a470239-2308-4bb5-a6bc-1040402fjb21:" + kind + ":1");

    public static TheoryData<string, NoticeType, Language> AllCases()
    {
        var cases = new TheoryData<string, NoticeType, Language>();
        foreach (var kind in AlarmKinds.All)
        {
            foreach (var type in Enum.GetValues<NoticeType>())
            {
                cases.Add(kind, type, Language.EnUs);
                cases.Add(kind, type, Language.ZhCn);
            }
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(AllCases))]
    public void Sms_LongestCase_FitsLimit(string kind, NoticeType type, Language language)
    {
        // Maximum values the API accepts: a 50-character job name, a 64-character job id, the
        // longest engine type, 1e9 s, a 30-day report_missing limit and large counters.
        var jobId = new string('f', 62) + "jb";
        var projectId = new string('a', 32);
        var dedupKey = AlarmEpisode.FormatDedupKey(projectId, jobId, kind, 2_147_483_647);
        var notice = new AlarmNotice(
            projectId, jobId, new string('N', 50), "gaussdbv5ha-to-oracle", kind, type, type == NoticeType.Repeat ? 99_999 : 0,
            "RELEASE_CHILD_TRANSFER_COMPLETE",
            kind == AlarmKinds.JobException ? null : 999_999_999_999,
            kind == AlarmKinds.JobException ? null : (long)TimeSpan.FromDays(30).TotalMilliseconds,
            Since, type == NoticeType.Resolved ? Since.AddDays(300) : null, TimeSpan.FromSeconds(86_399), dedupKey);

        var sms = AlarmTexts.Compose(notice, language).Sms;

        Assert.True(sms.Length <= AlarmTexts.MaxSmsLength, $"{sms.Length} characters: {sms}");
        Assert.EndsWith(dedupKey, sms);
        Assert.Contains(jobId, sms);
        Assert.Contains(projectId, sms);
        Assert.Contains(notice.JobName[..8], sms);
    }

    [Fact]
    public void Sms_OverlongJobName_IsShortened()
    {
        var notice = Notice(AlarmKinds.SyncDelay, NoticeType.Resolved) with { JobName = new string('N', 400) };

        var sms = AlarmTexts.Compose(notice, Language.EnUs).Sms;

        Assert.Equal(AlarmTexts.MaxSmsLength, sms.Length);
        Assert.Contains("N…", sms);
        Assert.EndsWith(notice.DedupKey, sms);
    }

    [Fact]
    public void Email_EnglishFiring_ListsEveryField()
    {
        var text = AlarmTexts.Compose(Notice(AlarmKinds.SyncDelay, NoticeType.Firing), Language.EnUs);

        Assert.Equal("[DRS alarm] Job orders-sync: synchronization delay above threshold", text.Subject);
        Assert.Equal(
            """
            The incremental synchronization delay has stayed above the threshold of 60 s for at least 6 min.

            Project: 0ac6eb2c8000d2ee2fd9c006dededbe6
            Job: orders-sync (9a470239-2308-4bb5-a6bc-1040402fjb21)
            Engine type: mysql
            Alarm: Synchronization delay (sync_delay)
            State: Firing
            Job status: INCRE_TRANSFER_STARTED
            Observed: 120.5 s
            Threshold: 60 s
            Since: 2026-12-04T10:00:00Z
            Dedup key: 0ac6eb2c8000d2ee2fd9c006dededbe6:9a470239-2308-4bb5-a6bc-1040402fjb21:sync_delay:1

            Every message about this alarm carries the same dedup key. Sent by DrsNotify.

            """.ReplaceLineEndings("\r\n"),
            text.Body);
    }

    [Fact]
    public void Email_ChineseResolved_ListsEveryField()
    {
        var text = AlarmTexts.Compose(Notice(AlarmKinds.RpoDelay, NoticeType.Resolved), Language.ZhCn);

        Assert.Equal("【DRS告警恢复】任务 orders-sync：RPO 时延告警已恢复", text.Subject);
        Assert.Equal(
            """
            RPO 时延已回落至阈值 60 秒以内。

            项目：0ac6eb2c8000d2ee2fd9c006dededbe6
            任务：orders-sync (9a470239-2308-4bb5-a6bc-1040402fjb21)
            引擎类型：mysql
            告警类型：RPO 时延 (rpo_delay)
            告警状态：已恢复
            任务状态：INCRE_TRANSFER_STARTED
            当前值：120.5 秒
            阈值：60 秒
            开始时间：2026-12-04T10:00:00Z
            恢复时间：2026-12-04T10:30:00Z
            去重键：0ac6eb2c8000d2ee2fd9c006dededbe6:9a470239-2308-4bb5-a6bc-1040402fjb21:rpo_delay:1

            同一次告警的所有通知都带有相同的去重键。此消息由 DrsNotify 发送。

            """.ReplaceLineEndings("\r\n"),
            text.Body);
    }

    [Theory]
    [InlineData(NoticeType.Firing, "[DRS alarm] Job orders-sync: job failed", "【DRS告警】任务 orders-sync：任务异常")]
    [InlineData(NoticeType.Repeat, "[DRS alarm, reminder 2] Job orders-sync: job failed, still firing", "【DRS告警·第 2 次提醒】任务 orders-sync：任务异常，仍未恢复")]
    [InlineData(NoticeType.Resolved, "[DRS alarm resolved] Job orders-sync: Job exception alarm resolved", "【DRS告警恢复】任务 orders-sync：任务异常告警已恢复")]
    public void Subject_JobException_BothLanguages(NoticeType type, string english, string chinese)
    {
        var notice = Notice(AlarmKinds.JobException, type);

        Assert.Equal(english, AlarmTexts.Compose(notice, Language.EnUs).Subject);
        Assert.Equal(chinese, AlarmTexts.Compose(notice, Language.ZhCn).Subject);
    }

    [Fact]
    public void Sms_ChineseRepeat_ReadsAsOneLine()
    {
        var sms = AlarmTexts.Compose(Notice(AlarmKinds.SyncDelay, NoticeType.Repeat), Language.ZhCn).Sms;

        Assert.Equal(
            "【DRS告警·第 2 次提醒】任务 orders-sync：同步时延超过阈值，仍未恢复。任务 ID：9a470239-2308-4bb5-a6bc-1040402fjb21；"
            + "引擎类型：mysql；项目：0ac6eb2c8000d2ee2fd9c006dededbe6；当前值：120.5 秒；阈值：60 秒；开始时间：2026-12-04T10:00:00Z；"
            + "去重键：0ac6eb2c8000d2ee2fd9c006dededbe6:9a470239-2308-4bb5-a6bc-1040402fjb21:sync_delay:1",
            sms);
    }

    [Theory]
    [InlineData(360, "6 min", "6 分钟")]
    [InlineData(14_400, "4 h", "4 小时")]
    [InlineData(90, "90 s", "90 秒")]
    public void Duration_LargestWholeUnit(int seconds, string english, string chinese)
    {
        Assert.Equal(english, AlarmTexts.Duration(TimeSpan.FromSeconds(seconds), Language.EnUs));
        Assert.Equal(chinese, AlarmTexts.Duration(TimeSpan.FromSeconds(seconds), Language.ZhCn));
    }
}

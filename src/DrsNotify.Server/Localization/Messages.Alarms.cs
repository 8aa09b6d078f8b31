namespace DrsNotify.Server.Localization;

/// <summary>Texts of alarm notifications and of the alarms API.</summary>
public static partial class Messages
{
    // Alarm kinds: the name, and the condition that fires the alarm.
    public static readonly Message AlarmJobException = new("Job exception", "任务异常");
    public static readonly Message AlarmSyncDelay = new("Synchronization delay", "同步时延");
    public static readonly Message AlarmRpoDelay = new("RPO delay", "RPO 时延");
    public static readonly Message AlarmRtoDelay = new("RTO delay", "RTO 时延");
    public static readonly Message AlarmReportMissing = new("Missing agent reports", "状态上报中断");
    public static readonly Message AlarmJobExceptionCondition = new("job failed", "任务异常");
    public static readonly Message AlarmSyncDelayCondition = new("synchronization delay above threshold", "同步时延超过阈值");
    public static readonly Message AlarmRpoDelayCondition = new("RPO delay above threshold", "RPO 时延超过阈值");
    public static readonly Message AlarmRtoDelayCondition = new("RTO delay above threshold", "RTO 时延超过阈值");
    public static readonly Message AlarmReportMissingCondition = new("no agent reports", "状态上报中断");

    // Subjects: {0} the condition or the kind name, {1} the job name, {2} the reminder number.
    public static readonly Message AlarmSubjectFiring = new(
        "[DRS alarm] Job {1}: {0}",
        "【DRS告警】任务 {1}：{0}");
    public static readonly Message AlarmSubjectRepeat = new(
        "[DRS alarm, reminder {2}] Job {1}: {0}, still firing",
        "【DRS告警·第 {2} 次提醒】任务 {1}：{0}，仍未恢复");
    public static readonly Message AlarmSubjectResolved = new(
        "[DRS alarm resolved] Job {1}: {0} alarm resolved",
        "【DRS告警恢复】任务 {1}：{0}告警已恢复");

    // First line of the body.
    public static readonly Message AlarmJobFailed = new(
        "The job has failed and is in status {0}.",
        "任务运行失败，当前状态为 {0}。");
    public static readonly Message AlarmJobRecovered = new(
        "The job is no longer in a failure status; its status is now {0}.",
        "任务已脱离失败状态，当前状态为 {0}。");

    // {0} the metric, {1} the threshold, {2} the sustain window.
    public static readonly Message AlarmMetricAbove = new(
        "{0} has stayed above the threshold of {1} for at least {2}.",
        "{0}已连续 {2}以上高于阈值 {1}。");
    public static readonly Message AlarmMetricBack = new(
        "{0} is back at or below the threshold of {1}.",
        "{0}已回落至阈值 {1}以内。");
    public static readonly Message AlarmSyncDelayMetric = new("The incremental synchronization delay", "增量同步时延");
    public static readonly Message AlarmRpoMetric = new("The RPO delay", "RPO 时延");
    public static readonly Message AlarmRtoMetric = new("The RTO delay", "RTO 时延");

    // {0} the time since the last report, {1} the limit.
    public static readonly Message AlarmReportsMissing = new(
        "No agent report has arrived for {0}, longer than the limit of {1}.",
        "已连续 {0}未收到该任务的状态上报，超过上限 {1}。");
    public static readonly Message AlarmReportsBack = new(
        "Agent reports have arrived again.",
        "已重新收到该任务的状态上报。");
    public static readonly Message AlarmReminder = new(
        "Reminder {0}: the alarm is still firing.",
        "第 {0} 次提醒：告警仍未恢复。");

    // Labels of the body lines.
    public static readonly Message AlarmLabelProject = new("Project", "项目");
    public static readonly Message AlarmLabelJob = new("Job", "任务");
    public static readonly Message AlarmLabelJobId = new("Job ID", "任务 ID");
    public static readonly Message AlarmLabelEngineType = new("Engine type", "引擎类型");
    public static readonly Message AlarmLabelAlarm = new("Alarm", "告警类型");
    public static readonly Message AlarmLabelState = new("State", "告警状态");
    public static readonly Message AlarmLabelJobStatus = new("Job status", "任务状态");
    public static readonly Message AlarmLabelValue = new("Observed", "当前值");
    public static readonly Message AlarmLabelThreshold = new("Threshold", "阈值");
    public static readonly Message AlarmLabelSince = new("Since", "开始时间");
    public static readonly Message AlarmLabelResolvedAt = new("Resolved at", "恢复时间");
    public static readonly Message AlarmLabelDedupKey = new("Dedup key", "去重键");

    // States and units.
    public static readonly Message AlarmStateFiring = new("Firing", "告警中");
    public static readonly Message AlarmStateRepeat = new("Firing, reminder {0}", "告警中（第 {0} 次提醒）");
    public static readonly Message AlarmStateResolved = new("Resolved", "已恢复");
    public static readonly Message UnitSeconds = new("{0} s", "{0} 秒");
    public static readonly Message UnitMinutes = new("{0} min", "{0} 分钟");
    public static readonly Message UnitHours = new("{0} h", "{0} 小时");

    public static readonly Message AlarmFooter = new(
        "Every message about this alarm carries the same dedup key. Sent by DrsNotify.",
        "同一次告警的所有通知都带有相同的去重键。此消息由 DrsNotify 发送。");

    // Alarms API: value descriptions used as {1} of InvalidParameter.
    public static readonly Message GivenMoreThanOnce = new(
        "it is given more than once; give it at most once.",
        "重复出现，最多只能指定一次。");
    public static readonly Message MustNotBeEmpty = new("it must not be empty.", "不能为空。");
}

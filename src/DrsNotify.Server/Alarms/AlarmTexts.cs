using System.Globalization;
using System.Text;
using DrsNotify.Server.Localization;

namespace DrsNotify.Server.Alarms;

/// <summary>Which message of an episode a notice is.</summary>
public enum NoticeType
{
    Firing,
    Repeat,
    Resolved,
}

/// <summary>
/// The facts of one alarm notice. <see cref="ValueMs"/> and <see cref="ThresholdMs"/> are
/// milliseconds, null for <c>job_exception</c>; <see cref="Reminder"/> counts from 1 and is 0
/// unless <see cref="Type"/> is <see cref="NoticeType.Repeat"/>.
/// </summary>
public sealed record AlarmNotice(
    string ProjectId,
    string JobId,
    string JobName,
    string EngineType,
    string Kind,
    NoticeType Type,
    int Reminder,
    string JobStatus,
    long? ValueMs,
    long? ThresholdMs,
    DateTimeOffset Since,
    DateTimeOffset? ResolvedAt,
    TimeSpan SustainWindow,
    string DedupKey);

/// <summary>The texts of one notice: e-mail subject, plain-text e-mail body, and SMS text.</summary>
public sealed record AlarmText(string Subject, string Body, string Sms);

/// <summary>Composes alarm notices in <c>en-us</c> or <c>zh-cn</c>.</summary>
public static class AlarmTexts
{
    /// <summary>Maximum length of an SMS text, in UTF-16 code units.</summary>
    public const int MaxSmsLength = 490;

    public static AlarmText Compose(AlarmNotice notice, Language language)
    {
        var subject = Subject(notice, notice.JobName, language);
        return new AlarmText(subject, Body(notice, subject, language), Sms(notice, language));
    }

    private static string Subject(AlarmNotice notice, string jobName, Language language) => notice.Type switch
    {
        NoticeType.Firing => Messages.AlarmSubjectFiring.Format(language, Condition(notice.Kind).Format(language), jobName),
        NoticeType.Repeat => Messages.AlarmSubjectRepeat.Format(language, Condition(notice.Kind).Format(language), jobName, notice.Reminder),
        _ => Messages.AlarmSubjectResolved.Format(language, Name(notice.Kind).Format(language), jobName),
    };

    private static string Body(AlarmNotice notice, string subject, Language language)
    {
        var body = new StringBuilder();
        if (notice.Type == NoticeType.Repeat)
        {
            body.AppendLine(Messages.AlarmReminder.Format(language, notice.Reminder));
        }

        body.AppendLine(Summary(notice, language));
        body.AppendLine();
        foreach (var (label, value) in Fields(notice, language, forSms: false))
        {
            body.Append(label.Format(language)).Append(language == Language.ZhCn ? "：" : ": ").AppendLine(value);
        }

        body.AppendLine();
        body.AppendLine(Messages.AlarmFooter.Format(language));
        return body.ToString().ReplaceLineEndings("\r\n");
    }

    /// <summary>
    /// Returns the subject followed by the fields on one line. When that is longer than
    /// <see cref="MaxSmsLength"/>, the job name is shortened first, then the text is cut.
    /// </summary>
    private static string Sms(AlarmNotice notice, Language language)
    {
        var text = SmsText(notice, notice.JobName, language);
        var excess = text.Length - MaxSmsLength;
        if (excess > 0 && notice.JobName.Length > 8)
        {
            var keep = Math.Max(8, notice.JobName.Length - excess - 1);
            text = SmsText(notice, notice.JobName[..keep] + "…", language);
        }

        return text.Length <= MaxSmsLength ? text : text[..(MaxSmsLength - 1)] + "…";
    }

    private static string SmsText(AlarmNotice notice, string jobName, Language language)
    {
        var (separator, colon, end) = language == Language.ZhCn ? ("；", "：", "。") : ("; ", ": ", ". ");
        var fields = Fields(notice, language, forSms: true).Select(field => field.Label.Format(language) + colon + field.Value);
        return Subject(notice, jobName, language) + end + string.Join(separator, fields);
    }

    private static string Summary(AlarmNotice notice, Language language)
    {
        var firing = notice.Type != NoticeType.Resolved;
        var threshold = notice.ThresholdMs is { } limit ? Seconds(limit, language) : "";
        return notice.Kind switch
        {
            AlarmKinds.JobException => (firing ? Messages.AlarmJobFailed : Messages.AlarmJobRecovered).Format(language, notice.JobStatus),
            AlarmKinds.ReportMissing => firing
                ? Messages.AlarmReportsMissing.Format(language, Seconds(notice.ValueMs ?? 0, language), threshold)
                : Messages.AlarmReportsBack.Format(language),
            _ => (firing ? Messages.AlarmMetricAbove : Messages.AlarmMetricBack).Format(
                language, Metric(notice.Kind).Format(language), threshold, Duration(notice.SustainWindow, language)),
        };
    }

    /// <summary>
    /// Returns the labelled fields. The SMS leaves out what its subject already contains (job name,
    /// kind, state) and the job status of kinds other than <c>job_exception</c>.
    /// </summary>
    private static List<(Message Label, string Value)> Fields(AlarmNotice notice, Language language, bool forSms)
    {
        var fields = new List<(Message, string)>();
        if (forSms)
        {
            fields.Add((Messages.AlarmLabelJobId, notice.JobId));
        }
        else
        {
            fields.Add((Messages.AlarmLabelProject, notice.ProjectId));
            fields.Add((Messages.AlarmLabelJob, $"{notice.JobName} ({notice.JobId})"));
        }

        fields.Add((Messages.AlarmLabelEngineType, notice.EngineType));
        if (forSms)
        {
            fields.Add((Messages.AlarmLabelProject, notice.ProjectId));
        }
        else
        {
            fields.Add((Messages.AlarmLabelAlarm, $"{Name(notice.Kind).Format(language)} ({notice.Kind})"));
            fields.Add((Messages.AlarmLabelState, State(notice, language)));
        }

        if (notice.Kind == AlarmKinds.JobException || !forSms)
        {
            fields.Add((Messages.AlarmLabelJobStatus, notice.JobStatus));
        }

        if (notice.ValueMs is { } value)
        {
            fields.Add((Messages.AlarmLabelValue, Seconds(value, language)));
        }

        if (notice.ThresholdMs is { } threshold)
        {
            fields.Add((Messages.AlarmLabelThreshold, Seconds(threshold, language)));
        }

        fields.Add((Messages.AlarmLabelSince, Iso(notice.Since)));
        if (notice.ResolvedAt is { } resolvedAt)
        {
            fields.Add((Messages.AlarmLabelResolvedAt, Iso(resolvedAt)));
        }

        fields.Add((Messages.AlarmLabelDedupKey, notice.DedupKey));
        return fields;
    }

    private static string State(AlarmNotice notice, Language language) => notice.Type switch
    {
        NoticeType.Firing => Messages.AlarmStateFiring.Format(language),
        NoticeType.Repeat => Messages.AlarmStateRepeat.Format(language, notice.Reminder),
        _ => Messages.AlarmStateResolved.Format(language),
    };

    public static Message Name(string kind) => kind switch
    {
        AlarmKinds.JobException => Messages.AlarmJobException,
        AlarmKinds.SyncDelay => Messages.AlarmSyncDelay,
        AlarmKinds.RpoDelay => Messages.AlarmRpoDelay,
        AlarmKinds.RtoDelay => Messages.AlarmRtoDelay,
        AlarmKinds.ReportMissing => Messages.AlarmReportMissing,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown alarm kind."),
    };

    private static Message Condition(string kind) => kind switch
    {
        AlarmKinds.JobException => Messages.AlarmJobExceptionCondition,
        AlarmKinds.SyncDelay => Messages.AlarmSyncDelayCondition,
        AlarmKinds.RpoDelay => Messages.AlarmRpoDelayCondition,
        AlarmKinds.RtoDelay => Messages.AlarmRtoDelayCondition,
        AlarmKinds.ReportMissing => Messages.AlarmReportMissingCondition,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown alarm kind."),
    };

    private static Message Metric(string kind) => kind switch
    {
        AlarmKinds.SyncDelay => Messages.AlarmSyncDelayMetric,
        AlarmKinds.RpoDelay => Messages.AlarmRpoMetric,
        AlarmKinds.RtoDelay => Messages.AlarmRtoMetric,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "The alarm kind has no metric."),
    };

    /// <summary>Formats milliseconds as seconds with up to three decimals: <c>120 s</c>, <c>0.25 秒</c>.</summary>
    public static string Seconds(long milliseconds, Language language) =>
        Messages.UnitSeconds.Format(language, (milliseconds / 1000m).ToString("0.###", CultureInfo.InvariantCulture));

    /// <summary>Formats a window in the largest whole unit: <c>6 min</c>, <c>4 小时</c>, <c>90 s</c>.</summary>
    public static string Duration(TimeSpan duration, Language language)
    {
        if (duration.Ticks % TimeSpan.TicksPerHour == 0 && duration >= TimeSpan.FromHours(1))
        {
            return Messages.UnitHours.Format(language, (long)duration.TotalHours);
        }

        if (duration.Ticks % TimeSpan.TicksPerMinute == 0 && duration >= TimeSpan.FromMinutes(1))
        {
            return Messages.UnitMinutes.Format(language, (long)duration.TotalMinutes);
        }

        return Seconds((long)duration.TotalMilliseconds, language);
    }

    /// <summary>Formats as UTC ISO 8601 to the second: <c>2026-12-04T10:00:00Z</c>.</summary>
    public static string Iso(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}

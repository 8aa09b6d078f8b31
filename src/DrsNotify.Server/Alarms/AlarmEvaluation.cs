using DrsNotify.Server.Delivery;
using DrsNotify.Server.Jobs;
using DrsNotify.Server.Localization;
using DrsNotify.Server.Notifications;
using DrsNotify.Server.Storage;
using DrsNotify.Server.Topics;
using Microsoft.Data.Sqlite;

namespace DrsNotify.Server.Alarms;

/// <summary>
/// One change that an evaluation made; <see cref="AlarmEvaluator"/> logs it after the commit.
/// <see cref="Detail"/> is the event key of a notice or the reason of a close.
/// </summary>
public sealed record AlarmChange(string ProjectId, string JobId, string Kind, string DedupKey, string Change, string? Detail);

/// <summary>The kinds of <see cref="AlarmChange.Change"/>.</summary>
public static class AlarmChanges
{
    public const string Opened = "opened";
    public const string Notified = "notified";
    public const string Resolved = "resolved";

    /// <summary>A resolved episode fired again within the group interval; its resolved notice was dropped.</summary>
    public const string Refired = "refired";

    public const string Closed = "closed";
}

/// <summary>
/// One run of the alarm rules over every live job, inside one write transaction, so that each
/// episode change and its outbox rows commit together. The rules are described in docs/alarms.md.
/// </summary>
internal sealed class AlarmEvaluation(SqliteConnection connection, SqliteTransaction transaction, AlarmOptions options, long now)
{
    private static readonly string EndedStatusList =
        string.Join(", ", JobCatalog.Stopped.Append(JobCatalog.Deleted).Select(status => $"'{status}'"));

    private const string IncrementalTransfer = "INCRE_TRANSFER_STARTED";

    private readonly List<AlarmChange> _changes = [];
    private readonly Dictionary<string, AlarmSettings> _settingsCache = new(StringComparer.Ordinal);

    // Subscriptions do not change during a run, which is one transaction, so each topic is read once.
    private readonly Dictionary<string, List<TopicRecipient>> _topicCache = new(StringComparer.Ordinal);

    /// <summary>The facts of one job that the rules read.</summary>
    private sealed record JobState(
        string ProjectId, string Id, string Name, string EngineType, string Status, long UpdateTime,
        long? DelayMs, long? RpoMs, long? RtoMs, long? LastReportAt, AlarmSettings? Settings, string Language);

    /// <summary>
    /// What a rule found for one job and kind. <see cref="Configured"/> is true when the settings
    /// (and for <c>report_missing</c> the job's status) ask for this kind. <see cref="Active"/> is
    /// true when the condition is met now, which keeps a firing episode firing. Opening a new
    /// episode of a delay kind also needs the whole sustain window, see <see cref="SustainedSince"/>.
    /// </summary>
    private sealed record Signal(bool Configured, bool Active, long? ValueMs, long? ThresholdMs);

    public List<AlarmChange> Run()
    {
        var open = AlarmEpisodeStore.ReadOpen(connection, transaction);
        foreach (var job in ReadJobs())
        {
            var ended = JobCatalog.Stopped.Contains(job.Status) || job.Status == JobCatalog.Deleted;
            foreach (var kind in AlarmKinds.All)
            {
                open.TryGetValue((job.ProjectId, job.Id, kind), out var episode);
                if (ended)
                {
                    if (episode is not null)
                    {
                        Close(episode, job, job.Status == JobCatalog.Deleted ? "job_deleted" : "job_ended");
                    }

                    continue;
                }

                Evaluate(job, kind, episode);
            }
        }

        return _changes;
    }

    private void Evaluate(JobState job, string kind, AlarmEpisode? episode)
    {
        var signal = Check(job, kind);
        if (episode is null)
        {
            if (signal.Configured && signal.Active && OpenSince(job, kind, signal) is { } since)
            {
                Open(job, kind, signal, since);
            }

            return;
        }

        if (!signal.Configured)
        {
            // The user turned this kind off (or, for report_missing, the job stopped running).
            Close(episode, job, "not_configured");
            return;
        }

        if (episode.State == AlarmStates.Firing)
        {
            if (!signal.Active)
            {
                Resolve(episode, job, signal);
            }
            else if (options.RepeatInterval > TimeSpan.Zero
                     && now >= (episode.LastNotifiedAt ?? episode.OpenedAt) + (long)options.RepeatInterval.TotalMilliseconds)
            {
                var reminder = episode.Repeats + 1;
                episode = Notify(episode with { Repeats = reminder }, job, signal, NoticeType.Repeat, AlarmEvents.Repeat(reminder));
                AlarmEpisodeStore.Update(connection, transaction, episode);
            }
            else
            {
                UpdateObservation(episode, job, signal);
            }

            return;
        }

        // Resolved, with its notice held back for the group interval.
        if (signal.Active)
        {
            var refired = Observe(episode, job, signal) with
            {
                State = AlarmStates.Firing, ResolvedAt = null, ResolvedNoticeDueAt = null,
            };
            AlarmEpisodeStore.Update(connection, transaction, refired);
            Record(refired, AlarmChanges.Refired, null);
        }
        else if (now >= episode.ResolvedNoticeDueAt)
        {
            SendResolvedNotice(episode, job, signal);
        }
    }

    private Signal Check(JobState job, string kind)
    {
        var settings = job.Settings;
        if (settings is null)
        {
            return new Signal(false, false, null, null);
        }

        switch (kind)
        {
            case AlarmKinds.JobException:
                // RELEASE_RESOURCE_FAILED is a failure of ending the job, and ended jobs never get here.
                return new Signal(settings.AlarmToUser, JobLifecycle.FailedFrom.ContainsKey(job.Status), null, null);
            case AlarmKinds.SyncDelay:
                return MetricSignal(settings.DelayTime, job.DelayMs);
            case AlarmKinds.RpoDelay:
                return MetricSignal(settings.RpoDelay, job.RpoMs);
            case AlarmKinds.RtoDelay:
                return MetricSignal(settings.RtoDelay, job.RtoMs);
            default:
                if (options.ReportMissingAfter is not { } after || !JobLifecycle.Running.Contains(job.Status))
                {
                    return new Signal(false, false, null, null);
                }

                var silentMs = now - LastSeen(job);
                var limitMs = (long)after.TotalMilliseconds;
                return new Signal(true, silentMs >= limitMs, silentMs, limitMs);
        }
    }

    private static Signal MetricSignal(long thresholdSeconds, long? valueMs)
    {
        var thresholdMs = thresholdSeconds * 1000;
        return new Signal(thresholdSeconds > 0, valueMs > thresholdMs, valueMs, thresholdMs);
    }

    /// <summary>
    /// Returns the time the condition began when a new episode may open now, or null. The delay
    /// kinds need the whole sustain window above the threshold; <c>sync_delay</c> also needs
    /// the job in incremental transfer.
    /// </summary>
    private long? OpenSince(JobState job, string kind, Signal signal) => kind switch
    {
        AlarmKinds.JobException => FailedSince(job),
        AlarmKinds.ReportMissing => LastSeen(job),
        AlarmKinds.SyncDelay when job.Status != IncrementalTransfer => null,
        AlarmKinds.SyncDelay => SustainedSince(job, "delay_ms", signal.ThresholdMs!.Value),
        AlarmKinds.RpoDelay => SustainedSince(job, "rpo_ms", signal.ThresholdMs!.Value),
        _ => SustainedSince(job, "rto_ms", signal.ThresholdMs!.Value),
    };

    /// <summary>
    /// Returns the start of the current run of reports above <paramref name="thresholdMs"/>
    /// when it began at least one sustain window ago, or null.
    /// </summary>
    /// <remarks>
    /// A reported value stays in effect until the next report (by <c>observed_at</c>). The run starts with
    /// the first report after the last report at or below the threshold, so a run that began at
    /// least a window ago means: a report at or before the window's start was above the
    /// threshold, and every report in the window was too. Reports observed after now (agent
    /// clocks may run up to five minutes ahead) wait until their time comes.
    /// </remarks>
    private long? SustainedSince(JobState job, string column, long thresholdMs)
    {
        // The column name comes from the fixed list in OpenSince, never from input.
        var since = connection.Prepared(
            $"""
            SELECT MIN(observed_at) FROM job_reports
            WHERE project_id = $p AND job_id = $j AND {column} IS NOT NULL AND observed_at <= $now
              AND observed_at > COALESCE(
                  (SELECT MAX(observed_at) FROM job_reports
                   WHERE project_id = $p AND job_id = $j AND {column} <= $threshold AND observed_at <= $now), -1)
            """,
            transaction, ("$p", job.ProjectId), ("$j", job.Id), ("$now", now), ("$threshold", thresholdMs)).ExecuteScalar();
        return since is long start && start <= now - (long)options.SustainWindow.TotalMilliseconds ? start : null;
    }

    /// <summary>Returns when the job entered its current failure status: the first report of it since any other status.</summary>
    private long FailedSince(JobState job)
    {
        var since = connection.Prepared(
            """
            SELECT MIN(received_at) FROM job_reports
            WHERE project_id = $p AND job_id = $j AND status = $s
              AND seq > COALESCE(
                  (SELECT MAX(seq) FROM job_reports WHERE project_id = $p AND job_id = $j AND status IS NOT NULL AND status <> $s), 0)
            """,
            transaction, ("$p", job.ProjectId), ("$j", job.Id), ("$s", job.Status)).ExecuteScalar();
        return since as long? ?? now;
    }

    /// <summary>Returns the last time the job was heard from: its last report, or its last change when none is newer.</summary>
    private static long LastSeen(JobState job) => Math.Max(job.LastReportAt ?? 0, job.UpdateTime);

    private void Open(JobState job, string kind, Signal signal, long since)
    {
        var episode = AlarmEpisodeStore.Insert(connection, transaction, new AlarmEpisode(
            0, job.ProjectId, job.Id, kind, 0, "", AlarmStates.Firing, since, now, null, null, null, null, null, 0, 0,
            signal.ValueMs, signal.ThresholdMs, job.Status, job.Language, RecipientSources.Subscriptions, null));
        Record(episode, AlarmChanges.Opened, null);
        episode = Notify(episode, job, signal, NoticeType.Firing, AlarmEvents.Firing);
        AlarmEpisodeStore.Update(connection, transaction, episode);
    }

    private void Resolve(AlarmEpisode episode, JobState job, Signal signal)
    {
        var resolved = Observe(episode, job, signal) with { State = AlarmStates.Resolved, ResolvedAt = now };
        Record(resolved, AlarmChanges.Resolved, null);
        if (options.GroupInterval == TimeSpan.Zero)
        {
            SendResolvedNotice(resolved, job, signal);
            return;
        }

        AlarmEpisodeStore.Update(
            connection, transaction, resolved with { ResolvedNoticeDueAt = now + (long)options.GroupInterval.TotalMilliseconds });
    }

    private void SendResolvedNotice(AlarmEpisode episode, JobState job, Signal signal)
    {
        episode = Notify(episode with { ResolvedNoticeDueAt = null }, job, signal, NoticeType.Resolved, AlarmEvents.Resolved);
        AlarmEpisodeStore.Update(connection, transaction, episode);
    }

    /// <summary>Closes an open episode without a notice; a held resolved notice is dropped too.</summary>
    private void Close(AlarmEpisode episode, JobState job, string reason)
    {
        var closed = episode with
        {
            State = AlarmStates.Closed, ClosedAt = now, CloseReason = reason, ResolvedNoticeDueAt = null, JobStatus = job.Status,
        };
        AlarmEpisodeStore.Update(connection, transaction, closed);
        Record(closed, AlarmChanges.Closed, reason);
    }

    /// <summary>Stores the latest value, threshold and job status when any of them changed.</summary>
    private void UpdateObservation(AlarmEpisode episode, JobState job, Signal signal)
    {
        var observed = Observe(episode, job, signal);
        if (observed != episode)
        {
            AlarmEpisodeStore.Update(connection, transaction, observed);
        }
    }

    private static AlarmEpisode Observe(AlarmEpisode episode, JobState job, Signal signal) =>
        episode with { ValueMs = signal.ValueMs, ThresholdMs = signal.ThresholdMs, JobStatus = job.Status };

    /// <summary>
    /// Composes the notice and enqueues one outbox row per recipient of the job's current
    /// settings (see <see cref="Recipients"/>), in their language. Returns the episode with the
    /// notice counted; the caller stores it.
    /// </summary>
    private AlarmEpisode Notify(AlarmEpisode episode, JobState job, Signal signal, NoticeType type, string eventKey)
    {
        episode = Observe(episode, job, signal);
        var settings = job.Settings!;
        var language = Languages.Parse(job.Language);
        var text = AlarmTexts.Compose(
            new AlarmNotice(
                job.ProjectId, job.Id, job.Name, job.EngineType, episode.Kind, type, type == NoticeType.Repeat ? episode.Repeats : 0,
                job.Status, episode.ValueMs, episode.ThresholdMs, DateTimeOffset.FromUnixTimeMilliseconds(episode.SinceAt),
                episode.ResolvedAt is { } resolvedAt ? DateTimeOffset.FromUnixTimeMilliseconds(resolvedAt) : null,
                options.SustainWindow, episode.DedupKey),
            language);

        var fromTopic = settings.TopicUrn is not null;
        foreach (var (channel, endpoint) in Recipients(settings))
        {
            Outbox.Enqueue(connection, transaction, new OutboxMessage(
                job.ProjectId, job.Id, episode.Id, Purposes.Alarm, channel, endpoint, language.ToCode(), text.Subject,
                channel == Channels.Sms ? text.Sms : text.Body, episode.DedupKey, eventKey), now);
        }

        Record(episode, AlarmChanges.Notified, eventKey);
        return episode with
        {
            LastNotifiedAt = now,
            Notices = episode.Notices + 1,
            Language = language.ToCode(),
            RecipientsFrom = fromTopic ? RecipientSources.Topic : RecipientSources.Subscriptions,
            TopicUrn = settings.TopicUrn,
        };
    }

    /// <summary>
    /// Returns the recipients of a notice as (channel, endpoint): the settings' e-mail and SMS
    /// endpoints, or the confirmed subscriptions of the settings' topic at this moment. A topic
    /// without confirmed subscriptions, or one deleted since, yields none; the episode still
    /// records the notice.
    /// </summary>
    private IEnumerable<(string Channel, string Endpoint)> Recipients(AlarmSettings settings)
    {
        if (settings.TopicUrn is { } topicUrn)
        {
            if (!_topicCache.TryGetValue(topicUrn, out var recipients))
            {
                recipients = TopicRecipients.ReadConfirmed(connection, transaction, topicUrn);
                _topicCache[topicUrn] = recipients;
            }

            return recipients.Select(recipient => (recipient.Channel, recipient.Endpoint));
        }

        return (settings.Subscriptions ?? []).SelectMany(subscription => subscription.Endpoints.Select(endpoint =>
            (subscription.Protocol == "email" ? Channels.Email : Channels.Sms, endpoint)));
    }

    private void Record(AlarmEpisode episode, string change, string? detail) =>
        _changes.Add(new AlarmChange(episode.ProjectId, episode.JobId, episode.Kind, episode.DedupKey, change, detail));

    /// <summary>Reads the live jobs that have settings, and every job with an open episode.</summary>
    private List<JobState> ReadJobs()
    {
        var command = connection.Prepared(
            $"""
            SELECT j.project_id, j.id, j.name, j.engine_type, j.status, MAX(j.update_time, COALESCE(c.changed_at, 0)),
                   j.delay_ms, j.rpo_ms, j.rto_ms, j.last_report_at, c.settings, c.language
            FROM jobs j
            LEFT JOIN job_notification_settings s ON s.project_id = j.project_id AND s.job_id = j.id
            LEFT JOIN notification_changes c ON c.id = s.change_id
            WHERE (s.change_id IS NOT NULL AND j.status NOT IN ({EndedStatusList}))
               OR EXISTS (SELECT 1 FROM alarm_episodes e
                          WHERE e.project_id = j.project_id AND e.job_id = j.id
                            AND (e.state = 'firing' OR e.resolved_notice_due_at IS NOT NULL))
            """,
            transaction);
        var jobs = new List<JobState>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var settingsJson = reader.GetNullableString(10);
            jobs.Add(new JobState(
                reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.GetInt64(5), reader.GetNullableInt64(6), reader.GetNullableInt64(7), reader.GetNullableInt64(8),
                reader.GetNullableInt64(9), settingsJson is null ? null : ParseSettings(settingsJson),
                reader.GetNullableString(11) ?? Language.EnUs.ToCode()));
        }

        return jobs;
    }

    // Many jobs share one settings change, so each stored form is parsed once per run.
    private AlarmSettings ParseSettings(string json)
    {
        if (!_settingsCache.TryGetValue(json, out var settings))
        {
            settings = AlarmSettings.FromStoredJson(json);
            _settingsCache[json] = settings;
        }

        return settings;
    }
}

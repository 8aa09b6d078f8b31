using System.Text.Json;
using System.Text.Json.Serialization;
using DrsNotify.Server.Api;
using DrsNotify.Server.Identity;
using DrsNotify.Server.Jobs;
using DrsNotify.Server.Localization;
using DrsNotify.Server.Storage;
using Microsoft.Data.Sqlite;

namespace DrsNotify.Server.Notifications;

/// <summary>
/// One job's part of a settings request. <see cref="ExpectedStatus"/> and
/// <see cref="ExpectedEngineType"/> are preconditions when the request states them.
/// </summary>
public sealed record SettingsChange(string JobId, string? ExpectedStatus, string? ExpectedEngineType, AlarmSettings Settings);

/// <summary>The outcome for one job; a failure carries its code and localizable message.</summary>
public sealed record SettingsOutcome(string JobId, string? ErrorCode, Message? Error, object?[] Arguments)
{
    public bool Succeeded => ErrorCode is null;

    public static SettingsOutcome Success(string jobId) => new(jobId, null, null, []);

    public static SettingsOutcome Failure(string jobId, string code, Message message, params object?[] arguments) =>
        new(jobId, code, message, arguments);
}

/// <summary>Who changed settings, through which request and operation; recorded in the audit log.</summary>
public sealed record ChangeOrigin(Caller Caller, string RequestId, string Operation, Language Language);

/// <summary>
/// The one code path that stores alarm notification settings, for every API that sets them.
/// All jobs of one request are written in one transaction, committed before the caller returns.
/// Unchanged settings are not written again, so repeating a request changes nothing.
/// </summary>
public sealed class SettingsStore(Database database, TimeProvider time)
{
    public Task<IReadOnlyList<SettingsOutcome>> ApplyAsync(IReadOnlyList<SettingsChange> changes, ChangeOrigin origin)
    {
        return database.WriteAsync<IReadOnlyList<SettingsOutcome>>((connection, transaction) =>
        {
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            var projectId = origin.Caller.ProjectId;
            var newLanguage = origin.Language.ToCode();
            var stored = ReadJobs(connection, transaction, projectId, changes);

            // Decide every job first, then write the changed ones with three statements per
            // distinct settings, so that a request of 100 jobs costs a few statements, not 300.
            // batch-set-smn applies one settings object to every job.
            var outcomes = new SettingsOutcome[changes.Count];
            var serialized = new Dictionary<AlarmSettings, string>(ReferenceEqualityComparer.Instance);
            var updates = new List<(SettingsChange Change, string NewSettings)>();
            for (var i = 0; i < changes.Count; i++)
            {
                var change = changes[i];
                stored.TryGetValue(change.JobId, out var job);
                outcomes[i] = Check(change, job);
                if (!outcomes[i].Succeeded)
                {
                    continue;
                }

                if (!serialized.TryGetValue(change.Settings, out var json))
                {
                    json = change.Settings.ToStoredJson();
                    serialized[change.Settings] = json;
                }

                if (json != job!.Settings || newLanguage != job.Language)
                {
                    updates.Add((change, json));
                }
            }

            if (updates.Count > 0)
            {
                // NOTE: the alarm engine re-evaluates open episodes against new thresholds; hook it here.
                foreach (var group in updates.GroupBy(update => update.NewSettings))
                {
                    Record(connection, transaction, group.Key, group.Select(update => update.Change.JobId), origin, newLanguage, now);
                }
            }

            return outcomes;
        });
    }

    /// <summary>The stored state of one job that settings depend on.</summary>
    private sealed record StoredJob(string Status, string EngineType, string? Settings, string? Language);

    private static Dictionary<string, StoredJob> ReadJobs(
        SqliteConnection connection, SqliteTransaction transaction, string projectId, IReadOnlyList<SettingsChange> changes)
    {
        var select = connection.Prepared(
            """
            SELECT j.id, j.status, j.engine_type, c.settings, c.language
            FROM jobs j LEFT JOIN notification_changes c ON c.id = j.alarm_change_id
            WHERE j.project_id = $p AND j.id IN (SELECT value FROM json_each($ids))
            """,
            transaction, ("$p", projectId), ("$ids", JsonArray(changes.Select(change => change.JobId))));
        var jobs = new Dictionary<string, StoredJob>(changes.Count, StringComparer.Ordinal);
        using var reader = select.ExecuteReader();
        while (reader.Read())
        {
            jobs[reader.GetString(0)] = new StoredJob(
                reader.GetString(1), reader.GetString(2), reader.GetNullableString(3), reader.GetNullableString(4));
        }

        return jobs;
    }

    private static SettingsOutcome Check(SettingsChange change, StoredJob? job)
    {
        if (job is null)
        {
            return SettingsOutcome.Failure(change.JobId, ErrorCodes.JobNotFound, Messages.JobNotFound, change.JobId);
        }

        if (job.Status == JobCatalog.Deleted)
        {
            return SettingsOutcome.Failure(change.JobId, ErrorCodes.JobDeleted, Messages.JobDeleted, change.JobId);
        }

        if (JobCatalog.Stopped.Contains(job.Status))
        {
            return SettingsOutcome.Failure(change.JobId, ErrorCodes.JobStopped, Messages.JobStopped, change.JobId, job.Status);
        }

        if (change.ExpectedStatus is not null && change.ExpectedStatus != job.Status)
        {
            return SettingsOutcome.Failure(
                change.JobId, ErrorCodes.JobStopped, Messages.JobStatusMismatch, change.JobId, job.Status, change.ExpectedStatus);
        }

        if (change.ExpectedEngineType is not null && change.ExpectedEngineType != job.EngineType)
        {
            return SettingsOutcome.Failure(
                change.JobId, ErrorCodes.InvalidParameter, Messages.JobEngineMismatch, change.JobId, job.EngineType, change.ExpectedEngineType);
        }

        return SettingsOutcome.Success(change.JobId);
    }

    /// <summary>
    /// Stores one change: its settings and origin once, an audit row per job that points at the
    /// job's previous change, and the new change as each job's current one.
    /// </summary>
    private static void Record(
        SqliteConnection connection, SqliteTransaction transaction, string settings, IEnumerable<string> jobIds,
        ChangeOrigin origin, string language, long now)
    {
        var changeId = (long)connection.Prepared(
            """
            INSERT INTO notification_changes
                (project_id, changed_at, request_id, operation, user_id, user_name, access_key, settings, language)
            VALUES ($p, $now, $rid, $op, $uid, $uname, $ak, $s, $l)
            RETURNING id
            """,
            transaction,
            ("$p", origin.Caller.ProjectId), ("$now", now), ("$rid", origin.RequestId), ("$op", origin.Operation),
            ("$uid", origin.Caller.UserId), ("$uname", origin.Caller.UserName), ("$ak", origin.Caller.AccessKey),
            ("$s", settings), ("$l", language)).ExecuteScalar()!;

        var ids = JsonArray(jobIds);
        connection.Prepared(
            """
            INSERT INTO notification_audit (project_id, job_id, change_id, previous_change_id)
            SELECT project_id, id, $change, alarm_change_id FROM jobs
            WHERE project_id = $p AND id IN (SELECT value FROM json_each($ids))
            """,
            transaction, ("$change", changeId), ("$p", origin.Caller.ProjectId), ("$ids", ids)).ExecuteNonQuery();
        connection.Prepared(
            """
            UPDATE jobs SET alarm_change_id = $change, update_time = $now
            WHERE project_id = $p AND id IN (SELECT value FROM json_each($ids))
            """,
            transaction, ("$change", changeId), ("$now", now), ("$p", origin.Caller.ProjectId), ("$ids", ids)).ExecuteNonQuery();
    }

    private static string JsonArray(IEnumerable<string> values) => JsonSerializer.Serialize(values, SettingsStoreJsonContext.Default.IEnumerableString);

    /// <summary>Returns whether the job exists in the project, and its settings if any were set.</summary>
    public (bool Exists, AlarmSettings? Settings) Find(string projectId, string jobId) => database.Read(connection =>
    {
        using var command = connection.Command(
            """
            SELECT c.settings FROM jobs j LEFT JOIN notification_changes c ON c.id = j.alarm_change_id
            WHERE j.project_id = $p AND j.id = $id
            """,
            null, ("$p", projectId), ("$id", jobId));
        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            return (false, (AlarmSettings?)null);
        }

        var json = reader.GetNullableString(0);
        return (true, json is null ? null : AlarmSettings.FromStoredJson(json));
    });

    /// <summary>Returns one page of the job's settings history, newest first, and the total count.</summary>
    public (long Total, IReadOnlyList<HistoryEntry> Entries) History(string projectId, string jobId, int offset, int limit) => database.Read(connection =>
    {
        var total = (long)connection.Scalar(
            "SELECT COUNT(*) FROM notification_audit WHERE project_id = $p AND job_id = $id", null, ("$p", projectId), ("$id", jobId))!;
        using var command = connection.Command(
            """
            SELECT c.changed_at, c.request_id, c.operation, c.user_id, c.user_name, c.access_key,
                   p.settings, p.language, c.settings, c.language
            FROM notification_audit a
            JOIN notification_changes c ON c.id = a.change_id
            LEFT JOIN notification_changes p ON p.id = a.previous_change_id
            WHERE a.project_id = $p AND a.job_id = $id
            ORDER BY a.change_id DESC LIMIT $limit OFFSET $offset
            """,
            null, ("$p", projectId), ("$id", jobId), ("$limit", limit), ("$offset", offset));
        using var reader = command.ExecuteReader();
        var entries = new List<HistoryEntry>();
        while (reader.Read())
        {
            var oldSettings = reader.GetNullableString(6);
            entries.Add(new HistoryEntry(
                WireTime.Format(reader.GetInt64(0)),
                reader.GetString(1),
                reader.GetString(2),
                new HistoryActor(reader.GetString(3), reader.GetString(4), reader.GetNullableString(5)),
                oldSettings is null ? null : new HistorySettings(AlarmSettings.FromStoredJson(oldSettings).ToView(), reader.GetNullableString(7)!),
                new HistorySettings(AlarmSettings.FromStoredJson(reader.GetString(8)).ToView(), reader.GetString(9))));
        }

        return (total, (IReadOnlyList<HistoryEntry>)entries);
    });
}

/// <summary>One change in a job's settings history.</summary>
public sealed record HistoryEntry(
    string ChangedAt, string RequestId, string Operation, HistoryActor ChangedBy, HistorySettings? Previous, HistorySettings Current);

/// <summary>The user who made a change, and the access key when the request was signed with one.</summary>
public sealed record HistoryActor(string UserId, string UserName, string? AccessKey);

/// <summary>Settings as they were, with the language their messages are written in.</summary>
public sealed record HistorySettings(AlarmNotifyView AlarmNotify, string Language);

[JsonSerializable(typeof(IEnumerable<string>))]
internal sealed partial class SettingsStoreJsonContext : JsonSerializerContext;

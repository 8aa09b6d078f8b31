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
            var outcomes = new SettingsOutcome[changes.Count];

            // batch-set-smn applies one settings object to every job: serialize it once.
            var serialized = new Dictionary<AlarmSettings, string>(ReferenceEqualityComparer.Instance);
            for (var i = 0; i < changes.Count; i++)
            {
                var settings = changes[i].Settings;
                if (!serialized.TryGetValue(settings, out var json))
                {
                    json = settings.ToStoredJson();
                    serialized[settings] = json;
                }

                outcomes[i] = Apply(connection, transaction, changes[i], json, origin, now);
            }

            return outcomes;
        });
    }

    private static SettingsOutcome Apply(
        SqliteConnection connection, SqliteTransaction transaction, SettingsChange change, string newSettings, ChangeOrigin origin, long now)
    {
        string status, engineType;
        string? storedSettings, storedLanguage;
        var select = connection.Prepared(
            "SELECT status, engine_type, alarm_settings, alarm_language FROM jobs WHERE project_id = $p AND id = $id",
            transaction, ("$p", origin.Caller.ProjectId), ("$id", change.JobId));
        using (var reader = select.ExecuteReader())
        {
            if (!reader.Read())
            {
                return SettingsOutcome.Failure(change.JobId, ErrorCodes.JobNotFound, Messages.JobNotFound, change.JobId);
            }

            status = reader.GetString(0);
            engineType = reader.GetString(1);
            storedSettings = reader.GetNullableString(2);
            storedLanguage = reader.GetNullableString(3);
        }

        if (status == JobCatalog.Deleted)
        {
            return SettingsOutcome.Failure(change.JobId, ErrorCodes.JobDeleted, Messages.JobDeleted, change.JobId);
        }

        if (JobCatalog.Stopped.Contains(status))
        {
            return SettingsOutcome.Failure(change.JobId, ErrorCodes.JobStopped, Messages.JobStopped, change.JobId, status);
        }

        if (change.ExpectedStatus is not null && change.ExpectedStatus != status)
        {
            return SettingsOutcome.Failure(
                change.JobId, ErrorCodes.JobStopped, Messages.JobStatusMismatch, change.JobId, status, change.ExpectedStatus);
        }

        if (change.ExpectedEngineType is not null && change.ExpectedEngineType != engineType)
        {
            return SettingsOutcome.Failure(
                change.JobId, ErrorCodes.InvalidParameter, Messages.JobEngineMismatch, change.JobId, engineType, change.ExpectedEngineType);
        }

        var newLanguage = origin.Language.ToCode();
        if (newSettings == storedSettings && newLanguage == storedLanguage)
        {
            return SettingsOutcome.Success(change.JobId);
        }

        // NOTE: the alarm engine re-evaluates open episodes against new thresholds; hook it here.
        connection.Prepared(
            "UPDATE jobs SET alarm_settings = $s, alarm_language = $l, update_time = $now WHERE project_id = $p AND id = $id",
            transaction,
            ("$s", newSettings), ("$l", newLanguage), ("$now", now), ("$p", origin.Caller.ProjectId), ("$id", change.JobId)).ExecuteNonQuery();
        connection.Prepared(
            """
            INSERT INTO notification_audit
                (project_id, job_id, changed_at, request_id, operation, user_id, user_name, access_key,
                 old_settings, old_language, new_settings, new_language)
            VALUES ($p, $id, $now, $rid, $op, $uid, $uname, $ak, $old, $oldLang, $new, $newLang)
            """,
            transaction,
            ("$p", origin.Caller.ProjectId), ("$id", change.JobId), ("$now", now), ("$rid", origin.RequestId),
            ("$op", origin.Operation), ("$uid", origin.Caller.UserId), ("$uname", origin.Caller.UserName),
            ("$ak", origin.Caller.AccessKey), ("$old", storedSettings), ("$oldLang", storedLanguage),
            ("$new", newSettings), ("$newLang", newLanguage)).ExecuteNonQuery();
        return SettingsOutcome.Success(change.JobId);
    }

    /// <summary>Returns whether the job exists in the project, and its settings if any were set.</summary>
    public (bool Exists, AlarmSettings? Settings) Find(string projectId, string jobId) => database.Read(connection =>
    {
        using var command = connection.Command(
            "SELECT alarm_settings FROM jobs WHERE project_id = $p AND id = $id", null, ("$p", projectId), ("$id", jobId));
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
            SELECT changed_at, request_id, operation, user_id, user_name, access_key, old_settings, old_language, new_settings, new_language
            FROM notification_audit WHERE project_id = $p AND job_id = $id
            ORDER BY seq DESC LIMIT $limit OFFSET $offset
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

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

/// <summary>
/// Who changed settings, through which request and operation; recorded in the audit log.
/// <see cref="TopicPath"/> names the request's topic URN parameter in the error for a topic
/// that does not exist.
/// </summary>
public sealed record ChangeOrigin(Caller Caller, string RequestId, string Operation, Language Language, string TopicPath = "topic_urn");

/// <summary>
/// The one code path that stores alarm notification settings, for every API that sets them.
/// All jobs of one request are written in one transaction, committed before the caller returns.
/// Unchanged settings are not written again, so repeating a request changes nothing.
/// </summary>
/// <remarks>
/// Requests that arrive together are written together: the writer hands them to
/// <see cref="Write"/> as one batch, inside one savepoint, which reads each job once, decides
/// each request in arrival order against the state the requests before it left, and stores
/// each change once however many jobs it covers. Rows are written with prepared statements.
/// The jobs, topics and next change id that the writer reads are kept for the next batch while
/// <see cref="Database.WriteEpoch"/> stays the same, that is while nothing else writes.
/// </remarks>
public sealed class SettingsStore(Database database, TimeProvider time)
    : IWriteBatcher<SettingsStore.Request, IReadOnlyList<SettingsOutcome>>
{
    /// <summary>Maximum number of jobs kept between batches. Beyond it the cache starts again empty.</summary>
    private const int MaxCachedJobs = 100_000;

    // Writer thread only. Each entry is the committed state, or the state that the current
    // group is about to commit. A failed commit moves the epoch on, which empties the cache.
    private readonly Dictionary<(string ProjectId, string JobId), StoredJob> _cachedJobs = [];
    private readonly HashSet<string> _cachedTopics = new(StringComparer.Ordinal);
    private long _cachedNextChangeId;
    private long _cacheEpoch = -1;

    public Task<IReadOnlyList<SettingsOutcome>> ApplyAsync(IReadOnlyList<SettingsChange> changes, ChangeOrigin origin) =>
        database.WriteBatchedAsync(this, new Request(changes, origin, SerializeSettings(changes)));

    /// <summary>
    /// Returns each change's settings in stored form, serialized on the caller's thread so that
    /// the single writer thread does less. Changes that share settings share the string.
    /// </summary>
    private static string[] SerializeSettings(IReadOnlyList<SettingsChange> changes)
    {
        var stored = new string[changes.Count];
        for (var i = 0; i < changes.Count; i++)
        {
            stored[i] = i > 0 && ReferenceEquals(changes[i].Settings, changes[i - 1].Settings)
                ? stored[i - 1]
                : changes[i].Settings.ToStoredJson();
        }

        return stored;
    }

    /// <summary>One API request's changes, and each change's settings in stored form.</summary>
    public sealed record Request(IReadOnlyList<SettingsChange> Changes, ChangeOrigin Origin, IReadOnlyList<string> StoredSettings);

    /// <summary>The stored state of one job that settings depend on.</summary>
    private sealed record StoredJob(
        string Status, string EngineType, long? ChangeId, string? Settings, string? Language, long HistoryLength);

    public IReadOnlyList<IReadOnlyList<SettingsOutcome>> Write(
        SqliteConnection connection, SqliteTransaction transaction, IReadOnlyList<Request> requests)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        if (_cacheEpoch != database.WriteEpoch || _cachedJobs.Count > MaxCachedJobs)
        {
            _cachedJobs.Clear();
            _cachedTopics.Clear();
            _cachedNextChangeId = 0;
            _cacheEpoch = database.WriteEpoch;
        }

        CheckTopicsExist(connection, transaction, requests);
        var jobs = ReadJobs(connection, transaction, requests);
        var nextChangeId = _cachedNextChangeId > 0
            ? _cachedNextChangeId
            : (long)connection.Prepared("SELECT COALESCE(MAX(id), 0) + 1 FROM notification_changes", transaction).ExecuteScalar()!;

        var changeRows = new List<ChangeRow>();
        var auditRows = new List<AuditRow>();
        var touched = new HashSet<(string ProjectId, string JobId)>();
        var results = new IReadOnlyList<SettingsOutcome>[requests.Count];
        for (var r = 0; r < requests.Count; r++)
        {
            var (changes, origin, storedSettings) = requests[r];
            var projectId = origin.Caller.ProjectId;
            var language = origin.Language.ToCode();
            var outcomes = new SettingsOutcome[changes.Count];

            // One change row per distinct settings in a request; batch-set-smn has one.
            var changeIds = new Dictionary<AlarmSettings, (long Id, string Json)>(ReferenceEqualityComparer.Instance);
            for (var i = 0; i < changes.Count; i++)
            {
                var change = changes[i];
                var key = (projectId, change.JobId);
                jobs.TryGetValue(key, out var job);
                outcomes[i] = Check(change, job);
                if (!outcomes[i].Succeeded)
                {
                    continue;
                }

                if (!changeIds.TryGetValue(change.Settings, out var stored))
                {
                    stored = (0, storedSettings[i]);
                }

                if (stored.Json == job!.Settings && language == job.Language)
                {
                    continue;
                }

                if (stored.Id == 0)
                {
                    stored = (nextChangeId++, stored.Json);
                    changeIds[change.Settings] = stored;
                    changeRows.Add(new ChangeRow(stored.Id, origin, stored.Json, language));
                }

                // The alarm evaluator applies the new settings to open episodes on its next run.
                auditRows.Add(new AuditRow(projectId, change.JobId, stored.Id, job.ChangeId, job.HistoryLength + 1));
                jobs[key] = job with
                {
                    ChangeId = stored.Id, Settings = stored.Json, Language = language, HistoryLength = job.HistoryLength + 1,
                };
                touched.Add(key);
            }

            results[r] = outcomes;
        }

        if (touched.Count > 0)
        {
            WriteChanges(connection, changeRows, auditRows, touched, jobs, now);
        }

        foreach (var (key, job) in jobs)
        {
            _cachedJobs[key] = job;
        }

        _cachedNextChangeId = nextChangeId;
        return results;
    }

    /// <summary>
    /// Throws <c>400 DRS.M00202</c> for the first request whose settings name a topic that does
    /// not exist. The writer then runs the other requests of the batch alone, so only that one fails.
    /// </summary>
    private void CheckTopicsExist(SqliteConnection connection, SqliteTransaction transaction, IReadOnlyList<Request> requests)
    {
        // A batch usually names one topic, or none: look each distinct one up once.
        foreach (var request in requests)
        {
            foreach (var change in request.Changes)
            {
                if (change.Settings.TopicUrn is not { } urn || _cachedTopics.Contains(urn))
                {
                    continue;
                }

                if (connection.Prepared("SELECT 1 FROM topics WHERE urn = $urn", transaction, ("$urn", urn)).ExecuteScalar() is null)
                {
                    throw DrsException.Invalid(
                        request.Origin.TopicPath, Messages.TopicNotFoundForSettings, urn, AlarmSettingsParser.SplitTopicUrn(urn).ProjectId);
                }

                _cachedTopics.Add(urn);
            }
        }
    }

    private Dictionary<(string, string), StoredJob> ReadJobs(
        SqliteConnection connection, SqliteTransaction transaction, IReadOnlyList<Request> requests)
    {
        // One prepared lookup per job not in the cache: cheaper for the writer than passing the
        // ids as JSON.
        var jobs = new Dictionary<(string, string), StoredJob>();
        foreach (var request in requests)
        {
            var projectId = request.Origin.Caller.ProjectId;
            foreach (var change in request.Changes)
            {
                if (jobs.ContainsKey((projectId, change.JobId)))
                {
                    continue;
                }

                if (_cachedJobs.TryGetValue((projectId, change.JobId), out var cached))
                {
                    jobs[(projectId, change.JobId)] = cached;
                    continue;
                }

                var select = connection.Prepared(
                    """
                    SELECT j.status, j.engine_type, s.change_id, c.settings, c.language, a.position
                    FROM jobs j
                    LEFT JOIN job_notification_settings s ON s.project_id = j.project_id AND s.job_id = j.id
                    LEFT JOIN notification_changes c ON c.id = s.change_id
                    LEFT JOIN notification_audit a ON a.change_id = s.change_id AND a.project_id = j.project_id AND a.job_id = j.id
                    WHERE j.project_id = $p AND j.id = $id
                    """,
                    transaction, ("$p", projectId), ("$id", change.JobId));
                using var reader = select.ExecuteReader();
                if (reader.Read())
                {
                    jobs[(projectId, change.JobId)] = new StoredJob(
                        reader.GetString(0), reader.GetString(1), reader.GetNullableInt64(2),
                        reader.GetNullableString(3), reader.GetNullableString(4), reader.GetNullableInt64(5) ?? 0);
                }
            }
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

    /// <summary>A settings change to store once, with its origin.</summary>
    private sealed record ChangeRow(long Id, ChangeOrigin Origin, string Settings, string Language);

    /// <summary>One job's audit row: the change, the job's previous change and its place in the history.</summary>
    private sealed record AuditRow(string ProjectId, string JobId, long ChangeId, long? PreviousChangeId, long Position);

    /// <summary>
    /// Stores the batch: each change once, an audit row per job and change that points at the
    /// job's previous change, and each touched job's latest change as its current one. Each row
    /// is one execution of a compiled statement: measured on a group of 25 requests, that costs
    /// less writer CPU than passing the rows as JSON for SQLite to take apart.
    /// </summary>
    private static void WriteChanges(
        SqliteConnection connection, List<ChangeRow> changeRows, List<AuditRow> auditRows,
        HashSet<(string ProjectId, string JobId)> touched, Dictionary<(string, string), StoredJob> jobs, long now)
    {
        var insertChange = connection.Compiled(
            """
            INSERT INTO notification_changes
                (id, project_id, changed_at, request_id, operation, user_id, user_name, access_key, settings, language)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
            """);
        foreach (var row in changeRows)
        {
            var caller = row.Origin.Caller;
            insertChange
                .Bind(1, row.Id).Bind(2, caller.ProjectId).Bind(3, now).Bind(4, row.Origin.RequestId).Bind(5, row.Origin.Operation)
                .Bind(6, caller.UserId).Bind(7, caller.UserName).Bind(8, caller.AccessKey).Bind(9, row.Settings).Bind(10, row.Language)
                .Execute();
        }

        var insertAudit = connection.Compiled(
            """
            INSERT INTO notification_audit (change_id, project_id, job_id, previous_change_id, position)
            VALUES (?1, ?2, ?3, ?4, ?5)
            """);
        foreach (var row in auditRows)
        {
            insertAudit.Bind(1, row.ChangeId).Bind(2, row.ProjectId).Bind(3, row.JobId).Bind(4, row.PreviousChangeId).Bind(5, row.Position)
                .Execute();
        }

        var setCurrent = connection.Compiled(
            """
            INSERT INTO job_notification_settings (project_id, job_id, change_id) VALUES (?1, ?2, ?3)
            ON CONFLICT (project_id, job_id) DO UPDATE SET change_id = excluded.change_id
            """);
        foreach (var key in touched)
        {
            setCurrent.Bind(1, key.ProjectId).Bind(2, key.JobId).Bind(3, jobs[key].ChangeId!.Value).Execute();
        }
    }

    /// <summary>Returns whether the job exists in the project, and its settings if any were set.</summary>
    public (bool Exists, AlarmSettings? Settings) Find(string projectId, string jobId) => database.Read(connection =>
    {
        using var command = connection.Command(
            """
            SELECT c.settings FROM jobs j
            LEFT JOIN job_notification_settings s ON s.project_id = j.project_id AND s.job_id = j.id
            LEFT JOIN notification_changes c ON c.id = s.change_id
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
    /// <remarks>
    /// The history is walked as a chain from the job's current change back through each row's
    /// previous change, so reading a page costs one lookup per row up to offset + limit.
    /// </remarks>
    public (long Total, IReadOnlyList<HistoryEntry> Entries) History(string projectId, string jobId, int offset, int limit) => database.Read(connection =>
    {
        using var command = connection.Command(
            """
            WITH RECURSIVE chain(change_id, previous_change_id, position) AS (
                SELECT a.change_id, a.previous_change_id, a.position
                FROM job_notification_settings s JOIN notification_audit a
                  ON a.change_id = s.change_id AND a.project_id = s.project_id AND a.job_id = s.job_id
                WHERE s.project_id = $p AND s.job_id = $id
                UNION ALL
                SELECT a.change_id, a.previous_change_id, a.position
                FROM chain JOIN notification_audit a
                  ON a.change_id = chain.previous_change_id AND a.project_id = $p AND a.job_id = $id
                LIMIT $offset + $limit
            )
            SELECT chain.position, c.changed_at, c.request_id, c.operation, c.user_id, c.user_name, c.access_key,
                   p.settings, p.language, c.settings, c.language
            FROM chain
            JOIN notification_changes c ON c.id = chain.change_id
            LEFT JOIN notification_changes p ON p.id = chain.previous_change_id
            ORDER BY chain.position DESC
            LIMIT $limit OFFSET $offset
            """,
            null, ("$p", projectId), ("$id", jobId), ("$limit", limit), ("$offset", offset));
        using var reader = command.ExecuteReader();
        var entries = new List<HistoryEntry>();
        while (reader.Read())
        {
            var oldSettings = reader.GetNullableString(7);
            entries.Add(new HistoryEntry(
                WireTime.Format(reader.GetInt64(1)),
                reader.GetString(2),
                reader.GetString(3),
                new HistoryActor(reader.GetString(4), reader.GetString(5), reader.GetNullableString(6)),
                oldSettings is null ? null : new HistorySettings(AlarmSettings.FromStoredJson(oldSettings).ToView(), reader.GetNullableString(8)!),
                new HistorySettings(AlarmSettings.FromStoredJson(reader.GetString(9)).ToView(), reader.GetString(10))));
        }

        return (HistoryLength(connection, projectId, jobId), (IReadOnlyList<HistoryEntry>)entries);
    });

    /// <summary>Returns the number of changes in the job's history: the position of its newest one.</summary>
    private static long HistoryLength(SqliteConnection connection, string projectId, string jobId) =>
        (long?)connection.Scalar(
            """
            SELECT a.position FROM job_notification_settings s JOIN notification_audit a
              ON a.change_id = s.change_id AND a.project_id = s.project_id AND a.job_id = s.job_id
            WHERE s.project_id = $p AND s.job_id = $id
            """,
            null, ("$p", projectId), ("$id", jobId)) ?? 0;
}

/// <summary>One change in a job's settings history.</summary>
public sealed record HistoryEntry(
    string ChangedAt, string RequestId, string Operation, HistoryActor ChangedBy, HistorySettings? Previous, HistorySettings Current);

/// <summary>The user who made a change, and the access key when the request was signed with one.</summary>
public sealed record HistoryActor(string UserId, string UserName, string? AccessKey);

/// <summary>Settings as they were, with the language their messages are written in.</summary>
public sealed record HistorySettings(AlarmNotifyView AlarmNotify, string Language);

using DrsNotify.Server.Storage;
using Microsoft.Data.Sqlite;

namespace DrsNotify.Server.Jobs;

/// <summary>One row of the <c>jobs</c> table. Times are Unix milliseconds.</summary>
public sealed record JobRow(
    string ProjectId,
    string Id,
    string Name,
    string Description,
    string EngineType,
    string DbUseType,
    string TaskType,
    string JobDirection,
    string Status,
    string? ReturnStatus,
    long? StartTime,
    string? SourceEndpoint,
    string? TargetEndpoint,
    long CreateTime,
    long UpdateTime,
    string? AlarmSettings,
    long? DelayMs,
    long? DelayObservedAt,
    long? RpoMs,
    long? RpoObservedAt,
    long? RtoMs,
    long? RtoObservedAt,
    long? LastReportAt);

/// <summary>Reads and writes of the <c>jobs</c> table shared by the job endpoints and services.</summary>
public static class JobStore
{
    public const string Columns = """
        project_id, id, name, description, engine_type, db_use_type, task_type, job_direction, status,
        return_status, start_time, source_endpoint, target_endpoint, create_time,
        MAX(update_time, COALESCE((
            SELECT c.changed_at FROM job_notification_settings s JOIN notification_changes c ON c.id = s.change_id
            WHERE s.project_id = jobs.project_id AND s.job_id = jobs.id), 0)) AS update_time,
        (SELECT c.settings FROM job_notification_settings s JOIN notification_changes c ON c.id = s.change_id
         WHERE s.project_id = jobs.project_id AND s.job_id = jobs.id) AS alarm_settings,
        delay_ms, delay_observed_at, rpo_ms, rpo_observed_at, rto_ms, rto_observed_at, last_report_at
        """;

    /// <summary>Returns the job <paramref name="id"/> of <paramref name="projectId"/>, deleted or not, or null.</summary>
    public static JobRow? Find(SqliteConnection connection, SqliteTransaction? transaction, string projectId, string id)
    {
        using var command = connection.Command(
            $"SELECT {Columns} FROM jobs WHERE project_id = $p AND id = $id", transaction, ("$p", projectId), ("$id", id));
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadRow(reader) : null;
    }

    /// <summary>Returns the rows of <paramref name="command"/>, which selects <see cref="Columns"/>.</summary>
    public static List<JobRow> ReadAll(SqliteCommand command)
    {
        var rows = new List<JobRow>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            rows.Add(ReadRow(reader));
        }

        return rows;
    }

    /// <summary>
    /// Moves <paramref name="job"/> to <paramref name="to"/>, which the caller has checked with
    /// <see cref="JobLifecycle.IsAllowed"/>, updating <c>status</c>, <c>return_status</c> and
    /// <c>update_time</c>. Every status change of a job goes through here.
    /// </summary>
    public static JobRow ChangeStatus(SqliteConnection connection, SqliteTransaction transaction, JobRow job, string to, long now)
    {
        if (!JobLifecycle.IsAllowed(job.Status, to, job.ReturnStatus))
        {
            throw new InvalidOperationException($"Job {job.Id} cannot move from {job.Status} to {to}. Check JobLifecycle.IsAllowed before calling ChangeStatus.");
        }

        var returnStatus = JobLifecycle.ReturnStatusAfter(job.Status, to, job.ReturnStatus);
        connection.Exec(
            "UPDATE jobs SET status = $s, return_status = $r, update_time = $t WHERE project_id = $p AND id = $id",
            transaction,
            ("$s", to), ("$r", returnStatus), ("$t", now), ("$p", job.ProjectId), ("$id", job.Id));

        // NOTE: the alarm evaluator reads the status on its next run (Alarms:EvaluationInterval,
        // default 5 s), so a failure that is retried before that run sends no job_exception.
        return job with { Status = to, ReturnStatus = returnStatus, UpdateTime = now };
    }

    private static JobRow ReadRow(SqliteDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.GetString(2),
        reader.GetString(3),
        reader.GetString(4),
        reader.GetString(5),
        reader.GetString(6),
        reader.GetString(7),
        reader.GetString(8),
        reader.GetNullableString(9),
        reader.GetNullableInt64(10),
        reader.GetNullableString(11),
        reader.GetNullableString(12),
        reader.GetInt64(13),
        reader.GetInt64(14),
        reader.GetNullableString(15),
        reader.GetNullableInt64(16),
        reader.GetNullableInt64(17),
        reader.GetNullableInt64(18),
        reader.GetNullableInt64(19),
        reader.GetNullableInt64(20),
        reader.GetNullableInt64(21),
        reader.GetNullableInt64(22));
}

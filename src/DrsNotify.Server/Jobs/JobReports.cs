using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using DrsNotify.Server.Api;
using DrsNotify.Server.Identity;
using DrsNotify.Server.Localization;
using DrsNotify.Server.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace DrsNotify.Server.Jobs;

/// <summary>
/// <c>POST /v3/{project_id}/jobs/batch-report</c>: replication agents report status and lag.
/// Every accepted report is kept in <c>job_reports</c>, but a metric's current value on the job
/// moves only when the report is at least as new as the stored value of that metric.
/// </summary>
public static partial class JobReports
{
    /// <summary>How far <c>observed_at</c> may lie after the server time, to allow for clock skew.</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>Largest delay, RPO or RTO accepted, in seconds (about 31 years).</summary>
    public const double MaxSeconds = 1e9;

    private sealed record Report(string JobId, string? Status, long? DelayMs, long? RpoMs, long? RtoMs, long ObservedAt);

    public static async Task<IResult> ReportAsync(HttpContext context, Database database, TimeProvider time, IOptions<ApiOptions> options)
    {
        var received = time.GetUtcNow();
        List<Report> reports;
        using (var document = await JsonBody.ReadObjectAsync(context, options.Value.MaxBodyBytes))
        {
            reports = ReadReports(document.RootElement, options.Value.MaxJobsPerRequest, received);
        }

        var projectId = context.Caller().ProjectId;
        var language = context.Language();
        var results = await database.WriteAsync((connection, transaction) =>
        {
            var now = received.ToUnixTimeMilliseconds();
            var results = new List<OperationResult>(reports.Count);
            foreach (var report in reports)
            {
                var failure = Apply(connection, transaction, projectId, report, now);
                results.Add(failure is null
                    ? new OperationResult(report.JobId, "success", null, null)
                    : new OperationResult(report.JobId, "failed", failure.Code, failure.Localize(language)));
            }

            return results;
        });

        context.RequestServices.GetService<Alarms.AlarmMetrics>()?.ReportsReceived(results.Count(result => result.Status == "success"));
        context.RequestServices.GetService<Alarms.AlarmEvaluator>()?.Nudge();
        return TypedResults.Ok(new OperationResponse(results.Count, results));
    }

    /// <summary>Applies one report. A failed report changes nothing and is not recorded.</summary>
    private static JobFailure? Apply(SqliteConnection connection, SqliteTransaction transaction, string projectId, Report report, long now)
    {
        // Read the row again for each report, because an earlier report in the same request may have changed it.
        var job = JobStore.Find(connection, transaction, projectId, report.JobId);
        if (JobFailure.CheckLive(job, report.JobId) is { } failure)
        {
            return failure;
        }

        if (report.Status is not null && report.Status != job!.Status)
        {
            if (!JobLifecycle.IsAllowed(job.Status, report.Status, job.ReturnStatus))
            {
                return JobFailure.IllegalTransition(job, report.Status);
            }

            JobStore.ChangeStatus(connection, transaction, job, report.Status, now);
        }

        connection.Exec(
            """
            UPDATE jobs SET
                delay_ms = CASE WHEN $delay IS NOT NULL AND (delay_observed_at IS NULL OR delay_observed_at <= $at) THEN $delay ELSE delay_ms END,
                delay_observed_at = CASE WHEN $delay IS NOT NULL AND (delay_observed_at IS NULL OR delay_observed_at <= $at) THEN $at ELSE delay_observed_at END,
                rpo_ms = CASE WHEN $rpo IS NOT NULL AND (rpo_observed_at IS NULL OR rpo_observed_at <= $at) THEN $rpo ELSE rpo_ms END,
                rpo_observed_at = CASE WHEN $rpo IS NOT NULL AND (rpo_observed_at IS NULL OR rpo_observed_at <= $at) THEN $at ELSE rpo_observed_at END,
                rto_ms = CASE WHEN $rto IS NOT NULL AND (rto_observed_at IS NULL OR rto_observed_at <= $at) THEN $rto ELSE rto_ms END,
                rto_observed_at = CASE WHEN $rto IS NOT NULL AND (rto_observed_at IS NULL OR rto_observed_at <= $at) THEN $at ELSE rto_observed_at END,
                last_report_at = $now
            WHERE project_id = $p AND id = $id
            """,
            transaction,
            ("$delay", report.DelayMs), ("$rpo", report.RpoMs), ("$rto", report.RtoMs), ("$at", report.ObservedAt),
            ("$now", now), ("$p", projectId), ("$id", report.JobId));

        connection.Exec(
            """
            INSERT INTO job_reports (project_id, job_id, received_at, observed_at, status, delay_ms, rpo_ms, rto_ms)
            VALUES ($p, $id, $now, $at, $status, $delay, $rpo, $rto)
            """,
            transaction,
            ("$p", projectId), ("$id", report.JobId), ("$now", now), ("$at", report.ObservedAt),
            ("$status", report.Status), ("$delay", report.DelayMs), ("$rpo", report.RpoMs), ("$rto", report.RtoMs));
        return null;
    }

    private static List<Report> ReadReports(JsonElement root, int maxItems, DateTimeOffset received)
    {
        var array = JsonFields.RequireArray(root, "reports", "", maxItems);
        var reports = new List<Report>(array.GetArrayLength());
        var index = 0;
        foreach (var item in array.EnumerateArray())
        {
            var path = JsonFields.Path("reports", index++);
            JsonFields.ExpectObject(item, path);
            reports.Add(new Report(
                JsonFields.RequireString(item, "job_id", path, JobRequests.MaxJobIdLength),
                JsonFields.OptionalEnum(item, "status", path, JobCatalog.Statuses, JobCatalog.StatusListText),
                ReadMilliseconds(item, "delay", path),
                ReadMilliseconds(item, "rpo", path),
                ReadMilliseconds(item, "rto", path),
                ReadObservedAt(item, path, received)));
        }

        return reports;
    }

    private static long? ReadMilliseconds(JsonElement item, string name, string path) =>
        JsonFields.OptionalNumber(item, name, path, 0, MaxSeconds) is { } seconds
            ? (long)Math.Round(seconds * 1000, MidpointRounding.AwayFromZero)
            : null;

    /// <summary>Returns <c>observed_at</c> in Unix milliseconds, or the time the request was received when it is absent.</summary>
    private static long ReadObservedAt(JsonElement item, string path, DateTimeOffset received)
    {
        var fieldPath = JsonFields.Path(path, "observed_at");
        var text = JsonFields.OptionalString(item, "observed_at", path, 64);
        if (text is null)
        {
            return received.ToUnixTimeMilliseconds();
        }

        if (!TimestampPattern().IsMatch(text)
            || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var observed))
        {
            throw DrsException.Invalid(fieldPath, Messages.InvalidTimestamp, text);
        }

        if (observed > received + MaxClockSkew)
        {
            throw DrsException.Invalid(
                fieldPath, Messages.TimestampInFuture, text, MaxClockSkew.TotalMinutes,
                received.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        }

        return observed.ToUnixTimeMilliseconds();
    }

    // ISO 8601 date and time with seconds, optional fraction and a required offset (Z or ±hh:mm).
    [GeneratedRegex(@"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,7})?(Z|[+-][0-9]{2}:[0-9]{2})\z", RegexOptions.CultureInvariant)]
    private static partial Regex TimestampPattern();
}

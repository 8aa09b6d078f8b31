using System.Text;
using DrsNotify.Server.Api;
using DrsNotify.Server.Identity;
using DrsNotify.Server.Localization;
using DrsNotify.Server.Notifications;
using DrsNotify.Server.Storage;
using Microsoft.Extensions.Options;

namespace DrsNotify.Server.Jobs;

/// <summary>The read-only job endpoints: list, status, detail, progress, RPO and RTO.</summary>
public static class JobQueries
{
    public const int MaxPerPage = 100;

    /// <summary><c>POST /v3/{project_id}/jobs</c>: one page of the project's jobs, newest first.</summary>
    public static async Task<IResult> ListAsync(HttpContext context, Database database, IOptions<ApiOptions> options)
    {
        long curPage, perPage;
        string dbUseType;
        string? engineType, status, name;
        using (var document = await JsonBody.ReadObjectAsync(context, options.Value.MaxBodyBytes))
        {
            var root = document.RootElement;
            curPage = JsonFields.OptionalInteger(root, "cur_page", "", 1, int.MaxValue) ?? throw DrsException.Missing("cur_page");
            perPage = JsonFields.OptionalInteger(root, "per_page", "", 0, MaxPerPage) ?? throw DrsException.Missing("per_page");
            dbUseType = JsonFields.RequireEnum(root, "db_use_type", "", JobCreation.DbUseTypes, string.Join(", ", JobCreation.DbUseTypes));
            engineType = JsonFields.OptionalEnum(root, "engine_type", "", JobCatalog.EngineTypes, JobCatalog.EngineTypeListText);
            status = JsonFields.OptionalEnum(root, "status", "", JobCatalog.Statuses, JobCatalog.StatusListText);
            name = JsonFields.OptionalString(root, "name", "", 64);
        }

        var projectId = context.Caller().ProjectId;
        var filter = new StringBuilder("FROM jobs WHERE project_id = $p AND db_use_type = $use");
        var parameters = new List<(string, object?)> { ("$p", projectId), ("$use", dbUseType) };
        if (engineType is not null)
        {
            filter.Append(" AND engine_type = $engine");
            parameters.Add(("$engine", engineType));
        }

        // Deleted jobs are listed only when the status filter is DELETED.
        if (status is not null)
        {
            filter.Append(" AND status = $status");
            parameters.Add(("$status", status));
        }
        else
        {
            filter.Append(" AND status <> 'DELETED'");
        }

        if (!string.IsNullOrEmpty(name))
        {
            filter.Append(" AND (instr(lower(name), lower($name)) > 0 OR id = $name)");
            parameters.Add(("$name", name));
        }

        var (total, rows) = database.Read(connection =>
        {
            var total = (long)connection.Scalar("SELECT count(*) " + filter, null, [.. parameters])!;
            using var command = connection.Command(
                $"SELECT {JobStore.Columns} {filter} ORDER BY create_time DESC, rowid DESC LIMIT $limit OFFSET $offset",
                null, [.. parameters, ("$limit", perPage), ("$offset", (curPage - 1) * perPage)]);
            return (total, JobStore.ReadAll(command));
        });

        var jobs = rows.Select(job => new JobSummary(
            job.Id, job.Name, job.Status, job.Description, JobRequests.FormatTime(job.CreateTime),
            job.TaskType, job.EngineType, job.JobDirection, job.DbUseType)).ToList();
        return TypedResults.Ok(new ListJobsResponse(total, jobs));
    }

    /// <summary><c>POST batch-status</c>: the status of each job, <c>DELETED</c> for a deleted one.</summary>
    public static async Task<IResult> StatusAsync(HttpContext context, Database database, IOptions<ApiOptions> options)
    {
        var (ids, jobs) = await ReadJobsAsync(context, database, options.Value);
        var language = context.Language();
        var results = ids.Select(id => jobs[id] is { } job
            ? new JobStatusResult(id, job.Status, null, null)
            : new JobStatusResult(id, null, ErrorCodes.JobNotFound, Messages.JobNotFound.Format(language, id))).ToList();
        return TypedResults.Ok(new JobStatusResponse(results.Count, results));
    }

    /// <summary>
    /// <c>POST batch-detail</c>: the full record of each job. As in DRS, one unknown id turns the
    /// whole response into <c>400</c> with the same envelope.
    /// </summary>
    public static async Task<IResult> DetailAsync(HttpContext context, Database database, IOptions<ApiOptions> options)
    {
        var (ids, jobs) = await ReadJobsAsync(context, database, options.Value);
        var language = context.Language();
        var results = ids.Select(id => jobs[id] is { } job
            ? ToDetail(job)
            : new JobDetail(
                id, null, null, null, null, null, null, null, null, null, null, null, null,
                ErrorCodes.JobNotFound, Messages.JobNotFound.Format(language, id))).ToList();
        var response = new JobDetailResponse(results.Count, results);
        return results.Any(result => result.ErrorCode is not null) ? TypedResults.BadRequest(response) : TypedResults.Ok(response);
    }

    /// <summary><c>POST batch-progress</c>: the latest replication delay of each job.</summary>
    public static async Task<IResult> ProgressAsync(HttpContext context, Database database, IOptions<ApiOptions> options)
    {
        var (ids, jobs) = await ReadJobsAsync(context, database, options.Value);
        var language = context.Language();
        var results = ids.Select(id =>
        {
            var job = jobs[id];
            if (JobFailure.CheckLive(job, id) is { } failure)
            {
                return new JobProgress(id, null, null, null, failure.Code, failure.Localize(language));
            }

            // NOTE: no progress percentage is reported by agents, so progress stays absent.
            return new JobProgress(id, job!.DelayMs / 1000, job.DelayMs, null, null, null);
        }).ToList();
        return TypedResults.Ok(new JobProgressResponse(results.Count, results));
    }

    /// <summary><c>POST batch-rpo-and-rto</c>: the latest RPO and RTO of each job with the time each was observed.</summary>
    public static async Task<IResult> RpoAndRtoAsync(HttpContext context, Database database, IOptions<ApiOptions> options)
    {
        var (ids, jobs) = await ReadJobsAsync(context, database, options.Value);
        var language = context.Language();
        var results = ids.Select(id =>
        {
            var job = jobs[id];
            if (JobFailure.CheckLive(job, id) is { } failure)
            {
                return new JobRpoAndRto(id, null, failure.Code, failure.Localize(language));
            }

            var rpo = job!.RpoMs is { } rpoMs
                ? new RpoInfo(rpoMs / 1000, rpoMs, JobRequests.FormatTime(job.RpoObservedAt!.Value))
                : null;
            var rto = job.RtoMs is { } rtoMs
                ? new RtoInfo(rtoMs / 1000, rtoMs, JobRequests.FormatTime(job.RtoObservedAt!.Value))
                : null;
            return new JobRpoAndRto(id, new RpoAndRtoInfo(rpo, rto), null, null);
        }).ToList();
        return TypedResults.Ok(new JobRpoAndRtoResponse(results.Count, results));
    }

    private static JobDetail ToDetail(JobRow job) => new(
        job.Id, job.Name, job.Status, job.Description,
        JobRequests.FormatTime(job.CreateTime), JobRequests.FormatTime(job.UpdateTime),
        job.EngineType, job.DbUseType, job.TaskType, job.JobDirection,
        JobEndpoints.FromStoredJson(job.SourceEndpoint), JobEndpoints.FromStoredJson(job.TargetEndpoint),
        job.AlarmSettings is null ? null : AlarmSettings.FromStoredJson(job.AlarmSettings).ToView(),
        null, null);

    /// <summary>Reads the <c>jobs</c> id list and looks each id up once. Unknown ids map to null.</summary>
    private static async Task<(List<string> Ids, Dictionary<string, JobRow?> Jobs)> ReadJobsAsync(
        HttpContext context, Database database, ApiOptions options)
    {
        List<string> ids;
        using (var document = await JsonBody.ReadObjectAsync(context, options.MaxBodyBytes))
        {
            ids = JobRequests.ReadJobIdList(document.RootElement, options.MaxJobsPerRequest);
        }

        var projectId = context.Caller().ProjectId;
        var jobs = database.Read(connection => ids.Distinct(StringComparer.Ordinal).ToDictionary(
            id => id, id => JobStore.Find(connection, null, projectId, id), StringComparer.Ordinal));
        return (ids, jobs);
    }
}

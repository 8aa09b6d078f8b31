using System.Globalization;
using System.Text.Json;
using DrsNotify.Server.Api;
using DrsNotify.Server.Identity;
using DrsNotify.Server.Localization;
using DrsNotify.Server.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace DrsNotify.Server.Jobs;

/// <summary>The job operations: start, pause, retry, and end or delete.</summary>
public static class JobOperations
{
    public static readonly IReadOnlySet<string> PauseModes = new HashSet<string>(StringComparer.Ordinal) { "target", "all" };
    public static readonly IReadOnlySet<string> DeleteTypes = new HashSet<string>(StringComparer.Ordinal) { "terminate", "force_terminate", "delete" };

    private const string Configuration = "CONFIGURATION";
    private const string StartJobing = "STARTJOBING";
    private const string WaitingForStart = "WAITING_FOR_START";

    // Statuses from which terminate works: those that may be released, and a release already under way.
    private static readonly string[] TerminableStatuses =
        [.. JobCatalog.StatusList.Where(status => status == JobLifecycle.ReleaseStarted || JobLifecycle.IsAllowed(status, JobLifecycle.ReleaseStarted, null))];

    private static readonly string[] RetryableStatuses = [JobLifecycle.Pausing, .. JobLifecycle.FailedFrom.Keys];

    private delegate JobFailure? Operation<T>(SqliteConnection connection, SqliteTransaction transaction, JobRow job, T parameter, long now);

    /// <summary>
    /// <c>POST batch-starting</c>: <c>CONFIGURATION</c> to <c>STARTJOBING</c>, or to
    /// <c>WAITING_FOR_START</c> when <c>start_time</c> is in the future.
    /// </summary>
    public static async Task<IResult> StartAsync(HttpContext context, Database database, TimeProvider time, IOptions<ApiOptions> options)
    {
        var items = await ReadItemsAsync(context, options.Value, (item, path) => ReadStartTime(item, path));
        var results = await ApplyAsync<long?>(context, database, time, items, (connection, transaction, job, startTime, now) =>
        {
            if (job.Status != Configuration)
            {
                return JobFailure.NotAllowed(job, "start", [Configuration]);
            }

            if (startTime is not null)
            {
                connection.Exec(
                    "UPDATE jobs SET start_time = $s WHERE project_id = $p AND id = $id",
                    transaction, ("$s", startTime), ("$p", job.ProjectId), ("$id", job.Id));
            }

            JobStore.ChangeStatus(connection, transaction, job, startTime > now ? WaitingForStart : StartJobing, now);
            return null;
        });
        return TypedResults.Ok(results);
    }

    /// <summary><c>POST batch-pause-task</c>: a running job to <c>PAUSING</c>, remembering the status it left.</summary>
    public static async Task<IResult> PauseAsync(HttpContext context, Database database, TimeProvider time, IOptions<ApiOptions> options)
    {
        var items = await ReadItemsAsync(context, options.Value, (item, path) =>
            JsonFields.OptionalEnum(item, "pause_mode", path, PauseModes, string.Join(", ", PauseModes)));
        var results = await ApplyAsync<string?>(context, database, time, items, (connection, transaction, job, _, now) =>
        {
            if (!JobLifecycle.Running.Contains(job.Status))
            {
                return JobFailure.NotAllowed(job, "pause", JobLifecycle.Running);
            }

            JobStore.ChangeStatus(connection, transaction, job, JobLifecycle.Pausing, now);
            return null;
        });
        return TypedResults.Ok(results);
    }

    /// <summary>
    /// <c>POST batch-retry-task</c>: <c>PAUSING</c> back to the status it left, or a failure
    /// status back to the status it failed from.
    /// </summary>
    public static async Task<IResult> RetryAsync(HttpContext context, Database database, TimeProvider time, IOptions<ApiOptions> options)
    {
        var items = await ReadItemsAsync(context, options.Value, (_, _) => 0);
        var results = await ApplyAsync<int>(context, database, time, items, (connection, transaction, job, _, now) =>
        {
            var target = job.Status == JobLifecycle.Pausing
                ? job.ReturnStatus
                : JobLifecycle.FailedFrom.GetValueOrDefault(job.Status);
            if (target is null || !JobLifecycle.IsAllowed(job.Status, target, job.ReturnStatus))
            {
                return JobFailure.NotAllowed(job, "retry", RetryableStatuses);
            }

            JobStore.ChangeStatus(connection, transaction, job, target, now);
            return null;
        });
        return TypedResults.Ok(results);
    }

    /// <summary>
    /// <c>DELETE batch-jobs</c>: <c>terminate</c> and <c>force_terminate</c> end a job, which
    /// passes through <c>RELEASE_RESOURCE_STARTED</c> straight to <c>RELEASE_RESOURCE_COMPLETE</c>
    /// because no resources exist to release; <c>delete</c> moves an ended job to <c>DELETED</c>.
    /// </summary>
    public static async Task<IResult> DeleteAsync(HttpContext context, Database database, TimeProvider time, IOptions<ApiOptions> options)
    {
        var items = await ReadItemsAsync(context, options.Value, (item, path) =>
            JsonFields.RequireEnum(item, "delete_type", path, DeleteTypes, string.Join(", ", DeleteTypes)));
        var results = await ApplyAsync<string>(context, database, time, items, (connection, transaction, job, deleteType, now) =>
        {
            if (deleteType == "delete")
            {
                if (!JobLifecycle.Deletable.Contains(job.Status))
                {
                    return JobFailure.NotAllowed(job, deleteType, JobLifecycle.Deletable);
                }

                JobStore.ChangeStatus(connection, transaction, job, JobCatalog.Deleted, now);
                return null;
            }

            if (!TerminableStatuses.Contains(job.Status))
            {
                return JobFailure.NotAllowed(job, deleteType, TerminableStatuses);
            }

            if (job.Status != JobLifecycle.ReleaseStarted)
            {
                job = JobStore.ChangeStatus(connection, transaction, job, JobLifecycle.ReleaseStarted, now);
            }

            JobStore.ChangeStatus(connection, transaction, job, JobLifecycle.ReleaseComplete, now);
            return null;
        });
        return TypedResults.Accepted((string?)null, results);
    }

    /// <summary>Moves due <c>WAITING_FOR_START</c> jobs of every project to <c>STARTJOBING</c> and returns how many moved.</summary>
    public static int StartDueJobs(SqliteConnection connection, SqliteTransaction transaction, long now)
    {
        using var command = connection.Command(
            $"SELECT {JobStore.Columns} FROM jobs WHERE status = $s AND start_time <= $now",
            transaction, ("$s", WaitingForStart), ("$now", now));
        var due = JobStore.ReadAll(command);
        foreach (var job in due)
        {
            JobStore.ChangeStatus(connection, transaction, job, StartJobing, now);
        }

        return due.Count;
    }

    /// <summary>Returns <c>start_time</c> in Unix milliseconds: a string of digits or a non-negative JSON integer.</summary>
    private static long? ReadStartTime(JsonElement item, string path)
    {
        if (!item.TryGetProperty("start_time", out var value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) && number >= 0)
        {
            return number;
        }

        if (value.ValueKind == JsonValueKind.String
            && JsonFields.ExpectString(value, JsonFields.Path(path, "start_time"), 64) is { Length: > 0 and <= 18 } text
            && text.All(char.IsAsciiDigit))
        {
            return long.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
        }

        throw DrsException.Invalid(JsonFields.Path(path, "start_time"), Messages.InvalidUnixMilliseconds, value.GetRawText());
    }

    private static async Task<List<(string JobId, T Parameter)>> ReadItemsAsync<T>(
        HttpContext context, ApiOptions options, Func<JsonElement, string, T> readParameter)
    {
        using var document = await JsonBody.ReadObjectAsync(context, options.MaxBodyBytes);
        return [.. JobRequests.ReadJobItems(document.RootElement, options.MaxJobsPerRequest)
            .Select(entry => (entry.JobId, readParameter(entry.Item, entry.Path)))];
    }

    /// <summary>Runs <paramref name="operation"/> on each live job in one transaction. Unknown and deleted jobs fail.</summary>
    private static async Task<OperationResponse> ApplyAsync<T>(
        HttpContext context, Database database, TimeProvider time, List<(string JobId, T Parameter)> items, Operation<T> operation)
    {
        var projectId = context.Caller().ProjectId;
        var language = context.Language();
        var results = await database.WriteAsync((connection, transaction) =>
        {
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            var results = new List<OperationResult>(items.Count);
            foreach (var (jobId, parameter) in items)
            {
                var job = JobStore.Find(connection, transaction, projectId, jobId);
                var failure = JobFailure.CheckLive(job, jobId) ?? operation(connection, transaction, job!, parameter, now);
                results.Add(failure is null
                    ? new OperationResult(jobId, "success", null, null)
                    : new OperationResult(jobId, "failed", failure.Code, failure.Localize(language)));
            }

            return results;
        });
        return new OperationResponse(results.Count, results);
    }
}

using System.Text.Json;
using System.Text.RegularExpressions;
using DrsNotify.Server.Api;
using DrsNotify.Server.Identity;
using DrsNotify.Server.Localization;
using DrsNotify.Server.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace DrsNotify.Server.Jobs;

/// <summary><c>POST /v3/{project_id}/jobs/batch-creation</c>: registers jobs in <c>CONFIGURATION</c>.</summary>
public static partial class JobCreation
{
    public static readonly IReadOnlySet<string> DbUseTypes = new HashSet<string>(StringComparer.Ordinal) { "migration", "sync", "cloudDataGuard" };
    public static readonly IReadOnlySet<string> TaskTypes = new HashSet<string>(StringComparer.Ordinal) { "FULL_TRANS", "INCR_TRANS", "FULL_INCR_TRANS" };
    public static readonly IReadOnlySet<string> JobDirections = new HashSet<string>(StringComparer.Ordinal) { "up", "down", "non-dbs" };

    public const int MaxDescriptionLength = 256;

    private const string InitialStatus = "CONFIGURATION";

    private sealed record NewJob(
        string Name, string EngineType, string DbUseType, string TaskType, string JobDirection,
        string Description, string? JobId, string? SourceEndpoint, string? TargetEndpoint);

    public static async Task<IResult> CreateAsync(HttpContext context, Database database, TimeProvider time, IOptions<ApiOptions> options)
    {
        List<NewJob> items;
        using (var document = await JsonBody.ReadObjectAsync(context, options.Value.MaxBodyBytes))
        {
            items = ReadItems(document.RootElement, options.Value.MaxJobsPerRequest);
        }

        var projectId = context.Caller().ProjectId;
        var language = context.Language();
        var results = await database.WriteAsync((connection, transaction) =>
        {
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            var namesCreated = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var idsCreated = new HashSet<string>(StringComparer.Ordinal);
            var results = new List<CreatedJob>(items.Count);
            foreach (var item in items)
            {
                var failure = FindConflict(connection, transaction, projectId, item, namesCreated, idsCreated);
                if (failure is not null)
                {
                    results.Add(new CreatedJob(null, item.Name, "failed", null, failure.Code, failure.Localize(language)));
                    continue;
                }

                var id = item.JobId ?? NewUnusedId(connection, transaction, projectId);
                Insert(connection, transaction, projectId, id, item, now);
                namesCreated.Add(item.Name);
                idsCreated.Add(id);
                results.Add(new CreatedJob(id, item.Name, InitialStatus, JobRequests.FormatTime(now), null, null));
            }

            return results;
        });

        return TypedResults.Accepted((string?)null, new CreateJobsResponse(results.Count, results));
    }

    /// <summary>Validates every item before anything is written, so that one invalid item rejects the request.</summary>
    private static List<NewJob> ReadItems(JsonElement root, int maxItems)
    {
        var jobs = JsonFields.RequireArray(root, "jobs", "", maxItems);
        var items = new List<NewJob>(jobs.GetArrayLength());
        var index = 0;
        foreach (var item in jobs.EnumerateArray())
        {
            var path = JsonFields.Path("jobs", index++);
            JsonFields.ExpectObject(item, path);

            var name = JsonFields.RequireString(item, "name", path);
            if (!NamePattern().IsMatch(name))
            {
                throw DrsException.Invalid(JsonFields.Path(path, "name"), Messages.InvalidJobName, name);
            }

            var engineType = JsonFields.RequireEnum(item, "engine_type", path, JobCatalog.EngineTypes, JobCatalog.EngineTypeListText);
            var dbUseType = JsonFields.RequireEnum(item, "db_use_type", path, DbUseTypes, string.Join(", ", DbUseTypes));
            var taskType = JsonFields.RequireEnum(item, "task_type", path, TaskTypes, string.Join(", ", TaskTypes));
            var direction = JsonFields.RequireEnum(item, "job_direction", path, JobDirections, string.Join(", ", JobDirections));
            var description = JsonFields.OptionalString(item, "description", path, MaxDescriptionLength) ?? "";

            var jobId = JsonFields.OptionalString(item, "job_id", path, JobRequests.MaxJobIdLength);
            if (jobId is not null && !JobIds.IsValid(jobId))
            {
                throw DrsException.Invalid(JsonFields.Path(path, "job_id"), Messages.InvalidJobId, jobId, JobIds.Example);
            }

            items.Add(new NewJob(
                name, engineType, dbUseType, taskType, direction, description, jobId,
                ReadEndpoint(item, "source_endpoint", path), ReadEndpoint(item, "target_endpoint", path)));
        }

        return items;
    }

    private static string? ReadEndpoint(JsonElement item, string name, string path) =>
        item.TryGetProperty(name, out var value)
            ? JobEndpoints.ToStoredJson(JsonFields.ExpectObject(value, JsonFields.Path(path, name)))
            : null;

    private static JobFailure? FindConflict(
        SqliteConnection connection, SqliteTransaction transaction, string projectId, NewJob item,
        HashSet<string> namesCreated, HashSet<string> idsCreated)
    {
        if (item.JobId is not null && idsCreated.Contains(item.JobId))
        {
            return new JobFailure(ErrorCodes.DuplicateJobId, Messages.JobIdRepeated, [item.JobId]);
        }

        if (namesCreated.Contains(item.Name))
        {
            return new JobFailure(ErrorCodes.InvalidParameter, Messages.JobNameRepeated, [item.Name]);
        }

        if (item.JobId is not null && JobStore.Find(connection, transaction, projectId, item.JobId) is not null)
        {
            return new JobFailure(ErrorCodes.DuplicateJobId, Messages.JobIdTaken, [item.JobId]);
        }

        var nameTaken = connection.Scalar(
            "SELECT 1 FROM jobs WHERE project_id = $p AND name = $n COLLATE NOCASE AND status <> 'DELETED'",
            transaction, ("$p", projectId), ("$n", item.Name)) is not null;
        return nameTaken ? new JobFailure(ErrorCodes.InvalidParameter, Messages.JobNameTaken, [item.Name]) : null;
    }

    private static string NewUnusedId(SqliteConnection connection, SqliteTransaction transaction, string projectId)
    {
        while (true)
        {
            var id = JobIds.NewId();
            if (JobStore.Find(connection, transaction, projectId, id) is null)
            {
                return id;
            }
        }
    }

    private static void Insert(SqliteConnection connection, SqliteTransaction transaction, string projectId, string id, NewJob item, long now) =>
        connection.Exec(
            """
            INSERT INTO jobs (project_id, id, name, description, engine_type, db_use_type, task_type, job_direction,
                              status, source_endpoint, target_endpoint, create_time, update_time)
            VALUES ($p, $id, $name, $description, $engine, $use, $task, $direction, $status, $source, $target, $now, $now)
            """,
            transaction,
            ("$p", projectId), ("$id", id), ("$name", item.Name), ("$description", item.Description),
            ("$engine", item.EngineType), ("$use", item.DbUseType), ("$task", item.TaskType), ("$direction", item.JobDirection),
            ("$status", InitialStatus), ("$source", item.SourceEndpoint), ("$target", item.TargetEndpoint), ("$now", now));

    [GeneratedRegex("^[A-Za-z0-9_-]{4,50}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}

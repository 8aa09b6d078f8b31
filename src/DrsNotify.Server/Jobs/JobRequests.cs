using System.Globalization;
using System.Text.Json;
using DrsNotify.Server.Api;
using DrsNotify.Server.Localization;

namespace DrsNotify.Server.Jobs;

/// <summary>The failure of one job in a batch: its DRS error code and localized message.</summary>
public sealed record JobFailure(string Code, Message Message, object?[] Arguments)
{
    public string Localize(Language language) => Message.Format(language, Arguments);

    /// <summary>Returns the failure of a job that is unknown in the project or deleted, or null for a live job.</summary>
    public static JobFailure? CheckLive(JobRow? job, string id) => job switch
    {
        null => new(ErrorCodes.JobNotFound, Messages.JobNotFound, [id]),
        { Status: JobCatalog.Deleted } => new(ErrorCodes.JobDeleted, Messages.JobDeleted, [id]),
        _ => null,
    };

    /// <summary>Returns the failure of <paramref name="operation"/> on a job whose status is not one of <paramref name="allowedFrom"/>.</summary>
    public static JobFailure NotAllowed(JobRow job, string operation, IEnumerable<string> allowedFrom) =>
        new(ErrorCodes.JobStopped, Messages.OperationNotAllowed, [job.Id, job.Status, operation, StatusList(allowedFrom)]);

    /// <summary>Returns the failure of a status change that the lifecycle does not allow, listing the allowed next statuses.</summary>
    public static JobFailure IllegalTransition(JobRow job, string to) =>
        new(ErrorCodes.JobStopped, Messages.IllegalTransition,
            [job.Id, job.Status, to, StatusList(JobLifecycle.AllowedNext(job.Status, job.ReturnStatus))]);

    private static object StatusList(IEnumerable<string> statuses)
    {
        var ordered = JobCatalog.StatusList.Where(statuses.Contains).ToList();
        return ordered.Count == 0 ? new LocalizedArgument(Messages.NoStatuses, []) : string.Join(", ", ordered);
    }
}

/// <summary>Parsing steps that several job endpoints share.</summary>
public static class JobRequests
{
    /// <summary>Longest job id accepted in a request. No stored id is longer, so longer ones are invalid.</summary>
    public const int MaxJobIdLength = 64;

    /// <summary>Reads <c>jobs</c>: 1 to <paramref name="maxItems"/> job ids, duplicates allowed.</summary>
    public static List<string> ReadJobIdList(JsonElement root, int maxItems)
    {
        var jobs = JsonFields.RequireArray(root, "jobs", "", maxItems);
        var ids = new List<string>(jobs.GetArrayLength());
        var index = 0;
        foreach (var item in jobs.EnumerateArray())
        {
            var path = JsonFields.Path("jobs", index++);
            var id = JsonFields.ExpectString(item, path, MaxJobIdLength);
            ids.Add(id.Length == 0 ? throw DrsException.Missing(path) : id);
        }

        return ids;
    }

    /// <summary>
    /// Reads <c>jobs</c>: 1 to <paramref name="maxItems"/> objects with a <c>job_id</c> each, and
    /// rejects the request with <c>DRS.M00301</c> when a job id appears twice.
    /// </summary>
    public static List<(JsonElement Item, string JobId, string Path)> ReadJobItems(JsonElement root, int maxItems)
    {
        var jobs = JsonFields.RequireArray(root, "jobs", "", maxItems);
        var items = new List<(JsonElement Item, string JobId, string Path)>(jobs.GetArrayLength());
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var index = 0;
        foreach (var item in jobs.EnumerateArray())
        {
            var path = JsonFields.Path("jobs", index++);
            JsonFields.ExpectObject(item, path);
            var jobId = JsonFields.RequireString(item, "job_id", path, MaxJobIdLength);
            if (!seen.Add(jobId))
            {
                throw new DrsException(
                    StatusCodes.Status400BadRequest, ErrorCodes.DuplicateJobId, Messages.DuplicateJobId,
                    JsonFields.Path(path, "job_id"), jobId);
            }

            items.Add((item, jobId, path));
        }

        return items;
    }

    /// <summary>Formats Unix milliseconds as DRS sends times: a string of digits.</summary>
    public static string FormatTime(long unixMilliseconds) => unixMilliseconds.ToString(CultureInfo.InvariantCulture);
}

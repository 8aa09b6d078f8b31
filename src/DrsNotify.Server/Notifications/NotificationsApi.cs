using System.Text.Json;
using DrsNotify.Server.Api;
using DrsNotify.Server.Identity;
using DrsNotify.Server.Localization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using static DrsNotify.Server.Api.JsonFields;

namespace DrsNotify.Server.Notifications;

/// <summary>Request shape of <c>batch-set-smn</c>, for the OpenAPI document.</summary>
public sealed record BatchSetSmnRequest(IReadOnlyList<BatchSetSmnJob> Jobs, AlarmNotifyInfo AlarmNotifyInfo);

public sealed record BatchSetSmnJob(string JobId, string Status, string EngineType);

public sealed record AlarmNotifyInfo(
    IReadOnlyList<Subscription>? Subscriptions, string? TopicUrn, long? DelayTime, long? RtoDelay, long? RpoDelay, bool? AlarmToUser);

/// <summary>The per-job result of batch calls: <c>error_code</c> and <c>error_msg</c> only on failures.</summary>
public sealed record JobResult(string Id, string Status, string? ErrorCode = null, string? ErrorMsg = null);

public sealed record BatchResponse(int Count, IReadOnlyList<JobResult> Results);

public sealed record HistoryResponse(long TotalCount, IReadOnlyList<HistoryEntry> History);

/// <summary>Response of the v5 <c>smn-subscription-detail</c>.</summary>
public sealed record SubscriptionDetail(
    string? TopicName, string? TopicUrn, long DelayTime, long RpoDelay, long RtoDelay, bool IsAlarmUser,
    IReadOnlyList<Subscription>? Subscriptions);

/// <summary>Request shape of the v5 <c>associate-smn-topic</c>, for the OpenAPI document.</summary>
public sealed record AssociateTopicRequest(
    string TopicUrn, bool? IsAlarmToUser, long? IncrementDelayThreshold, long? RtoDelayThreshold, long? RpoDelayThreshold);

/// <summary>
/// The notification settings endpoints: <c>batch-set-smn</c>, the settings history, and the v5
/// per-job read and topic association. All of them store through <see cref="SettingsStore"/>.
/// </summary>
public static class NotificationsApi
{
    public static IServiceCollection AddNotifications(this IServiceCollection services) =>
        services.AddSingleton<SettingsStore>().AddSingleton<TopicReferences>();

    public static void MapNotificationsApi(this RouteGroupBuilder v3)
    {
        v3.MapPost("/jobs/batch-set-smn", BatchSetSmnAsync)
            .WithTags("Notifications")
            .WithName("BatchSetSmn")
            .WithSummary("Set the same alarm notification settings on a batch of jobs")
            .Accepts<BatchSetSmnRequest>("application/json")
            .Produces<BatchResponse>()
            .ProducesBodyErrors();

        v3.MapGet("/jobs/{job_id}/notification-history", History)
            .WithTags("Notifications")
            .WithName("ListNotificationHistory")
            .WithSummary("List the changes of a job's notification settings, newest first")
            .Produces<HistoryResponse>()
            .Produces<ErrorBody>(StatusCodes.Status400BadRequest);
    }

    public static void MapNotificationsV5Api(this RouteGroupBuilder v5)
    {
        v5.MapGet("/jobs/{job_id}/smn-subscription-detail", SubscriptionDetailOf)
            .WithTags("Notifications")
            .WithName("ShowSmnSubscriptionDetail")
            .WithSummary("Read a job's alarm notification settings")
            .Produces<SubscriptionDetail>()
            .Produces<ErrorBody>(StatusCodes.Status400BadRequest);

        v5.MapPost("/jobs/{job_id}/associate-smn-topic", AssociateTopicAsync)
            .WithTags("Notifications")
            .WithName("AssociateSmnTopic")
            .WithSummary("Set an SMN topic and thresholds on one job")
            .Accepts<AssociateTopicRequest>("application/json")
            .Produces(StatusCodes.Status200OK)
            .Produces<ErrorBody>(StatusCodes.Status400BadRequest);
    }

    private static async Task<Ok<BatchResponse>> BatchSetSmnAsync(
        HttpContext context, SettingsStore store, TopicReferences topics, IOptions<ApiOptions> options)
    {
        var caller = context.Caller();
        List<SettingsChange> changes;
        using (var document = await JsonBody.ReadObjectAsync(context, options.Value.MaxBodyBytes))
        {
            var root = document.RootElement;
            var jobs = RequireArray(root, "jobs", "", options.Value.MaxJobsPerRequest);
            var info = RequireObject(root, "alarm_notify_info", "");
            var settings = AlarmSettingsParser.ParseAlarmNotifyInfo(info, "alarm_notify_info");
            changes = ParseJobs(jobs, settings);
            if (settings.TopicUrn is not null)
            {
                topics.Verify(settings.TopicUrn, "alarm_notify_info.topic_urn", caller);
            }
        }

        var outcomes = await store.ApplyAsync(
            changes, new ChangeOrigin(caller, context.RequestId(), "batch-set-smn", context.Language(), "alarm_notify_info.topic_urn"));
        context.RequestServices.GetService<Alarms.AlarmEvaluator>()?.Nudge();
        return TypedResults.Ok(ToResponse(outcomes, context.Language()));
    }

    /// <summary>Parses <c>jobs</c>: each item's id, status and engine type; ids must be unique.</summary>
    private static List<SettingsChange> ParseJobs(JsonElement jobs, AlarmSettings settings)
    {
        var changes = new List<SettingsChange>(jobs.GetArrayLength());
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var index = 0;
        foreach (var item in jobs.EnumerateArray())
        {
            var path = Path("jobs", index++);
            ExpectObject(item, path);
            var jobId = RequireString(item, "job_id", path, MaxJobIdLength);
            var status = RequireEnum(item, "status", path, Jobs.JobCatalog.Statuses, Jobs.JobCatalog.StatusListText);
            var engineType = RequireEnum(item, "engine_type", path, Jobs.JobCatalog.EngineTypes, Jobs.JobCatalog.EngineTypeListText);
            if (!seen.Add(jobId))
            {
                throw new DrsException(
                    StatusCodes.Status400BadRequest, ErrorCodes.DuplicateJobId, Messages.DuplicateJobId, Path(path, "job_id"), jobId);
            }

            changes.Add(new SettingsChange(jobId, status, engineType, settings));
        }

        return changes;
    }

    public static BatchResponse ToResponse(IReadOnlyList<SettingsOutcome> outcomes, Language language)
    {
        var results = new JobResult[outcomes.Count];
        for (var i = 0; i < outcomes.Count; i++)
        {
            var outcome = outcomes[i];
            results[i] = outcome.Succeeded
                ? new JobResult(outcome.JobId, "success")
                : new JobResult(outcome.JobId, "failed", outcome.ErrorCode, outcome.Error!.Format(language, outcome.Arguments));
        }

        return new BatchResponse(results.Length, results);
    }

    private static Ok<HistoryResponse> History(
        HttpContext context, string job_id, SettingsStore store)
    {
        var caller = context.Caller();
        CheckPathJobId(job_id);
        var offset = QueryParameters.Integer(context, "offset", 0, int.MaxValue, 0);
        var limit = QueryParameters.Integer(context, "limit", 1, 1000, 100);

        if (!store.Find(caller.ProjectId, job_id).Exists)
        {
            throw JobNotFound(job_id);
        }

        var (total, entries) = store.History(caller.ProjectId, job_id, offset, limit);
        return TypedResults.Ok(new HistoryResponse(total, entries));
    }

    private static Ok<SubscriptionDetail> SubscriptionDetailOf(HttpContext context, string job_id, SettingsStore store)
    {
        var (exists, settings) = store.Find(context.Caller().ProjectId, CheckPathJobId(job_id));
        if (!exists)
        {
            throw JobNotFound(job_id);
        }

        return TypedResults.Ok(settings is null
            ? new SubscriptionDetail(null, null, 0, 0, 0, false, null)
            : new SubscriptionDetail(
                settings.TopicName, settings.TopicUrn, settings.DelayTime, settings.RpoDelay, settings.RtoDelay,
                settings.AlarmToUser, settings.Subscriptions));
    }

    private static async Task<IResult> AssociateTopicAsync(
        HttpContext context, string job_id, SettingsStore store, TopicReferences topics, IOptions<ApiOptions> options)
    {
        var caller = context.Caller();
        CheckPathJobId(job_id);
        AlarmSettings settings;
        using (var document = await JsonBody.ReadObjectAsync(context, options.Value.MaxBodyBytes))
        {
            settings = AlarmSettingsParser.ParseAssociateTopic(document.RootElement);
        }

        topics.Verify(settings.TopicUrn!, "topic_urn", caller);
        var outcomes = await store.ApplyAsync(
            [new SettingsChange(job_id, null, null, settings)],
            new ChangeOrigin(caller, context.RequestId(), "associate-smn-topic", context.Language()));
        context.RequestServices.GetService<Alarms.AlarmEvaluator>()?.Nudge();

        // A single-job call reports a job's failure as a request-level error.
        var outcome = outcomes[0];
        if (!outcome.Succeeded)
        {
            throw new DrsException(StatusCodes.Status400BadRequest, outcome.ErrorCode!, outcome.Error!, outcome.Arguments);
        }

        return TypedResults.Ok();
    }

    /// <summary>Rejects a path job id longer than any job id can be, before it is echoed in a message.</summary>
    private static string CheckPathJobId(string jobId) =>
        jobId.Length <= MaxJobIdLength ? jobId : throw DrsException.Invalid("job_id", Messages.TooLong, MaxJobIdLength);

    private const int MaxJobIdLength = 64;

    private static DrsException JobNotFound(string jobId) =>
        new(StatusCodes.Status400BadRequest, ErrorCodes.JobNotFound, Messages.JobNotFound, jobId);
}

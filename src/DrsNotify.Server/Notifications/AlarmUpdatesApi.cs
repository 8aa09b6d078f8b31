using DrsNotify.Server.Api;
using DrsNotify.Server.Identity;
using DrsNotify.Server.Jobs;
using DrsNotify.Server.Storage;
using DrsNotify.Server.Topics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace DrsNotify.Server.Notifications;

/// <summary>Request shape of <c>batch-modification</c>, for the OpenAPI document.</summary>
public sealed record BatchModificationRequest(IReadOnlyList<BatchModificationJob> Jobs);

public sealed record BatchModificationJob(string JobId, ModificationAlarmNotify AlarmNotify);

public sealed record ModificationAlarmNotify(
    IReadOnlyList<Subscription> Subscriptions, long? DelayTime, long? RtoDelay, long? RpoDelay, bool? AlarmToUser);

/// <summary>Request shape of the v5 job update, for the OpenAPI document.</summary>
public sealed record JobUpdateRequest(JobUpdate Job);

public sealed record JobUpdate(string Type, JobUpdateParams Params);

public sealed record JobUpdateParams(AlarmNotifyConfig AlarmNotify);

public sealed record AlarmNotifyConfig(string TopicUrn, bool? AlarmToUser, long? DelayTime, long? RpoDelay, long? RtoDelay);

/// <summary>Response of the v5 job update, as the SDK's <c>UpdateJobResponse</c> reads it.</summary>
public sealed record JobUpdateResponse(string Id, string Name, string Status);

/// <summary>Response of the v5 <c>smn/topic-info</c>.</summary>
public sealed record TopicInfoResponse(IReadOnlyList<TopicInfo> Topics, int TotalCount);

public sealed record TopicInfo(string Name, string Urn, string Description, int PushPolicy);

/// <summary>
/// The other SDK calls that set or read alarm settings: v3 <c>batch-modification</c>, the v5
/// job update of type <c>notify</c> and v5 <c>smn/topic-info</c>. They store through
/// <see cref="SettingsStore.ApplyAsync"/> with the rules of <c>batch-set-smn</c>.
/// </summary>
public static class AlarmUpdatesApi
{
    public static void MapAlarmUpdatesApi(this RouteGroupBuilder v3)
    {
        v3.MapPut("/jobs/batch-modification", BatchModificationAsync)
            .WithTags("Notifications")
            .WithName("BatchUpdateJob")
            .WithSummary("Set each job's alarm notification settings (alarm_notify with subscriptions); other job fields are not supported")
            .Accepts<BatchModificationRequest>("application/json")
            .Produces<BatchResponse>()
            .ProducesBodyErrors();
    }

    public static void MapAlarmUpdatesV5Api(this RouteGroupBuilder v5)
    {
        v5.MapPut("/jobs/{job_id}", UpdateJobAsync)
            .WithTags("Notifications")
            .WithName("UpdateJob")
            .WithSummary("Set a job's SMN topic and thresholds (type notify); other update types are not supported")
            .Accepts<JobUpdateRequest>("application/json")
            .Produces<JobUpdateResponse>()
            .Produces<ErrorBody>(StatusCodes.Status400BadRequest);

        v5.MapGet("/smn/topic-info", TopicInfoOf)
            .WithTags("Notifications")
            .WithName("ShowTopicInfo")
            .WithSummary("List the project's SMN topics")
            .Produces<TopicInfoResponse>();
    }

    private static async Task<Ok<BatchResponse>> BatchModificationAsync(HttpContext context, SettingsStore store, IOptions<ApiOptions> options)
    {
        List<SettingsChange> changes;
        using (var document = await JsonBody.ReadObjectAsync(context, options.Value.MaxBodyBytes))
        {
            changes = AlarmSettingsParser.ParseBatchModification(document.RootElement, options.Value.MaxJobsPerRequest);
        }

        var outcomes = await store.ApplyAsync(
            changes, new ChangeOrigin(context.Caller(), context.RequestId(), "batch-modification", context.Language()));
        return TypedResults.Ok(NotificationsApi.ToResponse(outcomes, context.Language()));
    }

    private static async Task<Ok<JobUpdateResponse>> UpdateJobAsync(
        HttpContext context, string job_id, SettingsStore store, TopicReferences topics, Database database, IOptions<ApiOptions> options)
    {
        var caller = context.Caller();
        AlarmSettings settings;
        using (var document = await JsonBody.ReadObjectAsync(context, options.Value.MaxBodyBytes))
        {
            settings = AlarmSettingsParser.ParseJobUpdate(document.RootElement);
        }

        topics.Verify(settings.TopicUrn!, "job.params.alarm_notify.topic_urn", caller);
        var outcomes = await store.ApplyAsync(
            [new SettingsChange(job_id, null, null, settings)],
            new ChangeOrigin(caller, context.RequestId(), "update-job", context.Language(), "job.params.alarm_notify.topic_urn"));

        // A single-job call reports a job's failure as a request-level error.
        var outcome = outcomes[0];
        if (!outcome.Succeeded)
        {
            throw new DrsException(StatusCodes.Status400BadRequest, outcome.ErrorCode!, outcome.Error!, outcome.Arguments);
        }

        var job = database.Read(connection => JobStore.Find(connection, null, caller.ProjectId, job_id));
        return TypedResults.Ok(new JobUpdateResponse(job_id, job?.Name ?? "", "success"));
    }

    /// <summary>
    /// Lists the project's topics, oldest first, with the display name as <c>description</c>.
    /// <c>push_policy</c> is always 0, as in the SMN topic list.
    /// </summary>
    private static Ok<TopicInfoResponse> TopicInfoOf(HttpContext context, TopicStore topicStore)
    {
        var (_, stored) = topicStore.List(context.Caller().ProjectId, 0, int.MaxValue);
        var topics = stored.Select(topic => new TopicInfo(topic.Name, topic.Urn, topic.DisplayName, 0)).ToList();
        return TypedResults.Ok(new TopicInfoResponse(topics, topics.Count));
    }
}

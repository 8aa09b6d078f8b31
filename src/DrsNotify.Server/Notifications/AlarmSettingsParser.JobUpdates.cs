using System.Text.Json;
using DrsNotify.Server.Api;
using DrsNotify.Server.Localization;
using static DrsNotify.Server.Api.JsonFields;

namespace DrsNotify.Server.Notifications;

/// <summary>
/// Validators of the other SDK calls that set alarm settings: the v3 <c>batch-modification</c>
/// and the v5 job update of type <c>notify</c>.
/// </summary>
public static partial class AlarmSettingsParser
{
    /// <summary>The fields of a <c>batch-modification</c> job item that DrsNotify applies.</summary>
    private static readonly IReadOnlySet<string> ModificationFields = new HashSet<string>(StringComparer.Ordinal) { "job_id", "alarm_notify" };

    /// <summary>
    /// Parses the body of <c>PUT /v3/{project_id}/jobs/batch-modification</c>: 1 to
    /// <paramref name="maxJobs"/> items with unique <c>job_id</c>s, each with its own
    /// <c>alarm_notify</c>. Any other field of an item that carries a value is rejected, so that
    /// a request that would change a job's name or endpoints is not half applied.
    /// </summary>
    /// <remarks>
    /// A field whose value is <c>null</c>, <c>""</c> or <c>false</c> counts as not sent, because
    /// the official Go SDK (huaweicloud-sdk-go-v3, model <c>ModifyJobReq</c>) serializes its unset
    /// <c>name</c>, <c>node_type</c>, <c>engine_type</c>, <c>net_type</c>, <c>store_db_info</c>
    /// and endpoints that way.
    /// </remarks>
    public static List<SettingsChange> ParseBatchModification(JsonElement body, int maxJobs)
    {
        var jobs = RequireArray(body, "jobs", "", maxJobs);
        var changes = new List<SettingsChange>(jobs.GetArrayLength());
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var index = 0;
        foreach (var item in jobs.EnumerateArray())
        {
            var path = Path("jobs", index++);
            ExpectObject(item, path);
            var jobId = RequireString(item, "job_id", path, 64);
            foreach (var field in item.EnumerateObject())
            {
                if (!ModificationFields.Contains(field.Name) && CarriesValue(field.Value))
                {
                    throw DrsException.Invalid(Path(path, field.Name), Messages.ModificationNotSupported, field.Name);
                }
            }

            var alarmNotifyPath = Path(path, "alarm_notify");
            var settings = ParseModificationAlarmNotify(RequireObject(item, "alarm_notify", path), alarmNotifyPath);
            if (!seen.Add(jobId))
            {
                throw new DrsException(
                    StatusCodes.Status400BadRequest, ErrorCodes.DuplicateJobId, Messages.DuplicateJobId, Path(path, "job_id"), jobId);
            }

            changes.Add(new SettingsChange(jobId, null, null, settings));
        }

        return changes;
    }

    /// <summary>
    /// Parses one <c>alarm_notify</c> of <c>batch-modification</c>. Recipients can only be
    /// <c>subscriptions</c> there, so they are required and <c>topic_urn</c> is rejected.
    /// </summary>
    public static AlarmSettings ParseModificationAlarmNotify(JsonElement info, string path)
    {
        if (Has(info, "topic_urn"))
        {
            throw DrsException.Invalid(Path(path, "topic_urn"), Messages.TopicUrnNotInModification);
        }

        var subscriptionsPath = Path(path, "subscriptions");
        if (!info.TryGetProperty("subscriptions", out var subscriptions))
        {
            throw DrsException.Missing(subscriptionsPath);
        }

        return WithThresholds(info, path, null, ParseSubscriptions(subscriptions, subscriptionsPath));
    }

    /// <summary>
    /// Parses the body of <c>PUT /v5/{project_id}/jobs/{job_id}</c>, which the Terraform DRS job
    /// resource sends: <c>job.type</c> must be <c>notify</c>, and <c>job.params.alarm_notify</c>
    /// needs a <c>topic_urn</c>, since that object has no other way to name recipients.
    /// </summary>
    public static AlarmSettings ParseJobUpdate(JsonElement body)
    {
        var job = RequireObject(body, "job", "");
        var type = RequireString(job, "type", "job", 64);
        if (type != "notify")
        {
            throw DrsException.Invalid("job.type", Messages.JobUpdateTypeNotSupported, type);
        }

        const string path = "job.params.alarm_notify";
        var info = RequireObject(RequireObject(job, "params", "job"), "alarm_notify", "job.params");
        var topicUrn = RequireString(info, "topic_urn", path, 1024);
        CheckTopicUrnFormat(topicUrn, Path(path, "topic_urn"));
        return WithThresholds(info, path, topicUrn, null);
    }

    private static bool CarriesValue(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.False => false,
        JsonValueKind.String => !value.ValueEquals(string.Empty),
        _ => true,
    };
}

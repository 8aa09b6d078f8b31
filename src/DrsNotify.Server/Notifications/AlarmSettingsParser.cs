using System.Text.Json;
using System.Text.RegularExpressions;
using DrsNotify.Server.Api;
using DrsNotify.Server.Localization;
using static DrsNotify.Server.Api.JsonFields;

namespace DrsNotify.Server.Notifications;

/// <summary>
/// Parses and validates alarm notification settings from the request shapes that carry them,
/// with the rules of <c>batch-set-smn</c>. Every error names the parameter by its full path.
/// </summary>
public static partial class AlarmSettingsParser
{
    /// <summary>Largest threshold in seconds (one hour).</summary>
    public const long MaxThresholdSeconds = 3600;

    public const int MaxSubscriptions = 2;

    public const int MaxEndpoints = 10;

    /// <summary>
    /// Parses <c>alarm_notify_info</c> of <c>batch-set-smn</c>: exactly one of <c>topic_urn</c>
    /// and <c>subscriptions</c>, thresholds 0..3600 s, <c>alarm_to_user</c>.
    /// </summary>
    public static AlarmSettings ParseAlarmNotifyInfo(JsonElement info, string path)
    {
        var hasTopic = Has(info, "topic_urn");
        var hasSubscriptions = Has(info, "subscriptions");
        var topicUrn = OptionalString(info, "topic_urn", path, 1024);
        if (topicUrn is not null)
        {
            CheckTopicUrnFormat(topicUrn, Path(path, "topic_urn"));
        }

        IReadOnlyList<Subscription>? subscriptions = null;
        if (hasSubscriptions)
        {
            subscriptions = ParseSubscriptions(info.GetProperty("subscriptions"), Path(path, "subscriptions"));
        }

        if (hasTopic && hasSubscriptions)
        {
            throw DrsException.Invalid(path, Messages.TopicOrSubscriptionsBoth);
        }

        if (!hasTopic && !hasSubscriptions)
        {
            throw DrsException.Invalid(path, Messages.TopicOrSubscriptionsNeither);
        }

        return WithThresholds(info, path, topicUrn, subscriptions);
    }

    /// <summary>
    /// Completes settings with the thresholds and <c>alarm_to_user</c> of <paramref name="info"/>,
    /// under the names that <c>alarm_notify_info</c> and <c>alarm_notify</c> share.
    /// </summary>
    private static AlarmSettings WithThresholds(
        JsonElement info, string path, string? topicUrn, IReadOnlyList<Subscription>? subscriptions) =>
        new(
            topicUrn,
            subscriptions,
            DelayTime: OptionalInteger(info, "delay_time", path, 0, MaxThresholdSeconds) ?? 0,
            RtoDelay: OptionalInteger(info, "rto_delay", path, 0, MaxThresholdSeconds) ?? 0,
            RpoDelay: OptionalInteger(info, "rpo_delay", path, 0, MaxThresholdSeconds) ?? 0,
            AlarmToUser: OptionalBoolean(info, "alarm_to_user", path) ?? false);

    /// <summary>
    /// Parses the body of the v5 <c>associate-smn-topic</c>: a required <c>topic_urn</c> and the
    /// thresholds under their v5 names.
    /// </summary>
    public static AlarmSettings ParseAssociateTopic(JsonElement body)
    {
        var topicUrn = RequireString(body, "topic_urn", "", 1024);
        CheckTopicUrnFormat(topicUrn, "topic_urn");
        return new AlarmSettings(
            topicUrn,
            null,
            DelayTime: OptionalInteger(body, "increment_delay_threshold", "", 0, MaxThresholdSeconds) ?? 0,
            RtoDelay: OptionalInteger(body, "rto_delay_threshold", "", 0, MaxThresholdSeconds) ?? 0,
            RpoDelay: OptionalInteger(body, "rpo_delay_threshold", "", 0, MaxThresholdSeconds) ?? 0,
            AlarmToUser: OptionalBoolean(body, "is_alarm_to_user", "") ?? false);
    }

    public static IReadOnlyList<Subscription> ParseSubscriptions(JsonElement value, string path)
    {
        ExpectArray(value, path, MaxSubscriptions);
        var subscriptions = new List<Subscription>(MaxSubscriptions);
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            var itemPath = Path(path, index++);
            ExpectObject(item, itemPath);
            var protocol = RequireEnum(item, "protocol", itemPath, Protocols, "sms, email");
            if (subscriptions.Any(existing => existing.Protocol == protocol))
            {
                throw DrsException.Invalid(Path(itemPath, "protocol"), Messages.DuplicateProtocol, protocol);
            }

            var endpointsPath = Path(itemPath, "endpoints");
            var endpointsElement = RequireArray(item, "endpoints", itemPath, MaxEndpoints);
            var endpoints = new List<string>(endpointsElement.GetArrayLength());
            var seen = new HashSet<string>(protocol == "email" ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
            var endpointIndex = 0;
            foreach (var endpointElement in endpointsElement.EnumerateArray())
            {
                var endpointPath = Path(endpointsPath, endpointIndex++);
                var endpoint = ExpectString(endpointElement, endpointPath, 254);
                if (endpoint.Length == 0)
                {
                    throw DrsException.Missing(endpointPath);
                }

                if (protocol == "email" ? !IsEmail(endpoint) : !IsPhoneNumber(endpoint))
                {
                    throw DrsException.Invalid(endpointPath, protocol == "email" ? Messages.InvalidEmail : Messages.InvalidPhone, endpoint);
                }

                if (!seen.Add(endpoint))
                {
                    throw DrsException.Invalid(endpointPath, Messages.DuplicateEndpoint, endpoint);
                }

                endpoints.Add(endpoint);
            }

            subscriptions.Add(new Subscription(protocol, endpoints));
        }

        return subscriptions;
    }

    public static readonly IReadOnlySet<string> Protocols = new HashSet<string>(StringComparer.Ordinal) { "sms", "email" };

    /// <summary>Checks the shape <c>urn:smn:{region}:{32-hex project id}:{topic name}</c>.</summary>
    public static void CheckTopicUrnFormat(string urn, string path)
    {
        if (!TopicUrnPattern().IsMatch(urn))
        {
            throw DrsException.Invalid(path, Messages.TopicUrnMalformed, urn);
        }
    }

    /// <summary>Returns whether <paramref name="urn"/> has the shape <c>urn:smn:{region}:{32-hex project id}:{topic name}</c>.</summary>
    public static bool IsTopicUrn(string urn) => TopicUrnPattern().IsMatch(urn);

    /// <summary>Splits a well-formed topic URN into region, project id and topic name.</summary>
    public static (string Region, string ProjectId, string TopicName) SplitTopicUrn(string urn)
    {
        var parts = urn.Split(':');
        return (parts[2], parts[3], parts[4]);
    }

    /// <summary>
    /// Accepts an optional <c>+</c> and 5 to 15 digits, the length range of E.164 numbers and
    /// of short national numbers.
    /// </summary>
    public static bool IsPhoneNumber(string value) => PhonePattern().IsMatch(value);

    /// <summary>
    /// Accepts <c>local@domain</c> with one <c>@</c>, a dot-atom local part of at most 64
    /// characters and a domain of at least two DNS labels, in at most 254 characters.
    /// </summary>
    public static bool IsEmail(string value)
    {
        if (value.Length > 254)
        {
            return false;
        }

        var at = value.IndexOf('@');
        if (at <= 0 || at != value.LastIndexOf('@') || at > 64)
        {
            return false;
        }

        return LocalPartPattern().IsMatch(value.AsSpan(0, at)) && DomainPattern().IsMatch(value.AsSpan(at + 1));
    }

    [GeneratedRegex(@"^urn:smn:[a-z0-9][a-z0-9-]{0,63}:[0-9a-f]{32}:[A-Za-z0-9][A-Za-z0-9_-]{0,254}\z")]
    private static partial Regex TopicUrnPattern();

    [GeneratedRegex(@"^\+?[0-9]{5,15}\z")]
    private static partial Regex PhonePattern();

    [GeneratedRegex(@"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*\z")]
    private static partial Regex LocalPartPattern();

    [GeneratedRegex(@"^(?=.{1,253}\z)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}\z")]
    private static partial Regex DomainPattern();
}

using System.Text.Json;
using System.Text.Json.Serialization;

namespace DrsNotify.Server.Notifications;

/// <summary>Recipients of one protocol: <c>sms</c> numbers or <c>email</c> addresses.</summary>
public sealed record Subscription(string Protocol, IReadOnlyList<string> Endpoints);

/// <summary>
/// The alarm notification settings of one job. Exactly one of <see cref="TopicUrn"/> and
/// <see cref="Subscriptions"/> is set. Thresholds are seconds; 0 means no alarm of that kind.
/// </summary>
public sealed record AlarmSettings(
    string? TopicUrn,
    IReadOnlyList<Subscription>? Subscriptions,
    long DelayTime,
    long RtoDelay,
    long RpoDelay,
    bool AlarmToUser)
{
    /// <summary>The last part of the topic URN, as DRS reports it in <c>topic_name</c>.</summary>
    [JsonIgnore]
    public string? TopicName => TopicUrn is null ? null : TopicUrn[(TopicUrn.LastIndexOf(':') + 1)..];

    /// <summary>Serializes to the canonical stored form; equal settings give equal strings.</summary>
    public string ToStoredJson() => JsonSerializer.Serialize(this, AlarmSettingsJsonContext.Default.AlarmSettings);

    public static AlarmSettings FromStoredJson(string json) =>
        JsonSerializer.Deserialize(json, AlarmSettingsJsonContext.Default.AlarmSettings)
        ?? throw new InvalidOperationException("Stored alarm settings are null.");

    /// <summary>Returns the <c>alarm_notify</c> object of job details.</summary>
    public AlarmNotifyView ToView() =>
        new(Subscriptions, TopicName, TopicUrn, DelayTime, RtoDelay, RpoDelay, AlarmToUser);
}

/// <summary>
/// The <c>alarm_notify</c> object of <c>batch-detail</c>: the DRS fields plus <c>topic_urn</c>,
/// which DRS itself does not return.
/// </summary>
public sealed record AlarmNotifyView(
    IReadOnlyList<Subscription>? Subscriptions,
    string? TopicName,
    string? TopicUrn,
    long DelayTime,
    long RtoDelay,
    long RpoDelay,
    bool AlarmToUser);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AlarmSettings))]
internal sealed partial class AlarmSettingsJsonContext : JsonSerializerContext;

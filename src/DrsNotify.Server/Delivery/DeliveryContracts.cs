using System.Text.Json.Serialization;

namespace DrsNotify.Server.Delivery;

/// <summary>One outbox row as <c>GET …/alarms/{alarm_id}/deliveries</c> shows it, with the recipient masked.</summary>
/// <param name="NextAttemptAt">When a pending row is sent next; null once it is delivered or dead.</param>
public sealed record DeliveryView(
    long Id,
    string Channel,
    string Recipient,
    string State,
    int Attempts,
    string? LastError,
    string CreatedAt,
    string? DeliveredAt,
    string EventKey,
    string? NextAttemptAt);

public sealed record DeliveriesResponse(long AlarmId, int Count, IReadOnlyList<DeliveryView> Deliveries);

public sealed record TestNotificationResponse(IReadOnlyList<long> DeliveryIds);

/// <summary>One message of the capture-mode inbox, with its recipient in full.</summary>
public sealed record CapturedMessage(
    long Id,
    long DeliveryId,
    string ProjectId,
    string? JobId,
    string Channel,
    string Recipient,
    string Language,
    string Subject,
    string Body,
    string DedupKey,
    string EventKey,
    string CapturedAt);

public sealed record CapturedMessagesResponse(int Count, IReadOnlyList<CapturedMessage> Messages);

public sealed record CapturedMessagesDeleted(int Deleted);

/// <summary>Serializers of the bodies that the channels send.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(SmsGatewayRequest))]
[JsonSerializable(typeof(WebhookRequest))]
internal sealed partial class DeliveryJsonContext : JsonSerializerContext;

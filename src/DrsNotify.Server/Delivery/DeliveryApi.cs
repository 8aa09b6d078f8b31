using System.Globalization;
using DrsNotify.Server.Api;
using DrsNotify.Server.Identity;
using DrsNotify.Server.Localization;
using DrsNotify.Server.Notifications;
using DrsNotify.Server.Storage;
using DrsNotify.Server.Topics;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DrsNotify.Server.Delivery;

/// <summary>
/// The delivery endpoints under <c>/v3/{project_id}</c>: the deliveries of an alarm, and a test
/// message to a job's current recipients.
/// </summary>
public static class DeliveryApi
{
    public static void MapDeliveryApi(this RouteGroupBuilder v3)
    {
        v3.MapGet("/alarms/{alarm_id}/deliveries", Deliveries)
            .WithTags("Delivery")
            .WithName("ListAlarmDeliveries")
            .WithSummary("List every message of an alarm with its state, attempts and last error; recipients are masked")
            .Produces<DeliveriesResponse>()
            .Produces<ErrorBody>(StatusCodes.Status400BadRequest);

        v3.MapGet("/deliveries/{delivery_id}", Delivery)
            .WithTags("Delivery")
            .WithName("ShowDelivery")
            .WithSummary("Show one message, such as a test notification, with its state, attempts and last error; the recipient is masked")
            .Produces<DeliveryView>()
            .Produces<ErrorBody>(StatusCodes.Status400BadRequest);

        v3.MapPost("/jobs/{job_id}/test-notification", TestNotificationAsync)
            .WithTags("Delivery")
            .WithName("SendTestNotification")
            .WithSummary("Queue a test message to each current recipient of a job; returns the delivery ids")
            .Produces<TestNotificationResponse>(StatusCodes.Status202Accepted)
            .Produces<ErrorBody>(StatusCodes.Status400BadRequest);
    }

    /// <summary>Shows one outbox row of the project; an id that is not this project's is not found.</summary>
    private static Ok<DeliveryView> Delivery(HttpContext context, string delivery_id, OutboxStore outbox)
    {
        if (!long.TryParse(delivery_id, NumberStyles.None, CultureInfo.InvariantCulture, out var deliveryId) || deliveryId < 1)
        {
            throw DrsException.Invalid("delivery_id", Messages.MustBeInteger, 1, long.MaxValue);
        }

        return TypedResults.Ok(outbox.Find(context.Caller().ProjectId, deliveryId)
            ?? throw DrsException.Invalid("delivery_id", Messages.DeliveryNotFound, deliveryId));
    }

    /// <summary>
    /// Lists the outbox rows of an alarm. An id that is not a positive integer, or that has no
    /// row in the caller's project, gets 400 <c>DRS.M00202</c>, as DRS returns 400 for unknown job ids.
    /// </summary>
    private static Ok<DeliveriesResponse> Deliveries(HttpContext context, string alarm_id, OutboxStore outbox)
    {
        if (!long.TryParse(alarm_id, NumberStyles.None, CultureInfo.InvariantCulture, out var alarmId) || alarmId < 1)
        {
            throw DrsException.Invalid("alarm_id", Messages.MustBeInteger, 1, long.MaxValue);
        }

        var projectId = context.Caller().ProjectId;
        if (!outbox.AlarmExists(projectId, alarmId))
        {
            throw DrsException.Invalid("alarm_id", Messages.AlarmNotFound, alarmId);
        }

        var deliveries = outbox.ListByAlarm(projectId, alarmId);
        return TypedResults.Ok(new DeliveriesResponse(alarmId, deliveries.Count, deliveries));
    }

    /// <summary>
    /// Queues one message per current recipient of the job (for a topic, each confirmed
    /// subscription at this moment), in the language of this request,
    /// all with the dedup key <c>{project}:{job}:test:{random}</c> and the event key <c>test</c>.
    /// </summary>
    private static async Task<Accepted<TestNotificationResponse>> TestNotificationAsync(
        HttpContext context, string job_id, SettingsStore settingsStore, Database database, Dispatcher dispatcher, TimeProvider time)
    {
        var caller = context.Caller();
        var (exists, settings) = settingsStore.Find(caller.ProjectId, job_id);
        if (!exists)
        {
            throw new DrsException(StatusCodes.Status400BadRequest, ErrorCodes.JobNotFound, Messages.JobNotFound, job_id);
        }

        if (settings is null)
        {
            throw new DrsException(StatusCodes.Status400BadRequest, ErrorCodes.InvalidParameter, Messages.NoNotificationSettings, job_id);
        }

        var recipients = settings.TopicUrn is { } topicUrn
            ? database.Read(connection => TopicRecipients.ReadConfirmed(connection, null, topicUrn))
            : [.. (settings.Subscriptions ?? []).SelectMany(subscription => subscription.Endpoints.Select(endpoint =>
                new TopicRecipient(subscription.Protocol == "email" ? Channels.Email : Channels.Sms, endpoint)))];
        if (recipients.Count == 0)
        {
            throw settings.TopicUrn is null
                ? new DrsException(StatusCodes.Status400BadRequest, ErrorCodes.InvalidParameter, Messages.NoRecipients, job_id)
                : new DrsException(StatusCodes.Status400BadRequest, ErrorCodes.InvalidParameter, Messages.NoConfirmedSubscriptions, job_id, settings.TopicUrn);
        }

        var messages = BuildTestMessages(caller, job_id, recipients, context.Language(), time.GetUtcNow());

        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var ids = await database.WriteAsync((connection, transaction) =>
            messages.ConvertAll(message => Outbox.Enqueue(connection, transaction, message, now)));
        dispatcher.Wake();
        return TypedResults.Accepted((string?)null, new TestNotificationResponse(ids));
    }

    private static List<OutboxMessage> BuildTestMessages(
        Caller caller, string jobId, List<TopicRecipient> recipients, Language language, DateTimeOffset now)
    {
        var dedupKey = $"{caller.ProjectId}:{jobId}:test:{Guid.NewGuid():N}";
        var sentAt = now.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        var subject = Messages.TestNotificationSubject.Format(language, jobId);
        return recipients.ConvertAll(recipient =>
        {
            var body = recipient.Channel switch
            {
                Channels.Sms => Messages.TestNotificationSms.Format(language, jobId),
                Channels.Email => Messages.TestNotificationBody.Format(
                    language, jobId, caller.ProjectId, Messages.ChannelNameEmail.Format(language), sentAt, dedupKey),
                _ => Messages.TestNotificationBody.Format(
                    language, jobId, caller.ProjectId, Messages.ChannelNameWebhook.Format(language), sentAt, dedupKey),
            };
            return new OutboxMessage(
                caller.ProjectId, jobId, AlarmId: null, Purposes.Test, recipient.Channel, recipient.Endpoint, language.ToCode(),
                subject, body, dedupKey, EventKey: "test");
        });
    }
}

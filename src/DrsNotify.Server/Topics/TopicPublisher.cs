using DrsNotify.Server.Alarms;
using DrsNotify.Server.Delivery;
using DrsNotify.Server.Localization;
using DrsNotify.Server.Storage;

namespace DrsNotify.Server.Topics;

/// <summary>
/// Publishes messages to topics: the message record and one outbox row per confirmed
/// subscription are written in one transaction.
/// </summary>
public sealed class TopicPublisher(Database database, TimeProvider time)
{
    /// <summary>Maximum size of <c>subject</c>, in UTF-8 bytes.</summary>
    public const int MaxSubjectBytes = 512;

    /// <summary>Maximum size of <c>message</c>, in UTF-8 bytes (256 KiB).</summary>
    public const int MaxMessageBytes = 256 * 1024;

    /// <summary>
    /// Records the message, enqueues it for every confirmed subscription of the topic, and returns
    /// the message id, which is also the dedup key of its outbox rows. A topic without confirmed
    /// subscriptions records the message and enqueues nothing. E-mail without a subject gets
    /// <see cref="Messages.PublishDefaultSubject"/>; SMS gets the message cut to
    /// <see cref="AlarmTexts.MaxSmsLength"/> characters.
    /// </summary>
    /// <exception cref="Api.DrsException"><c>404 SMN.0006</c> when the project has no such topic.</exception>
    public Task<string> PublishAsync(string projectId, string topicUrn, string? subject, string message, Language language, string requestId) =>
        database.WriteAsync((connection, transaction) =>
        {
            var topic = TopicStore.Find(connection, transaction, projectId, topicUrn) ?? throw TopicStore.NotFound(topicUrn);
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            var messageId = Guid.NewGuid().ToString("N");
            var recipients = TopicRecipients.ReadConfirmed(connection, transaction, topic.Urn);

            connection.Prepared(
                """
                INSERT INTO topic_messages (message_id, topic_id, project_id, request_id, subject, message, recipients, published_at)
                VALUES ($id, $topic, $p, $request, $subject, $message, $recipients, $now)
                """,
                transaction, ("$id", messageId), ("$topic", topic.Id), ("$p", projectId), ("$request", requestId),
                ("$subject", subject), ("$message", message), ("$recipients", recipients.Count), ("$now", now)).ExecuteNonQuery();

            var emailSubject = string.IsNullOrEmpty(subject) ? Messages.PublishDefaultSubject.Format(language, topic.Name) : subject;
            foreach (var recipient in recipients)
            {
                var body = recipient.Channel == Channels.Sms ? CutForSms(message) : message;
                Outbox.Enqueue(connection, transaction, new OutboxMessage(
                    projectId, JobId: null, AlarmId: null, Purposes.Publish, recipient.Channel, recipient.Endpoint, language.ToCode(),
                    emailSubject, body, messageId, EventKey: "publish"), now);
            }

            return messageId;
        });

    /// <summary>Cuts <paramref name="text"/> to at most 490 characters, ending in "…" when cut, without splitting a surrogate pair.</summary>
    public static string CutForSms(string text)
    {
        if (text.Length <= AlarmTexts.MaxSmsLength)
        {
            return text;
        }

        var keep = AlarmTexts.MaxSmsLength - 1;
        if (char.IsHighSurrogate(text[keep - 1]))
        {
            keep--;
        }

        return text[..keep] + "…";
    }
}

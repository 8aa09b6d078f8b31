using DrsNotify.Server.Storage;
using Microsoft.Data.Sqlite;

namespace DrsNotify.Server.Delivery;

/// <summary>The channels a message can leave by; stored lower-case in <c>outbox.channel</c>.</summary>
public static class Channels
{
    public const string Email = "email";
    public const string Sms = "sms";

    /// <summary>HTTP(S) <c>POST</c> to a topic subscription's URL.</summary>
    public const string Webhook = "webhook";
}

/// <summary>Why a message exists; stored in <c>outbox.purpose</c>.</summary>
public static class Purposes
{
    public const string Alarm = "alarm";
    public const string Test = "test";

    /// <summary>The confirmation request of a new topic subscription.</summary>
    public const string Confirmation = "confirmation";

    /// <summary>A message published to a topic.</summary>
    public const string Publish = "publish";
}

/// <summary>
/// One message to one recipient. <see cref="DedupKey"/> identifies the alarm episode
/// (<c>{project}:{job}:{kind}:{episode number}</c>) and travels with every message about it;
/// <see cref="EventKey"/> distinguishes the messages of one episode (<c>firing</c>,
/// <c>repeat-1</c>, <c>resolved</c>), so that dedup key, event key and recipient identify a
/// message across retries and restarts.
/// </summary>
public sealed record OutboxMessage(
    string ProjectId,
    string? JobId,
    long? AlarmId,
    string Purpose,
    string Channel,
    string Recipient,
    string Language,
    string Subject,
    string Body,
    string DedupKey,
    string EventKey);

/// <summary>Writes messages into the outbox, inside the caller's transaction.</summary>
public static class Outbox
{
    /// <summary>
    /// Adds <paramref name="message"/> as a pending row due at <paramref name="now"/> (Unix ms)
    /// and returns its id. Call it in the same transaction as the state change that caused the
    /// message, so that both commit or neither does.
    /// </summary>
    public static long Enqueue(SqliteConnection connection, SqliteTransaction transaction, OutboxMessage message, long now) =>
        (long)connection.Prepared(
            """
            INSERT INTO outbox
                (project_id, job_id, alarm_id, purpose, channel, recipient, language, subject, body,
                 dedup_key, event_key, next_attempt_at, created_at)
            VALUES ($p, $job, $alarm, $purpose, $channel, $to, $lang, $subject, $body, $dedup, $event, $now, $now)
            RETURNING id
            """,
            transaction,
            ("$p", message.ProjectId), ("$job", message.JobId), ("$alarm", message.AlarmId), ("$purpose", message.Purpose),
            ("$channel", message.Channel), ("$to", message.Recipient), ("$lang", message.Language),
            ("$subject", message.Subject), ("$body", message.Body), ("$dedup", message.DedupKey),
            ("$event", message.EventKey), ("$now", now)).ExecuteScalar()!;
}

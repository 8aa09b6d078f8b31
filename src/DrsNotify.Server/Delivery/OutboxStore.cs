using DrsNotify.Server.Api;
using DrsNotify.Server.Storage;
using Microsoft.Data.Sqlite;

namespace DrsNotify.Server.Delivery;

/// <summary>The values of <c>outbox.state</c>.</summary>
public static class OutboxStates
{
    /// <summary>Not yet accepted by its channel; due at <c>next_attempt_at</c>.</summary>
    public const string Pending = "pending";

    /// <summary>Accepted by its channel (SMTP 250 after DATA, HTTP 2xx) or stored by capture mode.</summary>
    public const string Delivered = "delivered";

    /// <summary>Given up: a permanent failure, or a failure after the last retry; <c>last_error</c> contains the reason.</summary>
    public const string Dead = "dead";
}

/// <summary>A leased outbox row, as the dispatcher and the channels see it.</summary>
public sealed record OutboxRow(
    long Id,
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
    string EventKey,
    int Attempts,
    long CreatedAt);

/// <summary>
/// The dispatcher's statements on the <c>outbox</c> table. Every write goes through
/// <see cref="Database.WriteAsync{T}"/>; results are conditional on the row still being
/// pending, so a late result from an instance whose lease expired cannot undo a delivery.
/// </summary>
public sealed class OutboxStore(Database database)
{
    /// <summary>Maximum length of a stored <c>last_error</c>, in characters.</summary>
    private const int MaxErrorLength = 1000;

    /// <summary>
    /// Leases up to <paramref name="limit"/> due pending rows whose lease is absent or expired
    /// for <paramref name="owner"/> until <paramref name="leaseUntil"/>, oldest due first.
    /// </summary>
    /// <remarks>
    /// SQLite has one writer, so the single UPDATE … RETURNING is atomic against other leasers.
    /// On PostgreSQL the inner SELECT becomes <c>… ORDER BY next_attempt_at, id LIMIT $limit
    /// FOR UPDATE SKIP LOCKED</c>, so that concurrent instances skip each other's rows.
    /// </remarks>
    public Task<List<OutboxRow>> LeaseAsync(string owner, long now, long leaseUntil, int limit) =>
        database.WriteAsync((connection, transaction) =>
        {
            var command = connection.Prepared(
                """
                UPDATE outbox SET lease_owner = $owner, lease_until = $until
                WHERE id IN (
                    SELECT id FROM outbox
                    WHERE state = 'pending' AND next_attempt_at <= $now
                      AND (lease_until IS NULL OR lease_until <= $now)
                    ORDER BY next_attempt_at, id
                    LIMIT $limit)
                RETURNING id, project_id, job_id, alarm_id, purpose, channel, recipient, language, subject, body,
                          dedup_key, event_key, attempts, created_at
                """,
                transaction, ("$owner", owner), ("$until", leaseUntil), ("$now", now), ("$limit", limit));
            using var reader = command.ExecuteReader();
            var rows = new List<OutboxRow>();
            while (reader.Read())
            {
                rows.Add(new OutboxRow(
                    reader.GetInt64(0), reader.GetString(1), reader.GetNullableString(2), reader.GetNullableInt64(3),
                    reader.GetString(4), reader.GetString(5), reader.GetString(6), reader.GetString(7), reader.GetString(8),
                    reader.GetString(9), reader.GetString(10), reader.GetString(11), reader.GetInt32(12), reader.GetInt64(13)));
            }

            // RETURNING order is not defined; send the oldest first.
            rows.Sort((a, b) => a.Id.CompareTo(b.Id));
            return rows;
        });

    /// <summary>Marks the row delivered unless it is no longer pending; returns whether it changed.</summary>
    public Task<bool> MarkDeliveredAsync(long id, long now) =>
        database.WriteAsync((connection, transaction) => MarkDelivered(connection, transaction, id, now));

    /// <summary>
    /// Stores <paramref name="row"/> in <c>captured_messages</c> and marks it delivered, in one
    /// transaction, so that capture mode keeps exactly one copy of each message.
    /// </summary>
    public Task<bool> CaptureAsync(OutboxRow row, long now) =>
        database.WriteAsync((connection, transaction) =>
        {
            if (!MarkDelivered(connection, transaction, row.Id, now))
            {
                return false;
            }

            connection.Prepared(
                """
                INSERT INTO captured_messages
                    (outbox_id, project_id, job_id, channel, recipient, language, subject, body, dedup_key, event_key, captured_at)
                VALUES ($id, $p, $job, $channel, $to, $lang, $subject, $body, $dedup, $event, $now)
                """,
                transaction, ("$id", row.Id), ("$p", row.ProjectId), ("$job", row.JobId), ("$channel", row.Channel),
                ("$to", row.Recipient), ("$lang", row.Language), ("$subject", row.Subject), ("$body", row.Body),
                ("$dedup", row.DedupKey), ("$event", row.EventKey), ("$now", now)).ExecuteNonQuery();
            return true;
        });

    /// <summary>
    /// Records a failed attempt of a row that <paramref name="owner"/> still leases: due again at
    /// <paramref name="nextAttemptAt"/>, or dead when that is null. Returns whether it changed.
    /// </summary>
    public Task<bool> MarkFailedAsync(long id, string owner, string error, long? nextAttemptAt) =>
        database.WriteAsync((connection, transaction) => connection.Prepared(
            """
            UPDATE outbox
            SET attempts = attempts + 1, last_error = $error, lease_owner = NULL, lease_until = NULL,
                state = CASE WHEN $next IS NULL THEN 'dead' ELSE 'pending' END,
                next_attempt_at = COALESCE($next, next_attempt_at)
            WHERE id = $id AND state = 'pending' AND lease_owner = $owner
            """,
            transaction, ("$id", id), ("$owner", owner), ("$error", Truncate(error)), ("$next", nextAttemptAt)).ExecuteNonQuery() == 1);

    /// <summary>Returns the <c>next_attempt_at</c> of the oldest due pending row, or null when none is due.</summary>
    public long? OldestDueAt(long now) => database.Read(connection => (long?)connection.Scalar(
        "SELECT MIN(next_attempt_at) FROM outbox WHERE state = 'pending' AND next_attempt_at <= $now",
        null, ("$now", now)));

    /// <summary>Returns every outbox row of the alarm <paramref name="alarmId"/> in the project, oldest first.</summary>
    /// <summary>Returns whether <paramref name="alarmId"/> is an alarm episode of the project.</summary>
    public bool AlarmExists(string projectId, long alarmId) => database.Read(connection =>
        connection.Scalar("SELECT 1 FROM alarm_episodes WHERE id = $id AND project_id = $p", null, ("$id", alarmId), ("$p", projectId)) is not null);

    public IReadOnlyList<DeliveryView> ListByAlarm(string projectId, long alarmId) =>
        ListWhere("alarm_id = $key AND project_id = $p", alarmId, projectId);

    /// <summary>Returns the delivery with <paramref name="deliveryId"/> of the project, or null.</summary>
    public DeliveryView? Find(string projectId, long deliveryId) =>
        ListWhere("id = $key AND project_id = $p", deliveryId, projectId).SingleOrDefault();

    private IReadOnlyList<DeliveryView> ListWhere(string condition, long key, string projectId) => database.Read(connection =>
    {
        using var command = connection.Command(
            $"""
            SELECT id, channel, recipient, state, attempts, last_error, created_at, delivered_at, event_key, next_attempt_at
            FROM outbox WHERE {condition} ORDER BY id
            """,
            null, ("$key", key), ("$p", projectId));
        using var reader = command.ExecuteReader();
        var deliveries = new List<DeliveryView>();
        while (reader.Read())
        {
            var channel = reader.GetString(1);
            var state = reader.GetString(3);
            deliveries.Add(new DeliveryView(
                reader.GetInt64(0),
                channel,
                RecipientMask.Mask(channel, reader.GetString(2)),
                state,
                reader.GetInt32(4),
                reader.GetNullableString(5),
                WireTime.Format(reader.GetInt64(6)),
                reader.GetNullableInt64(7) is { } deliveredAt ? WireTime.Format(deliveredAt) : null,
                reader.GetString(8),
                state == OutboxStates.Pending ? WireTime.Format(reader.GetInt64(9)) : null));
        }

        return (IReadOnlyList<DeliveryView>)deliveries;
    });

    private static bool MarkDelivered(SqliteConnection connection, SqliteTransaction transaction, long id, long now) =>
        connection.Prepared(
            """
            UPDATE outbox
            SET state = 'delivered', attempts = attempts + 1, delivered_at = $now, lease_owner = NULL, lease_until = NULL
            WHERE id = $id AND state = 'pending'
            """,
            transaction, ("$id", id), ("$now", now)).ExecuteNonQuery() == 1;

    private static string Truncate(string error) => error.Length <= MaxErrorLength ? error : error[..MaxErrorLength];
}

using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using DrsNotify.Server.Api;
using DrsNotify.Server.Delivery;
using DrsNotify.Server.Localization;
using DrsNotify.Server.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace DrsNotify.Server.Topics;

/// <summary>The protocols a topic subscription can have, as SMN names them.</summary>
public static class SubscriptionProtocols
{
    public const string Email = "email";
    public const string Sms = "sms";
    public const string Http = "http";
    public const string Https = "https";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Email, Sms, Http, Https };

    public const string ListText = "email, sms, http, https";
}

/// <summary>The values of <c>topic_subscriptions.status</c>, as SMN reports them.</summary>
public static class SubscriptionStatuses
{
    public const int Unconfirmed = 0;
    public const int Confirmed = 1;
    public const int Cancelled = 3;
}

/// <summary>One subscription as the list shows it.</summary>
public sealed record TopicSubscription(string Urn, string TopicUrn, string ProjectId, string Protocol, string Endpoint, string Remark, int Status);

/// <summary>
/// Subscribes endpoints to topics, confirms and cancels subscriptions. A new subscription starts
/// unconfirmed, and a confirmation message with a one-time token goes into the outbox in the
/// same transaction. Only the SHA-256 of the token is stored.
/// </summary>
public sealed class SubscriptionStore(Database database, TimeProvider time, IOptions<DrsNotifyOptions> options)
{
    /// <summary>Maximum number of subscriptions of one topic that are not cancelled.</summary>
    public const int MaxSubscriptionsPerTopic = 10_000;

    /// <summary>How long a confirmation token is valid.</summary>
    public static readonly TimeSpan TokenLifetime = TimeSpan.FromHours(48);

    /// <summary>Path of the confirmation link, below the public base URL.</summary>
    public const string ConfirmPath = "/v2/notifications/subscriptions/confirm";

    /// <summary>
    /// Subscribes <paramref name="endpoint"/> to the topic and returns the subscription URN.
    /// When the endpoint already has a subscription of that protocol that is not cancelled, its
    /// URN is returned: a confirmed one stays as it is, and an unconfirmed one gets a new token
    /// and a new confirmation message, which makes the older token unknown.
    /// </summary>
    /// <exception cref="DrsException"><c>404 SMN.0006</c> when the topic does not exist, <c>400 SMN.0009</c> at the limit.</exception>
    public Task<string> SubscribeAsync(string projectId, string topicUrn, string protocol, string endpoint, string remark, Language language) =>
        database.WriteAsync((connection, transaction) =>
        {
            var topic = TopicStore.Find(connection, transaction, projectId, topicUrn) ?? throw TopicStore.NotFound(topicUrn);
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            var endpointKey = protocol == SubscriptionProtocols.Email ? endpoint.ToLowerInvariant() : endpoint;
            var (token, tokenHash) = NewToken();
            var expiresAt = now + (long)TokenLifetime.TotalMilliseconds;

            using (var existing = connection.Command(
                """
                SELECT id, urn, status FROM topic_subscriptions
                WHERE topic_id = $topic AND protocol = $protocol AND endpoint_key = $key AND status IN (0, 1)
                """,
                transaction, ("$topic", topic.Id), ("$protocol", protocol), ("$key", endpointKey)))
            using (var reader = existing.ExecuteReader())
            {
                if (reader.Read())
                {
                    var (id, urn, status) = (reader.GetInt64(0), reader.GetString(1), reader.GetInt32(2));
                    if (status == SubscriptionStatuses.Unconfirmed)
                    {
                        connection.Prepared(
                            "UPDATE topic_subscriptions SET token_hash = $hash, token_expires_at = $expires WHERE id = $id",
                            transaction, ("$hash", tokenHash), ("$expires", expiresAt), ("$id", id)).ExecuteNonQuery();
                        EnqueueConfirmation(connection, transaction, topic, urn, protocol, endpoint, token, expiresAt, language, now);
                    }

                    return urn;
                }
            }

            var active = (long)connection.Prepared(
                "SELECT COUNT(*) FROM topic_subscriptions WHERE topic_id = $topic AND status IN (0, 1)",
                transaction, ("$topic", topic.Id)).ExecuteScalar()!;
            if (active >= MaxSubscriptionsPerTopic)
            {
                throw new DrsException(
                    StatusCodes.Status400BadRequest, SmnErrorCodes.SubscriptionLimit, Messages.SubscriptionLimitReached,
                    topicUrn, MaxSubscriptionsPerTopic);
            }

            var subscriptionUrn = topic.Urn + ":" + Guid.NewGuid().ToString("N");
            connection.Prepared(
                """
                INSERT INTO topic_subscriptions
                    (urn, topic_id, project_id, protocol, endpoint, endpoint_key, remark, status, token_hash, token_expires_at, created_at)
                VALUES ($urn, $topic, $p, $protocol, $endpoint, $key, $remark, 0, $hash, $expires, $now)
                """,
                transaction, ("$urn", subscriptionUrn), ("$topic", topic.Id), ("$p", projectId), ("$protocol", protocol),
                ("$endpoint", endpoint), ("$key", endpointKey), ("$remark", remark), ("$hash", tokenHash),
                ("$expires", expiresAt), ("$now", now)).ExecuteNonQuery();
            EnqueueConfirmation(connection, transaction, topic, subscriptionUrn, protocol, endpoint, token, expiresAt, language, now);
            return subscriptionUrn;
        });

    /// <summary>Returns one page of the topic's subscriptions, oldest first, and the total count.</summary>
    public (long Count, IReadOnlyList<TopicSubscription> Subscriptions) List(Topic topic, int offset, int limit) => database.Read(connection =>
    {
        var count = (long)connection.Scalar("SELECT COUNT(*) FROM topic_subscriptions WHERE topic_id = $t", null, ("$t", topic.Id))!;
        using var command = connection.Command(
            """
            SELECT urn, project_id, protocol, endpoint, remark, status FROM topic_subscriptions
            WHERE topic_id = $t ORDER BY id LIMIT $limit OFFSET $offset
            """,
            null, ("$t", topic.Id), ("$limit", limit), ("$offset", offset));
        using var reader = command.ExecuteReader();
        var subscriptions = new List<TopicSubscription>();
        while (reader.Read())
        {
            subscriptions.Add(new TopicSubscription(
                reader.GetString(0), topic.Urn, reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.GetInt32(5)));
        }

        return (count, (IReadOnlyList<TopicSubscription>)subscriptions);
    });

    /// <summary>
    /// Cancels the subscription (status 3) and invalidates its token. Cancelling a cancelled
    /// subscription changes nothing. Throws <c>404 SMN.0007</c> when the project has no such subscription.
    /// </summary>
    public Task UnsubscribeAsync(string projectId, string subscriptionUrn) => database.WriteAsync((connection, transaction) =>
    {
        var status = connection.Scalar(
            "SELECT status FROM topic_subscriptions WHERE urn = $urn AND project_id = $p", transaction, ("$urn", subscriptionUrn), ("$p", projectId));
        if (status is null)
        {
            throw new DrsException(StatusCodes.Status404NotFound, SmnErrorCodes.SubscriptionNotFound, Messages.SubscriptionNotFound, subscriptionUrn);
        }

        connection.Prepared(
            """
            UPDATE topic_subscriptions SET status = 3, cancelled_at = $now, token_expires_at = NULL
            WHERE urn = $urn AND status <> 3
            """,
            transaction, ("$urn", subscriptionUrn), ("$now", time.GetUtcNow().ToUnixTimeMilliseconds())).ExecuteNonQuery();
        return true;
    });

    /// <summary>
    /// Confirms the subscription that <paramref name="token"/> was issued for and returns it.
    /// Throws <c>400</c> with <c>SMN.0011</c> for an unknown or replaced token, <c>SMN.0012</c>
    /// for a used token or a cancelled subscription, <c>SMN.0013</c> for an expired token.
    /// </summary>
    public Task<TopicSubscription> ConfirmAsync(string token) => database.WriteAsync((connection, transaction) =>
    {
        using var command = connection.Command(
            """
            SELECT s.id, s.urn, t.urn, s.project_id, s.protocol, s.endpoint, s.remark, s.status, s.token_expires_at
            FROM topic_subscriptions s JOIN topics t ON t.id = s.topic_id
            WHERE s.token_hash = $hash
            """,
            transaction, ("$hash", Hash(token)));
        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            throw new DrsException(StatusCodes.Status400BadRequest, SmnErrorCodes.TokenUnknown, Messages.ConfirmationTokenUnknown);
        }

        var id = reader.GetInt64(0);
        var subscription = new TopicSubscription(
            reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5), reader.GetString(6),
            reader.GetInt32(7));
        var expiresAt = reader.GetNullableInt64(8);
        if (subscription.Status != SubscriptionStatuses.Unconfirmed || expiresAt is null)
        {
            throw new DrsException(StatusCodes.Status400BadRequest, SmnErrorCodes.TokenUsed, Messages.ConfirmationTokenUsed);
        }

        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        if (now >= expiresAt)
        {
            throw new DrsException(
                StatusCodes.Status400BadRequest, SmnErrorCodes.TokenExpired, Messages.ConfirmationTokenExpired, FormatUtc(expiresAt.Value));
        }

        connection.Prepared(
            "UPDATE topic_subscriptions SET status = 1, confirmed_at = $now, token_expires_at = NULL WHERE id = $id",
            transaction, ("$now", now), ("$id", id)).ExecuteNonQuery();
        return subscription with { Status = SubscriptionStatuses.Confirmed };
    });

    /// <summary>
    /// Enqueues the confirmation message on the protocol's channel. Its dedup key is the
    /// subscription URN, and its event key <c>confirm-{issue time in Unix ms}</c> distinguishes a
    /// resent confirmation.
    /// </summary>
    private void EnqueueConfirmation(
        SqliteConnection connection, SqliteTransaction transaction, Topic topic, string subscriptionUrn, string protocol,
        string endpoint, string token, long expiresAt, Language language, long now)
    {
        var link = options.Value.PublicBaseUrl.TrimEnd('/') + ConfirmPath + "?token=" + token;
        var expires = FormatUtc(expiresAt);
        var channel = TopicRecipients.ChannelOf(protocol);
        var body = channel == Channels.Sms
            ? Messages.ConfirmationSms.Format(language, topic.Name, topic.Urn, link, expires)
            : Messages.ConfirmationBody.Format(language, topic.Name, topic.Urn, link, expires);
        Outbox.Enqueue(connection, transaction, new OutboxMessage(
            topic.ProjectId, JobId: null, AlarmId: null, Purposes.Confirmation, channel, endpoint, language.ToCode(),
            Messages.ConfirmationSubject.Format(language, topic.Name), body, subscriptionUrn,
            "confirm-" + now.ToString(CultureInfo.InvariantCulture)), now);
    }

    /// <summary>Returns a new token (32 random bytes, base64url) and its stored hash.</summary>
    private static (string Token, string Hash) NewToken()
    {
        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return (token, Hash(token));
    }

    private static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string FormatUtc(long unixMilliseconds) =>
        DateTimeOffset.FromUnixTimeMilliseconds(unixMilliseconds).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}

using DrsNotify.Server.Delivery;
using Microsoft.Data.Sqlite;

namespace DrsNotify.Server.Topics;

/// <summary>One confirmed subscriber of a topic: the outbox channel and the recipient on it.</summary>
public sealed record TopicRecipient(string Channel, string Endpoint);

/// <summary>Resolves the recipients of a topic: its confirmed subscriptions at the time of the call.</summary>
public static class TopicRecipients
{
    /// <summary>Returns the outbox channel of a subscription protocol: e-mail, SMS, or a webhook for http and https.</summary>
    public static string ChannelOf(string protocol) => protocol switch
    {
        SubscriptionProtocols.Email => Channels.Email,
        SubscriptionProtocols.Sms => Channels.Sms,
        SubscriptionProtocols.Http or SubscriptionProtocols.Https => Channels.Webhook,
        _ => throw new InvalidOperationException($"The subscription protocol '{protocol}' has no channel."),
    };

    /// <summary>
    /// Returns the confirmed subscriptions of the topic with <paramref name="topicUrn"/>, oldest
    /// first; empty when the topic does not exist (any more). Works inside a write and in a read.
    /// </summary>
    public static List<TopicRecipient> ReadConfirmed(SqliteConnection connection, SqliteTransaction? transaction, string topicUrn)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            SELECT s.protocol, s.endpoint FROM topic_subscriptions s JOIN topics t ON t.id = s.topic_id
            WHERE t.urn = $urn AND s.status = 1
            ORDER BY s.id
            """;
        command.Parameters.AddWithValue("$urn", topicUrn);
        using var reader = command.ExecuteReader();
        var recipients = new List<TopicRecipient>();
        while (reader.Read())
        {
            recipients.Add(new TopicRecipient(ChannelOf(reader.GetString(0)), reader.GetString(1)));
        }

        return recipients;
    }
}

using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DrsNotify.Server.Storage;
using DrsNotify.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DrsNotify.Tests.Topics;

/// <summary>One outbox row of a topic message, read straight from the store.</summary>
public sealed record TopicOutboxRow(
    long Id, string Purpose, string Channel, string Recipient, string Language, string Subject, string Body, string DedupKey, string EventKey);

/// <summary>Shared steps of the topic tests: create topics, subscribe, read and confirm through the outbox.</summary>
public static partial class TopicHarness
{
    public const string TopicsPath = "/v2/{project_id}/notifications/topics";

    /// <summary>Creates a topic through the API and returns its URN.</summary>
    public static async Task<string> CreateTopicAsync(TestServer server, string name, string? displayName = null, HttpClient? client = null)
    {
        var body = new JsonObject { ["name"] = name };
        if (displayName is not null)
        {
            body["display_name"] = displayName;
        }

        var response = await server.SendAsync(HttpMethod.Post, TopicsPath, body.ToJsonString(), client: client);
        Assert.True(response.Status is 200 or 201, $"Topic creation answered {response.Status}: {response.Body}");
        return (string)response.Json!["topic_urn"]!;
    }

    /// <summary>Inserts a topic of <paramref name="projectId"/> straight into the store and returns its URN.</summary>
    public static async Task<string> InsertTopicAsync(TestServer server, string projectId, string region, string name)
    {
        var urn = $"urn:smn:{region}:{projectId}:{name}";
        await server.Services.GetRequiredService<Database>().WriteAsync((connection, transaction) => connection.Exec(
            "INSERT INTO topics (project_id, name, urn, created_at, updated_at) VALUES ($p, $name, $urn, 0, 0)",
            transaction, ("$p", projectId), ("$name", name), ("$urn", urn)));
        return urn;
    }

    /// <summary>Subscribes <paramref name="endpoint"/> and returns the response.</summary>
    public static Task<ApiResponse> SubscribeAsync(TestServer server, string topicUrn, string protocol, string endpoint, string? language = null) =>
        server.SendAsync(
            HttpMethod.Post, $"{TopicsPath}/{topicUrn}/subscriptions",
            new JsonObject { ["protocol"] = protocol, ["endpoint"] = endpoint, ["remark"] = "test" }.ToJsonString(), language);

    /// <summary>Subscribes <paramref name="endpoint"/> and returns the subscription URN.</summary>
    public static async Task<string> SubscribeUrnAsync(TestServer server, string topicUrn, string protocol, string endpoint)
    {
        var response = await SubscribeAsync(server, topicUrn, protocol, endpoint);
        Assert.True(response.Status == 200, $"Subscribe answered {response.Status}: {response.Body}");
        return (string)response.Json!["subscription_urn"]!;
    }

    /// <summary>Returns the outbox rows sent to <paramref name="recipient"/>, oldest first.</summary>
    public static List<TopicOutboxRow> OutboxFor(TestServer server, string recipient) =>
        server.Services.GetRequiredService<Database>().Read(connection =>
        {
            using var command = connection.Command(
                """
                SELECT id, purpose, channel, recipient, language, subject, body, dedup_key, event_key
                FROM outbox WHERE recipient = $to ORDER BY id
                """,
                null, ("$to", recipient));
            using var reader = command.ExecuteReader();
            var rows = new List<TopicOutboxRow>();
            while (reader.Read())
            {
                rows.Add(new TopicOutboxRow(
                    reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                    reader.GetString(5), reader.GetString(6), reader.GetString(7), reader.GetString(8)));
            }

            return rows;
        });

    /// <summary>Returns the token of the confirmation link in <paramref name="text"/>.</summary>
    public static string TokenIn(string text)
    {
        var match = ConfirmLink().Match(text);
        Assert.True(match.Success, $"No confirmation link in: {text}");
        return match.Groups[1].Value;
    }

    /// <summary>Returns the token of the latest confirmation message sent to <paramref name="recipient"/>.</summary>
    public static string LatestToken(TestServer server, string recipient) =>
        TokenIn(OutboxFor(server, recipient).Last(row => row.Purpose == "confirmation").Body);

    /// <summary>Opens the confirmation link without credentials.</summary>
    public static Task<ApiResponse> ConfirmAsync(TestServer server, string token, string? language = null) =>
        server.SendAsync(
            HttpMethod.Get, "/v2/notifications/subscriptions/confirm?token=" + Uri.EscapeDataString(token), null, language, server.Anonymous);

    /// <summary>Subscribes <paramref name="endpoint"/>, confirms it with the token from the outbox and returns the subscription URN.</summary>
    public static async Task<string> SubscribeConfirmedAsync(TestServer server, string topicUrn, string protocol, string endpoint)
    {
        var urn = await SubscribeUrnAsync(server, topicUrn, protocol, endpoint);
        var confirm = await ConfirmAsync(server, LatestToken(server, endpoint));
        Assert.True(confirm.Status == 200, $"Confirm answered {confirm.Status}: {confirm.Body}");
        return urn;
    }

    /// <summary>Returns the topic's subscriptions through the API.</summary>
    public static async Task<JsonArray> SubscriptionsAsync(TestServer server, string topicUrn)
    {
        var response = await server.SendAsync(HttpMethod.Get, $"{TopicsPath}/{topicUrn}/subscriptions", null);
        Assert.True(response.Status == 200, $"List answered {response.Status}: {response.Body}");
        return response.Json!["subscriptions"]!.AsArray();
    }

    /// <summary>Asserts the SMN error shape: request_id first and equal to X-Request-Id, then error_code and error_msg, nothing else.</summary>
    public static void AssertSmnError(ApiResponse response, int status, string code, string? messagePart = null)
    {
        Assert.True(response.Status == status, $"Expected {status}, got {response.Status}: {response.Body}");
        Assert.Equal("application/json", response.ContentType);
        var body = response.Json!.AsObject();
        Assert.Equal(["request_id", "error_code", "error_msg"], body.Select(property => property.Key).ToArray());
        Assert.Equal(response.RequestId, (string?)body["request_id"]);
        Assert.Equal(code, (string?)body["error_code"]);
        if (messagePart is not null)
        {
            Assert.Contains(messagePart, (string?)body["error_msg"]);
        }
    }

    [GeneratedRegex(@"/v2/notifications/subscriptions/confirm\?token=([A-Za-z0-9_-]+)")]
    private static partial Regex ConfirmLink();
}

using System.Text.Json.Nodes;
using DrsNotify.Server.Storage;
using DrsNotify.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static DrsNotify.Tests.Topics.TopicHarness;

namespace DrsNotify.Tests.Topics;

/// <summary>Publishing to a topic: confirmed subscriptions only, limits, SMS cut.</summary>
public sealed class PublishTests : IAsyncLifetime
{
    private TestServer _server = null!;
    private string _topic = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync(new Dictionary<string, string> { ["DrsNotify:Delivery:Capture"] = "true" });
        _topic = await CreateTopicAsync(_server, "drs-zw");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private Task<ApiResponse> PublishAsync(JsonObject body, string? language = null) =>
        _server.SendAsync(HttpMethod.Post, $"{TopicsPath}/{_topic}/publish", body.ToJsonString(), language);

    private long MessageRecords() => _server.Services.GetRequiredService<Database>().Read(connection =>
        (long)connection.Scalar("SELECT COUNT(*) FROM topic_messages", null)!);

    [Fact]
    public async Task PublishReachesConfirmedOnly()
    {
        await SubscribeConfirmedAsync(_server, _topic, "email", "ops@example.com");
        await SubscribeConfirmedAsync(_server, _topic, "sms", "13812345678");
        await SubscribeConfirmedAsync(_server, _topic, "https", "https://hooks.example.com/drs");
        await SubscribeUrnAsync(_server, _topic, "email", "pending@example.com");
        var cancelled = await SubscribeConfirmedAsync(_server, _topic, "email", "gone@example.com");
        await _server.SendAsync(HttpMethod.Delete, $"/v2/{{project_id}}/notifications/subscriptions/{cancelled}", null);

        var response = await PublishAsync(new JsonObject { ["subject"] = "Maintenance", ["message"] = "DRS maintenance at 22:00." });

        Assert.Equal(200, response.Status);
        var messageId = (string)response.Json!["message_id"]!;
        Assert.Matches("^[0-9a-f]{32}$", messageId);
        Assert.Equal(response.RequestId, (string?)response.Json!["request_id"]);

        var email = Assert.Single(OutboxFor(_server, "ops@example.com"), row => row.Purpose == "publish");
        Assert.Equal("email", email.Channel);
        Assert.Equal("Maintenance", email.Subject);
        Assert.Equal("DRS maintenance at 22:00.", email.Body);
        Assert.Equal(messageId, email.DedupKey);
        Assert.Equal("publish", email.EventKey);
        Assert.Equal("sms", Assert.Single(OutboxFor(_server, "13812345678"), row => row.Purpose == "publish").Channel);
        Assert.Equal("webhook", Assert.Single(OutboxFor(_server, "https://hooks.example.com/drs"), row => row.Purpose == "publish").Channel);
        Assert.DoesNotContain(OutboxFor(_server, "pending@example.com"), row => row.Purpose == "publish");
        Assert.DoesNotContain(OutboxFor(_server, "gone@example.com"), row => row.Purpose == "publish");
        Assert.Equal(1, MessageRecords());
    }

    [Fact]
    public async Task PublishWithoutConfirmedSubscriberRecordsOnly()
    {
        await SubscribeUrnAsync(_server, _topic, "email", "pending@example.com");

        var response = await PublishAsync(new JsonObject { ["message"] = "nobody hears this" });

        Assert.Equal(200, response.Status);
        Assert.NotNull((string?)response.Json!["message_id"]);
        Assert.Equal(1, MessageRecords());
        var publishRows = _server.Services.GetRequiredService<Database>().Read(connection =>
            (long)connection.Scalar("SELECT COUNT(*) FROM outbox WHERE purpose = 'publish'", null)!);
        Assert.Equal(0, publishRows);
    }

    [Fact]
    public async Task SmsIsCutAndEmailGetsDefaultSubject()
    {
        await SubscribeConfirmedAsync(_server, _topic, "email", "ops@example.com");
        await SubscribeConfirmedAsync(_server, _topic, "sms", "13812345678");
        var message = string.Concat(Enumerable.Repeat("同步延迟告警", 100));

        var response = await PublishAsync(new JsonObject { ["message"] = message }, "zh-cn");

        Assert.Equal(200, response.Status);
        var sms = Assert.Single(OutboxFor(_server, "13812345678"), row => row.Purpose == "publish");
        Assert.Equal(490, sms.Body.Length);
        Assert.EndsWith("…", sms.Body);
        Assert.StartsWith(message[..489], sms.Body);
        var email = Assert.Single(OutboxFor(_server, "ops@example.com"), row => row.Purpose == "publish");
        Assert.Equal(message, email.Body);
        Assert.Equal("【DrsNotify】来自主题 drs-zw 的消息", email.Subject);
    }

    [Fact]
    public async Task SubjectAndMessageLimitsAreBytes()
    {
        // 170 three-byte characters are 510 bytes, 171 are 513.
        var subjectAtLimit = new string('a', 2) + new string('警', 170);
        var subjectOver = new string('警', 171);
        var messageAtLimit = new string('m', 256 * 1024);
        var messageOver = new string('é', 128 * 1024 + 1);

        var accepted = await PublishAsync(new JsonObject { ["subject"] = subjectAtLimit, ["message"] = messageAtLimit });
        var subjectRejected = await PublishAsync(new JsonObject { ["subject"] = subjectOver, ["message"] = "x" });
        var messageRejected = await PublishAsync(new JsonObject { ["message"] = messageOver });
        var missing = await PublishAsync(new JsonObject { ["subject"] = "only a subject" });

        Assert.Equal(200, accepted.Status);
        AssertSmnError(subjectRejected, 400, "SMN.0001", "513 bytes");
        AssertSmnError(messageRejected, 400, "SMN.0001", "262146 bytes");
        AssertSmnError(missing, 400, "SMN.0001", "message");
        Assert.Equal(1, MessageRecords());
    }

    [Fact]
    public async Task PublishToMissingTopicFails()
    {
        var response = await _server.SendAsync(
            HttpMethod.Post, $"{TopicsPath}/urn:smn:{_server.Region}:{_server.ProjectId}:nope/publish", """{"message":"x"}""");

        AssertSmnError(response, 404, "SMN.0006", "nope");
        Assert.Equal(0, MessageRecords());
    }
}

using DrsNotify.Server.Storage;
using DrsNotify.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static DrsNotify.Tests.Topics.TopicHarness;

namespace DrsNotify.Tests.Topics;

/// <summary>Subscribe, confirm, list and unsubscribe, on a real server whose clock is a <see cref="FakeTimeProvider"/>.</summary>
public sealed class SubscriptionTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 4, 10, 0, 0, TimeSpan.Zero));
    private TestServer _server = null!;
    private string _topic = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync(
            new Dictionary<string, string>
            {
                ["DrsNotify:Delivery:Capture"] = "true",
                ["DrsNotify:PublicBaseUrl"] = "https://drs.example.com/notify/",

                // The expiry test moves the clock 48 hours, past the default token lifetime.
                ["DrsNotify:Tokens:Lifetime"] = "30.00:00:00",
            },
            services => services.AddSingleton<TimeProvider>(_time));
        _topic = await CreateTopicAsync(_server, "drs-zw");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("email", "ops@example.com", "email")]
    [InlineData("sms", "+8613800138000", "sms")]
    [InlineData("http", "http://127.0.0.1:9/hook", "webhook")]
    [InlineData("https", "https://hooks.example.com/drs?team=ops", "webhook")]
    public async Task SubscribeSendsConfirmation(string protocol, string endpoint, string channel)
    {
        var response = await SubscribeAsync(_server, _topic, protocol, endpoint);

        Assert.Equal(200, response.Status);
        var urn = (string)response.Json!["subscription_urn"]!;
        Assert.Matches($"^{_topic}:[0-9a-f]{{32}}$", urn);
        Assert.Equal(response.RequestId, (string?)response.Json!["request_id"]);

        var row = Assert.Single(OutboxFor(_server, endpoint));
        Assert.Equal("confirmation", row.Purpose);
        Assert.Equal(channel, row.Channel);
        Assert.Equal(urn, row.DedupKey);
        Assert.StartsWith("confirm-", row.EventKey);
        Assert.Contains("https://drs.example.com/notify/v2/notifications/subscriptions/confirm?token=", row.Body);
        Assert.Contains("drs-zw", row.Subject);

        // Only a hash of the token is stored.
        var token = TokenIn(row.Body);
        Assert.DoesNotContain(token, StoreSnapshot.Take(_server).Replace(row.Body, ""));

        var listed = Assert.Single(await SubscriptionsAsync(_server, _topic))!;
        Assert.Equal(urn, (string?)listed["subscription_urn"]);
        Assert.Equal(_topic, (string?)listed["topic_urn"]);
        Assert.Equal(protocol, (string?)listed["protocol"]);
        Assert.Equal(endpoint, (string?)listed["endpoint"]);
        Assert.Equal("test", (string?)listed["remark"]);
        Assert.Equal(_server.ProjectId, (string?)listed["owner"]);
        Assert.Equal(0, (int)listed["status"]!);
    }

    [Fact]
    public async Task ConfirmationIsInRequestLanguage()
    {
        await SubscribeAsync(_server, _topic, "sms", "13812345678", "zh-cn");

        var row = Assert.Single(OutboxFor(_server, "13812345678"));
        Assert.Equal("zh-cn", row.Language);
        Assert.Contains("请在", row.Body);
        Assert.Contains("确认订阅", row.Body);
    }

    [Fact]
    public async Task ConfirmOnceThenUsed()
    {
        await SubscribeUrnAsync(_server, _topic, "email", "ops@example.com");
        var token = LatestToken(_server, "ops@example.com");

        var confirmed = await ConfirmAsync(_server, token);
        var again = await ConfirmAsync(_server, token);
        var againZh = await ConfirmAsync(_server, token, "zh-cn");

        Assert.Equal(200, confirmed.Status);
        Assert.Equal(1, (int)confirmed.Json!["status"]!);
        Assert.Equal(_topic, (string?)confirmed.Json!["topic_urn"]);
        AssertSmnError(again, 400, "SMN.0012", "already used");
        AssertSmnError(againZh, 400, "SMN.0012", "已被使用");
        Assert.Equal(1, (int)(await SubscriptionsAsync(_server, _topic))[0]!["status"]!);
    }

    [Fact]
    public async Task ConfirmRejectsUnknownAndMissingTokens()
    {
        var unknown = await ConfirmAsync(_server, "not-a-token");
        var missing = await _server.SendAsync(HttpMethod.Get, "/v2/notifications/subscriptions/confirm", null, client: _server.Anonymous);

        AssertSmnError(unknown, 400, "SMN.0011", "not valid");
        AssertSmnError(missing, 400, "SMN.0001", "token");
    }

    [Fact]
    public async Task TokenExpiresAfter48Hours()
    {
        await SubscribeUrnAsync(_server, _topic, "email", "late@example.com");
        await SubscribeUrnAsync(_server, _topic, "email", "early@example.com");
        var late = LatestToken(_server, "late@example.com");
        var early = LatestToken(_server, "early@example.com");

        _time.Advance(TimeSpan.FromHours(48) - TimeSpan.FromSeconds(1));
        var inTime = await ConfirmAsync(_server, early);
        _time.Advance(TimeSpan.FromSeconds(1));
        var expired = await ConfirmAsync(_server, late);
        var expiredZh = await ConfirmAsync(_server, late, "zh-cn");

        Assert.Equal(200, inTime.Status);
        AssertSmnError(expired, 400, "SMN.0013", "expired at 2026-12-06 10:00:00 (UTC)");
        AssertSmnError(expiredZh, 400, "SMN.0013", "已于 2026-12-06 10:00:00（UTC）过期");
        var statuses = (await SubscriptionsAsync(_server, _topic)).Select(s => ((string?)s!["endpoint"], (int)s["status"]!)).ToArray();
        Assert.Equal([("late@example.com", 0), ("early@example.com", 1)], statuses);

        // Subscribing again sends a new token, valid for another 48 hours.
        await SubscribeUrnAsync(_server, _topic, "email", "late@example.com");
        var renewed = await ConfirmAsync(_server, LatestToken(_server, "late@example.com"));
        Assert.Equal(200, renewed.Status);
    }

    [Fact]
    public async Task SubscribeAgainReusesSubscription()
    {
        var first = await SubscribeUrnAsync(_server, _topic, "email", "ops@example.com");
        var oldToken = LatestToken(_server, "ops@example.com");

        var again = await SubscribeUrnAsync(_server, _topic, "email", "OPS@example.com");
        var newToken = LatestToken(_server, "OPS@example.com");

        Assert.Equal(first, again);
        Assert.NotEqual(oldToken, newToken);
        AssertSmnError(await ConfirmAsync(_server, oldToken), 400, "SMN.0011");
        Assert.Equal(200, (await ConfirmAsync(_server, newToken)).Status);

        // A confirmed subscription stays confirmed and gets no new confirmation.
        var confirmedAgain = await SubscribeUrnAsync(_server, _topic, "email", "ops@example.com");
        Assert.Equal(first, confirmedAgain);
        Assert.Single(OutboxFor(_server, "ops@example.com"));
        Assert.Single(await SubscriptionsAsync(_server, _topic));
    }

    [Fact]
    public async Task UnsubscribeCancelsAndKeepsRow()
    {
        var urn = await SubscribeConfirmedAsync(_server, _topic, "email", "ops@example.com");
        var pending = await SubscribeUrnAsync(_server, _topic, "sms", "13812345678");
        var pendingToken = LatestToken(_server, "13812345678");

        var cancelled = await _server.SendAsync(HttpMethod.Delete, $"/v2/{{project_id}}/notifications/subscriptions/{urn}", null);
        var cancelledPending = await _server.SendAsync(HttpMethod.Delete, $"/v2/{{project_id}}/notifications/subscriptions/{pending}", null);
        var twice = await _server.SendAsync(HttpMethod.Delete, $"/v2/{{project_id}}/notifications/subscriptions/{urn}", null);

        Assert.Equal(200, cancelled.Status);
        Assert.Equal(200, cancelledPending.Status);
        Assert.Equal(200, twice.Status);
        Assert.All(await SubscriptionsAsync(_server, _topic), s => Assert.Equal(3, (int)s!["status"]!));
        AssertSmnError(await ConfirmAsync(_server, pendingToken), 400, "SMN.0012", "cancelled");

        // A cancelled endpoint can subscribe again, as a new subscription.
        var renewed = await SubscribeUrnAsync(_server, _topic, "email", "ops@example.com");
        Assert.NotEqual(urn, renewed);
    }

    [Fact]
    public async Task UnsubscribeRejectsBadUrns()
    {
        var malformed = await _server.SendAsync(HttpMethod.Delete, "/v2/{project_id}/notifications/subscriptions/not-a-urn", null);
        var missing = await _server.SendAsync(
            HttpMethod.Delete, $"/v2/{{project_id}}/notifications/subscriptions/{_topic}:{new string('a', 32)}", null);

        AssertSmnError(malformed, 400, "SMN.0008", "not-a-urn");
        AssertSmnError(missing, 404, "SMN.0007");
    }

    [Theory]
    [InlineData("email", "not-an-address", "e-mail")]
    [InlineData("sms", "12ab", "mobile number")]
    [InlineData("http", "https://hooks.example.com/x", "http URL")]
    [InlineData("https", "http://hooks.example.com/x", "https URL")]
    [InlineData("https", "/relative/path", "https URL")]
    [InlineData("http", "http://", "http URL")]
    [InlineData("ftp", "ftp://files.example.com", "email, sms, http, https")]
    [InlineData("http", "http://user:secret@hooks.example.com/x", "http URL")]
    [InlineData("http", "http://169.254.169.254/latest/meta-data", "link-local")]
    [InlineData("http", "http://[fe80::1]/x", "link-local")]
    public async Task SubscribeRejectsInvalidEndpoints(string protocol, string endpoint, string reason)
    {
        var response = await SubscribeAsync(_server, _topic, protocol, endpoint);

        AssertSmnError(response, 400, "SMN.0001", reason);
        Assert.Empty(OutboxFor(_server, endpoint));
    }

    [Fact]
    public async Task SubscribeToMissingTopicFails()
    {
        var response = await SubscribeAsync(_server, $"urn:smn:{_server.Region}:{_server.ProjectId}:nope", "email", "ops@example.com");

        AssertSmnError(response, 404, "SMN.0006");
        Assert.Empty(OutboxFor(_server, "ops@example.com"));
    }

    [Fact]
    public async Task TopicHoldsAtMost10000Subscriptions()
    {
        // 9,999 subscriptions straight in the store, then the API adds the 10,000th.
        await _server.Services.GetRequiredService<Database>().WriteAsync((connection, transaction) => connection.Exec(
            """
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 9999)
            INSERT INTO topic_subscriptions (urn, topic_id, project_id, protocol, endpoint, endpoint_key, status, created_at)
            SELECT $topic || ':' || printf('%032x', i), t.id, t.project_id, 'sms', '138' || printf('%08d', i), '138' || printf('%08d', i), 1, 0
            FROM n, topics t WHERE t.urn = $topic
            """,
            transaction, ("$topic", _topic)));

        var last = await SubscribeAsync(_server, _topic, "email", "last@example.com");
        var over = await SubscribeAsync(_server, _topic, "email", "over@example.com");
        var overZh = await SubscribeAsync(_server, _topic, "email", "over@example.com", "zh-cn");

        Assert.Equal(200, last.Status);
        AssertSmnError(over, 400, "SMN.0009", "already has 10000 subscriptions");
        AssertSmnError(overZh, 400, "SMN.0009", "已达上限 10000 个");
        Assert.Empty(OutboxFor(_server, "over@example.com"));

        // A cancelled subscription frees its place.
        var cancelled = await _server.SendAsync(
            HttpMethod.Delete, $"/v2/{{project_id}}/notifications/subscriptions/{(string)last.Json!["subscription_urn"]!}", null);
        Assert.Equal(200, cancelled.Status);
        Assert.Equal(200, (await SubscribeAsync(_server, _topic, "email", "over@example.com")).Status);
    }
}

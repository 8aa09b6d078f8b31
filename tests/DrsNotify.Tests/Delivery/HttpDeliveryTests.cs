using System.Security.Cryptography;
using System.Text;
using DrsNotify.Server.Delivery;
using DrsNotify.Server.Storage;
using DrsNotify.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DrsNotify.Tests.Delivery;

/// <summary>SMS gateway and webhook delivery against a real HTTP receiver on 127.0.0.1.</summary>
public sealed class HttpDeliveryTests
{
    [Fact]
    public async Task SmsGatewayCallIsSigned()
    {
        await using var receiver = await HttpReceiver.StartAsync();
        await using var server = await TestServer.StartAsync(DeliveryHarness.FastSettings().WithSms(receiver.BaseAddress));
        var jobId = await DeliveryHarness.CreateJobWithRecipientsAsync(server, [], ["13812345678"]);

        var ids = await DeliveryHarness.TestNotificationAsync(server, jobId, "zh-cn");

        var row = (await DeliveryHarness.WaitForFinalAsync(server, ids)).Single();
        Assert.Equal(OutboxStates.Delivered, row.State);
        var call = Assert.Single(receiver.Calls);
        Assert.Equal("/sms", call.Path);
        Assert.StartsWith("application/json", call.Header("Content-Type"));
        Assert.Equal(ExpectedSignature(call.Body, DeliveryHarness.SmsSecret), call.Header("X-DrsNotify-Signature"));
        Assert.Equal(row.DedupKey, call.Header("X-DrsNotify-Dedup-Key"));
        Assert.Equal("13812345678", (string?)call.Json["to"]);
        Assert.Equal(row.DedupKey, (string?)call.Json["dedup_key"]);
        Assert.Contains($"DRS 任务 {jobId} 的测试短信", (string?)call.Json["text"]);
        Assert.Equal(3, call.Json.AsObject().Count);
    }

    [Fact]
    public async Task TwoFailuresThenSuccessDeliversOnce()
    {
        await using var receiver = await HttpReceiver.StartAsync();
        var calls = 0;
        receiver.Respond = (_, _) => Task.FromResult(Interlocked.Increment(ref calls) <= 2 ? 500 : 200);
        await using var server = await TestServer.StartAsync(DeliveryHarness.FastSettings().WithSms(receiver.BaseAddress));
        var jobId = await DeliveryHarness.CreateJobWithRecipientsAsync(server, [], ["13812345678"]);

        var ids = await DeliveryHarness.TestNotificationAsync(server, jobId);

        var row = (await DeliveryHarness.WaitForFinalAsync(server, ids)).Single();
        Assert.Equal(OutboxStates.Delivered, row.State);
        Assert.Equal(3, row.Attempts);
        Assert.Contains("500", row.LastError);
        await Task.Delay(300);
        Assert.Equal(3, receiver.Calls.Count);
        Assert.All(receiver.Calls, call => Assert.Equal(row.DedupKey, call.Header("X-DrsNotify-Dedup-Key")));
    }

    [Fact]
    public async Task HangingRecipientTimesOutAlone()
    {
        await using var receiver = await HttpReceiver.StartAsync();
        var slowCalls = 0;
        receiver.Respond = async (call, token) =>
        {
            if ((string?)call.Json["to"] == "13800000001" && Interlocked.Increment(ref slowCalls) == 1)
            {
                await Task.Delay(Timeout.Infinite, token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                return 503;
            }

            return 200;
        };
        await using var server = await TestServer.StartAsync(
            DeliveryHarness.FastSettings(sendTimeout: "00:00:00.800").WithSms(receiver.BaseAddress));
        var jobId = await DeliveryHarness.CreateJobWithRecipientsAsync(server, [], ["13800000001", "13800000002", "13800000003"]);

        var ids = await DeliveryHarness.TestNotificationAsync(server, jobId);

        // The others are delivered while the first is still waiting for its timeout.
        var others = ids.Skip(1).ToArray();
        await DeliveryHarness.WaitUntilAsync(() => others.All(id => DeliveryHarness.Read(server, id).State == OutboxStates.Delivered), 5);
        var slow = DeliveryHarness.Read(server, ids[0]);
        Assert.Equal(OutboxStates.Pending, slow.State);
        Assert.Equal(0, slow.Attempts);

        var rows = await DeliveryHarness.WaitForFinalAsync(server, ids);
        Assert.All(rows, row => Assert.Equal(OutboxStates.Delivered, row.State));
        Assert.Equal(2, rows[0].Attempts);
        Assert.Contains("timed out", rows[0].LastError);
        Assert.All(rows.Skip(1), row => Assert.Equal(1, row.Attempts));
    }

    [Theory]
    [InlineData(400, "dead", 1)]
    [InlineData(404, "dead", 1)]
    [InlineData(408, "delivered", 2)]
    [InlineData(429, "delivered", 2)]
    [InlineData(503, "delivered", 2)]
    public async Task FirstStatusDecidesRetryOrDeadLetter(int firstStatus, string expectedState, int expectedAttempts)
    {
        await using var receiver = await HttpReceiver.StartAsync();
        var calls = 0;
        receiver.Respond = (_, _) => Task.FromResult(Interlocked.Increment(ref calls) == 1 ? firstStatus : 200);
        await using var server = await TestServer.StartAsync(DeliveryHarness.FastSettings().WithSms(receiver.BaseAddress));
        var jobId = await DeliveryHarness.CreateJobWithRecipientsAsync(server, [], ["13812345678"]);

        var ids = await DeliveryHarness.TestNotificationAsync(server, jobId);

        var row = (await DeliveryHarness.WaitForFinalAsync(server, ids)).Single();
        Assert.Equal(expectedState, row.State);
        Assert.Equal(expectedAttempts, row.Attempts);
        Assert.Contains(firstStatus.ToString(System.Globalization.CultureInfo.InvariantCulture), row.LastError);
    }

    [Fact]
    public async Task LastRetryFailureDeadLetters()
    {
        await using var receiver = await HttpReceiver.StartAsync();
        receiver.Respond = (_, _) => Task.FromResult(502);
        await using var server = await TestServer.StartAsync(DeliveryHarness.FastSettings(retries: 2).WithSms(receiver.BaseAddress));
        var jobId = await DeliveryHarness.CreateJobWithRecipientsAsync(server, [], ["13812345678"]);

        var ids = await DeliveryHarness.TestNotificationAsync(server, jobId);

        var row = (await DeliveryHarness.WaitForFinalAsync(server, ids)).Single();
        Assert.Equal(OutboxStates.Dead, row.State);
        Assert.Equal(3, row.Attempts);
        Assert.Contains("502", row.LastError);
        Assert.Equal(3, receiver.Calls.Count);
    }

    [Fact]
    public async Task UnconfiguredSmsDeadLettersWithReason()
    {
        await using var server = await TestServer.StartAsync(DeliveryHarness.FastSettings());
        var jobId = await DeliveryHarness.CreateJobWithRecipientsAsync(server, [], ["13812345678"]);

        var ids = await DeliveryHarness.TestNotificationAsync(server, jobId);

        var row = (await DeliveryHarness.WaitForFinalAsync(server, ids)).Single();
        Assert.Equal(OutboxStates.Dead, row.State);
        Assert.StartsWith("The SMS gateway is not configured: set DrsNotify:Sms:GatewayUrl", row.LastError);
    }

    [Fact]
    public async Task WebhookErrorHidesUrlCredentials()
    {
        await using var receiver = await HttpReceiver.StartAsync();
        var calls = 0;
        receiver.Respond = (_, _) => Task.FromResult(Interlocked.Increment(ref calls) <= 1 ? 500 : 200);
        var settings = DeliveryHarness.FastSettings();
        settings["DrsNotify:Webhooks:Secret"] = DeliveryHarness.WebhookSecret;
        await using var server = await TestServer.StartAsync(settings);
        var url = new UriBuilder(new Uri(receiver.BaseAddress, "/hook?access_token=QuerySecret123"))
        {
            UserName = "hookuser",
            Password = "HookPassw0rd",
        }.Uri.ToString();

        var id = await EnqueueAsync(server, Channels.Webhook, url);

        var row = (await DeliveryHarness.WaitForFinalAsync(server, [id])).Single();
        Assert.Equal(OutboxStates.Delivered, row.State);
        Assert.Contains("500", row.LastError);
        Assert.DoesNotContain("HookPassw0rd", row.LastError);
        Assert.DoesNotContain("hookuser", row.LastError);
        Assert.DoesNotContain("QuerySecret123", row.LastError);
    }

    [Fact]
    public async Task WebhookCallIsSigned()
    {
        await using var receiver = await HttpReceiver.StartAsync();
        var settings = DeliveryHarness.FastSettings();
        settings["DrsNotify:Webhooks:Secret"] = DeliveryHarness.WebhookSecret;
        await using var server = await TestServer.StartAsync(settings);
        var url = new Uri(receiver.BaseAddress, "/hooks/drs?token=abc").ToString();

        var id = await EnqueueAsync(server, Channels.Webhook, url);

        var row = (await DeliveryHarness.WaitForFinalAsync(server, [id])).Single();
        Assert.Equal(OutboxStates.Delivered, row.State);
        var call = Assert.Single(receiver.Calls);
        Assert.Equal("/hooks/drs", call.Path);
        Assert.Equal(ExpectedSignature(call.Body, DeliveryHarness.WebhookSecret), call.Header("X-DrsNotify-Signature"));
        Assert.Equal("p1:job-1:sync_delay:1", call.Header("X-DrsNotify-Dedup-Key"));
        Assert.Equal("Delay alarm", (string?)call.Json["subject"]);
        Assert.Equal("The delay is 120 s.", (string?)call.Json["message"]);
        Assert.Equal("p1:job-1:sync_delay:1", (string?)call.Json["dedup_key"]);
        Assert.Equal("firing", (string?)call.Json["event_key"]);
    }

    [Fact]
    public async Task UnconfiguredWebhookDeadLettersWithReason()
    {
        await using var receiver = await HttpReceiver.StartAsync();
        await using var server = await TestServer.StartAsync(DeliveryHarness.FastSettings());

        var id = await EnqueueAsync(server, Channels.Webhook, new Uri(receiver.BaseAddress, "/hooks/drs").ToString());

        var row = (await DeliveryHarness.WaitForFinalAsync(server, [id])).Single();
        Assert.Equal(OutboxStates.Dead, row.State);
        Assert.StartsWith("Webhooks are not configured: set DrsNotify:Webhooks:Secret", row.LastError);
        Assert.Empty(receiver.Calls);
    }

    /// <summary>Enqueues an alarm message the way the alarm engine does, and wakes the dispatcher.</summary>
    internal static async Task<long> EnqueueAsync(TestServer server, string channel, string recipient, long? alarmId = 1, string projectId = "p1")
    {
        var message = new OutboxMessage(
            projectId, "job-1", alarmId, Purposes.Alarm, channel, recipient, "en-us", "Delay alarm", "The delay is 120 s.",
            "p1:job-1:sync_delay:1", "firing");
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var id = await server.Services.GetRequiredService<Database>().WriteAsync((connection, transaction) =>
            Outbox.Enqueue(connection, transaction, message, now));
        server.Services.GetRequiredService<Dispatcher>().Wake();
        return id;
    }

    /// <summary>The signature that the delivery docs promise, computed here without the server's code.</summary>
    private static string ExpectedSignature(byte[] body, string secret) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));
}

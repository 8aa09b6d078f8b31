using System.Text.Json.Nodes;
using DrsNotify.Server.Delivery;
using DrsNotify.Server.Storage;
using DrsNotify.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DrsNotify.Tests.Delivery;

/// <summary>One outbox row as the tests read it straight from the store.</summary>
public sealed record StoredDelivery(
    long Id, string Channel, string Recipient, string State, int Attempts, string? LastError, string DedupKey, string EventKey);

/// <summary>Shared steps of the delivery tests: fast configuration, recipients, polling the outbox.</summary>
public static class DeliveryHarness
{
    public const string SmsSecret = "sms-gateway-secret-0123456789";
    public const string WebhookSecret = "webhook-secret-0123456789abcdef";

    /// <summary>Returns settings with retries, polling and timeouts shortened to milliseconds.</summary>
    public static Dictionary<string, string> FastSettings(int retries = 6, string sendTimeout = "00:00:02")
    {
        var settings = new Dictionary<string, string>
        {
            ["DrsNotify:Delivery:PollInterval"] = "00:00:00.050",
            ["DrsNotify:Delivery:SendTimeout"] = sendTimeout,
            ["DrsNotify:Delivery:LeaseDuration"] = "00:00:05",
            ["DrsNotify:Delivery:ShutdownTimeout"] = "00:00:01",
        };
        for (var i = 0; i < retries; i++)
        {
            settings[$"DrsNotify:Delivery:RetryDelays:{i}"] = "00:00:00.100";
        }

        return settings;
    }

    public static Dictionary<string, string> WithSmtp(this Dictionary<string, string> settings, int port)
    {
        settings["DrsNotify:Smtp:Host"] = "127.0.0.1";
        settings["DrsNotify:Smtp:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["DrsNotify:Smtp:Security"] = "None";
        settings["DrsNotify:Smtp:From"] = "DrsNotify <drs@drsnotify.test>";
        return settings;
    }

    public static Dictionary<string, string> WithSms(this Dictionary<string, string> settings, Uri gateway)
    {
        settings["DrsNotify:Sms:GatewayUrl"] = new Uri(gateway, "/sms").ToString();
        settings["DrsNotify:Sms:Secret"] = SmsSecret;
        return settings;
    }

    /// <summary>Creates a job and sets <paramref name="emails"/> and <paramref name="phones"/> as its recipients.</summary>
    public static async Task<string> CreateJobWithRecipientsAsync(TestServer server, string[] emails, string[] phones, string language = "en-us")
    {
        var jobId = JobSeeds.NewJobId();
        await JobSeeds.CreateAsync(server, jobId);
        var subscriptions = new JsonArray();
        if (emails.Length > 0)
        {
            subscriptions.Add(new JsonObject { ["protocol"] = "email", ["endpoints"] = new JsonArray([.. emails.Select(e => JsonValue.Create(e))]) });
        }

        if (phones.Length > 0)
        {
            subscriptions.Add(new JsonObject { ["protocol"] = "sms", ["endpoints"] = new JsonArray([.. phones.Select(p => JsonValue.Create(p))]) });
        }

        var body = new JsonObject
        {
            ["jobs"] = new JsonArray(new JsonObject { ["job_id"] = jobId, ["status"] = "CONFIGURATION", ["engine_type"] = "mysql" }),
            ["alarm_notify_info"] = new JsonObject { ["subscriptions"] = subscriptions, ["delay_time"] = 60 },
        };
        var response = await server.PostAsync("/v3/{project_id}/jobs/batch-set-smn", body.ToJsonString(), language);
        Assert.Equal("success", (string?)response.Json!["results"]![0]!["status"]);
        return jobId;
    }

    /// <summary>Sends a test notification for the job and returns the delivery ids.</summary>
    public static async Task<long[]> TestNotificationAsync(TestServer server, string jobId, string language = "en-us")
    {
        var response = await server.PostAsync($"/v3/{{project_id}}/jobs/{jobId}/test-notification", "{}", language);
        Assert.True(response.Status == 202, $"test-notification answered {response.Status}: {response.Body}");
        return response.Json!["delivery_ids"]!.AsArray().Select(id => (long)id!).ToArray();
    }

    public static StoredDelivery Read(TestServer server, long id) =>
        server.Services.GetRequiredService<Database>().Read(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT id, channel, recipient, state, attempts, last_error, dedup_key, event_key FROM outbox WHERE id = $id";
            command.Parameters.AddWithValue("$id", id);
            using var reader = command.ExecuteReader();
            Assert.True(reader.Read(), $"No outbox row {id}.");
            return new StoredDelivery(
                reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetInt32(4),
                reader.IsDBNull(5) ? null : reader.GetString(5), reader.GetString(6), reader.GetString(7));
        });

    /// <summary>Waits until every row of <paramref name="ids"/> has left the pending state, and returns them.</summary>
    public static async Task<StoredDelivery[]> WaitForFinalAsync(TestServer server, IEnumerable<long> ids, double seconds = 15)
    {
        var list = ids.ToArray();
        StoredDelivery[] rows = [];
        await WaitUntilAsync(() =>
        {
            rows = list.Select(id => Read(server, id)).ToArray();
            return rows.All(row => row.State != OutboxStates.Pending);
        }, seconds, () => string.Join("; ", rows.Select(row => row.ToString())));
        return rows;
    }

    public static async Task WaitUntilAsync(Func<bool> condition, double seconds = 15, Func<string>? describe = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Condition not met within {seconds} s. {describe?.Invoke()}");
            }

            await Task.Delay(25);
        }
    }
}

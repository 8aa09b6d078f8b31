using DrsNotify.Server.Delivery;
using Microsoft.Data.Sqlite;

namespace DrsNotify.Tests.Delivery;

/// <summary>A server killed with SIGKILL in the middle of a send delivers the message after it starts again.</summary>
public sealed class CrashRecoveryTests
{
    [Fact]
    public async Task KilledMidSendDeliversAfterRestart()
    {
        await using var receiver = await HttpReceiver.StartAsync();
        receiver.Hang();
        var dataDirectory = Directory.CreateTempSubdirectory("drsnotify-crash-").FullName;

        // The lease (3 s) outlives the send timeout (2 s), so the restarted server waits for it to expire.
        var settings = new Dictionary<string, string>
        {
            ["DrsNotify:Delivery:PollInterval"] = "00:00:00.050",
            ["DrsNotify:Delivery:SendTimeout"] = "00:00:02",
            ["DrsNotify:Delivery:LeaseDuration"] = "00:00:03",
            ["DrsNotify:Delivery:RetryDelays:0"] = "00:00:00.100",
            ["DrsNotify:Sms:GatewayUrl"] = new Uri(receiver.BaseAddress, "/sms").ToString(),
            ["DrsNotify:Sms:Secret"] = DeliveryHarness.SmsSecret,
        };

        try
        {
            long deliveryId;
            await using (var first = await ServerProcess.StartAsync(dataDirectory, settings))
            {
                var jobId = await CreateJobAsync(first);
                var response = await first.PostAsync($"/v3/{{project_id}}/jobs/{jobId}/test-notification", "{}");
                Assert.True(response.Status == 202, response.Body);
                deliveryId = (long)response.Json!["delivery_ids"]![0]!;

                await DeliveryHarness.WaitUntilAsync(() => !receiver.Calls.IsEmpty, 10, () => first.Output);
                first.Kill();
            }

            var beforeKill = Assert.Single(receiver.Calls);
            Assert.Equal(OutboxStates.Pending, ReadState(dataDirectory, deliveryId).State);
            receiver.Respond = (_, _) => Task.FromResult(200);

            await using var second = await ServerProcess.StartAsync(dataDirectory, settings);
            await DeliveryHarness.WaitUntilAsync(
                () => ReadState(dataDirectory, deliveryId).State == OutboxStates.Delivered, 20, () => second.Output);

            var calls = receiver.Calls.ToArray();
            Assert.True(calls.Length >= 2, $"calls: {calls.Length}");
            var dedupKey = ReadState(dataDirectory, deliveryId).DedupKey;
            Assert.Equal(dedupKey, beforeKill.Header("X-DrsNotify-Dedup-Key"));
            Assert.All(calls, call => Assert.Equal(dedupKey, call.Header("X-DrsNotify-Dedup-Key")));
            Assert.All(calls, call => Assert.Equal(dedupKey, (string?)call.Json["dedup_key"]));
            Assert.All(calls, call => Assert.Equal("13812345678", (string?)call.Json["to"]));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task ShutdownWaitsThenLeavesSendPending()
    {
        await using var receiver = await HttpReceiver.StartAsync();
        receiver.Hang();
        var dataDirectory = Directory.CreateTempSubdirectory("drsnotify-shutdown-").FullName;
        var settings = DeliveryHarness.FastSettings(sendTimeout: "00:00:20").WithSms(receiver.BaseAddress);
        settings["DrsNotify:Delivery:LeaseDuration"] = "00:00:30";
        settings["DrsNotify:Delivery:ShutdownTimeout"] = "00:00:01";

        try
        {
            var server = await Infrastructure.TestServer.StartAsync(settings, dataDirectory: dataDirectory);
            var jobId = await DeliveryHarness.CreateJobWithRecipientsAsync(server, [], ["13812345678"]);
            var id = Assert.Single(await DeliveryHarness.TestNotificationAsync(server, jobId));
            await DeliveryHarness.WaitUntilAsync(() => !receiver.Calls.IsEmpty, 10);

            var stopwatch = System.Diagnostics.Stopwatch.StartNew();
            await server.DisposeAsync();
            stopwatch.Stop();

            // The send in flight got the 1 s shutdown timeout, not its own 20 s send timeout.
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(8), $"stop took {stopwatch.Elapsed}");
            var (state, _) = ReadState(dataDirectory, id);
            Assert.Equal(OutboxStates.Pending, state);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    private static async Task<string> CreateJobAsync(ServerProcess server)
    {
        var jobId = Infrastructure.JobSeeds.NewJobId();
        var create = await server.PostAsync("/v3/{project_id}/jobs/batch-creation", $$"""
            {"jobs":[{"job_id":"{{jobId}}","name":"crash-{{jobId[..8]}}","engine_type":"mysql","db_use_type":"sync",
                      "task_type":"FULL_INCR_TRANS","job_direction":"up"}]}
            """);
        Assert.True(create.Status == 202, create.Body);
        var set = await server.PostAsync("/v3/{project_id}/jobs/batch-set-smn", $$$"""
            {"jobs":[{"job_id":"{{{jobId}}}","status":"CONFIGURATION","engine_type":"mysql"}],
             "alarm_notify_info":{"subscriptions":[{"protocol":"sms","endpoints":["13812345678"]}],"delay_time":60}}
            """);
        Assert.True(set.Status == 200, set.Body);
        Assert.Equal("success", (string?)set.Json!["results"]![0]!["status"]);
        return jobId;
    }

    /// <summary>Reads the row straight from the data directory's database, as another process would.</summary>
    private static (string State, string DedupKey) ReadState(string dataDirectory, long id)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(dataDirectory, "drsnotify.db"),
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT state, dedup_key FROM outbox WHERE id = $id";
        command.Parameters.AddWithValue("$id", id);
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read(), $"No outbox row {id}.");
        return (reader.GetString(0), reader.GetString(1));
    }
}

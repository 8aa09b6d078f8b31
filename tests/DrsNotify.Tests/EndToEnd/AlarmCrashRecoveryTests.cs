using DrsNotify.Server.Delivery;
using DrsNotify.Tests.Delivery;
using Microsoft.Data.Sqlite;

namespace DrsNotify.Tests.EndToEnd;

/// <summary>
/// An alarm that fired while the SMS gateway was not responding survives a SIGKILL of the server
/// process, and the restarted server delivers it with the same dedup key.
/// </summary>
public sealed class AlarmCrashRecoveryTests
{
    private const string Phone = "13812345678";

    [Theory]
    [InlineData("hangs")]
    [InlineData("refuses")]
    public async Task FiredAlarmSurvivesKill(string gatewayFault)
    {
        // A hanging gateway accepts the connection and never responds. A refusing one is not listening yet.
        var gatewayPort = FreePort.Next();
        HttpReceiver? gateway = null;
        if (gatewayFault == "hangs")
        {
            gateway = await HttpReceiver.StartAsync(gatewayPort);
            gateway.Hang();
        }

        var dataDirectory = Directory.CreateTempSubdirectory("drsnotify-alarm-crash-").FullName;
        var settings = new Dictionary<string, string>
        {
            ["DrsNotify:Alarms:SustainWindow"] = "00:00:01",
            ["DrsNotify:Alarms:EvaluationInterval"] = "00:00:00.200",
            ["DrsNotify:Delivery:PollInterval"] = "00:00:00.050",
            ["DrsNotify:Delivery:SendTimeout"] = "00:00:02",
            ["DrsNotify:Delivery:LeaseDuration"] = "00:00:03",
            // Retries 2 s apart keep a refused row pending well past the kill, instead of dead-lettering it.
            ["DrsNotify:Delivery:RetryDelays:0"] = "00:00:02",
            ["DrsNotify:Delivery:RetryDelays:1"] = "00:00:02",
            ["DrsNotify:Delivery:RetryDelays:2"] = "00:00:02",
            ["DrsNotify:Sms:GatewayUrl"] = $"http://127.0.0.1:{gatewayPort}/sms",
            ["DrsNotify:Sms:Secret"] = DeliveryHarness.SmsSecret,
        };

        try
        {
            string jobId;
            long deliveryId;
            await using (var first = await ServerProcess.StartAsync(dataDirectory, settings))
            {
                jobId = await RegisterJobWithSmsAsync(first);
                await ReportDelayAsync(first, jobId, 120);
                await Task.Delay(1500);
                await ReportDelayAsync(first, jobId, 120);

                await DeliveryHarness.WaitUntilAsync(() => ReadOutbox(dataDirectory, jobId).Count == 1, 15, () => first.Output);
                deliveryId = ReadOutbox(dataDirectory, jobId)[0].Id;

                // Wait for at least one attempt, so that the kill lands on a send in flight or a scheduled retry.
                await DeliveryHarness.WaitUntilAsync(
                    () => gatewayFault == "hangs" ? !gateway!.Calls.IsEmpty : ReadOutbox(dataDirectory, jobId)[0].Attempts >= 1,
                    15, () => first.Output);
                first.Kill();
            }

            var beforeKill = ReadOutbox(dataDirectory, jobId).Single();
            Assert.Equal(OutboxStates.Pending, beforeKill.State);
            Assert.Equal("firing", beforeKill.EventKey);
            var callsBeforeKill = gateway?.Calls.ToArray() ?? [];

            gateway ??= await HttpReceiver.StartAsync(gatewayPort);
            gateway.Respond = (_, _) => Task.FromResult(200);

            await using var second = await ServerProcess.StartAsync(dataDirectory, settings);
            await DeliveryHarness.WaitUntilAsync(
                () => ReadOutbox(dataDirectory, jobId).Single().State == OutboxStates.Delivered, 20,
                () => $"{ReadOutbox(dataDirectory, jobId).Single()}\n{second.Output}");

            // Still one episode and one row: the restart neither lost the alarm nor fired it again.
            var delivered = ReadOutbox(dataDirectory, jobId).Single();
            Assert.Equal(deliveryId, delivered.Id);
            var dedupKey = $"{second.ProjectId}:{jobId}:sync_delay:1";
            Assert.Equal(dedupKey, delivered.DedupKey);
            Assert.Equal(("firing", 1), ReadEpisode(dataDirectory, jobId));

            var calls = gateway.Calls.ToArray();
            Assert.NotEmpty(calls.Except(callsBeforeKill));
            Assert.All(calls, call => Assert.Equal(dedupKey, call.Header("X-DrsNotify-Dedup-Key")));
            Assert.All(calls, call => Assert.Equal(dedupKey, (string?)call.Json["dedup_key"]));
            Assert.All(calls, call => Assert.Equal(Phone, (string?)call.Json["to"]));
            Assert.All(calls, call => Assert.StartsWith("[DRS alarm] Job crash-", (string?)call.Json["text"]));
        }
        finally
        {
            if (gateway is not null)
            {
                await gateway.DisposeAsync();
            }

            SqliteConnection.ClearAllPools();
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    private static async Task<string> RegisterJobWithSmsAsync(ServerProcess server)
    {
        var jobId = Infrastructure.JobSeeds.NewJobId();
        var create = await server.PostAsync("/v3/{project_id}/jobs/batch-creation", $$"""
            {"jobs":[{"job_id":"{{jobId}}","name":"crash-{{jobId[..8]}}","engine_type":"mysql","db_use_type":"sync",
                      "task_type":"FULL_INCR_TRANS","job_direction":"up"}]}
            """);
        Assert.True(create.Status == 202, create.Body);

        var report = await server.PostAsync("/v3/{project_id}/jobs/batch-report", $$"""
            {"reports":[{"job_id":"{{jobId}}","status":"STARTJOBING"},{"job_id":"{{jobId}}","status":"INCRE_TRANSFER_STARTED"}]}
            """);
        Assert.True(report.Status == 200, report.Body);

        var set = await server.PostAsync("/v3/{project_id}/jobs/batch-set-smn", $$$"""
            {"jobs":[{"job_id":"{{{jobId}}}","status":"INCRE_TRANSFER_STARTED","engine_type":"mysql"}],
             "alarm_notify_info":{"subscriptions":[{"protocol":"sms","endpoints":["{{{Phone}}}"]}],"delay_time":60}}
            """);
        Assert.True(set.Status == 200, set.Body);
        Assert.Equal("success", (string?)set.Json!["results"]![0]!["status"]);
        return jobId;
    }

    private static async Task ReportDelayAsync(ServerProcess server, string jobId, int seconds)
    {
        var response = await server.PostAsync(
            "/v3/{project_id}/jobs/batch-report", $$"""{"reports":[{"job_id":"{{jobId}}","delay":{{seconds}}}]}""");
        Assert.True(response.Status == 200, response.Body);
        Assert.Equal("success", (string?)response.Json!["results"]![0]!["status"]);
    }

    private sealed record StoredRow(long Id, string State, int Attempts, string DedupKey, string EventKey);

    /// <summary>Reads the job's outbox rows straight from the data directory's database, as another process would.</summary>
    private static List<StoredRow> ReadOutbox(string dataDirectory, string jobId)
    {
        using var connection = OpenReadOnly(dataDirectory);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, state, attempts, dedup_key, event_key FROM outbox WHERE job_id = $job ORDER BY id";
        command.Parameters.AddWithValue("$job", jobId);
        using var reader = command.ExecuteReader();
        var rows = new List<StoredRow>();
        while (reader.Read())
        {
            rows.Add(new StoredRow(reader.GetInt64(0), reader.GetString(1), reader.GetInt32(2), reader.GetString(3), reader.GetString(4)));
        }

        return rows;
    }

    /// <summary>Returns the state and notice count of the job's only episode.</summary>
    private static (string State, int Notices) ReadEpisode(string dataDirectory, string jobId)
    {
        using var connection = OpenReadOnly(dataDirectory);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT state, notices FROM alarm_episodes WHERE job_id = $job";
        command.Parameters.AddWithValue("$job", jobId);
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read(), $"No episode for job {jobId}.");
        var episode = (reader.GetString(0), reader.GetInt32(1));
        Assert.False(reader.Read(), $"More than one episode for job {jobId}.");
        return episode;
    }

    private static SqliteConnection OpenReadOnly(string dataDirectory)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(dataDirectory, "drsnotify.db"),
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString());
        connection.Open();
        return connection;
    }
}

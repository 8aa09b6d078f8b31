using System.Text.Json.Nodes;
using DrsNotify.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace DrsNotify.Tests.Storage;

/// <summary>Schema migrations on a store that an older schema wrote, and a store newer than the server.</summary>
public sealed class MigrationTests
{
    private const string SetSmn = "/v3/{project_id}/jobs/batch-set-smn";

    [Fact]
    public async Task SettingsPointerMigration_KeepsSettingsAndHistory()
    {
        await using var server = await TestServer.StartAsync();
        await Topics.TopicHarness.CreateTopicAsync(server, "drs-zw");
        await JobSeeds.CreateAsync(server, JobSeeds.ConfigurationJobId);
        await SetDelayAsync(server, 100);
        await SetDelayAsync(server, 200);
        var detailBefore = await DetailAsync(server);
        var historyBefore = await HistoryAsync(server);

        await server.RestartAsync(whileStopped: () => RevertToVersion8(server.DataDirectory));

        var detailAfter = await DetailAsync(server);
        Assert.Equal(detailBefore["alarm_notify"]!.ToJsonString(), detailAfter["alarm_notify"]!.ToJsonString());
        Assert.Equal((string?)detailBefore["update_time"], (string?)detailAfter["update_time"]);
        Assert.Equal(historyBefore.ToJsonString(), (await HistoryAsync(server)).ToJsonString());
        Assert.DoesNotContain("alarm_change_id", JobsColumns(server.DataDirectory));

        await SetDelayAsync(server, 300);
        var history = await HistoryAsync(server);
        Assert.Equal(3, (long)history["total_count"]!);
        Assert.Equal(200, (long)history["history"]![0]!["previous"]!["alarm_notify"]!["delay_time"]!);
        Assert.Equal(300, (long)history["history"]![0]!["current"]!["alarm_notify"]!["delay_time"]!);
    }

    [Fact]
    public async Task NewerSchema_ServerExitsWithOneLine()
    {
        var directory = Directory.CreateTempSubdirectory("drsnotify-test-").FullName;
        try
        {
            using (var connection = Open(directory))
            using (var command = connection.CreateCommand())
            {
                command.CommandText = """
                    PRAGMA journal_mode=WAL;
                    CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL);
                    INSERT INTO schema_migrations VALUES (999, 'from a newer version', 0);
                    """;
                command.ExecuteNonQuery();
            }

            var before = Convert.ToHexString(File.ReadAllBytes(Path.Combine(directory, "drsnotify.db")));
            using var error = new StringWriter();

            var exitCode = await DrsNotify.Server.ServerApp.RunAsync(
                ["--urls", "http://127.0.0.1:0", "--DrsNotify:DataDirectory", directory], error);

            Assert.Equal(1, exitCode);
            Assert.StartsWith("error: the store could not be used: The database has schema version 999", error.ToString());
            Assert.Single(error.ToString().TrimEnd().Split('\n'));
            Assert.Equal(before, Convert.ToHexString(File.ReadAllBytes(Path.Combine(directory, "drsnotify.db"))));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task SetDelayAsync(TestServer server, int delay)
    {
        var urn = $"urn:smn:{server.Region}:{server.ProjectId}:drs-zw";
        var response = await server.PostAsync(SetSmn, $$$"""
            {"jobs":[{"job_id":"{{{JobSeeds.ConfigurationJobId}}}","status":"CONFIGURATION","engine_type":"mysql"}],
             "alarm_notify_info":{"topic_urn":"{{{urn}}}","delay_time":{{{delay}}}}}
            """);
        Assert.Equal(200, response.Status);
        Assert.Equal("success", (string?)response.Json!["results"]![0]!["status"]);
    }

    private static async Task<JsonNode> DetailAsync(TestServer server)
    {
        var response = await server.PostAsync("/v3/{project_id}/jobs/batch-detail", $$"""{"jobs":["{{JobSeeds.ConfigurationJobId}}"]}""");
        return response.Json!["results"]![0]!;
    }

    private static async Task<JsonNode> HistoryAsync(TestServer server)
    {
        var response = await server.SendAsync(
            HttpMethod.Get, $"/v3/{{project_id}}/jobs/{JobSeeds.ConfigurationJobId}/notification-history", null);
        return response.Json!;
    }

    /// <summary>
    /// Rewrites the database as schema version 8 left it: the current settings change in
    /// jobs.alarm_change_id, and each settings change also moving the job's update_time.
    /// </summary>
    private static void RevertToVersion8(string dataDirectory)
    {
        using var connection = Open(dataDirectory);
        using var command = connection.CreateCommand();
        command.CommandText = """
            ALTER TABLE jobs ADD COLUMN alarm_change_id INTEGER;
            UPDATE jobs SET alarm_change_id = (
                SELECT change_id FROM job_notification_settings s WHERE s.project_id = jobs.project_id AND s.job_id = jobs.id);
            UPDATE jobs SET update_time = MAX(update_time, (SELECT changed_at FROM notification_changes WHERE id = jobs.alarm_change_id))
                WHERE alarm_change_id IS NOT NULL;
            DROP TABLE job_notification_settings;
            DELETE FROM schema_migrations WHERE version = 9;
            """;
        command.ExecuteNonQuery();
    }

    private static List<string> JobsColumns(string dataDirectory)
    {
        using var connection = Open(dataDirectory);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM pragma_table_info('jobs')";
        using var reader = command.ExecuteReader();
        var columns = new List<string>();
        while (reader.Read())
        {
            columns.Add(reader.GetString(0));
        }

        return columns;
    }

    private static SqliteConnection Open(string dataDirectory)
    {
        var connection = new SqliteConnection($"Data Source={Path.Combine(dataDirectory, "drsnotify.db")};Pooling=False");
        connection.Open();
        return connection;
    }
}

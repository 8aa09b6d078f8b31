using DrsNotify.Server.Storage;
using DrsNotify.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace DrsNotify.Tests.Storage;

public sealed class DatabaseTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task FailedCommit_FailsRequest_WriterGoesOn()
    {
        var database = _server.Services.GetRequiredService<Database>();

        // A deferred foreign key is checked at COMMIT, so this write runs and its commit fails.
        var failing = database.WriteAsync((connection, transaction) => connection.Exec(
            """
            CREATE TEMP TABLE IF NOT EXISTS parent (id INTEGER PRIMARY KEY);
            CREATE TEMP TABLE IF NOT EXISTS child (parent_id INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED);
            INSERT INTO temp.child VALUES (42);
            """,
            transaction));

        var error = await Assert.ThrowsAsync<SqliteException>(() => failing.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("FOREIGN KEY", error.Message);

        var jobId = JobSeeds.NewJobId();
        await JobSeeds.CreateAsync(_server, jobId);
        var status = await _server.PostAsync("/v3/{project_id}/jobs/batch-status", $$"""{"jobs":["{{jobId}}"]}""");
        Assert.Equal(200, status.Status);
    }
}

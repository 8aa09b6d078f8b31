using DrsNotify.Server.Api;
using DrsNotify.Server.Jobs;
using DrsNotify.Server.Localization;
using DrsNotify.Server.Storage;
using Microsoft.Data.Sqlite;

namespace DrsNotify.Server.Topics;

/// <summary>One row of <c>topics</c>; times are Unix milliseconds.</summary>
public sealed record Topic(long Id, string ProjectId, string Name, string Urn, string DisplayName, long CreatedAt, long UpdatedAt);

/// <summary>Creates, reads and deletes topics.</summary>
public sealed class TopicStore(Database database, TimeProvider time)
{
    /// <summary>Maximum number of job ids that the error of a refused delete names.</summary>
    private const int MaxJobsNamed = 10;

    private static readonly string EndedStatusList =
        string.Join(", ", JobCatalog.Stopped.Append(JobCatalog.Deleted).Select(status => $"'{status}'"));

    private const string Columns = "id, project_id, name, urn, display_name, created_at, updated_at";

    /// <summary>Returns the URN of a topic of <paramref name="projectId"/>: <c>urn:smn:{region}:{project_id}:{name}</c>.</summary>
    public static string FormatUrn(string region, string projectId, string name) => $"urn:smn:{region}:{projectId}:{name}";

    /// <summary>
    /// Creates the topic, or returns the existing topic of that name with <c>Created</c> false;
    /// the existing topic keeps its display name, as SMN does.
    /// </summary>
    public Task<(Topic Topic, bool Created)> CreateAsync(string projectId, string region, string name, string displayName) =>
        database.WriteAsync((connection, transaction) =>
        {
            var urn = FormatUrn(region, projectId, name);
            if (Find(connection, transaction, projectId, urn) is { } existing)
            {
                return (existing, false);
            }

            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            var id = (long)connection.Prepared(
                """
                INSERT INTO topics (project_id, name, urn, display_name, created_at, updated_at)
                VALUES ($p, $name, $urn, $display, $now, $now)
                RETURNING id
                """,
                transaction, ("$p", projectId), ("$name", name), ("$urn", urn), ("$display", displayName), ("$now", now)).ExecuteScalar()!;
            return (new Topic(id, projectId, name, urn, displayName, now, now), true);
        });

    /// <summary>Returns one page of the project's topics, oldest first, and the total count.</summary>
    public (long Count, IReadOnlyList<Topic> Topics) List(string projectId, int offset, int limit) => database.Read(connection =>
    {
        var count = (long)connection.Scalar("SELECT COUNT(*) FROM topics WHERE project_id = $p", null, ("$p", projectId))!;
        using var command = connection.Command(
            $"SELECT {Columns} FROM topics WHERE project_id = $p ORDER BY id LIMIT $limit OFFSET $offset",
            null, ("$p", projectId), ("$limit", limit), ("$offset", offset));
        using var reader = command.ExecuteReader();
        var topics = new List<Topic>();
        while (reader.Read())
        {
            topics.Add(ReadTopic(reader));
        }

        return (count, (IReadOnlyList<Topic>)topics);
    });

    /// <summary>Returns the topic of the project with this URN, or null.</summary>
    public Topic? Find(string projectId, string urn) => database.Read(connection => Find(connection, null, projectId, urn));

    /// <summary>
    /// Deletes the topic with its subscriptions. Throws <c>404 SMN.0006</c> when the project has
    /// no such topic, and <c>409 SMN.0010</c> naming the jobs when the alarm settings of a job
    /// that has not ended use it. Messages already in the outbox are still sent.
    /// </summary>
    public Task DeleteAsync(string projectId, string urn) => database.WriteAsync((connection, transaction) =>
    {
        var topic = Find(connection, transaction, projectId, urn) ?? throw NotFound(urn);
        var jobs = JobsUsing(connection, transaction, urn);
        if (jobs.Count > 0)
        {
            // Only the caller's own jobs are named: jobs of other projects of the account are
            // counted, but their ids belong to projects the caller may not use.
            var own = jobs.Where(job => job.ProjectId == projectId).Select(job => job.JobId).ToList();
            var named = string.Join(", ", own.Take(MaxJobsNamed)) + (own.Count > MaxJobsNamed ? ", …" : "")
                + (own.Count < jobs.Count ? $"{(own.Count > 0 ? ", " : "")}+{jobs.Count - own.Count} in other projects" : "");
            throw new DrsException(StatusCodes.Status409Conflict, SmnErrorCodes.TopicInUse, Messages.TopicInUse, urn, jobs.Count, named);
        }

        connection.Prepared("DELETE FROM topics WHERE id = $id", transaction, ("$id", topic.Id)).ExecuteNonQuery();
        return true;
    });

    public static DrsException NotFound(string urn) =>
        new(StatusCodes.Status404NotFound, SmnErrorCodes.TopicNotFound, Messages.TopicNotFound, urn);

    internal static Topic? Find(SqliteConnection connection, SqliteTransaction? transaction, string projectId, string urn)
    {
        using var command = connection.Command(
            $"SELECT {Columns} FROM topics WHERE urn = $urn AND project_id = $p", transaction, ("$urn", urn), ("$p", projectId));
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadTopic(reader) : null;
    }

    /// <summary>
    /// Returns the ids of the jobs, in any project, whose current settings name the topic and
    /// that have not ended. Jobs of other projects of the account may use a topic too.
    /// </summary>
    private static List<(string ProjectId, string JobId)> JobsUsing(SqliteConnection connection, SqliteTransaction transaction, string urn)
    {
        using var command = connection.Command(
            $"""
            SELECT j.project_id, j.id FROM jobs j
            JOIN job_notification_settings s ON s.project_id = j.project_id AND s.job_id = j.id
            JOIN notification_changes c ON c.id = s.change_id
            WHERE c.settings ->> '$.topic_urn' = $urn AND j.status NOT IN ({EndedStatusList})
            ORDER BY j.id
            """,
            transaction, ("$urn", urn));
        using var reader = command.ExecuteReader();
        var jobs = new List<(string, string)>();
        while (reader.Read())
        {
            jobs.Add((reader.GetString(0), reader.GetString(1)));
        }

        return jobs;
    }

    private static Topic ReadTopic(SqliteDataReader reader) => new(
        reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
        reader.GetInt64(5), reader.GetInt64(6));
}

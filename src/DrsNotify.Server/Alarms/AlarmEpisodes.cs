using DrsNotify.Server.Storage;
using Microsoft.Data.Sqlite;

namespace DrsNotify.Server.Alarms;

/// <summary>
/// One row of <c>alarm_episodes</c>. Times are Unix milliseconds; <see cref="ValueMs"/> and
/// <see cref="ThresholdMs"/> are milliseconds and null for <c>job_exception</c>.
/// </summary>
public sealed record AlarmEpisode(
    long Id,
    string ProjectId,
    string JobId,
    string Kind,
    long Number,
    string DedupKey,
    string State,
    long SinceAt,
    long OpenedAt,
    long? ResolvedAt,
    long? ResolvedNoticeDueAt,
    long? ClosedAt,
    string? CloseReason,
    long? LastNotifiedAt,
    int Notices,
    int Repeats,
    long? ValueMs,
    long? ThresholdMs,
    string JobStatus,
    string Language,
    string RecipientsFrom,
    string? TopicUrn)
{
    /// <summary>Whether the episode still changes: firing, or resolved with its notice held back.</summary>
    public bool IsOpen => State == AlarmStates.Firing || ResolvedNoticeDueAt is not null;

    /// <summary>Returns the dedup key of episode <paramref name="number"/>: <c>{project}:{job}:{kind}:{number}</c>.</summary>
    public static string FormatDedupKey(string projectId, string jobId, string kind, long number) =>
        $"{projectId}:{jobId}:{kind}:{number}";
}

/// <summary>Reads and writes of <c>alarm_episodes</c>.</summary>
public static class AlarmEpisodeStore
{
    private const string Columns = """
        id, project_id, job_id, kind, episode, dedup_key, state, since_at, opened_at, resolved_at,
        resolved_notice_due_at, closed_at, close_reason, last_notified_at, notices, repeats, value_ms,
        threshold_ms, job_status, language, recipients_from, topic_urn
        """;

    /// <summary>Returns every open episode, keyed by project, job and kind. Runs inside a write.</summary>
    public static Dictionary<(string ProjectId, string JobId, string Kind), AlarmEpisode> ReadOpen(
        SqliteConnection connection, SqliteTransaction transaction)
    {
        var command = connection.Prepared(
            $"SELECT {Columns} FROM alarm_episodes WHERE state = 'firing' OR resolved_notice_due_at IS NOT NULL", transaction);
        var open = new Dictionary<(string, string, string), AlarmEpisode>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var episode = ReadRow(reader);
            open[(episode.ProjectId, episode.JobId, episode.Kind)] = episode;
        }

        return open;
    }

    /// <summary>
    /// Inserts a new episode of <paramref name="episode"/>'s job and kind, numbered one above the
    /// last one, and returns it with its id, number and dedup key. Runs inside a write.
    /// </summary>
    public static AlarmEpisode Insert(SqliteConnection connection, SqliteTransaction transaction, AlarmEpisode episode)
    {
        var number = (long)connection.Prepared(
            "SELECT COALESCE(MAX(episode), 0) + 1 FROM alarm_episodes WHERE project_id = $p AND job_id = $j AND kind = $k",
            transaction, ("$p", episode.ProjectId), ("$j", episode.JobId), ("$k", episode.Kind)).ExecuteScalar()!;
        episode = episode with
        {
            Number = number,
            DedupKey = AlarmEpisode.FormatDedupKey(episode.ProjectId, episode.JobId, episode.Kind, number),
        };

        var id = (long)connection.Prepared(
            """
            INSERT INTO alarm_episodes
                (project_id, job_id, kind, episode, dedup_key, state, since_at, opened_at, value_ms, threshold_ms,
                 job_status, language, recipients_from, topic_urn)
            VALUES ($p, $j, $k, $n, $dedup, $state, $since, $opened, $value, $threshold, $status, $lang, $from, $topic)
            RETURNING id
            """,
            transaction,
            ("$p", episode.ProjectId), ("$j", episode.JobId), ("$k", episode.Kind), ("$n", number), ("$dedup", episode.DedupKey),
            ("$state", episode.State), ("$since", episode.SinceAt), ("$opened", episode.OpenedAt), ("$value", episode.ValueMs),
            ("$threshold", episode.ThresholdMs), ("$status", episode.JobStatus), ("$lang", episode.Language),
            ("$from", episode.RecipientsFrom), ("$topic", episode.TopicUrn)).ExecuteScalar()!;
        return episode with { Id = id };
    }

    /// <summary>Writes every changeable column of <paramref name="episode"/>. Runs inside a write.</summary>
    public static void Update(SqliteConnection connection, SqliteTransaction transaction, AlarmEpisode episode) =>
        connection.Prepared(
            """
            UPDATE alarm_episodes SET
                state = $state, resolved_at = $resolved, resolved_notice_due_at = $due, closed_at = $closed,
                close_reason = $reason, last_notified_at = $notified, notices = $notices, repeats = $repeats,
                value_ms = $value, threshold_ms = $threshold, job_status = $status, language = $lang,
                recipients_from = $from, topic_urn = $topic
            WHERE id = $id
            """,
            transaction,
            ("$state", episode.State), ("$resolved", episode.ResolvedAt), ("$due", episode.ResolvedNoticeDueAt),
            ("$closed", episode.ClosedAt), ("$reason", episode.CloseReason), ("$notified", episode.LastNotifiedAt),
            ("$notices", episode.Notices), ("$repeats", episode.Repeats), ("$value", episode.ValueMs),
            ("$threshold", episode.ThresholdMs), ("$status", episode.JobStatus), ("$lang", episode.Language),
            ("$from", episode.RecipientsFrom), ("$topic", episode.TopicUrn), ("$id", episode.Id)).ExecuteNonQuery();

    /// <summary>Returns one page of a project's episodes, newest first, and the number that match the filter.</summary>
    public static (long Total, List<AlarmEpisode> Episodes) List(SqliteConnection connection, AlarmFilter filter)
    {
        const string Where = """
            WHERE project_id = $p AND ($j IS NULL OR job_id = $j) AND ($k IS NULL OR kind = $k) AND ($s IS NULL OR state = $s)
            """;
        (string, object?)[] parameters =
            [("$p", filter.ProjectId), ("$j", filter.JobId), ("$k", filter.Kind), ("$s", filter.State)];

        var total = (long)connection.Scalar($"SELECT COUNT(*) FROM alarm_episodes {Where}", null, parameters)!;
        using var command = connection.Command(
            $"SELECT {Columns} FROM alarm_episodes {Where} ORDER BY id DESC LIMIT $limit OFFSET $offset",
            null, [.. parameters, ("$limit", filter.Limit), ("$offset", filter.Offset)]);
        var episodes = new List<AlarmEpisode>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            episodes.Add(ReadRow(reader));
        }

        return (total, episodes);
    }

    private static AlarmEpisode ReadRow(SqliteDataReader reader) => new(
        reader.GetInt64(0),
        reader.GetString(1),
        reader.GetString(2),
        reader.GetString(3),
        reader.GetInt64(4),
        reader.GetString(5),
        reader.GetString(6),
        reader.GetInt64(7),
        reader.GetInt64(8),
        reader.GetNullableInt64(9),
        reader.GetNullableInt64(10),
        reader.GetNullableInt64(11),
        reader.GetNullableString(12),
        reader.GetNullableInt64(13),
        reader.GetInt32(14),
        reader.GetInt32(15),
        reader.GetNullableInt64(16),
        reader.GetNullableInt64(17),
        reader.GetString(18),
        reader.GetString(19),
        reader.GetString(20),
        reader.GetNullableString(21));
}

/// <summary>The filter and page of an alarms listing; null filter values match everything.</summary>
public sealed record AlarmFilter(string ProjectId, string? JobId, string? Kind, string? State, int Offset, int Limit);

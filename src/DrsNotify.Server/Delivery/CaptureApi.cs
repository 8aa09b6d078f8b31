using DrsNotify.Server.Api;
using DrsNotify.Server.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace DrsNotify.Server.Delivery;

/// <summary>Reads and clears the capture-mode inbox, the <c>captured_messages</c> table.</summary>
public sealed class CaptureInbox(Database database)
{
    /// <summary>Returns up to <paramref name="limit"/> captured messages, newest first; a null filter matches everything.</summary>
    public IReadOnlyList<CapturedMessage> List(string? channel, string? recipient, string? jobId, int limit) => database.Read(connection =>
    {
        using var command = connection.Command(
            """
            SELECT id, outbox_id, project_id, job_id, channel, recipient, language, subject, body, dedup_key, event_key, captured_at
            FROM captured_messages
            WHERE ($channel IS NULL OR channel = $channel)
              AND ($to IS NULL OR recipient = $to)
              AND ($job IS NULL OR job_id = $job)
            ORDER BY id DESC LIMIT $limit
            """,
            null, ("$channel", channel), ("$to", recipient), ("$job", jobId), ("$limit", limit));
        using var reader = command.ExecuteReader();
        var messages = new List<CapturedMessage>();
        while (reader.Read())
        {
            messages.Add(new CapturedMessage(
                reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.GetNullableString(3), reader.GetString(4),
                reader.GetString(5), reader.GetString(6), reader.GetString(7), reader.GetString(8), reader.GetString(9),
                reader.GetString(10), WireTime.Format(reader.GetInt64(11))));
        }

        return (IReadOnlyList<CapturedMessage>)messages;
    });

    /// <summary>Deletes every captured message and returns how many there were.</summary>
    public Task<int> ClearAsync() =>
        database.WriteAsync((connection, transaction) => connection.Prepared("DELETE FROM captured_messages", transaction).ExecuteNonQuery());
}

/// <summary>
/// The capture-mode inbox at <c>/_drsnotify/messages</c>, a test aid. It is mapped only when
/// <c>DrsNotify:Delivery:Capture</c> is true, and needs no authentication, so that a test or
/// CI script can read it without credentials; every message of every project is visible.
/// </summary>
public static class CaptureApi
{
    public static void MapCaptureApi(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<IOptions<DeliveryOptions>>().Value.Capture)
        {
            return;
        }

        app.MapGet("/_drsnotify/messages", List)
            .WithTags("Capture")
            .WithName("ListCapturedMessages")
            .WithSummary("List captured messages, newest first (capture mode only, no authentication)")
            .Produces<CapturedMessagesResponse>()
            .Produces<ErrorBody>(StatusCodes.Status400BadRequest);

        app.MapDelete("/_drsnotify/messages", ClearAsync)
            .WithTags("Capture")
            .WithName("DeleteCapturedMessages")
            .WithSummary("Delete every captured message (capture mode only, no authentication)")
            .Produces<CapturedMessagesDeleted>();
    }

    private static Ok<CapturedMessagesResponse> List(HttpContext context, CaptureInbox inbox)
    {
        var limit = QueryParameters.Integer(context, "limit", 1, 1000, 100);
        var messages = inbox.List(Filter(context, "channel"), Filter(context, "recipient"), Filter(context, "job_id"), limit);
        return TypedResults.Ok(new CapturedMessagesResponse(messages.Count, messages));
    }

    private static async Task<Ok<CapturedMessagesDeleted>> ClearAsync(CaptureInbox inbox) =>
        TypedResults.Ok(new CapturedMessagesDeleted(await inbox.ClearAsync()));

    private static string? Filter(HttpContext context, string name)
    {
        var value = context.Request.Query[name].ToString();
        return string.IsNullOrEmpty(value) ? null : value;
    }
}

using DrsNotify.Server.Api;
using DrsNotify.Server.Identity;
using DrsNotify.Server.Jobs;
using DrsNotify.Server.Localization;
using DrsNotify.Server.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DrsNotify.Server.Alarms;

/// <summary>
/// One episode in the alarms listing. Values and thresholds are seconds and absent for
/// <c>job_exception</c>, whose <see cref="JobStatus"/> is the failure status. Times are UTC.
/// </summary>
public sealed record AlarmView(
    long Id,
    string JobId,
    string Kind,
    string State,
    long Episode,
    string DedupKey,
    double? Value,
    double? Threshold,
    string JobStatus,
    string SinceAt,
    string OpenedAt,
    string? ResolvedAt,
    string? ClosedAt,
    string? CloseReason,
    string? LastNotifiedAt,
    int Notices,
    string RecipientsFrom,
    string? TopicUrn);

public sealed record AlarmListResponse(long TotalCount, IReadOnlyList<AlarmView> Alarms);

/// <summary>The alarm engine's services and <c>GET /v3/{project_id}/alarms</c> (an extension of this server).</summary>
public static class AlarmsApi
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    /// <summary>Registers <see cref="AlarmOptions"/> (validated at start) and the <see cref="AlarmEvaluator"/>.</summary>
    public static IServiceCollection AddAlarms(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AlarmOptions>()
            .Bind(configuration.GetSection(AlarmOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<AlarmMetrics>();
        services.AddSingleton<AlarmEvaluator>();
        services.AddHostedService(provider => provider.GetRequiredService<AlarmEvaluator>());
        return services;
    }

    public static void MapAlarmsApi(this RouteGroupBuilder v3)
    {
        v3.MapGet("/alarms", List)
            .WithTags("Alarms")
            .WithName("ListAlarms")
            .WithSummary("List the project's alarm episodes, newest first, filtered by job_id, kind and state (extension of this server)")
            .Produces<AlarmListResponse>()
            .Produces<ErrorBody>(StatusCodes.Status400BadRequest);
    }

    private static Ok<AlarmListResponse> List(HttpContext context, Database database)
    {
        var filter = new AlarmFilter(
            context.Caller().ProjectId,
            OptionalText(context, "job_id", JobRequests.MaxJobIdLength),
            OptionalChoice(context, "kind", AlarmKinds.Set, AlarmKinds.All),
            OptionalChoice(context, "state", AlarmStates.Set, AlarmStates.All),
            QueryParameters.Integer(context, "offset", 0, int.MaxValue, 0),
            QueryParameters.Integer(context, "limit", 1, MaxLimit, DefaultLimit));

        var (total, episodes) = database.Read(connection => AlarmEpisodeStore.List(connection, filter));
        return TypedResults.Ok(new AlarmListResponse(total, episodes.ConvertAll(ToView)));
    }

    private static AlarmView ToView(AlarmEpisode episode) => new(
        episode.Id,
        episode.JobId,
        episode.Kind,
        episode.State,
        episode.Number,
        episode.DedupKey,
        episode.ValueMs / 1000.0,
        episode.ThresholdMs / 1000.0,
        episode.JobStatus,
        WireTime.Format(episode.SinceAt),
        WireTime.Format(episode.OpenedAt),
        episode.ResolvedAt is { } resolvedAt ? WireTime.Format(resolvedAt) : null,
        episode.ClosedAt is { } closedAt ? WireTime.Format(closedAt) : null,
        episode.CloseReason,
        episode.LastNotifiedAt is { } notifiedAt ? WireTime.Format(notifiedAt) : null,
        episode.Notices,
        episode.RecipientsFrom,
        episode.TopicUrn);

    /// <summary>
    /// Returns the query parameter <paramref name="name"/>, or null when it is absent. A value that
    /// is repeated, empty or longer than <paramref name="maxLength"/> is rejected with <c>DRS.M00202</c>.
    /// </summary>
    private static string? OptionalText(HttpContext context, string name, int maxLength)
    {
        var values = context.Request.Query[name];
        if (values.Count == 0)
        {
            return null;
        }

        if (values.Count > 1)
        {
            throw DrsException.Invalid(name, Messages.GivenMoreThanOnce);
        }

        var value = values[0]!;
        if (value.Length == 0)
        {
            throw DrsException.Invalid(name, Messages.MustNotBeEmpty);
        }

        return value.Length <= maxLength ? value : throw DrsException.Invalid(name, Messages.TooLong, maxLength);
    }

    private static string? OptionalChoice(HttpContext context, string name, IReadOnlySet<string> allowed, string[] ordered)
    {
        var value = OptionalText(context, name, 64);
        return value is null || allowed.Contains(value)
            ? value
            : throw DrsException.Invalid(name, Messages.NotOneOf, value, string.Join(", ", ordered));
    }
}

namespace DrsNotify.Server.Jobs;

public static class JobsApi
{
    public static IServiceCollection AddJobs(this IServiceCollection services) => services;

    public static void MapJobsApi(this RouteGroupBuilder v3)
    {
    }
}

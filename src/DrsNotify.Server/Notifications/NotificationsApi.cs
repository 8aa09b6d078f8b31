namespace DrsNotify.Server.Notifications;

public static class NotificationsApi
{
    public static IServiceCollection AddNotifications(this IServiceCollection services) => services;

    public static void MapNotificationsApi(this RouteGroupBuilder v3)
    {
    }

    public static void MapNotificationsV5Api(this RouteGroupBuilder v5)
    {
    }
}

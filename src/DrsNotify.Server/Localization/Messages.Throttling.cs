namespace DrsNotify.Server.Localization;

/// <summary>Messages of the throttling of failed authentications.</summary>
public static partial class Messages
{
    // 429 DRS.M01503: {0} failures, {1} window in seconds, {2} seconds until the next attempt.
    public static readonly Message TooManyAuthenticationFailures = new(
        "Too many failed authentications from your address: {0} within {1} seconds. Retry after {2} seconds.",
        "您的地址认证失败次数过多：{1} 秒内失败 {0} 次。请在 {2} 秒后重试。");
}

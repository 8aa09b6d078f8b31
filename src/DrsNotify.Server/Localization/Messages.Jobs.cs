namespace DrsNotify.Server.Localization;

/// <summary>Messages of the job registry.</summary>
public static partial class Messages
{
    // Value descriptions used as {1} of InvalidParameter.
    public static readonly Message InvalidJobName = new(
        "{0} is not a valid job name: use 4 to 50 letters, digits, hyphens (-) or underscores (_).",
        "{0} 不是有效的任务名称：名称须为 4 到 50 个字母、数字、中划线（-）或下划线（_）。");
    public static readonly Message InvalidJobId = new(
        "{0} is not a valid job ID; a job ID looks like {1}.",
        "{0} 不是有效的任务 ID，任务 ID 的格式如 {1}。");
    public static readonly Message InvalidUnixMilliseconds = new(
        "{0} is not a Unix time in milliseconds (digits, as a string or an integer).",
        "{0} 不是以毫秒为单位的 Unix 时间（由数字组成的字符串或整数）。");
    public static readonly Message InvalidTimestamp = new(
        "{0} is not an ISO 8601 time with an offset, such as 2026-12-04T10:00:00Z.",
        "{0} 不是带时区偏移的 ISO 8601 时间，例如 2026-12-04T10:00:00Z。");
    public static readonly Message TimestampInFuture = new(
        "{0} is more than {1} minutes after the server time {2}.",
        "{0} 比服务器时间 {2} 晚了 {1} 分钟以上。");

    // Per-job results of the job registry.
    public static readonly Message JobNameRepeated = new(
        "The job name {0} appears more than once in the request (names are compared ignoring case).",
        "请求中任务名称 {0} 重复出现（名称比较不区分大小写）。");
    public static readonly Message JobIdRepeated = new(
        "The job ID {0} appears more than once in the request.",
        "请求中任务 ID {0} 重复出现。");
    public static readonly Message NoStatuses = new("none", "无");
}

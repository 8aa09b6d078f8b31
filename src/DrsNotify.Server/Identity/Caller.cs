namespace DrsNotify.Server.Identity;

/// <summary>
/// Who is calling, as established by a token or (later) an AK/SK signature. Both ways of
/// authenticating produce this record, so that authorization never depends on the method.
/// </summary>
public sealed record Caller(
    string UserId,
    string UserName,
    string AccountId,
    string ProjectId,
    string? AccessKey,
    string? TokenId);

public static class CallerExtensions
{
    private const string Key = "drs.caller";

    public static Caller Caller(this HttpContext context) =>
        context.Items[Key] as Caller ?? throw new InvalidOperationException("The endpoint is not behind authentication.");

    internal static void SetCaller(this HttpContext context, Caller caller) => context.Items[Key] = caller;
}

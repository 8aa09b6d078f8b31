using DrsNotify.Server.Localization;

namespace DrsNotify.Server.Api;

/// <summary>Per-request facts that every layer needs: the request id and the language.</summary>
public static class RequestContext
{
    private const string RequestIdKey = "drs.request_id";
    private const string LanguageKey = "drs.language";

    public static string RequestId(this HttpContext context) =>
        context.Items[RequestIdKey] as string ?? context.TraceIdentifier;

    public static Language Language(this HttpContext context) =>
        context.Items[LanguageKey] is Language language ? language : Localization.Language.EnUs;

    internal static void Initialize(HttpContext context)
    {
        var requestId = Guid.NewGuid().ToString("N");
        context.Items[RequestIdKey] = requestId;
        context.Items[LanguageKey] = Languages.Parse(context.Request.Headers["X-Language"]);
        context.Response.Headers["X-Request-Id"] = requestId;
    }
}

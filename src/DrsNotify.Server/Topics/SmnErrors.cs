using DrsNotify.Server.Api;

namespace DrsNotify.Server.Topics;

/// <summary>
/// The SMN error codes of the <c>/v2</c> paths. <c>SMN.0005</c> and <c>SMN.0006</c> are the
/// codes SMN documents for an invalid topic URN and a missing topic; the others are DrsNotify's
/// choice, listed in docs/topics.md.
/// </summary>
public static class SmnErrorCodes
{
    /// <summary>400: a parameter is missing or invalid, or the body is not a JSON object.</summary>
    public const string InvalidParameter = "SMN.0001";

    /// <summary>413: the request body is larger than the server accepts.</summary>
    public const string BodyTooLarge = "SMN.0002";

    /// <summary>415: the Content-Type is not <c>application/json</c>.</summary>
    public const string UnsupportedMediaType = "SMN.0003";

    /// <summary>403: the project in the path is not the caller's.</summary>
    public const string Forbidden = "SMN.0004";

    /// <summary>400: the topic URN is not <c>urn:smn:{region}:{project_id}:{name}</c>.</summary>
    public const string InvalidTopicUrn = "SMN.0005";

    /// <summary>404: no topic with this URN exists in the project.</summary>
    public const string TopicNotFound = "SMN.0006";

    /// <summary>404: no subscription with this URN exists in the project.</summary>
    public const string SubscriptionNotFound = "SMN.0007";

    /// <summary>400: the subscription URN is not a topic URN followed by <c>:</c> and 32 hex digits.</summary>
    public const string InvalidSubscriptionUrn = "SMN.0008";

    /// <summary>400: the topic already has the maximum number of subscriptions.</summary>
    public const string SubscriptionLimit = "SMN.0009";

    /// <summary>409: the topic cannot be deleted because job settings use it.</summary>
    public const string TopicInUse = "SMN.0010";

    /// <summary>400: the confirmation token is unknown, or was replaced by a newer one.</summary>
    public const string TokenUnknown = "SMN.0011";

    /// <summary>400: the confirmation token was already used, or its subscription was cancelled.</summary>
    public const string TokenUsed = "SMN.0012";

    /// <summary>400: the confirmation token is older than its validity.</summary>
    public const string TokenExpired = "SMN.0013";

    /// <summary>429: too many failed authentications from the caller's address.</summary>
    public const string TooManyRequests = "SMN.0014";

    /// <summary>500: an internal fault; the details stay in the server log.</summary>
    public const string InternalError = "SMN.0500";

    /// <summary>
    /// Returns whether the request is on an SMN path (<c>/v2/...</c>), whose errors have the
    /// SMN shape <c>{"request_id", "error_code", "error_msg"}</c>.
    /// </summary>
    public static bool IsSmnPath(HttpContext context) => context.Request.Path.StartsWithSegments("/v2");

    /// <summary>
    /// Returns the SMN code for an error that shared code raised with a DRS code, such as a body
    /// check of <see cref="JsonBody"/> or the project check of authentication. SMN codes and the
    /// API gateway codes (<c>APIGW.*</c>, which the gateway in front of SMN returns too) pass
    /// through unchanged.
    /// </summary>
    public static string FromDrsCode(string code, int status) => code switch
    {
        _ when code.StartsWith("SMN.", StringComparison.Ordinal) || code.StartsWith("APIGW.", StringComparison.Ordinal) => code,
        ErrorCodes.BadBody when status == StatusCodes.Status413PayloadTooLarge => BodyTooLarge,
        ErrorCodes.BadBody when status == StatusCodes.Status415UnsupportedMediaType => UnsupportedMediaType,
        ErrorCodes.ProjectMismatch => Forbidden,
        ErrorCodes.TooManyRequests => TooManyRequests,
        ErrorCodes.InternalError => InternalError,
        _ => InvalidParameter,
    };
}

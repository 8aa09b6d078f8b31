using DrsNotify.Server.Localization;

namespace DrsNotify.Server.Api;

/// <summary>
/// A request-level error: thrown anywhere in a request, turned into the DRS error body by
/// <see cref="ErrorResponses"/>. Throw it before anything is written, so that a rejected
/// request changes nothing.
/// </summary>
public sealed class DrsException(int status, string code, Message message, params object?[] arguments)
    : Exception(message.Format(Language.EnUs, arguments))
{
    public int Status { get; } = status;

    public string Code { get; } = code;

    public Message Text { get; } = message;

    public object?[] Arguments { get; } = arguments;

    public string Localize(Language language) => Text.Format(language, Arguments);

    public static DrsException Missing(string path) =>
        new(StatusCodes.Status400BadRequest, ErrorCodes.MissingParameter, Messages.MissingParameter, path);

    public static DrsException Invalid(string path, Message reason, params object?[] arguments) =>
        new(StatusCodes.Status400BadRequest, ErrorCodes.InvalidParameter, Messages.InvalidParameter, path, new LocalizedArgument(reason, arguments));
}

/// <summary>A format argument that is itself a localized message.</summary>
public sealed record LocalizedArgument(Message Message, object?[] Arguments);

/// <summary>The DRS, API gateway and IAM error codes this server returns.</summary>
public static class ErrorCodes
{
    public const string InternalError = "DRS.M00004";
    public const string InvalidJson = "DRS.M00007";
    public const string MissingParameter = "DRS.M00201";
    public const string InvalidParameter = "DRS.M00202";
    public const string ProjectMismatch = "DRS.M00261";
    public const string JobNotFound = "DRS.M00289";
    public const string BadBody = "DRS.M00300";
    public const string DuplicateJobId = "DRS.M00301";
    public const string JobStopped = "DRS.M00304";
    public const string TooManyRequests = "DRS.M01503";
    public const string JobDeleted = "DRS.M05004";
    public const string AuthenticationFailed = "APIGW.0301";
    public const string SignatureExpired = "APIGW.0303";
    public const string ApiNotFound = "APIGW.0101";
    public const string MethodNotAllowed = "APIGW.0102";
}

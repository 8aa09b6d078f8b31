namespace DrsNotify.Server.Api;

/// <summary>The DRS error body, for the OpenAPI document; <see cref="ErrorResponses"/> writes it.</summary>
public sealed record ErrorBody(string ErrorCode, string ErrorMsg, string? RequestId);

public static class ErrorBodyMetadata
{
    /// <summary>
    /// Documents the errors of an endpoint that reads a JSON body: 400 invalid input, 401 bad
    /// credentials, 403 another project, 413 body too large, 415 not JSON.
    /// </summary>
    public static RouteHandlerBuilder ProducesBodyErrors(this RouteHandlerBuilder builder) => builder
        .Produces<ErrorBody>(StatusCodes.Status400BadRequest)
        .Produces<ErrorBody>(StatusCodes.Status401Unauthorized)
        .Produces<ErrorBody>(StatusCodes.Status403Forbidden)
        .Produces<ErrorBody>(StatusCodes.Status413PayloadTooLarge)
        .Produces<ErrorBody>(StatusCodes.Status415UnsupportedMediaType);
}

namespace DrsNotify.Server.Api;

/// <summary>The DRS error body, for the OpenAPI document; <see cref="ErrorResponses"/> writes it.</summary>
public sealed record ErrorBody(string ErrorCode, string ErrorMsg, string? RequestId);

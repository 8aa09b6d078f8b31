using System.Text.Encodings.Web;
using System.Text.Json;
using DrsNotify.Server.Localization;
using DrsNotify.Server.Topics;

namespace DrsNotify.Server.Api;

/// <summary>
/// The one place that writes error bodies, always as <c>application/json</c>:
/// <c>{"error_code", "error_msg"}</c> for DRS paths, plus <c>request_id</c> for authentication
/// failures, and <c>{"request_id", "error_code", "error_msg"}</c> with an SMN code for the SMN
/// paths under <c>/v2</c>.
/// </summary>
public static class ErrorResponses
{
    // error_msg contains Chinese text for zh-cn. JSON allows it unescaped, and readers expect it unescaped.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Task WriteAsync(HttpContext context, DrsException error)
    {
        var includeRequestId = error.Code.StartsWith("APIGW.", StringComparison.Ordinal);
        return WriteAsync(context, error.Status, error.Code, error.Localize(context.Language()), includeRequestId);
    }

    public static async Task WriteAsync(HttpContext context, int status, string code, string message, bool includeRequestId)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "application/json";

        await using var writer = new Utf8JsonWriter(response.BodyWriter, WriterOptions);
        writer.WriteStartObject();
        if (SmnErrorCodes.IsSmnPath(context))
        {
            writer.WriteString("request_id", context.RequestId());
            writer.WriteString("error_code", SmnErrorCodes.FromDrsCode(code, status));
            writer.WriteString("error_msg", message);
            writer.WriteEndObject();
            await writer.FlushAsync(context.RequestAborted);
            return;
        }

        writer.WriteString("error_code", code);
        writer.WriteString("error_msg", message);
        if (includeRequestId)
        {
            writer.WriteString("request_id", context.RequestId());
        }

        writer.WriteEndObject();
        await writer.FlushAsync(context.RequestAborted);
    }

    /// <summary>Builds the <c>error_msg</c> of an internal fault; the details stay in the log.</summary>
    public static string InternalErrorMessage(HttpContext context) =>
        Messages.InternalError.Format(context.Language(), context.RequestId());
}

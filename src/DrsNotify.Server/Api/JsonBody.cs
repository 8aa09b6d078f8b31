using System.Buffers;
using System.Net.Http.Headers;
using System.Text.Json;
using DrsNotify.Server.Localization;

namespace DrsNotify.Server.Api;

/// <summary>Reads a JSON object request body under the DRS rules for content type, size and syntax.</summary>
public static class JsonBody
{
    private static readonly JsonDocumentOptions ParseOptions = new()
    {
        MaxDepth = 32,
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        AllowDuplicateProperties = false,
    };

    /// <summary>
    /// Returns the parsed body; the caller disposes it. Throws <see cref="DrsException"/> with
    /// <c>415</c> for a content type other than <c>application/json</c>, <c>413</c> above
    /// <paramref name="maxBytes"/>, and <c>400 DRS.M00007</c> for invalid JSON or a non-object.
    /// </summary>
    public static async Task<JsonDocument> ReadObjectAsync(HttpContext context, long maxBytes)
    {
        var request = context.Request;
        if (!IsJsonContentType(request.ContentType))
        {
            throw new DrsException(
                StatusCodes.Status415UnsupportedMediaType, ErrorCodes.BadBody, Messages.UnsupportedMediaType,
                string.IsNullOrEmpty(request.ContentType) ? "(none)" : request.ContentType);
        }

        if (request.ContentLength > maxBytes)
        {
            throw TooLarge(maxBytes);
        }

        var buffer = new ArrayBufferWriter<byte>(request.ContentLength is > 0 and <= 65536 ? (int)request.ContentLength : 4096);
        var body = request.Body;
        while (true)
        {
            var memory = buffer.GetMemory(4096);
            var read = await body.ReadAsync(memory, context.RequestAborted);
            if (read == 0)
            {
                break;
            }

            buffer.Advance(read);
            if (buffer.WrittenCount > maxBytes)
            {
                throw TooLarge(maxBytes);
            }
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(buffer.WrittenMemory, ParseOptions);
        }
        catch (JsonException error)
        {
            throw new DrsException(
                StatusCodes.Status400BadRequest, ErrorCodes.InvalidJson, Messages.InvalidJson, DescribeJsonError(error));
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            throw new DrsException(StatusCodes.Status400BadRequest, ErrorCodes.InvalidJson, Messages.NotJsonObject);
        }

        return document;
    }

    private static bool IsJsonContentType(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var parsed)
        && string.Equals(parsed.MediaType, "application/json", StringComparison.OrdinalIgnoreCase);

    private static DrsException TooLarge(long maxBytes) =>
        new(StatusCodes.Status413PayloadTooLarge, ErrorCodes.BadBody, Messages.BodyTooLarge, maxBytes);

    // The parser's own message names the line and byte position; its text is English only.
    private static string DescribeJsonError(JsonException error) =>
        error.LineNumber is { } line
            ? $"line {line + 1}, position {error.BytePositionInLine + 1}"
            : "the body is empty or truncated";
}

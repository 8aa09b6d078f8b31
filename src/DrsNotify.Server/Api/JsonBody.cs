using System.Buffers;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Unicode;
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

        // The parser checks UTF-8 only when a string is read. Checking the whole body up front means
        // that an invalid byte anywhere is a 400, not a fault deep in a handler.
        if (!Utf8.IsValid(buffer.WrittenSpan))
        {
            throw new DrsException(StatusCodes.Status400BadRequest, ErrorCodes.InvalidJson, Messages.InvalidUtf8);
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

    // JSON exchanged between systems is UTF-8 (RFC 8259, section 8.1), so a body declared in
    // another charset is rejected instead of being read as UTF-8.
    private static bool IsJsonContentType(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var parsed)
        && string.Equals(parsed.MediaType, "application/json", StringComparison.OrdinalIgnoreCase)
        && (parsed.CharSet is not { } charset
            || charset.Trim('"').Equals("utf-8", StringComparison.OrdinalIgnoreCase)
            || charset.Trim('"').Equals("utf8", StringComparison.OrdinalIgnoreCase));

    private static DrsException TooLarge(long maxBytes) =>
        new(StatusCodes.Status413PayloadTooLarge, ErrorCodes.BadBody, Messages.BodyTooLarge, maxBytes);

    // Names where parsing stopped and, for the two limits this reader sets, why. The parser's
    // own messages are English only, so only their position is passed on.
    private static LocalizedArgument DescribeJsonError(JsonException error)
    {
        var position = error.LineNumber is { } line
            ? new LocalizedArgument(Messages.JsonErrorPosition, [line + 1, error.BytePositionInLine + 1])
            : new LocalizedArgument(Messages.JsonErrorAtEnd, []);
        if (error.Message.Contains("maximum configured depth", StringComparison.OrdinalIgnoreCase))
        {
            return new LocalizedArgument(Messages.JsonTooDeep, [position, ParseOptions.MaxDepth]);
        }

        if (error.Message.Contains("duplicate", StringComparison.OrdinalIgnoreCase))
        {
            return new LocalizedArgument(Messages.JsonDuplicateProperty, [position]);
        }

        return error.LineNumber is null ? new LocalizedArgument(Messages.JsonEmptyOrTruncated, []) : position;
    }
}

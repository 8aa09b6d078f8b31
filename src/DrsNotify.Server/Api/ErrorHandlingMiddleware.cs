using DrsNotify.Server.Localization;

namespace DrsNotify.Server.Api;

/// <summary>
/// Sets the request id and language, turns <see cref="DrsException"/> and unexpected faults
/// into DRS error bodies, and gives unmatched routes and methods a JSON error too. Every body
/// is buffered and sent with its length (<see cref="BufferedResponseBody"/>).
/// </summary>
public sealed partial class ErrorHandlingMiddleware(RequestDelegate next, ILogger<ErrorHandlingMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var body = BufferedResponseBody.Install(context);
        await HandleAsync(context, body);
        await body.SendAsync(context);
    }

    private async Task HandleAsync(HttpContext context, BufferedResponseBody body)
    {
        RequestContext.Initialize(context);
        if (logger.IsEnabled(LogLevel.Debug))
        {
            context.Response.OnCompleted(static state =>
            {
                var (context, logger) = ((HttpContext, ILogger))state;
                LogHandled(logger, context.Request.Method, context.Request.Path, context.Response.StatusCode, context.RequestId());
                return Task.CompletedTask;
            }, (context, (ILogger)logger));
        }

        try
        {
            await next(context);
        }
        catch (DrsException error) when (!context.Response.HasStarted)
        {
            LogRejected(logger, context.Request.Method, context.Request.Path, error.Status, error.Code, context.RequestId());
            body.Reset();
            await ErrorResponses.WriteAsync(context, error);
            return;
        }
        catch (BadHttpRequestException error) when (!context.Response.HasStarted)
        {
            // Kestrel's own limits (for example MaxRequestBodySize) surface here.
            var rejection = error.StatusCode switch
            {
                StatusCodes.Status413PayloadTooLarge => new DrsException(
                    error.StatusCode, ErrorCodes.BadBody, Messages.BodyTooLarge,
                    context.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<ApiOptions>>().Value.MaxBodyBytes),
                StatusCodes.Status408RequestTimeout => new DrsException(error.StatusCode, ErrorCodes.BadBody, Messages.BodyTimeout),
                _ => new DrsException(StatusCodes.Status400BadRequest, ErrorCodes.InvalidJson, Messages.InvalidJson, new LocalizedArgument(Messages.RequestUnreadable, [])),
            };
            body.Reset();
            await ErrorResponses.WriteAsync(context, rejection);
            return;
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return;
        }
        catch (Exception error) when (!context.Response.HasStarted)
        {
            LogFault(logger, error, context.Request.Method, context.Request.Path, context.RequestId());
            context.Response.Clear();
            body.Reset();
            context.Response.Headers["X-Request-Id"] = context.RequestId();
            await ErrorResponses.WriteAsync(
                context, StatusCodes.Status500InternalServerError, ErrorCodes.InternalError,
                ErrorResponses.InternalErrorMessage(context), includeRequestId: false);
            return;
        }

        if (context.Response.HasStarted || body.WrittenBytes > 0 || context.Response.ContentLength > 0 || context.Response.ContentType is not null)
        {
            return;
        }

        // Routing rejects some requests before any endpoint runs, with an empty body: unknown
        // paths, unknown methods, and a Content-Type that the endpoint's metadata does not accept.
        var language = context.Language();
        var request = context.Request;
        switch (context.Response.StatusCode)
        {
            case StatusCodes.Status404NotFound:
                await ErrorResponses.WriteAsync(
                    context, StatusCodes.Status404NotFound, ErrorCodes.ApiNotFound,
                    Messages.ApiNotFound.Format(language, request.Method, request.Path.Value), includeRequestId: true);
                break;
            case StatusCodes.Status405MethodNotAllowed:
                await ErrorResponses.WriteAsync(
                    context, StatusCodes.Status405MethodNotAllowed, ErrorCodes.MethodNotAllowed,
                    Messages.MethodNotAllowed.Format(language, request.Method, request.Path.Value), includeRequestId: true);
                break;
            case StatusCodes.Status415UnsupportedMediaType:
                await ErrorResponses.WriteAsync(
                    context, new DrsException(
                        StatusCodes.Status415UnsupportedMediaType, ErrorCodes.BadBody, Messages.UnsupportedMediaType,
                        string.IsNullOrEmpty(request.ContentType) ? "(none)" : request.ContentType));
                break;
        }
    }

    // The path only: a query string can carry a one-time token, such as the topic confirm link's.
    [LoggerMessage(Level = LogLevel.Debug, Message = "Handled {Method} {Path}: {Status}, request {RequestId}")]
    private static partial void LogHandled(ILogger logger, string method, PathString path, int status, string requestId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rejected {Method} {Path}: {Status} {ErrorCode}, request {RequestId}")]
    private static partial void LogRejected(ILogger logger, string method, PathString path, int status, string errorCode, string requestId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected fault in {Method} {Path}, request {RequestId}")]
    private static partial void LogFault(ILogger logger, Exception error, string method, PathString path, string requestId);
}

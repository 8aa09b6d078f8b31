using DrsNotify.Server.Api;
using DrsNotify.Server.Localization;

namespace DrsNotify.Server.Identity;

/// <summary>
/// The endpoint filter in front of every DRS path: authenticates the caller and checks that the
/// path's <c>{project_id}</c> is the caller's project.
/// </summary>
public sealed class Authentication(TokenService tokens)
{
    public Caller Authenticate(HttpContext context)
    {
        var claims = tokens.Validate(context.Request.Headers["X-Auth-Token"], out var failure);
        if (claims is null)
        {
            throw Unauthorized(failure!);
        }

        return new Caller(claims.UserId, claims.UserName, claims.AccountId, claims.ProjectId, AccessKey: null, claims.TokenId);
    }

    public static DrsException Unauthorized(Message reason) =>
        new(StatusCodes.Status401Unauthorized, ErrorCodes.AuthenticationFailed, Messages.AuthenticationFailed, new LocalizedArgument(reason, []));

    public static async ValueTask<object?> FilterAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        var caller = context.RequestServices.GetRequiredService<Authentication>().Authenticate(context);
        var projectId = context.GetRouteValue("project_id") as string;
        if (!string.Equals(projectId, caller.ProjectId, StringComparison.Ordinal))
        {
            throw new DrsException(StatusCodes.Status403Forbidden, ErrorCodes.ProjectMismatch, Messages.ProjectMismatch, projectId);
        }

        context.SetCaller(caller);
        return await next(invocation);
    }
}

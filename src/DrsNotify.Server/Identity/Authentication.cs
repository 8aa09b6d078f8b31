using DrsNotify.Server.Api;
using DrsNotify.Server.Identity.AccessKeys;
using DrsNotify.Server.Identity.Signing;
using DrsNotify.Server.Localization;

namespace DrsNotify.Server.Identity;

/// <summary>
/// The endpoint filter in front of every DRS path: authenticates the caller by AK/SK signature
/// or by token, and checks that the path's <c>{project_id}</c> is the caller's project.
/// </summary>
public sealed class Authentication(TokenService tokens, SignatureVerifier signatures, AccessKeyStore accessKeys, IdentityStore identity)
{
    /// <summary>
    /// Authenticates a request with an <c>Authorization: SDK-...</c> header by its signature and
    /// any other request by its <c>X-Auth-Token</c>. Both produce the same <see cref="Caller"/>.
    /// </summary>
    public async ValueTask<Caller> AuthenticateAsync(HttpContext context)
    {
        if (SignatureHeader.IsSdkSignature(context.Request.Headers.Authorization))
        {
            return await AuthenticateSignatureAsync(context);
        }

        var claims = tokens.Validate(context.Request.Headers["X-Auth-Token"], out var failure);
        if (claims is null)
        {
            throw Unauthorized(failure!);
        }

        return new Caller(claims.UserId, claims.UserName, claims.AccountId, claims.ProjectId, AccessKey: null, claims.TokenId);
    }

    /// <summary>
    /// Verifies the signature and takes the caller's project from the path, since an access key
    /// belongs to a user and not to a project. The user must have been granted that project.
    /// </summary>
    private async ValueTask<Caller> AuthenticateSignatureAsync(HttpContext context)
    {
        var key = await signatures.VerifyAsync(context);

        var projectId = context.GetRouteValue("project_id") as string ?? "";
        var declaredProject = context.Request.Headers["X-Project-Id"];
        if (declaredProject.Count > 0 && !string.Equals(declaredProject.ToString(), projectId, StringComparison.Ordinal))
        {
            throw new DrsException(
                StatusCodes.Status403Forbidden, ErrorCodes.ProjectMismatch, Messages.ProjectHeaderMismatch, declaredProject.ToString(), projectId);
        }

        if (!identity.UserMayUseProject(key.UserId, projectId))
        {
            throw new DrsException(StatusCodes.Status403Forbidden, ErrorCodes.ProjectMismatch, Messages.ProjectNotGranted, key.UserName, projectId);
        }

        accessKeys.RecordUse(key.AccessKey);
        return new Caller(key.UserId, key.UserName, key.AccountId, projectId, key.AccessKey, TokenId: null);
    }

    public static DrsException Unauthorized(Message reason) =>
        new(StatusCodes.Status401Unauthorized, ErrorCodes.AuthenticationFailed, Messages.AuthenticationFailed, new LocalizedArgument(reason, []));

    public static async ValueTask<object?> FilterAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        var caller = await context.RequestServices.GetRequiredService<Authentication>().AuthenticateAsync(context);
        var projectId = context.GetRouteValue("project_id") as string;
        if (!string.Equals(projectId, caller.ProjectId, StringComparison.Ordinal))
        {
            throw new DrsException(StatusCodes.Status403Forbidden, ErrorCodes.ProjectMismatch, Messages.ProjectMismatch, projectId);
        }

        context.SetCaller(caller);
        return await next(invocation);
    }
}

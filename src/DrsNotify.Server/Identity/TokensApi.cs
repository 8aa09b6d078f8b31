using System.Text.Json;
using DrsNotify.Server.Api;
using DrsNotify.Server.Localization;
using Microsoft.Extensions.Options;

namespace DrsNotify.Server.Identity;

public sealed record NamedRef(string Id, string Name);

public sealed record TokenProject(string Id, string Name, NamedRef Domain);

public sealed record TokenUser(string Id, string Name, NamedRef Domain);

public sealed record TokenBody(
    string ExpiresAt, string IssuedAt, string[] Methods, TokenProject Project, TokenUser User, NamedRef[] Roles, object[] Catalog);

public sealed record TokenResponse(TokenBody Token);

/// <summary>Request shape of <c>POST /v3/auth/tokens</c>, for the OpenAPI document.</summary>
public sealed record TokenRequest(TokenAuth Auth);

public sealed record TokenAuth(TokenIdentity Identity, TokenScope Scope);

public sealed record TokenIdentity(string[] Methods, TokenPassword Password);

public sealed record TokenPassword(TokenPasswordUser User);

public sealed record TokenPasswordUser(string Name, string Password, TokenDomain? Domain);

public sealed record TokenDomain(string? Id, string? Name);

public sealed record TokenScope(TokenScopeProject Project);

public sealed record TokenScopeProject(string? Id, string? Name);

/// <summary>The IAM token API: <c>POST</c> issues a token, <c>DELETE</c> revokes one.</summary>
public static class TokensApi
{
    public static void MapTokensApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v3/auth/tokens").WithTags("Identity").AddEndpointFilter(AuthFailureThrottle.FilterAsync);

        group.MapPost("", IssueAsync)
            .WithName("CreateToken")
            .WithSummary("Issue a project-scoped token with the password method")
            .Accepts<TokenRequest>("application/json")
            .Produces<TokenResponse>(StatusCodes.Status201Created)
            .Produces<ErrorBody>(StatusCodes.Status400BadRequest)
            .Produces<ErrorBody>(StatusCodes.Status401Unauthorized)
            .Produces<ErrorBody>(StatusCodes.Status429TooManyRequests);

        group.MapDelete("", RevokeAsync)
            .WithName("RevokeToken")
            .WithSummary("Revoke the token in X-Subject-Token")
            .Produces(StatusCodes.Status204NoContent)
            .Produces<ErrorBody>(StatusCodes.Status401Unauthorized)
            .Produces<ErrorBody>(StatusCodes.Status429TooManyRequests);
    }

    private static async Task<IResult> IssueAsync(
        HttpContext context, IdentityStore identity, TokenService tokens, IOptions<ApiOptions> options)
    {
        using var document = await JsonBody.ReadObjectAsync(context, options.Value.MaxBodyBytes);
        var auth = JsonFields.RequireObject(document.RootElement, "auth", "");
        var identityElement = JsonFields.RequireObject(auth, "identity", "auth");
        var methods = JsonFields.RequireArray(identityElement, "methods", "auth.identity", 4);
        if (!methods.EnumerateArray().Any(method => method.ValueKind == JsonValueKind.String && method.ValueEquals("password")))
        {
            throw DrsException.Invalid("auth.identity.methods", Messages.NotOneOf, methods.GetRawText(), "[\"password\"]");
        }

        var userElement = JsonFields.RequireObject(JsonFields.RequireObject(identityElement, "password", "auth.identity"), "user", "auth.identity.password");
        var userName = JsonFields.RequireString(userElement, "name", "auth.identity.password.user", 64);
        var password = JsonFields.RequireString(userElement, "password", "auth.identity.password.user", 256);
        string? domainName = null, domainId = null;
        if (userElement.TryGetProperty("domain", out var domain))
        {
            JsonFields.ExpectObject(domain, "auth.identity.password.user.domain");
            domainName = JsonFields.OptionalString(domain, "name", "auth.identity.password.user.domain", 64);
            domainId = JsonFields.OptionalString(domain, "id", "auth.identity.password.user.domain", 64);
        }

        var scope = JsonFields.RequireObject(JsonFields.RequireObject(auth, "scope", "auth"), "project", "auth.scope");
        var projectId = JsonFields.OptionalString(scope, "id", "auth.scope.project", 64);
        var projectName = JsonFields.OptionalString(scope, "name", "auth.scope.project", 64);
        if (string.IsNullOrEmpty(projectId) && string.IsNullOrEmpty(projectName))
        {
            throw DrsException.Missing("auth.scope.project.id");
        }

        // Success needs exactly one matching user and its password, and every failure looks the
        // same. The hash is computed even for an unknown user, so that timing reveals nothing.
        var candidates = identity.FindUsers(userName, domainName, domainId);
        var match = candidates.Count == 1 ? candidates[0] : default;
        if (!PasswordHasher.Verify(password, match.User?.PasswordHash) || match.User is null)
        {
            throw Authentication.Unauthorized(Messages.PasswordWrong);
        }

        var project = !string.IsNullOrEmpty(projectId)
            ? identity.FindProject(projectId)
            : identity.FindProjectByName(match.Account.Id, projectName!);
        if (project is null || project.AccountId != match.Account.Id || !identity.UserMayUseProject(match.User.Id, project.Id))
        {
            throw Authentication.Unauthorized(Messages.ProjectNotAllowed);
        }

        var (token, claims) = tokens.Issue(match.User, match.Account, project);
        context.Response.Headers["X-Subject-Token"] = token;
        var domainRef = new NamedRef(match.Account.Id, match.Account.Name);
        var body = new TokenResponse(new TokenBody(
            WireTime.Format(claims.ExpiresAt), WireTime.Format(claims.IssuedAt), ["password"],
            new TokenProject(project.Id, project.Name, domainRef),
            new TokenUser(match.User.Id, match.User.Name, domainRef),
            [new NamedRef("0", "te_admin")], []));
        return TypedResults.Json(body, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> RevokeAsync(HttpContext context, TokenService tokens)
    {
        var caller = tokens.Validate(context.Request.Headers["X-Auth-Token"], out var failure)
            ?? throw Authentication.Unauthorized(failure!);
        var subject = tokens.Validate(context.Request.Headers["X-Subject-Token"], out failure)
            ?? throw Authentication.Unauthorized(failure!);
        if (subject.AccountId != caller.AccountId)
        {
            throw Authentication.Unauthorized(Messages.TokenMalformed);
        }

        await tokens.RevokeAsync(subject);
        return TypedResults.NoContent();
    }
}

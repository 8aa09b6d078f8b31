using System.Text.RegularExpressions;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace DrsNotify.Server.Api;

/// <summary>
/// Completes the generated OpenAPI document with what the handlers do not declare: the route
/// parameters of the <c>/v3/{project_id}</c> groups, the <c>X-Language</c> header, and the two
/// ways of authenticating.
/// </summary>
public static partial class OpenApiConventions
{
    public static void Apply(OpenApiOptions options)
    {
        options.AddOperationTransformer((operation, context, _) =>
        {
            var path = context.Description.RelativePath ?? "";
            operation.Parameters ??= [];
            foreach (Match match in RouteParameter().Matches(path))
            {
                var name = match.Groups[1].Value;
                if (!operation.Parameters.Any(parameter => parameter.Name == name))
                {
                    operation.Parameters.Add(new OpenApiParameter
                    {
                        Name = name,
                        In = ParameterLocation.Path,
                        Required = true,
                        Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                    });
                }
            }

            if (path.StartsWith("v2/", StringComparison.Ordinal) || path.StartsWith("v3/", StringComparison.Ordinal)
                || path.StartsWith("v5/", StringComparison.Ordinal))
            {
                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = "X-Language",
                    In = ParameterLocation.Header,
                    Description = "Language of error_msg: en-us (default) or zh-cn.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                });
            }

            return Task.CompletedTask;
        });

        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes["token"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = "X-Auth-Token",
                Description = "IAM token from POST /v3/auth/tokens (X-Subject-Token of its response).",
            };
            document.Components.SecuritySchemes["aksk"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = "Authorization",
                Description = "SDK-HMAC-SHA256 signature with an access key, as the official Huawei Cloud SDKs send it.",
            };
            return Task.CompletedTask;
        });
    }

    [GeneratedRegex(@"\{([A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex RouteParameter();
}

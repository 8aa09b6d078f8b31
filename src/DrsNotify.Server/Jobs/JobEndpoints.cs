using System.Text.Json;
using System.Text.Json.Nodes;

namespace DrsNotify.Server.Jobs;

/// <summary>The <c>source_endpoint</c> and <c>target_endpoint</c> objects of a job, stored without secrets.</summary>
public static class JobEndpoints
{
    /// <summary>
    /// Returns <paramref name="endpoint"/> as JSON text with every property whose name contains
    /// <c>password</c>, <c>passwd</c>, <c>pwd</c> or <c>secret</c> (ignoring case) removed, at any depth, including inside arrays.
    /// </summary>
    public static string ToStoredJson(JsonElement endpoint)
    {
        var node = JsonNode.Parse(endpoint.GetRawText())!;
        RemoveSecrets(node);
        return node.ToJsonString();
    }

    /// <summary>Returns the stored endpoint as a JSON value for a response, or null when none was given.</summary>
    public static JsonElement? FromStoredJson(string? stored)
    {
        if (stored is null)
        {
            return null;
        }

        using var document = JsonDocument.Parse(stored);
        return document.RootElement.Clone();
    }

    public static bool IsSecretName(string name) =>
        name.Contains("password", StringComparison.OrdinalIgnoreCase) || name.Contains("passwd", StringComparison.OrdinalIgnoreCase)
        || name.Contains("pwd", StringComparison.OrdinalIgnoreCase) || name.Contains("secret", StringComparison.OrdinalIgnoreCase);

    private static void RemoveSecrets(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var name in obj.Select(property => property.Key).Where(IsSecretName).ToList())
                {
                    obj.Remove(name);
                }

                foreach (var property in obj)
                {
                    RemoveSecrets(property.Value);
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    RemoveSecrets(item);
                }

                break;
        }
    }
}

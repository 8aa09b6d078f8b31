using System.Text.Json.Nodes;
using DrsNotify.Server.Admin;
using Microsoft.Extensions.DependencyInjection;

namespace DrsNotify.Tests.Infrastructure;

/// <summary>Exit code, standard output and standard error of one administration command.</summary>
public sealed record AdminResult(int ExitCode, string Output, string Error)
{
    public JsonNode Json => JsonNode.Parse(Output) ?? throw new InvalidOperationException("The command printed no JSON.");
}

/// <summary>Runs the server binary's administration commands in process, on a given data directory.</summary>
public static class AdminCli
{
    public static async Task<AdminResult> RunAsync(
        string dataDirectory, string[] args, Action<IServiceCollection>? services = null, IDictionary<string, string>? settings = null)
    {
        var arguments = new List<string>(args) { "--DrsNotify:DataDirectory", dataDirectory };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            arguments.Add("--" + key);
            arguments.Add(value);
        }

        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await AdminCommands.RunAsync([.. arguments], output, error, services);
        return new AdminResult(exitCode, output.ToString(), error.ToString());
    }

    public static Task<AdminResult> RunAsync(string dataDirectory, params string[] args) => RunAsync(dataDirectory, args, null, null);
}

using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using DrsNotify.Server.Identity;
using DrsNotify.Server.Storage;

namespace DrsNotify.Server.Admin;

/// <summary>
/// The administration commands of the server binary (<c>projects</c>, <c>users</c>, <c>keys</c>,
/// <c>tokens</c>). They open the configured store with the same <see cref="Database"/> class as
/// the server, so they work whether or not a server runs on it: SQLite in WAL mode lets the
/// second writer wait for the first one's commit.
/// </summary>
/// <remarks>
/// Configuration is read as the server reads it (<c>appsettings.json</c>, environment variables),
/// plus switches of the form <c>--DrsNotify:DataDirectory PATH</c> anywhere on the command line.
/// Exit codes: 0 on success, 1 on any error, with the message on standard error.
/// </remarks>
public sealed class AdminCommands
{
    /// <summary>First arguments that select the administration commands instead of the web server.</summary>
    public static readonly IReadOnlySet<string> CommandNames = new HashSet<string>(StringComparer.Ordinal) { "projects", "users", "keys", "tokens" };

    private static readonly JsonSerializerOptions JsonOutput = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly TextWriter _output;
    private readonly TextWriter _error;
    private readonly string[] _configurationArguments;
    private readonly Action<IServiceCollection>? _configureServices;
    private readonly Option<string> _format = new("--output", "-o")
    {
        Description = "Output format: table for people, json for scripts.",
        DefaultValueFactory = _ => "table",
        Recursive = true,
    };

    private AdminCommands(TextWriter output, TextWriter error, string[] configurationArguments, Action<IServiceCollection>? configureServices)
    {
        _output = output;
        _error = error;
        _configurationArguments = configurationArguments;
        _configureServices = configureServices;
        _format.AcceptOnlyFromAmong("table", "json");
    }

    public static bool IsAdminCommand(string[] args) => args.Length > 0 && CommandNames.Contains(args[0]);

    /// <summary>
    /// Parses and runs one command; returns the exit code. <paramref name="configureServices"/>
    /// lets tests add services such as a logger provider.
    /// </summary>
    public static Task<int> RunAsync(
        string[] args, TextWriter output, TextWriter error, Action<IServiceCollection>? configureServices = null,
        CancellationToken cancellationToken = default)
    {
        var (commandArguments, configurationArguments) = SplitConfigurationArguments(args);
        var commands = new AdminCommands(output, error, configurationArguments, configureServices);
        var parsed = commands.BuildRoot().Parse(commandArguments);
        return parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken);
    }

    /// <summary>Separates <c>--Section:Key value</c> and <c>--Section:Key=value</c> configuration switches from the command.</summary>
    private static (string[] Command, string[] Configuration) SplitConfigurationArguments(string[] args)
    {
        var command = new List<string>();
        var configuration = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || !arg.Contains(':'))
            {
                command.Add(arg);
                continue;
            }

            configuration.Add(arg);
            if (!arg.Contains('=') && i + 1 < args.Length)
            {
                configuration.Add(args[++i]);
            }
        }

        return (command.ToArray(), configuration.ToArray());
    }

    private RootCommand BuildRoot()
    {
        var root = new RootCommand(
            "DrsNotify administration: projects, users, access keys and tokens in the configured store "
            + "(DrsNotify:DataDirectory, default ./data). Works while a server runs on the same store.");
        root.Options.Add(_format);
        root.Subcommands.Add(ProjectsCommand());
        root.Subcommands.Add(UsersCommand());
        root.Subcommands.Add(KeysCommand());
        root.Subcommands.Add(TokensCommand());
        return root;
    }

    private Command ProjectsCommand()
    {
        var name = new Option<string>("--name") { Description = "Project name; by DRS convention the region name, for example cn-north-7.", Required = true };
        var id = new Option<string?>("--id") { Description = "Project id: 32 lowercase hexadecimal digits, to mirror a real project. Random when omitted." };
        var region = new Option<string?>("--region") { Description = "Region of the project; topic URNs carry it. Defaults to the name." };
        var account = new Option<string?>("--account") { Description = "Account (IAM domain) of the project; created when it does not exist. Defaults to the bootstrap account." };

        var grant = new Option<string[]>("--grant") { Description = "Name of a user of the account who may use the project; repeat for several users." };

        var create = new Command("create", "Create a project.") { name, id, region, account, grant };
        create.SetAction((result, cancellation) => RunAsync(result, async admin =>
        {
            var (project, accountCreated) = await admin.CreateProjectAsync(
                result.GetValue(name)!, result.GetValue(id), result.GetValue(region), result.GetValue(account), result.GetValue(grant));
            Write(result, new { project.Id, project.Name, project.Region, project.Account, project.CreatedAt, AccountCreated = accountCreated }, () =>
            {
                if (accountCreated)
                {
                    _output.WriteLine($"Created account {project.Account}.");
                }

                _output.WriteLine($"Created project {project.Name} with id {project.Id} in region {project.Region} of account {project.Account}.");
            });
        }));

        var list = new Command("list", "List every project with its id, region and account.");
        list.SetAction((result, cancellation) => RunAsync(result, admin =>
        {
            var projects = admin.ListProjects();
            Write(result, projects, () => WriteTable(
                ["ID", "NAME", "REGION", "ACCOUNT", "CREATED"],
                projects.Select(project => new[] { project.Id, project.Name, project.Region, project.Account, project.CreatedAt })));
            return Task.CompletedTask;
        }));

        return new Command("projects", "Create and list projects.") { create, list };
    }

    private Command UsersCommand()
    {
        Option<string> Name() => new("--name") { Description = "User name.", Required = true };
        Option<string?> Account() => new("--account") { Description = "Account of the user; needed only when several accounts have a user of that name. Defaults to the bootstrap account for create." };
        Option<string?> Password(string what) => new("--password")
        {
            Description = $"{what}, 8 to 256 characters. Generated and printed once when omitted; a password given here may stay in the shell history.",
        };

        var createName = Name();
        var createAccount = Account();
        var createPassword = Password("Password");
        var projects = new Option<string[]>("--project")
        {
            Description = "Id of a project the user may use; repeat for several. Defaults to the oldest project of the account.",
            AllowMultipleArgumentsPerToken = true,
        };
        var create = new Command("create", "Create a user with access to projects.") { createName, createPassword, projects, createAccount };
        create.SetAction((result, cancellation) => RunAsync(result, async admin =>
        {
            var (user, generated) = await admin.CreateUserAsync(
                result.GetValue(createName)!, result.GetValue(createPassword), result.GetValue(projects) ?? [], result.GetValue(createAccount));
            Write(result, new { user.Id, user.Name, user.Account, user.Projects, user.CreatedAt, Password = generated }, () =>
            {
                _output.WriteLine($"Created user {user.Name} in account {user.Account} with access to {string.Join(", ", user.Projects)}.");
                if (generated is not null)
                {
                    _output.WriteLine($"Password (shown only now): {generated}");
                }
            });
        }));

        var list = new Command("list", "List every user with its account, projects and number of access keys.");
        list.SetAction((result, cancellation) => RunAsync(result, admin =>
        {
            var users = admin.ListUsers();
            Write(result, users, () => WriteTable(
                ["NAME", "ACCOUNT", "PROJECTS", "ACCESS KEYS", "CREATED", "ID"],
                users.Select(user => new[] { user.Name, user.Account, string.Join(",", user.Projects), user.AccessKeys.ToString(), user.CreatedAt, user.Id })));
            return Task.CompletedTask;
        }));

        var deleteName = Name();
        var deleteAccount = Account();
        var delete = new Command("delete", "Delete a user with its access keys, and reject every token issued to it.") { deleteName, deleteAccount };
        delete.SetAction((result, cancellation) => RunAsync(result, async admin =>
        {
            var user = await admin.DeleteUserAsync(result.GetValue(deleteName)!, result.GetValue(deleteAccount));
            Write(result, new { user.Id, user.Name, user.Account, Deleted = true }, () =>
                _output.WriteLine($"Deleted user {user.Name} of account {user.Account} with its access keys; its tokens are rejected from now on."));
        }));

        var setName = Name();
        var setAccount = Account();
        var setPassword = Password("New password");
        var setPasswordCommand = new Command(
            "set-password", "Replace a user's password. Tokens issued before stay valid; run 'tokens revoke' to end them.")
            { setName, setPassword, setAccount };
        setPasswordCommand.SetAction((result, cancellation) => RunAsync(result, async admin =>
        {
            var (user, generated) = await admin.SetPasswordAsync(result.GetValue(setName)!, result.GetValue(setPassword), result.GetValue(setAccount));
            Write(result, new { user.Id, user.Name, user.Account, Password = generated }, () =>
            {
                _output.WriteLine($"Changed the password of user {user.Name} of account {user.Account}.");
                if (generated is not null)
                {
                    _output.WriteLine($"Password (shown only now): {generated}");
                }
            });
        }));

        return new Command("users", "Create, list and delete users, and set their passwords.") { create, list, delete, setPasswordCommand };
    }

    private Command KeysCommand()
    {
        var user = new Option<string>("--user") { Description = "Name of the user who owns the new access key.", Required = true };
        var account = new Option<string?>("--account") { Description = "Account of the user; needed only when several accounts have a user of that name." };
        var create = new Command("create", "Create an access key (AK/SK) for a user. The secret key is printed only now.") { user, account };
        create.SetAction((result, cancellation) => RunAsync(result, async admin =>
        {
            var (key, secretKey) = await admin.CreateAccessKeyAsync(result.GetValue(user)!, result.GetValue(account));
            Write(result, new { key.AccessKey, SecretKey = secretKey, key.User, key.Account, key.Enabled, key.CreatedAt }, () =>
            {
                _output.WriteLine($"Created access key {key.AccessKey} for user {key.User} of account {key.Account}.");
                _output.WriteLine($"Secret key (shown only now; it cannot be read again): {secretKey}");
            });
        }));

        var list = new Command("list", "List access keys with owner, state and last use. Secret keys are never shown.");
        list.SetAction((result, cancellation) => RunAsync(result, admin =>
        {
            var keys = admin.ListAccessKeys();
            Write(result, keys, () => WriteTable(
                ["ACCESS KEY", "USER", "ACCOUNT", "ENABLED", "CREATED", "LAST USED"],
                keys.Select(key => new[] { key.AccessKey, key.User, key.Account, key.Enabled ? "yes" : "no", key.CreatedAt, key.LastUsedAt ?? "never" })));
            return Task.CompletedTask;
        }));

        Command KeyAction(string verb, string description, Func<IdentityAdmin, string, Task> action, string done)
        {
            var accessKey = new Argument<string>("AK") { Description = "The access key id, for example from 'keys list'." };
            var command = new Command(verb, description) { accessKey };
            command.SetAction((result, cancellation) => RunAsync(result, async admin =>
            {
                var id = result.GetValue(accessKey)!;
                await action(admin, id);
                Write(result, new { AccessKey = id, Result = verb + "d" }, () => _output.WriteLine($"{done} access key {id}."));
            }));
            return command;
        }

        return new Command("keys", "Create, list, disable, enable and delete access keys.")
        {
            create,
            list,
            KeyAction("disable", "Disable an access key; requests signed with it are rejected at once on every server.",
                (admin, id) => admin.SetAccessKeyEnabledAsync(id, enabled: false), "Disabled"),
            KeyAction("enable", "Enable a disabled access key again.",
                (admin, id) => admin.SetAccessKeyEnabledAsync(id, enabled: true), "Enabled"),
            KeyAction("delete", "Delete an access key for good.",
                (admin, id) => admin.DeleteAccessKeyAsync(id), "Deleted"),
        };
    }

    private Command TokensCommand()
    {
        var user = new Option<string>("--user") { Description = "Name of the user whose tokens are revoked.", Required = true };
        var account = new Option<string?>("--account") { Description = "Account of the user; needed only when several accounts have a user of that name." };
        var revoke = new Command(
            "revoke",
            "Revoke every token of a user issued so far. Running servers reject them after their next revocation refresh "
            + "(DrsNotify:Tokens:RevocationRefreshInterval, 2 seconds by default). New tokens can be issued afterwards.")
            { user, account };
        revoke.SetAction((result, cancellation) => RunAsync(result, async admin =>
        {
            var userName = result.GetValue(user)!;
            var cutoff = await admin.RevokeTokensAsync(userName, result.GetValue(account));
            Write(result, new { User = userName, RevokedIssuedUntil = cutoff }, () =>
                _output.WriteLine($"Revoked every token of user {userName} issued at or before {cutoff}."));
        }));

        return new Command("tokens", "Revoke tokens.") { revoke };
    }

    /// <summary>Opens the store, bootstraps it when empty, runs <paramref name="action"/> and maps failures to exit code 1.</summary>
    private async Task<int> RunAsync(ParseResult result, Func<IdentityAdmin, Task> action)
    {
        IHost? host = null;
        try
        {
            host = BuildHost();
            var database = host.Services.GetRequiredService<Database>();
            database.Open();
            await host.Services.GetRequiredService<Bootstrap>().RunIfEmptyAsync();
            await action(host.Services.GetRequiredService<IdentityAdmin>());
            return 0;
        }
        catch (AdminException error)
        {
            await _error.WriteLineAsync("error: " + error.Message);
            return 1;
        }
        catch (Exception error) when (ServerApp.StartFailureMessage(error) is { } message)
        {
            await _error.WriteLineAsync(message);
            return 1;
        }
        finally
        {
            if (host is IAsyncDisposable asyncHost)
            {
                await asyncHost.DisposeAsync();
            }
            else
            {
                host?.Dispose();
            }
        }
    }

    private IHost BuildHost()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = _configurationArguments,
            ContentRootPath = AppContext.BaseDirectory,
        });

        // Standard output carries only the command's result, so that --output json can be piped.
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(options => options.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);

        ServerApp.AddStoreAndIdentity(builder.Services, builder.Configuration);
        builder.Services.AddSingleton<IdentityAdmin>();
        _configureServices?.Invoke(builder.Services);
        return builder.Build();
    }

    private void Write<T>(ParseResult result, T value, Action writeTable)
    {
        if (result.GetValue(_format) == "json")
        {
            _output.WriteLine(JsonSerializer.Serialize(value, JsonOutput));
        }
        else
        {
            writeTable();
        }
    }

    private void WriteTable(string[] headers, IEnumerable<string[]> rows)
    {
        var all = rows.Prepend(headers).ToList();
        var widths = headers.Select((_, column) => all.Max(row => row[column].Length)).ToArray();
        foreach (var row in all)
        {
            _output.WriteLine(string.Join("  ", row.Select((cell, column) => cell.PadRight(widths[column]))).TrimEnd());
        }
    }
}

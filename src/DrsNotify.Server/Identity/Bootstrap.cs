using System.Security.Cryptography;
using System.Text.Json;
using DrsNotify.Server.Identity.AccessKeys;
using Microsoft.Extensions.Options;

namespace DrsNotify.Server.Identity;

/// <summary>
/// On the first start with an empty store, creates the account, project, administrator and the
/// administrator's access key, and writes their credentials to
/// <c>{data directory}/initial-credentials.json</c> (mode 0600).
/// </summary>
public sealed class Bootstrap(
    Storage.Database database, IdentityStore identity, AccessKeyStore accessKeys, IOptions<DrsNotifyOptions> options,
    IOptions<BootstrapOptions> bootstrapOptions, ILogger<Bootstrap> logger)
{
    public const string CredentialsFileName = "initial-credentials.json";

    public async Task RunIfEmptyAsync()
    {
        if (!identity.IsEmpty())
        {
            return;
        }

        // The separately registered BootstrapOptions are validated when read, so a malformed value
        // stops the start before anything is stored. The nested DrsNotifyOptions.Bootstrap is not validated.
        var settings = bootstrapOptions.Value;
        var account = new Account(NewId(), settings.AccountName);
        var project = new Project(
            settings.ProjectId ?? NewId(), account.Id, settings.ProjectName ?? settings.Region, settings.Region);
        var password = string.IsNullOrEmpty(settings.Password) ? PasswordHasher.GeneratePassword() : settings.Password;
        var user = new User(NewId(), account.Id, settings.UserName, PasswordHasher.Hash(password));
        var accessKey = string.IsNullOrEmpty(settings.AccessKey) ? AccessKeyStore.GenerateAccessKey() : settings.AccessKey;
        var secretKey = string.IsNullOrEmpty(settings.SecretKey) ? AccessKeyStore.GenerateSecretKey() : settings.SecretKey;

        // The file is written before the commit: a crash in between leaves an empty store, and
        // the next start bootstraps again and overwrites the file.
        var path = Path.Combine(options.Value.ResolveDataDirectory(), CredentialsFileName);
        var credentials = new Dictionary<string, string>
        {
            ["account_name"] = account.Name,
            ["project_id"] = project.Id,
            ["project_name"] = project.Name,
            ["region"] = project.Region,
            ["user_name"] = user.Name,
            ["password"] = password,
            ["access_key"] = accessKey,
            ["secret_key"] = secretKey,
        };
        PrivateFile.Write(path, JsonSerializer.Serialize(credentials, new JsonSerializerOptions { WriteIndented = true }) + "\n");

        var now = identity.Now();
        await database.WriteAsync((connection, transaction) =>
        {
            IdentityStore.InsertAccount(connection, transaction, account, now);
            IdentityStore.InsertProject(connection, transaction, project, now);
            IdentityStore.InsertUser(connection, transaction, user, now);
            IdentityStore.GrantProject(connection, transaction, user.Id, project.Id);
            accessKeys.Insert(connection, transaction, accessKey, user.Id, secretKey, now);
            return 0;
        });

        logger.LogWarning(
            "First start: created account {Account}, project {ProjectId}, user {User} and access key {AccessKey}; their credentials are in {Path}",
            account.Name, project.Id, user.Name, accessKey, path);
    }

    /// <summary>Creates a 32-character lowercase hex id, the shape of Huawei Cloud project and user ids.</summary>
    public static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
}

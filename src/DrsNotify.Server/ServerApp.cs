using System.Text.Json;
using System.Text.Json.Serialization;
using DrsNotify.Server.Alarms;
using DrsNotify.Server.Api;
using DrsNotify.Server.Identity;
using DrsNotify.Server.Identity.AccessKeys;
using DrsNotify.Server.Identity.Signing;
using DrsNotify.Server.Jobs;
using DrsNotify.Server.Notifications;
using DrsNotify.Server.Storage;
using Microsoft.Extensions.Options;

namespace DrsNotify.Server;

/// <summary>Composition of the server: options, storage, identity, endpoint groups, hosted services.</summary>
public static class ServerApp
{
    public const string DefaultUrl = "http://127.0.0.1:8080";

    /// <summary>
    /// Builds the application, opens and migrates the store and bootstraps an empty one.
    /// <paramref name="configureServices"/> lets tests replace services such as the <see cref="TimeProvider"/>.
    /// </summary>
    public static async Task<WebApplication> CreateAsync(string[] args, Action<IServiceCollection>? configureServices = null)
    {
        // Content (appsettings.json) comes from the binary's folder; the data directory is
        // resolved against the working directory instead.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
        });

        // The embedded default: loopback port 8080 unless --urls or ASPNETCORE_URLS says otherwise.
        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        builder.Services.AddOptions<DrsNotifyOptions>()
            .Bind(builder.Configuration.GetSection(DrsNotifyOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddOptions<ApiOptions>().Bind(builder.Configuration.GetSection("DrsNotify:Api")).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<BootstrapOptions>().Bind(builder.Configuration.GetSection("DrsNotify:Bootstrap")).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<TokenOptions>().Bind(builder.Configuration.GetSection("DrsNotify:Tokens")).ValidateDataAnnotations().ValidateOnStart();

        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            json.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
            json.SerializerOptions.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        });
        builder.Services.AddOpenApi();

        // Storage and identity. The data directory holds the database and the server key.
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(services =>
        {
            var options = services.GetRequiredService<IOptions<DrsNotifyOptions>>().Value;
            var directory = options.ResolveDataDirectory();
            Directory.CreateDirectory(directory);
            return new Database(
                Path.Combine(directory, "drsnotify.db"), services.GetRequiredService<TimeProvider>(),
                services.GetRequiredService<ILogger<Database>>());
        });
        builder.Services.AddSingleton(services => ServerKey.LoadOrCreate(
            services.GetRequiredService<IOptions<DrsNotifyOptions>>().Value.ResolveDataDirectory(),
            services.GetRequiredService<ILogger<ServerKey>>()));
        builder.Services.AddSingleton<IdentityStore>();
        builder.Services.AddSingleton<SecretKeyProtector>();
        builder.Services.AddSingleton<AccessKeyStore>();
        builder.Services.AddSingleton<IAccessKeyLookup>(services => services.GetRequiredService<AccessKeyStore>());
        builder.Services.AddSingleton<SignatureVerifier>();
        builder.Services.AddSingleton<Bootstrap>();
        builder.Services.AddSingleton<TokenService>();
        builder.Services.AddSingleton<Authentication>();
        builder.Services.AddHostedService<RevocationRefresher>();

        // Features.
        builder.Services.AddJobs();
        builder.Services.AddNotifications();
        builder.Services.AddAlarms(builder.Configuration);

        configureServices?.Invoke(builder.Services);

        var app = builder.Build();

        var database = app.Services.GetRequiredService<Database>();
        database.Open();
        await app.Services.GetRequiredService<Bootstrap>().RunIfEmptyAsync();
        app.Lifetime.ApplicationStopped.Register(() => database.DisposeAsync().AsTask().GetAwaiter().GetResult());

        app.UseMiddleware<ErrorHandlingMiddleware>();

        app.MapOpenApi();
        app.MapGet("/health/live", () => TypedResults.Ok(new HealthStatus("ok"))).WithTags("Health").ExcludeFromDescription();
        app.MapGet("/health/ready", ReadyAsync).WithTags("Health").ExcludeFromDescription();

        app.MapTokensApi();

        // Every DRS path sits under /v3/{project_id} or /v5/{project_id}, behind authentication.
        var v3 = app.MapGroup("/v3/{project_id}").AddEndpointFilter(Authentication.FilterAsync);
        var v5 = app.MapGroup("/v5/{project_id}").AddEndpointFilter(Authentication.FilterAsync);
        v3.MapJobsApi();
        v3.MapNotificationsApi();
        v3.MapAlarmsApi();
        v5.MapNotificationsV5Api();

        return app;
    }

    private static IResult ReadyAsync(Database database)
    {
        try
        {
            database.Read(connection => connection.Scalar("SELECT 1", null));
            return TypedResults.Ok(new HealthStatus("ok"));
        }
        catch (Exception error) when (error is Microsoft.Data.Sqlite.SqliteException or InvalidOperationException)
        {
            return TypedResults.Json(new HealthStatus("unavailable"), statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    private sealed record HealthStatus(string Status);
}

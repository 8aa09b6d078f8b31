using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration.Memory;
using System.Text.Json;
using System.Text.Json.Serialization;
using DrsNotify.Server.Alarms;
using DrsNotify.Server.Api;
using DrsNotify.Server.Delivery;
using DrsNotify.Server.Identity;
using DrsNotify.Server.Identity.AccessKeys;
using DrsNotify.Server.Identity.Signing;
using DrsNotify.Server.Jobs;
using DrsNotify.Server.Notifications;
using DrsNotify.Server.Storage;
using DrsNotify.Server.Topics;
using Microsoft.Extensions.Options;

namespace DrsNotify.Server;

/// <summary>Composition of the server: options, storage, identity, endpoint groups, hosted services.</summary>
public static class ServerApp
{
    public const string DefaultUrl = "http://127.0.0.1:8080";

    /// <summary>
    /// Runs the web server until it stops. Returns 1 after one line on <paramref name="error"/>
    /// when the configuration is invalid, the store cannot be opened (for example because a
    /// newer version wrote it) or the address cannot be bound.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, TextWriter error)
    {
        WebApplication app;
        try
        {
            app = await CreateAsync(args);
        }
        catch (Exception failure) when (StartFailureMessage(failure) is { } message)
        {
            await error.WriteLineAsync(message);
            return 1;
        }

        try
        {
            await app.RunAsync();
        }
        catch (IOException failure)
        {
            // Kestrel could not listen, for example because the port is in use.
            await error.WriteLineAsync("error: the server could not start: " + failure.Message);
            return 1;
        }

        return 0;
    }

    /// <summary>
    /// Returns the one-line error for invalid configuration or a store that cannot be opened, or
    /// null for any other exception. The server and the administration commands print it.
    /// </summary>
    public static string? StartFailureMessage(Exception failure) => failure switch
    {
        OptionsValidationException => "error: invalid configuration: " + failure.Message,
        SqliteException or InvalidOperationException or IOException or UnauthorizedAccessException =>
            "error: the store could not be used: " + failure.Message,
        _ => null,
    };

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

        // ASP.NET Core logs several lines per request at Information, which fills a disk under
        // load. Defaults go first, so any configuration source can set the level back.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?> { ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning" },
        });

        // The embedded default: loopback port 8080 unless --urls or ASPNETCORE_URLS sets another.
        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        AddStoreAndIdentity(builder.Services, builder.Configuration);
        builder.Services.AddOptions<AuthOptions>().Bind(builder.Configuration.GetSection("DrsNotify:Auth")).ValidateDataAnnotations().ValidateOnStart();

        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            json.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
            json.SerializerOptions.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        });
        builder.Services.AddOpenApi(OpenApiConventions.Apply);

        builder.Services.AddSingleton<SignatureVerifier>();
        builder.Services.AddSingleton<AuthFailureThrottle>();
        builder.Services.AddSingleton<Authentication>();
        builder.Services.AddHostedService<RevocationRefresher>();

        // Features.
        builder.Services.AddJobs();
        builder.Services.AddNotifications();
        builder.Services.AddDelivery(builder.Configuration);
        builder.Services.AddAlarms(builder.Configuration);
        builder.Services.AddTopics();

        // The hosting log's request lines include the query string, which for the confirmation
        // link of a topic subscription is the one-time token.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);

        configureServices?.Invoke(builder.Services);

        var app = builder.Build();

        // Check every option before anything is created, so that a bad value cannot bootstrap
        // a store with half the intended settings.
        app.Services.GetRequiredService<IStartupValidator>().Validate();

        var database = app.Services.GetRequiredService<Database>();
        database.Open();
        await app.Services.GetRequiredService<Bootstrap>().RunIfEmptyAsync();
        app.Lifetime.ApplicationStopped.Register(() => database.DisposeAsync().AsTask().GetAwaiter().GetResult());

        app.UseMiddleware<ErrorHandlingMiddleware>();

        app.MapOpenApi();
        app.MapMethods("/health/live", ["GET", "HEAD"], () => TypedResults.Ok(new HealthStatus("ok"))).WithTags("Health").ExcludeFromDescription();
        app.MapMethods("/health/ready", ["GET", "HEAD"], ReadyAsync).WithTags("Health").ExcludeFromDescription();

        app.MapTokensApi();
        app.MapCaptureApi();
        app.MapDeliveryMetrics();

        // Every DRS path sits under /v3/{project_id} or /v5/{project_id}, and every SMN path but
        // the confirmation link under /v2/{project_id}, behind authentication. The throttle runs
        // first, so that a blocked address costs no password hash or HMAC.
        var v2 = app.MapGroup("/v2/{project_id}").AddEndpointFilter(AuthFailureThrottle.FilterAsync).AddEndpointFilter(Authentication.FilterAsync);
        var v3 = app.MapGroup("/v3/{project_id}").AddEndpointFilter(AuthFailureThrottle.FilterAsync).AddEndpointFilter(Authentication.FilterAsync);
        var v5 = app.MapGroup("/v5/{project_id}").AddEndpointFilter(AuthFailureThrottle.FilterAsync).AddEndpointFilter(Authentication.FilterAsync);
        v3.MapJobsApi();
        v3.MapNotificationsApi();
        v3.MapAlarmUpdatesApi();
        v3.MapDeliveryApi();
        v3.MapAlarmsApi();
        v5.MapNotificationsV5Api();
        v5.MapAlarmUpdatesV5Api();
        v2.MapTopicsApi();
        app.MapConfirmationApi();

        return app;
    }

    /// <summary>
    /// Registers the options, the store, the server key and the identity services that both the
    /// web server and the administration commands use. The data directory contains the database
    /// and the server key.
    /// </summary>
    public static void AddStoreAndIdentity(IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DrsNotifyOptions>()
            .Bind(configuration.GetSection(DrsNotifyOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<ApiOptions>().Bind(configuration.GetSection("DrsNotify:Api")).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<BootstrapOptions>().Bind(configuration.GetSection("DrsNotify:Bootstrap")).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<TokenOptions>().Bind(configuration.GetSection("DrsNotify:Tokens")).ValidateDataAnnotations().ValidateOnStart();

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<DrsNotifyOptions>>().Value;
            var directory = options.ResolveDataDirectory();
            Directory.CreateDirectory(directory);
            return new Database(
                Path.Combine(directory, "drsnotify.db"), provider.GetRequiredService<TimeProvider>(),
                provider.GetRequiredService<ILogger<Database>>());
        });
        services.AddSingleton(provider => ServerKey.LoadOrCreate(
            provider.GetRequiredService<IOptions<DrsNotifyOptions>>().Value.ResolveDataDirectory(),
            provider.GetRequiredService<ILogger<ServerKey>>()));
        services.AddSingleton<IdentityStore>();
        services.AddSingleton<SecretKeyProtector>();
        services.AddSingleton<AccessKeyStore>();
        services.AddSingleton<IAccessKeyLookup>(provider => provider.GetRequiredService<AccessKeyStore>());
        services.AddSingleton<Bootstrap>();
        services.AddSingleton<TokenService>();
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

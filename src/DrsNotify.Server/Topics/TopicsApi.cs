using System.Text;
using System.Text.RegularExpressions;
using DrsNotify.Server.Api;
using DrsNotify.Server.Delivery;
using DrsNotify.Server.Identity;
using DrsNotify.Server.Localization;
using DrsNotify.Server.Notifications;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using static DrsNotify.Server.Api.JsonFields;

namespace DrsNotify.Server.Topics;

/// <summary>Request shape of topic creation, for the OpenAPI document.</summary>
public sealed record CreateTopicRequest(string Name, string? DisplayName);

public sealed record CreateTopicResponse(string RequestId, string TopicUrn);

/// <summary>
/// One topic in a list or a read. <see cref="PushPolicy"/> is always 0 in DrsNotify: messages
/// that fail for good are dead-lettered in the outbox.
/// </summary>
public sealed record TopicView(string TopicUrn, string Name, string DisplayName, int PushPolicy);

public sealed record ListTopicsResponse(string RequestId, long TopicCount, IReadOnlyList<TopicView> Topics);

public sealed record TopicDetailResponse(
    string RequestId, string TopicUrn, string Name, string DisplayName, int PushPolicy, string CreateTime, string UpdateTime);

/// <summary>The response of calls that return nothing but their request id.</summary>
public sealed record RequestIdResponse(string RequestId);

/// <summary>Request shape of a subscription, for the OpenAPI document.</summary>
public sealed record SubscribeRequest(string Protocol, string Endpoint, string? Remark);

public sealed record SubscribeResponse(string RequestId, string SubscriptionUrn);

/// <summary>One subscription in a list; <see cref="Status"/> is 0 unconfirmed, 1 confirmed, 3 cancelled.</summary>
public sealed record SubscriptionView(
    string TopicUrn, string SubscriptionUrn, string Owner, string Protocol, string Endpoint, string Remark, int Status);

public sealed record ListSubscriptionsResponse(string RequestId, long SubscriptionCount, IReadOnlyList<SubscriptionView> Subscriptions);

public sealed record ConfirmResponse(string RequestId, string SubscriptionUrn, string TopicUrn, int Status);

/// <summary>Request shape of a publish call, for the OpenAPI document.</summary>
public sealed record PublishRequest(string? Subject, string Message);

public sealed record PublishResponse(string RequestId, string MessageId);

/// <summary>
/// The SMN v2 endpoints: topics, subscriptions, publish under <c>/v2/{project_id}</c>, behind
/// authentication, and the unauthenticated confirmation link. Errors have the SMN shape, see
/// <see cref="SmnErrorCodes"/>.
/// </summary>
public static partial class TopicsApi
{
    /// <summary>Maximum length of <c>display_name</c>, in characters.</summary>
    public const int MaxDisplayNameLength = 192;

    /// <summary>Maximum length of <c>remark</c>, in characters.</summary>
    public const int MaxRemarkLength = 128;

    /// <summary>Maximum length of an http or https endpoint, in characters.</summary>
    public const int MaxUrlLength = 1024;

    private const int MaxPageSize = 100;

    public static IServiceCollection AddTopics(this IServiceCollection services) =>
        services.AddSingleton<TopicStore>().AddSingleton<SubscriptionStore>().AddSingleton<TopicPublisher>();

    public static void MapTopicsApi(this RouteGroupBuilder v2)
    {
        v2.MapPost("/notifications/topics", CreateTopicAsync)
            .WithTags("Topics").WithName("CreateTopic")
            .WithSummary("Create a topic; the same name again returns the existing topic's URN with 200")
            .Accepts<CreateTopicRequest>("application/json")
            .Produces<CreateTopicResponse>(StatusCodes.Status201Created)
            .Produces<CreateTopicResponse>();

        v2.MapGet("/notifications/topics", ListTopics)
            .WithTags("Topics").WithName("ListTopics")
            .WithSummary("List the project's topics, oldest first")
            .Produces<ListTopicsResponse>();

        v2.MapGet("/notifications/topics/{topic_urn}", GetTopic)
            .WithTags("Topics").WithName("ShowTopic")
            .WithSummary("Read a topic")
            .Produces<TopicDetailResponse>();

        v2.MapDelete("/notifications/topics/{topic_urn}", DeleteTopicAsync)
            .WithTags("Topics").WithName("DeleteTopic")
            .WithSummary("Delete a topic and its subscriptions; rejected with 409 while job settings use it")
            .Produces<RequestIdResponse>();

        v2.MapPost("/notifications/topics/{topic_urn}/subscriptions", SubscribeAsync)
            .WithTags("Topics").WithName("AddSubscription")
            .WithSummary("Subscribe an e-mail address, phone number or http(s) URL; it receives a confirmation message first")
            .Accepts<SubscribeRequest>("application/json")
            .Produces<SubscribeResponse>();

        v2.MapGet("/notifications/topics/{topic_urn}/subscriptions", ListSubscriptions)
            .WithTags("Topics").WithName("ListSubscriptionsByTopic")
            .WithSummary("List a topic's subscriptions with their status: 0 unconfirmed, 1 confirmed, 3 cancelled")
            .Produces<ListSubscriptionsResponse>();

        v2.MapDelete("/notifications/subscriptions/{subscription_urn}", UnsubscribeAsync)
            .WithTags("Topics").WithName("DeleteSubscription")
            .WithSummary("Cancel a subscription")
            .Produces<RequestIdResponse>();

        v2.MapPost("/notifications/topics/{topic_urn}/publish", PublishAsync)
            .WithTags("Topics").WithName("PublishMessage")
            .WithSummary("Publish a message to the topic's confirmed subscriptions")
            .Accepts<PublishRequest>("application/json")
            .Produces<PublishResponse>();
    }

    /// <summary>Maps the confirmation link, which needs no authentication: the token is the credential.</summary>
    public static void MapConfirmationApi(this WebApplication app) =>
        app.MapGet(SubscriptionStore.ConfirmPath, ConfirmAsync)
            .WithTags("Topics").WithName("ConfirmSubscription")
            .WithSummary("Confirm a subscription with the one-time token of its confirmation message")
            .Produces<ConfirmResponse>();

    private static async Task<Results<Created<CreateTopicResponse>, Ok<CreateTopicResponse>>> CreateTopicAsync(
        HttpContext context, TopicStore topics, IdentityStore identity, IOptions<ApiOptions> options)
    {
        var caller = context.Caller();
        string name;
        string displayName;
        using (var document = await JsonBody.ReadObjectAsync(context, options.Value.MaxBodyBytes))
        {
            var root = document.RootElement;
            name = RequireString(root, "name", "", 255);
            if (!TopicNamePattern().IsMatch(name))
            {
                throw DrsException.Invalid("name", Messages.TopicNameInvalid, name);
            }

            displayName = OptionalString(root, "display_name", "", MaxDisplayNameLength) ?? "";
        }

        var project = identity.FindProject(caller.ProjectId)
            ?? throw new InvalidOperationException($"The caller's project {caller.ProjectId} is not in the store.");
        var (topic, created) = await topics.CreateAsync(caller.ProjectId, project.Region, name, displayName);
        var response = new CreateTopicResponse(context.RequestId(), topic.Urn);
        return created ? TypedResults.Created((string?)null, response) : TypedResults.Ok(response);
    }

    private static Ok<ListTopicsResponse> ListTopics(HttpContext context, TopicStore topics)
    {
        var offset = QueryParameters.Integer(context, "offset", 0, int.MaxValue, 0);
        var limit = QueryParameters.Integer(context, "limit", 1, MaxPageSize, MaxPageSize);
        var (count, page) = topics.List(context.Caller().ProjectId, offset, limit);
        return TypedResults.Ok(new ListTopicsResponse(
            context.RequestId(), count, page.Select(topic => new TopicView(topic.Urn, topic.Name, topic.DisplayName, 0)).ToList()));
    }

    private static Ok<TopicDetailResponse> GetTopic(HttpContext context, string topic_urn, TopicStore topics)
    {
        var topic = FindTopic(context, topic_urn, topics);
        return TypedResults.Ok(new TopicDetailResponse(
            context.RequestId(), topic.Urn, topic.Name, topic.DisplayName, 0, WireTime.Format(topic.CreatedAt), WireTime.Format(topic.UpdatedAt)));
    }

    private static async Task<Ok<RequestIdResponse>> DeleteTopicAsync(HttpContext context, string topic_urn, TopicStore topics)
    {
        CheckTopicUrn(topic_urn);
        await topics.DeleteAsync(context.Caller().ProjectId, topic_urn);
        return TypedResults.Ok(new RequestIdResponse(context.RequestId()));
    }

    private static async Task<Ok<SubscribeResponse>> SubscribeAsync(
        HttpContext context, string topic_urn, SubscriptionStore subscriptions, Dispatcher dispatcher, IOptions<ApiOptions> options)
    {
        CheckTopicUrn(topic_urn);
        string protocol;
        string endpoint;
        string remark;
        using (var document = await JsonBody.ReadObjectAsync(context, options.Value.MaxBodyBytes))
        {
            var root = document.RootElement;
            protocol = RequireEnum(root, "protocol", "", SubscriptionProtocols.All, SubscriptionProtocols.ListText);
            endpoint = RequireString(root, "endpoint", "", MaxUrlLength);
            CheckEndpoint(protocol, endpoint);
            remark = OptionalString(root, "remark", "", MaxRemarkLength) ?? "";
        }

        var urn = await subscriptions.SubscribeAsync(context.Caller().ProjectId, topic_urn, protocol, endpoint, remark, context.Language());
        dispatcher.Wake();
        return TypedResults.Ok(new SubscribeResponse(context.RequestId(), urn));
    }

    private static Ok<ListSubscriptionsResponse> ListSubscriptions(
        HttpContext context, string topic_urn, TopicStore topics, SubscriptionStore subscriptions)
    {
        var topic = FindTopic(context, topic_urn, topics);
        var offset = QueryParameters.Integer(context, "offset", 0, int.MaxValue, 0);
        var limit = QueryParameters.Integer(context, "limit", 1, MaxPageSize, MaxPageSize);
        var (count, page) = subscriptions.List(topic, offset, limit);
        return TypedResults.Ok(new ListSubscriptionsResponse(
            context.RequestId(), count,
            page.Select(s => new SubscriptionView(s.TopicUrn, s.Urn, s.ProjectId, s.Protocol, s.Endpoint, s.Remark, s.Status)).ToList()));
    }

    private static async Task<Ok<RequestIdResponse>> UnsubscribeAsync(HttpContext context, string subscription_urn, SubscriptionStore subscriptions)
    {
        var separator = subscription_urn.LastIndexOf(':');
        if (separator < 0 || !SubscriptionIdPattern().IsMatch(subscription_urn.AsSpan(separator + 1))
            || !AlarmSettingsParser.IsTopicUrn(subscription_urn[..separator]))
        {
            throw new DrsException(
                StatusCodes.Status400BadRequest, SmnErrorCodes.InvalidSubscriptionUrn, Messages.SubscriptionUrnInvalid, subscription_urn);
        }

        await subscriptions.UnsubscribeAsync(context.Caller().ProjectId, subscription_urn);
        return TypedResults.Ok(new RequestIdResponse(context.RequestId()));
    }

    private static async Task<Ok<PublishResponse>> PublishAsync(
        HttpContext context, string topic_urn, TopicPublisher publisher, Dispatcher dispatcher, IOptions<ApiOptions> options)
    {
        CheckTopicUrn(topic_urn);
        string? subject;
        string message;
        using (var document = await JsonBody.ReadObjectAsync(context, options.Value.MaxBodyBytes))
        {
            var root = document.RootElement;

            // A character takes at least one UTF-8 byte, so the byte limits also bound the length.
            subject = OptionalString(root, "subject", "", TopicPublisher.MaxSubjectBytes);
            CheckBytes("subject", subject, TopicPublisher.MaxSubjectBytes);
            message = RequireString(root, "message", "", TopicPublisher.MaxMessageBytes);
            CheckBytes("message", message, TopicPublisher.MaxMessageBytes);
        }

        var messageId = await publisher.PublishAsync(
            context.Caller().ProjectId, topic_urn, subject, message, context.Language(), context.RequestId());
        dispatcher.Wake();
        return TypedResults.Ok(new PublishResponse(context.RequestId(), messageId));
    }

    private static async Task<Ok<ConfirmResponse>> ConfirmAsync(HttpContext context, SubscriptionStore subscriptions)
    {
        var values = context.Request.Query["token"];
        if (values.Count == 0 || string.IsNullOrEmpty(values[0]))
        {
            throw DrsException.Missing("token");
        }

        var subscription = await subscriptions.ConfirmAsync(values[0]!);
        return TypedResults.Ok(new ConfirmResponse(context.RequestId(), subscription.Urn, subscription.TopicUrn, subscription.Status));
    }

    /// <summary>Returns the caller's topic; a URN of another project is reported as not found.</summary>
    private static Topic FindTopic(HttpContext context, string topicUrn, TopicStore topics)
    {
        CheckTopicUrn(topicUrn);
        return topics.Find(context.Caller().ProjectId, topicUrn) ?? throw TopicStore.NotFound(topicUrn);
    }

    private static void CheckTopicUrn(string topicUrn)
    {
        if (!AlarmSettingsParser.IsTopicUrn(topicUrn))
        {
            throw new DrsException(StatusCodes.Status400BadRequest, SmnErrorCodes.InvalidTopicUrn, Messages.TopicUrnInvalid, topicUrn);
        }
    }

    /// <summary>
    /// Returns whether the URL names a link-local address literal (169.254.0.0/16, fe80::/10),
    /// where cloud metadata services listen, so a webhook must never be pointed there.
    /// </summary>
    /// <remarks>NOTE: a host name that resolves to such an address is not caught here.</remarks>
    private static bool IsLinkLocal(Uri url) =>
        System.Net.IPAddress.TryParse(url.IdnHost, out var address)
        && (address.IsIPv6LinkLocal || (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
                                        && address.GetAddressBytes() is [169, 254, _, _]));

    /// <summary>
    /// Checks an endpoint by protocol: e-mail and phone numbers as batch-set-smn does; URLs
    /// absolute with the protocol's scheme, without user info and not at a link-local address.
    /// </summary>
    private static void CheckEndpoint(string protocol, string endpoint)
    {
        var valid = protocol switch
        {
            SubscriptionProtocols.Email => AlarmSettingsParser.IsEmail(endpoint),
            SubscriptionProtocols.Sms => AlarmSettingsParser.IsPhoneNumber(endpoint),
            _ => Uri.TryCreate(endpoint, UriKind.Absolute, out var url) && url.Scheme == protocol && !string.IsNullOrEmpty(url.Host)
                && string.IsNullOrEmpty(url.UserInfo) && !IsLinkLocal(url),
        };
        if (valid)
        {
            return;
        }

        throw protocol switch
        {
            SubscriptionProtocols.Email => DrsException.Invalid("endpoint", Messages.InvalidEmail, endpoint),
            SubscriptionProtocols.Sms => DrsException.Invalid("endpoint", Messages.InvalidPhone, endpoint),
            _ => DrsException.Invalid("endpoint", Messages.EndpointNotUrl, endpoint, protocol),
        };
    }

    private static void CheckBytes(string path, string? value, int maxBytes)
    {
        var bytes = value is null ? 0 : Encoding.UTF8.GetByteCount(value);
        if (bytes > maxBytes)
        {
            throw DrsException.Invalid(path, Messages.TooManyBytes, bytes, maxBytes);
        }
    }

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_-]{0,254}\z")]
    private static partial Regex TopicNamePattern();

    [GeneratedRegex(@"^[0-9a-f]{32}\z")]
    private static partial Regex SubscriptionIdPattern();
}

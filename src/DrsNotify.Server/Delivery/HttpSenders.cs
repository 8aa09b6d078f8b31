using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace DrsNotify.Server.Delivery;

/// <summary>
/// Posts signed JSON: <c>X-DrsNotify-Signature: sha256=&lt;hex HMAC-SHA256 of the exact body
/// bytes&gt;</c> and <c>X-DrsNotify-Dedup-Key</c>. A 2xx response accepts the message, and 4xx
/// other than 408 and 429 fails it for good. Everything else is retried.
/// </summary>
public sealed class SignedHttpPoster(IHttpClientFactory clients, TimeProvider time)
{
    /// <summary>Name of the <see cref="HttpClient"/> that every delivery request uses.</summary>
    public const string ClientName = "DrsNotify.Delivery";

    public const string SignatureHeader = "X-DrsNotify-Signature";
    public const string DedupKeyHeader = "X-DrsNotify-Dedup-Key";

    /// <summary>Returns the signature header value for <paramref name="body"/>.</summary>
    public static string Sign(byte[] body, string secret) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    public async Task<SendResult> PostAsync(
        Uri url, byte[] body, string secret, string dedupKey, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.TryAddWithoutValidation(SignatureHeader, Sign(body, secret));
        request.Headers.TryAddWithoutValidation(DedupKeyHeader, dedupKey);

        using var timeoutSource = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        try
        {
            using var response = await clients.CreateClient(ClientName)
                .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            var status = (int)response.StatusCode;
            if (status is >= 200 and < 300)
            {
                return SendResult.Accepted;
            }

            var text = $"POST {Describe(url)} returned HTTP {status} {response.ReasonPhrase}";
            var permanent = status is >= 400 and < 500
                && response.StatusCode is not HttpStatusCode.RequestTimeout and not HttpStatusCode.TooManyRequests;
            return permanent ? SendResult.Permanent(text) : SendResult.Transient(text);
        }
        catch (OperationCanceledException) when (timeoutSource.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return SendResult.Transient($"POST {Describe(url)} timed out after {timeout.TotalSeconds:0.###} s");
        }
        catch (HttpRequestException error)
        {
            return SendResult.Transient($"POST {Describe(url)} failed: {error.Message}");
        }
    }

    /// <summary>Returns the URL without its query, which may carry a token of the receiver.</summary>
    // Scheme, host, port and path only: user info and query strings of webhook URLs can hold
    // credentials, and this text goes into logs and the deliveries API.
    private static string Describe(Uri url) => $"{url.Scheme}://{url.Authority}{url.AbsolutePath}";
}

/// <summary>Sends <c>sms</c> rows to the SMS gateway as <c>{to, text, dedup_key}</c>.</summary>
public sealed class SmsSender(SignedHttpPoster poster, IOptions<SmsOptions> options, IOptions<DeliveryOptions> delivery) : IChannelSender
{
    private readonly SmsOptions _options = options.Value;

    public string Channel => Channels.Sms;

    public string? NotConfiguredReason =>
        _options.IsConfigured ? null : "The SMS gateway is not configured: set DrsNotify:Sms:GatewayUrl and DrsNotify:Sms:Secret";

    public Task<SendResult> SendAsync(OutboxRow row, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new SmsGatewayRequest(row.Recipient, row.Body, row.DedupKey), DeliveryJsonContext.Default.SmsGatewayRequest);
        var timeout = _options.Timeout < delivery.Value.SendTimeout ? _options.Timeout : delivery.Value.SendTimeout;
        return poster.PostAsync(new Uri(_options.GatewayUrl!), body, _options.Secret!, row.DedupKey, timeout, cancellationToken);
    }
}

/// <summary>Sends <c>webhook</c> rows: the recipient is the URL, the body <c>{subject, message, dedup_key, event_key}</c>.</summary>
public sealed class WebhookSender(SignedHttpPoster poster, IOptions<WebhookOptions> options, IOptions<DeliveryOptions> delivery) : IChannelSender
{
    private readonly WebhookOptions _options = options.Value;

    public string Channel => Channels.Webhook;

    public string? NotConfiguredReason =>
        _options.IsConfigured ? null : "Webhooks are not configured: set DrsNotify:Webhooks:Secret";

    public Task<SendResult> SendAsync(OutboxRow row, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(row.Recipient, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            return Task.FromResult(SendResult.Permanent($"The webhook recipient '{RecipientMask.Mask(Channels.Webhook, row.Recipient)}' is not an absolute http or https URL."));
        }

        var body = JsonSerializer.SerializeToUtf8Bytes(
            new WebhookRequest(row.Subject, row.Body, row.DedupKey, row.EventKey), DeliveryJsonContext.Default.WebhookRequest);
        return poster.PostAsync(url, body, _options.Secret!, row.DedupKey, delivery.Value.SendTimeout, cancellationToken);
    }
}

/// <summary>Body of an SMS gateway call.</summary>
public sealed record SmsGatewayRequest(string To, string Text, string DedupKey);

/// <summary>Body of a webhook call.</summary>
public sealed record WebhookRequest(string Subject, string Message, string DedupKey, string EventKey);

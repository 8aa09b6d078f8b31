using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace DrsNotify.Server.Delivery;

/// <summary>
/// Sends <c>email</c> rows over SMTP with MailKit, one connection and one recipient per message.
/// A message counts as accepted only after the server replied 250 to DATA.
/// </summary>
public sealed class EmailSender(IOptions<SmtpOptions> options, IOptions<DeliveryOptions> delivery, TimeProvider time) : IChannelSender
{
    // Event keys of the messages that start a thread: an alarm's first notice and a test notification.
    private const string FiringEvent = "firing";
    private const string TestEvent = "test";

    private readonly SmtpOptions _options = options.Value;

    public string Channel => Channels.Email;

    public string? NotConfiguredReason =>
        _options.IsConfigured ? null : "SMTP is not configured: set DrsNotify:Smtp:Host and DrsNotify:Smtp:From";

    /// <summary>Returns the Message-ID (without angle brackets) of one message of an episode: the same on every retry.</summary>
    public static string MessageIdOf(string dedupKey, string eventKey) => HashId(dedupKey + "|" + eventKey);

    /// <summary>
    /// Returns the Message-ID that a message replies to: the <c>firing</c> e-mail of its episode,
    /// so that mail clients show reminders and the recovery notice in its thread. Returns null
    /// for a message that starts a thread: the <c>firing</c> one, and every message that is not
    /// an alarm notice (test notifications, topic confirmations and publishes).
    /// </summary>
    public static string? ParentIdOf(string purpose, string dedupKey, string eventKey) =>
        purpose != Purposes.Alarm || eventKey is FiringEvent or TestEvent ? null : MessageIdOf(dedupKey, FiringEvent);


    public async Task<SendResult> SendAsync(OutboxRow row, CancellationToken cancellationToken)
    {
        if (!MailboxAddress.TryParse(row.Recipient, out var recipient))
        {
            return SendResult.Permanent($"The recipient '{row.Recipient}' is not a valid e-mail address.");
        }

        var message = BuildMessage(row, recipient);
        // The dispatcher's SendTimeout, on the injected TimeProvider, bounds the whole send. MailKit's
        // own Timeout is per socket operation on the system clock, a backstop for a stalled read.
        using var client = new SmtpClient { Timeout = (int)Math.Min(int.MaxValue, delivery.Value.SendTimeout.TotalMilliseconds) };
        var stage = "connect";
        try
        {
            await client.ConnectAsync(_options.Host!, _options.EffectivePort, ToSocketOptions(_options.Security), cancellationToken);
            if (!string.IsNullOrEmpty(_options.UserName))
            {
                stage = "authenticate";
                await client.AuthenticateAsync(_options.UserName, _options.Password!, cancellationToken);
            }

            stage = "send";
            await client.SendAsync(message, cancellationToken);
        }
        catch (SmtpCommandException error)
        {
            var code = (int)error.StatusCode;
            var text = $"SMTP server {_options.Host}:{_options.EffectivePort} replied {code} ({error.ErrorCode}) during {stage}: {error.Message}";

            // A 5xx on the recipient or on the message itself will not change on retry. A 5xx on
            // the sender or on AUTH is a configuration fault, which an operator can still fix.
            var permanent = code is >= 500 and < 600
                && error.ErrorCode is SmtpErrorCode.RecipientNotAccepted or SmtpErrorCode.MessageNotAccepted;
            return permanent ? SendResult.Permanent(text) : SendResult.Transient(text);
        }
        catch (Exception error) when (error is SmtpProtocolException or AuthenticationException or SslHandshakeException
                                          or ServiceNotConnectedException or ServiceNotAuthenticatedException
                                          or IOException or SocketException or TimeoutException)
        {
            return SendResult.Transient(
                $"SMTP {stage} to {_options.Host}:{_options.EffectivePort} failed: {error.GetType().Name}: {error.Message}");
        }

        // The server replied 250 to DATA, so the message is accepted whatever QUIT returns.
        try
        {
            await client.DisconnectAsync(quit: true, cancellationToken);
        }
        catch (Exception error) when (error is SmtpCommandException or SmtpProtocolException or IOException or SocketException)
        {
        }

        return SendResult.Accepted;
    }

    private MimeMessage BuildMessage(OutboxRow row, MailboxAddress recipient)
    {
        var message = new MimeMessage
        {
            Subject = row.Subject,
            Date = time.GetUtcNow(),
            MessageId = MessageIdOf(row.DedupKey, row.EventKey),
            Body = new TextPart("plain") { Text = row.Body },
        };
        message.From.Add(MailboxAddress.Parse(_options.From!));
        message.To.Add(recipient);
        if (ParentIdOf(row.Purpose, row.DedupKey, row.EventKey) is { } parentId)
        {
            message.InReplyTo = parentId;
            message.References.Add(parentId);
        }

        message.Headers.Add(PlainHeader("X-DrsNotify-Dedup-Key", row.DedupKey));
        message.Headers.Add(PlainHeader("X-DrsNotify-Event-Key", row.EventKey));
        return message;
    }

    /// <summary>
    /// Creates a header whose ASCII value goes on the wire unchanged. MimeKit encodes a value longer
    /// than 78 characters without spaces, such as a dedup key, as RFC 2047 encoded-words, and a mail
    /// filter that compares the header text would not match those. RFC 5322 allows 998-character lines.
    /// </summary>
    private static Header PlainHeader(string field, string asciiValue)
    {
        var header = new Header(field, asciiValue);
        header.SetRawValue(Encoding.ASCII.GetBytes(" " + asciiValue + "\r\n"));
        return header;
    }

    private static SecureSocketOptions ToSocketOptions(SmtpSecurity security) => security switch
    {
        SmtpSecurity.None => SecureSocketOptions.None,
        SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
        _ => SecureSocketOptions.StartTls,
    };

    private static string HashId(string value) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)))[..32] + "@drsnotify";
}

namespace DrsNotify.Server.Delivery;

/// <summary>Hides most of a recipient before it is shown by an API.</summary>
public static class RecipientMask
{
    /// <summary>
    /// Masks <paramref name="recipient"/> by its channel: a phone number keeps its first 3 and
    /// last 4 characters (<c>138****5678</c>), or only its last 2 when it has fewer than 8;
    /// an e-mail address keeps the first character and the domain (<c>a***@example.com</c>);
    /// a webhook URL is reduced to its host.
    /// </summary>
    public static string Mask(string channel, string recipient) => channel switch
    {
        Channels.Sms => MaskPhone(recipient),
        Channels.Email => MaskEmail(recipient),
        Channels.Webhook => MaskUrl(recipient),
        _ => new string('*', Math.Min(recipient.Length, 8)),
    };

    private static string MaskPhone(string phone)
    {
        if (phone.Length < 8)
        {
            return new string('*', Math.Max(phone.Length - 2, 0)) + phone[Math.Max(phone.Length - 2, 0)..];
        }

        return phone[..3] + new string('*', phone.Length - 7) + phone[^4..];
    }

    private static string MaskEmail(string address)
    {
        var at = address.LastIndexOf('@');
        if (at <= 0)
        {
            return "***";
        }

        // A fixed number of stars, so that the mask does not reveal the length of the local part.
        return address[0] + "***" + address[at..];
    }

    private static string MaskUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var parsed) && !string.IsNullOrEmpty(parsed.Host) ? parsed.Host : "***";
}

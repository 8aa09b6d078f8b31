namespace DrsNotify.Server.Localization;

/// <summary>Messages of the SMN-compatible topics: errors, confirmation and published-message texts.</summary>
public static partial class Messages
{
    // Request-level errors of the /v2 paths.
    public static readonly Message TopicUrnInvalid = new(
        "The topic URN {0} is invalid: use urn:smn:{{region}}:{{project_id}}:{{topic_name}}.",
        "主题 URN {0} 无效，格式应为 urn:smn:{{region}}:{{project_id}}:{{topic_name}}。");
    public static readonly Message TopicNotFound = new(
        "The topic {0} does not exist in this project.",
        "当前项目中不存在主题 {0}。");
    public static readonly Message SubscriptionUrnInvalid = new(
        "The subscription URN {0} is invalid: use a topic URN followed by a colon and 32 hexadecimal digits.",
        "订阅 URN {0} 无效，格式应为主题 URN 后接冒号和 32 位十六进制数字。");
    public static readonly Message SubscriptionNotFound = new(
        "The subscription {0} does not exist in this project.",
        "当前项目中不存在订阅 {0}。");
    public static readonly Message SubscriptionLimitReached = new(
        "The topic {0} already has {1} subscriptions, the maximum. Unsubscribe an endpoint before adding another.",
        "主题 {0} 的订阅数已达上限 {1} 个。请先取消一个订阅，再添加新的订阅。");
    public static readonly Message TopicInUse = new(
        "The topic {0} cannot be deleted because the alarm notification settings of {1} job(s) use it: {2}. Set other recipients on these jobs first.",
        "主题 {0} 正在被 {1} 个任务的告警通知设置使用，无法删除：{2}。请先为这些任务设置其他接收方。");
    public static readonly Message ConfirmationTokenUnknown = new(
        "The confirmation token is not valid. Use the link of the latest confirmation message, or subscribe the endpoint again to get a new one.",
        "确认令牌无效。请使用最新一条确认消息中的链接，或重新订阅该地址以获取新的确认消息。");
    public static readonly Message ConfirmationTokenUsed = new(
        "The confirmation token was already used, or its subscription was cancelled. Nothing was changed.",
        "该确认令牌已被使用，或对应的订阅已取消，未做任何修改。");
    public static readonly Message ConfirmationTokenExpired = new(
        "The confirmation token expired at {0} (UTC); tokens are valid for 48 hours. Subscribe the endpoint again to get a new one.",
        "确认令牌已于 {0}（UTC）过期，令牌有效期为 48 小时。请重新订阅该地址以获取新的确认消息。");

    // Value descriptions used as {1} of InvalidParameter.
    public static readonly Message TopicNameInvalid = new(
        "{0} is not a valid topic name: use 1 to 255 letters, digits, hyphens (-) and underscores (_), starting with a letter or digit.",
        "{0} 不是有效的主题名称：应为 1 到 255 个字母、数字、连字符（-）或下划线（_），并以字母或数字开头。");
    public static readonly Message EndpointNotUrl = new(
        "{0} is not accepted: use an absolute {1} URL without a user name or password that does not point at a link-local address.",
        "{0} 不可用：请使用以 {1} 开头的完整 URL，不要包含用户名或密码，也不要指向链路本地地址。");
    public static readonly Message TooManyBytes = new(
        "it is {0} bytes in UTF-8, more than the maximum of {1} bytes.",
        "按 UTF-8 编码为 {0} 字节，超过了 {1} 字节的上限。");
    public static readonly Message TopicNotFoundForSettings = new(
        "the topic {0} does not exist; create it with POST /v2/{1}/notifications/topics first.",
        "主题 {0} 不存在，请先通过 POST /v2/{1}/notifications/topics 创建该主题。");

    // Test notifications to a topic.
    public static readonly Message NoConfirmedSubscriptions = new(
        "The job {0} notifies through the SMN topic {1}, which has no confirmed subscription, so there is nobody to send a test message to. Subscribe an endpoint to the topic and confirm it first.",
        "任务 {0} 通过 SMN 主题 {1} 发送通知，但该主题没有已确认的订阅，因此没有可接收测试消息的人。请先为该主题添加订阅并完成确认。");
    public static readonly Message ChannelNameWebhook = new("HTTP(S) request", "HTTP(S) 请求");

    // Confirmation message; {0} topic name, {1} topic URN, {2} confirmation link, {3} expiry time (UTC).
    public static readonly Message ConfirmationSubject = new(
        "[DrsNotify] Confirm your subscription to topic {0}",
        "【DrsNotify】请确认订阅主题 {0}");
    public static readonly Message ConfirmationBody = new(
        "This endpoint was subscribed to the DrsNotify topic {0} ({1}). It receives the topic's messages once the subscription is confirmed.\n"
        + "To confirm, open this link:\n{2}\n\n"
        + "The link works once and expires at {3} (UTC). If you did not expect this message, ignore it: an unconfirmed subscription receives nothing more from this topic.\n",
        "此地址已被添加为 DrsNotify 主题 {0}（{1}）的订阅者，确认订阅后即可接收该主题的消息。\n"
        + "请打开以下链接完成确认：\n{2}\n\n"
        + "该链接仅可使用一次，将于 {3}（UTC）失效。如果您并未预期收到此消息，请忽略：未确认的订阅不会再收到该主题的任何消息。\n");
    public static readonly Message ConfirmationSms = new(
        "[DrsNotify] To receive messages of topic {0}, open this link by {3} UTC to confirm: {2}",
        "【DrsNotify】如需接收主题 {0} 的消息，请在 {3}（UTC）前打开链接确认订阅：{2}");

    // Subject of a published message that has none; {0} topic name.
    public static readonly Message PublishDefaultSubject = new(
        "[DrsNotify] Message from topic {0}",
        "【DrsNotify】来自主题 {0} 的消息");
}

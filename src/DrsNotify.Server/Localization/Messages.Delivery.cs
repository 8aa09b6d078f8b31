namespace DrsNotify.Server.Localization;

/// <summary>Messages of delivery: test notifications and the deliveries API.</summary>
public static partial class Messages
{
    // Test notification texts; {0} job ID, {1} project ID, {2} channel name, {3} send time (UTC), {4} dedup key.
    public static readonly Message TestNotificationSubject = new(
        "[DrsNotify] Test notification for DRS job {0}",
        "【DrsNotify】DRS 任务 {0} 的测试通知");
    public static readonly Message TestNotificationBody = new(
        "This is a test message from DrsNotify for the DRS job {0} in project {1}.\n"
        + "You received it because you are a recipient of this job's alarm notifications, which reach you by {2}. No action is needed.\n\n"
        + "Sent at: {3} (UTC)\nDedup key: {4}\n",
        "这是 DrsNotify 为项目 {1} 中的 DRS 任务 {0} 发送的测试消息。\n"
        + "您是该任务告警通知的接收人，告警将通过{2}发送给您。收到此消息即表示通知渠道正常，无需任何操作。\n\n"
        + "发送时间：{3}（UTC）\n去重键：{4}\n");
    public static readonly Message TestNotificationSms = new(
        "[DrsNotify] Test message for DRS job {0}: alarm notifications of this job will be sent to this number. No action is needed.",
        "【DrsNotify】DRS 任务 {0} 的测试短信：该任务的告警通知将发送到此号码，无需任何操作。");
    public static readonly Message ChannelNameEmail = new("e-mail", "邮件");
    public static readonly Message ChannelNameSms = new("SMS", "短信");

    // Request-level errors of the delivery endpoints.
    public static readonly Message NoNotificationSettings = new(
        "The job {0} has no alarm notification settings, so there is nobody to send a test message to. Set recipients with batch-set-smn first.",
        "任务 {0} 尚未设置告警通知，没有可接收测试消息的人。请先通过 batch-set-smn 设置接收人。");
    public static readonly Message NoRecipients = new(
        "The alarm notification settings of job {0} list no recipients. Add e-mail or SMS endpoints with batch-set-smn.",
        "任务 {0} 的告警通知设置中没有接收人。请通过 batch-set-smn 添加邮箱或手机号码。");

    // Value descriptions used as {1} of InvalidParameter.
    public static readonly Message AlarmNotFound = new(
        "no alarm {0} exists in this project.",
        "当前项目中不存在告警 {0}。");

    public static readonly Message DeliveryNotFound = new(
        "no delivery with id {0} exists in this project.",
        "当前项目中不存在 ID 为 {0} 的消息。");
}

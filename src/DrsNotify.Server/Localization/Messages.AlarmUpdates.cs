namespace DrsNotify.Server.Localization;

/// <summary>Messages of batch-modification and of the v5 job update.</summary>
public static partial class Messages
{
    // Value descriptions used as {1} of InvalidParameter.
    public static readonly Message ModificationNotSupported = new(
        "changing {0} is not supported by DrsNotify, which applies only alarm_notify in batch-modification; remove the field and send the request again.",
        "DrsNotify 不支持修改 {0}，batch-modification 只会应用 alarm_notify。请删除该字段后重新发送请求。");
    public static readonly Message TopicUrnNotInModification = new(
        "batch-modification takes recipients only as subscriptions; to notify an SMN topic, use batch-set-smn or the v5 associate-smn-topic.",
        "batch-modification 只能通过 subscriptions 指定接收方；如需通知 SMN 主题，请使用 batch-set-smn 或 v5 的 associate-smn-topic。");
    public static readonly Message JobUpdateTypeNotSupported = new(
        "the update type {0} is not supported by DrsNotify; the only supported type is notify.",
        "DrsNotify 不支持更新类型 {0}，仅支持 notify。");
}

namespace DrsNotify.Server.Localization;

/// <summary>Messages of AK/SK signature authentication and of project access.</summary>
public static partial class Messages
{
    // Reasons of 401 APIGW.0301 (and APIGW.0303 for the date), appended to AuthenticationFailed.
    public static readonly Message AuthorizationMalformed = new(
        "the Authorization header is malformed; expected SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=<names>, Signature=<64 hex digits>",
        "Authorization 请求头格式错误，正确格式为 SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=<头名称列表>, Signature=<64 位十六进制签名>");
    public static readonly Message SigningAlgorithmUnsupported = new(
        "the signing algorithm {0} is not supported; sign requests with SDK-HMAC-SHA256",
        "不支持签名算法 {0}，请使用 SDK-HMAC-SHA256 对请求签名");
    public static readonly Message SignedHeadersIncomplete = new(
        "SignedHeaders must include host and x-sdk-date, but it is {0}",
        "SignedHeaders 必须包含 host 和 x-sdk-date，当前为 {0}");
    public static readonly Message SecurityTokenUnsupported = new(
        "temporary access keys (X-Security-Token) are not issued by this server yet; sign with a permanent access key",
        "本服务暂不签发临时访问密钥（X-Security-Token），请使用永久访问密钥签名");
    public static readonly Message SdkDateInvalid = new(
        "the X-Sdk-Date header is missing or not in the format yyyyMMddTHHmmssZ (UTC): {0}",
        "X-Sdk-Date 请求头缺失，或不符合 yyyyMMddTHHmmssZ（UTC）格式：{0}");
    public static readonly Message SdkDateSkewed = new(
        "the request expired: X-Sdk-Date {0} is more than 15 minutes from the server time {1}; check the client's clock",
        "请求已过期：X-Sdk-Date {0} 与服务器时间 {1} 相差超过 15 分钟，请检查客户端时钟");
    public static readonly Message UnsignedPayloadRejected = new(
        "the body must be signed; X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD is not accepted",
        "请求体必须参与签名，不接受 X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD");
    public static readonly Message ContentHashMismatch = new(
        "the SHA-256 of the body does not match the X-Sdk-Content-Sha256 header",
        "请求体的 SHA-256 与 X-Sdk-Content-Sha256 请求头不一致");
    public static readonly Message AccessKeyUnknown = new(
        "unknown access key {0}",
        "访问密钥 {0} 不存在");
    public static readonly Message AccessKeyDisabled = new(
        "the access key {0} is disabled",
        "访问密钥 {0} 已被停用");
    public static readonly Message SignatureMismatch = new(
        "signature mismatch: the signature does not match the request and the secret key of the access key",
        "签名不匹配：签名与请求内容及该访问密钥的 SK 不符");

    // 403 DRS.M00261 for signed requests.
    public static readonly Message ProjectHeaderMismatch = new(
        "The X-Project-Id header {0} is not the project {1} in the path.",
        "请求头 X-Project-Id 的值 {0} 与路径中的项目 {1} 不一致。");
    public static readonly Message ProjectNotGranted = new(
        "The user {0} has no access to the project {1} in the path.",
        "用户 {0} 无权访问路径中的项目 {1}。");
}

using System.Globalization;

namespace DrsNotify.Server.Localization;

/// <summary>A message with its <c>en-us</c> and <c>zh-cn</c> texts; <c>{0}</c>.. are format arguments.</summary>
public sealed record Message(string EnUs, string ZhCn)
{
    public string Format(Language language, params object?[] arguments)
    {
        var resolved = new object?[arguments.Length];
        for (var i = 0; i < arguments.Length; i++)
        {
            resolved[i] = arguments[i] is Api.LocalizedArgument nested
                ? nested.Message.Format(language, nested.Arguments)
                : arguments[i];
        }

        return string.Format(CultureInfo.InvariantCulture, language == Language.ZhCn ? ZhCn : EnUs, resolved);
    }
}

/// <summary>The catalog of every localized <c>error_msg</c>.</summary>
public static partial class Messages
{
    // Request-level errors.
    public static readonly Message InvalidJson = new(
        "The request body is not valid JSON: {0}",
        "请求体不是合法的 JSON：{0}");

    // Details of InvalidJson: where parsing stopped and why.
    public static readonly Message JsonErrorPosition = new("line {0}, position {1}", "第 {0} 行第 {1} 个字节");
    public static readonly Message JsonErrorAtEnd = new("end of body", "请求体末尾");
    public static readonly Message JsonTooDeep = new("{0}: nested deeper than {1} levels", "{0}：嵌套超过 {1} 层");
    public static readonly Message JsonDuplicateProperty = new(
        "{0}: a property name appears twice in one object",
        "{0}：同一对象中的属性名重复");
    public static readonly Message JsonEmptyOrTruncated = new("the body is empty or truncated", "请求体为空或不完整");
    public static readonly Message RequestUnreadable = new("the request could not be read", "无法读取请求");
    public static readonly Message InvalidUtf8 = new(
        "The request body is not valid UTF-8.",
        "请求体不是合法的 UTF-8 编码。");
    public static readonly Message BodyTimeout = new(
        "The request body did not arrive in time.",
        "请求体接收超时。");
    public static readonly Message NotJsonObject = new(
        "The request body must be a JSON object.",
        "请求体必须是 JSON 对象。");
    public static readonly Message MissingParameter = new(
        "The required parameter {0} is missing or empty.",
        "缺少必填参数 {0}，或其值为空。");
    public static readonly Message InvalidParameter = new(
        "The parameter {0} has an invalid value: {1}",
        "参数 {0} 的值无效：{1}");
    public static readonly Message DuplicateJobId = new(
        "The job ID {1} appears more than once in the request ({0}).",
        "请求中任务 ID {1} 重复出现（{0}）。");
    public static readonly Message UnsupportedMediaType = new(
        "The Content-Type must be application/json in UTF-8, not {0}.",
        "Content-Type 必须为 UTF-8 编码的 application/json，当前为 {0}。");
    public static readonly Message BodyTooLarge = new(
        "The request body is larger than the maximum of {0} bytes.",
        "请求体超过了 {0} 字节的上限。");
    public static readonly Message ProjectMismatch = new(
        "The project {0} in the path is not the project of the caller's credentials.",
        "路径中的项目 {0} 不是调用者凭证所属的项目。");
    public static readonly Message InternalError = new(
        "An internal error occurred and nothing was changed. Quote request ID {0} when reporting it.",
        "服务内部错误，未做任何修改。反馈问题时请提供请求 ID {0}。");
    public static readonly Message ApiNotFound = new(
        "The API {0} {1} does not exist.",
        "API {0} {1} 不存在。");
    public static readonly Message MethodNotAllowed = new(
        "The method {0} is not allowed on {1}.",
        "{1} 不支持 {0} 方法。");

    // Authentication (APIGW.0301); the reason is appended to the prefix.
    public static readonly Message AuthenticationFailed = new(
        "Incorrect IAM authentication information: {0}",
        "IAM 认证信息错误：{0}");
    public static readonly Message TokenMissing = new("token missing", "缺少 token");
    public static readonly Message TokenMalformed = new("token malformed", "token 格式错误");
    public static readonly Message TokenExpired = new("token expired", "token 已过期");
    public static readonly Message TokenRevoked = new("token revoked", "token 已被吊销");
    public static readonly Message PasswordWrong = new(
        "the user name, domain name or password is wrong",
        "用户名、账号名或密码错误");
    public static readonly Message ProjectNotAllowed = new(
        "the user has no access to the requested project",
        "用户无权访问所请求的项目");

    // Value descriptions used as {1} of InvalidParameter.
    public static readonly Message MustBeObject = new("it must be a JSON object.", "必须是 JSON 对象。");
    public static readonly Message MustBeArray = new("it must be a JSON array.", "必须是 JSON 数组。");
    public static readonly Message MustBeString = new("it must be a string.", "必须是字符串。");
    public static readonly Message InvalidText = new(
        "it contains an escaped character that is not valid Unicode.",
        "包含无效的 Unicode 转义字符。");
    public static readonly Message MustBeBoolean = new("it must be true or false.", "必须是 true 或 false。");
    public static readonly Message MustBeInteger = new(
        "it must be an integer from {0} to {1}.",
        "必须是 {0} 到 {1} 之间的整数。");
    public static readonly Message MustBeNumber = new(
        "it must be a number from {0} to {1}.",
        "必须是 {0} 到 {1} 之间的数字。");
    public static readonly Message TooManyItems = new(
        "it holds {0} items, more than the maximum of {1}.",
        "包含 {0} 项，超过了上限 {1} 项。");
    public static readonly Message NotOneOf = new(
        "{0} is not one of: {1}.",
        "{0} 不是以下取值之一：{1}。");
    public static readonly Message TooLong = new(
        "it is longer than {0} characters.",
        "长度超过 {0} 个字符。");
    public static readonly Message BadPattern = new(
        "{0} does not match the required format {1}.",
        "{0} 不符合要求的格式 {1}。");
    public static readonly Message TopicUrnMalformed = new(
        "{0} is not a topic URN of the form urn:smn:{{region}}:{{project_id}}:{{topic_name}}.",
        "{0} 不是 urn:smn:{{region}}:{{project_id}}:{{topic_name}} 格式的主题 URN。");
    public static readonly Message TopicProjectNotFound = new(
        "the topic URN {0} names a project that does not exist in the caller's account.",
        "主题 URN {0} 指向的项目在调用者的账号中不存在。");
    public static readonly Message TopicRegionMismatch = new(
        "the topic URN {0} names region {1}, but project {2} is in region {3}.",
        "主题 URN {0} 指定的区域为 {1}，但项目 {2} 属于区域 {3}。");
    public static readonly Message TopicOrSubscriptionsBoth = new(
        "give either topic_urn or subscriptions, not both.",
        "topic_urn 和 subscriptions 只能二选一，不能同时指定。");
    public static readonly Message TopicOrSubscriptionsNeither = new(
        "give either topic_urn or subscriptions.",
        "必须指定 topic_urn 或 subscriptions 之一。");
    public static readonly Message DuplicateProtocol = new(
        "the protocol {0} appears more than once; give each protocol once with all its endpoints.",
        "协议 {0} 出现了多次，每种协议只能出现一次，并在其中列出全部地址。");
    public static readonly Message DuplicateEndpoint = new(
        "the endpoint {0} appears more than once.",
        "地址 {0} 重复出现。");
    public static readonly Message InvalidEmail = new(
        "{0} is not a valid e-mail address.",
        "{0} 不是有效的邮箱地址。");
    public static readonly Message InvalidPhone = new(
        "{0} is not a valid mobile number: use an optional + followed by 5 to 15 digits.",
        "{0} 不是有效的手机号码：格式为可选的 + 加 5 到 15 位数字。");

    // Per-job results.
    public static readonly Message JobNotFound = new(
        "The job {0} does not exist in this project.",
        "任务 {0} 在当前项目中不存在。");
    public static readonly Message JobDeleted = new(
        "The job {0} has been deleted.",
        "任务 {0} 已被删除。");
    public static readonly Message JobStopped = new(
        "Notifications cannot be set for a stopped job: {0} is {1}.",
        "已结束的任务不能设置通知：任务 {0} 的状态为 {1}。");
    public static readonly Message JobStatusMismatch = new(
        "The job {0} is {1}, not {2} as the request states. Read the job again and retry.",
        "任务 {0} 的当前状态为 {1}，与请求中的 {2} 不符。请重新查询任务后重试。");
    public static readonly Message JobEngineMismatch = new(
        "The job {0} has engine type {1}, not {2} as the request states.",
        "任务 {0} 的引擎类型为 {1}，与请求中的 {2} 不符。");
    public static readonly Message IllegalTransition = new(
        "The job {0} cannot go from {1} to {2}. Allowed next statuses: {3}.",
        "任务 {0} 不能从 {1} 变为 {2}。允许的下一状态：{3}。");
    public static readonly Message JobNameTaken = new(
        "A job named {0} already exists in this project.",
        "当前项目中已存在名为 {0} 的任务。");
    public static readonly Message JobIdTaken = new(
        "A job with ID {0} already exists in this project.",
        "当前项目中已存在 ID 为 {0} 的任务。");
    public static readonly Message OperationNotAllowed = new(
        "The job {0} is {1}; {2} is allowed only from: {3}.",
        "任务 {0} 的状态为 {1}；{2} 操作仅允许在以下状态执行：{3}。");
}

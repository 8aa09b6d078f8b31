using System.Collections.Concurrent;
using System.Globalization;
using DrsNotify.Server.Api;
using DrsNotify.Server.Localization;
using Microsoft.Extensions.Options;

namespace DrsNotify.Server.Identity;

/// <summary>
/// Counts failed authentications (401 from a token, a password or a signature) per client
/// address in a sliding window. An address that reached <see cref="AuthOptions.MaxFailures"/>
/// gets <c>429 DRS.M01503</c> with <c>Retry-After</c> on every authenticated path until its
/// oldest counted failure leaves the window. Other addresses are not affected.
/// </summary>
/// <remarks>
/// The address is the TCP peer address; <c>X-Forwarded-For</c> is not trusted. Counts are kept
/// per instance in memory, so each instance sharing a store throttles on its own.
/// NOTE: each IPv6 address counts alone, so a client that owns a whole /64 prefix can spread
/// its attempts over many addresses.
/// </remarks>
public sealed partial class AuthFailureThrottle(TimeProvider time, IOptions<AuthOptions> options, ILogger<AuthFailureThrottle> logger)
{
    private readonly ConcurrentDictionary<string, FailureLog> _addresses = new(StringComparer.Ordinal);

    /// <summary>
    /// The endpoint filter in front of authentication: rejects a blocked address before its
    /// credentials are checked, and counts the 401 responses of the filters and endpoint behind it.
    /// </summary>
    public static async ValueTask<object?> FilterAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        var throttle = context.RequestServices.GetRequiredService<AuthFailureThrottle>();
        throttle.ThrowIfBlocked(context);
        try
        {
            return await next(invocation);
        }
        catch (DrsException error) when (error.Status == StatusCodes.Status401Unauthorized)
        {
            throttle.RecordFailure(context);
            throw;
        }
    }

    /// <summary>Throws <c>429 DRS.M01503</c> and sets <c>Retry-After</c> (seconds) when the caller's address is blocked.</summary>
    public void ThrowIfBlocked(HttpContext context)
    {
        if (!_addresses.TryGetValue(AddressOf(context), out var log))
        {
            return;
        }

        var settings = options.Value;
        var wait = log.BlockedFor(Now(), settings.MaxFailures, settings.FailureWindow);
        if (wait <= TimeSpan.Zero)
        {
            return;
        }

        var seconds = (long)Math.Ceiling(wait.TotalSeconds);
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        throw new DrsException(
            StatusCodes.Status429TooManyRequests, ErrorCodes.TooManyRequests, Messages.TooManyAuthenticationFailures,
            settings.MaxFailures, (long)settings.FailureWindow.TotalSeconds, seconds);
    }

    /// <summary>Counts one failed authentication of the caller's address.</summary>
    public void RecordFailure(HttpContext context)
    {
        var settings = options.Value;
        var address = AddressOf(context);
        var now = Now();
        if (_addresses.Count >= settings.MaxTrackedAddresses && !_addresses.ContainsKey(address))
        {
            DropIdleAddresses(now, settings);
        }

        var log = _addresses.GetOrAdd(address, _ => new FailureLog());
        if (log.Add(now, settings.MaxFailures, settings.FailureWindow))
        {
            LogBlocked(logger, address, settings.MaxFailures, settings.FailureWindow);
        }
    }

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();

    private static string AddressOf(HttpContext context)
    {
        var address = context.Connection.RemoteIpAddress;
        if (address is null)
        {
            return "unknown";
        }

        return (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
    }

    /// <summary>Removes addresses with no failure inside the window, and clears every count when none of them is idle.</summary>
    private void DropIdleAddresses(long now, AuthOptions settings)
    {
        foreach (var entry in _addresses)
        {
            if (entry.Value.IsIdle(now, settings.FailureWindow))
            {
                _addresses.TryRemove(entry.Key, out _);
            }
        }

        if (_addresses.Count >= settings.MaxTrackedAddresses)
        {
            LogTrackingReset(logger, _addresses.Count);
            _addresses.Clear();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Client address {Address} reached {MaxFailures} failed authentications within {Window}; rejecting its requests with 429 until the window passes")]
    private static partial void LogBlocked(ILogger logger, string address, int maxFailures, TimeSpan window);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} client addresses with recent authentication failures exceed DrsNotify:Auth:MaxTrackedAddresses; their counts were reset")]
    private static partial void LogTrackingReset(ILogger logger, int count);

    /// <summary>The times (Unix milliseconds) of the most recent failures of one address, at most MaxFailures of them.</summary>
    private sealed class FailureLog
    {
        private readonly Queue<long> _failures = new();

        /// <summary>Adds a failure; returns true when this failure reached the limit.</summary>
        public bool Add(long now, int maxFailures, TimeSpan window)
        {
            lock (_failures)
            {
                Prune(now, window);
                _failures.Enqueue(now);
                while (_failures.Count > maxFailures)
                {
                    _failures.Dequeue();
                }

                return _failures.Count == maxFailures;
            }
        }

        /// <summary>Returns how long the address stays blocked, or zero when it is not blocked.</summary>
        public TimeSpan BlockedFor(long now, int maxFailures, TimeSpan window)
        {
            lock (_failures)
            {
                Prune(now, window);
                return _failures.Count >= maxFailures
                    ? TimeSpan.FromMilliseconds(_failures.Peek() + (long)window.TotalMilliseconds - now)
                    : TimeSpan.Zero;
            }
        }

        public bool IsIdle(long now, TimeSpan window)
        {
            lock (_failures)
            {
                Prune(now, window);
                return _failures.Count == 0;
            }
        }

        private void Prune(long now, TimeSpan window)
        {
            while (_failures.Count > 0 && _failures.Peek() + (long)window.TotalMilliseconds <= now)
            {
                _failures.Dequeue();
            }
        }
    }
}

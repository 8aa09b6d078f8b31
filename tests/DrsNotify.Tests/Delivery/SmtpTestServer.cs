using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using MimeKit;
using SmtpServer;
using SmtpServer.Mail;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace DrsNotify.Tests.Delivery;

/// <summary>One message as the SMTP server received it: the envelope recipients and the parsed message.</summary>
public sealed record ReceivedMail(IReadOnlyList<string> EnvelopeTo, MimeMessage Message);

/// <summary>
/// A real SMTP server (the SmtpServer package) on 127.0.0.1. It replies 550 to RCPT TO for
/// the addresses in <see cref="RejectedRecipients"/> and 250 to DATA for every message.
/// </summary>
public sealed class SmtpTestServer : IAsyncDisposable
{
    private readonly SmtpServer.SmtpServer _server;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _running;

    private SmtpTestServer(int port, IEnumerable<string> rejectedRecipients)
    {
        Port = port;
        RejectedRecipients = new ConcurrentDictionary<string, byte>(rejectedRecipients.Select(address => KeyValuePair.Create(address, (byte)0)), StringComparer.OrdinalIgnoreCase);
        var options = new SmtpServerOptionsBuilder()
            .ServerName("localhost")
            .Endpoint(endpoint => endpoint.Endpoint(new IPEndPoint(IPAddress.Loopback, port)))
            .Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new RecordingStore(Received));
        // The delegate gets the recipient first, then the sender.
        services.Add(new DelegatingMailboxFilter((IMailbox to, IMailbox _) => !RejectedRecipients.ContainsKey(to.AsAddress())));
        _server = new SmtpServer.SmtpServer(options, services);
        _running = _server.StartAsync(_stop.Token);
    }

    public int Port { get; }

    public ConcurrentQueue<ReceivedMail> Received { get; } = new();

    public ConcurrentDictionary<string, byte> RejectedRecipients { get; }

    /// <summary>Starts a server on <paramref name="port"/> (a free one when 0) and waits until it accepts connections.</summary>
    public static async Task<SmtpTestServer> StartAsync(int port = 0, params string[] rejectedRecipients)
    {
        var server = new SmtpTestServer(port == 0 ? FreePort.Next() : port, rejectedRecipients);
        await FreePort.WaitUntilListeningAsync(server.Port);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        _server.Shutdown();
        await _stop.CancelAsync();
        try
        {
            await _running.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private sealed class RecordingStore(ConcurrentQueue<ReceivedMail> received) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(
            ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            using var stream = new MemoryStream(buffer.ToArray());
            var message = await MimeMessage.LoadAsync(stream, cancellationToken);
            received.Enqueue(new ReceivedMail(transaction.To.Select(mailbox => mailbox.AsAddress()).ToList(), message));
            return SmtpResponse.Ok;
        }
    }
}

/// <summary>Free loopback ports for the servers that tests start.</summary>
public static class FreePort
{
    /// <summary>Returns a port that was free on 127.0.0.1 a moment ago.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static async Task WaitUntilListeningAsync(int port)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }
        }
    }
}

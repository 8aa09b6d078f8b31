using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;

namespace DrsNotify.Server.Api;

/// <summary>
/// A response body kept in memory until the request is handled, then sent with a
/// <c>Content-Length</c> in one write.
/// </summary>
/// <remarks>
/// Every body this server writes is complete before it is sent, and page limits bound its size
/// (history pages of 1,000 entries measured 0.6 to 2.6 MB): JSON results, DRS error bodies, the
/// OpenAPI document, metrics. Written straight to Kestrel, a body whose
/// writer flushes before the handler returns goes out chunked, as headers and body in one TCP
/// segment and the closing chunk in another. Measured with <c>bench/run</c>, that second segment
/// cost a tenth of the one-job <c>batch-set-smn</c> throughput. Buffering also lets the error
/// handler replace a half-written body with an error body.
/// </remarks>
public sealed class BufferedResponseBody : PipeWriter, IHttpResponseBodyFeature
{
    private const int InitialSize = 1024;

    private readonly IHttpResponseBodyFeature _inner;
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(InitialSize);
    private int _written;
    private int _flushed;
    private Stream? _stream;

    private BufferedResponseBody(IHttpResponseBodyFeature inner) => _inner = inner;

    /// <summary>Puts a buffer in front of the response body of <paramref name="context"/>.</summary>
    public static BufferedResponseBody Install(HttpContext context)
    {
        var body = new BufferedResponseBody(context.Features.GetRequiredFeature<IHttpResponseBodyFeature>());
        context.Features.Set<IHttpResponseBodyFeature>(body);
        return body;
    }

    /// <summary>Drops what was written so far, so that an error body can take its place.</summary>
    public void Reset() => _written = _flushed = 0;

    /// <summary>Number of body bytes written so far, flushed or not.</summary>
    public int WrittenBytes => _written;

    /// <summary>
    /// Restores the server's body feature and sends the buffered body with its length. Responses
    /// that carry no body (HEAD, 204, 304) get none.
    /// </summary>
    public async Task SendAsync(HttpContext context)
    {
        context.Features.Set(_inner);
        try
        {
            var response = context.Response;
            if (response.HasStarted)
            {
                // Something wrote to the server's body directly, so the buffered part can only follow it.
                await _inner.Writer.WriteAsync(_buffer.AsMemory(0, _written));
                return;
            }

            if (response.StatusCode is StatusCodes.Status204NoContent or StatusCodes.Status304NotModified)
            {
                return;
            }

            response.ContentLength = _written;
            if (_written > 0 && !HttpMethods.IsHead(context.Request.Method))
            {
                await _inner.Writer.WriteAsync(_buffer.AsMemory(0, _written));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
            _written = _flushed = 0;
        }
    }

    // IHttpResponseBodyFeature: the handler writes its body to this buffer.
    Stream IHttpResponseBodyFeature.Stream => _stream ??= AsStream(leaveOpen: true);

    PipeWriter IHttpResponseBodyFeature.Writer => this;

    void IHttpResponseBodyFeature.DisableBuffering()
    {
    }

    // Headers go out with the body, in SendAsync.
    Task IHttpResponseBodyFeature.StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    Task IHttpResponseBodyFeature.SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken) =>
        SendFileFallback.SendFileAsync(((IHttpResponseBodyFeature)this).Stream, path, offset, count, cancellationToken);

    Task IHttpResponseBodyFeature.CompleteAsync() => Task.CompletedTask;

    // PipeWriter: writes land in a pooled array that doubles when full.
    public override void Advance(int bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bytes, _buffer.Length - _written);
        _written += bytes;
    }

    public override Memory<byte> GetMemory(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public override Span<byte> GetSpan(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsSpan(_written);
    }

    public override bool CanGetUnflushedBytes => true;

    // Bytes written since the last flush, as PipeWriter defines it. Reporting the whole buffer
    // made System.Text.Json flush after every value, and a 50-entry history page did not finish in 100 s.
    public override long UnflushedBytes => _written - _flushed;

    public override void CancelPendingFlush()
    {
    }

    public override void Complete(Exception? exception = null)
    {
    }

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        _flushed = _written;
        return ValueTask.FromResult(new FlushResult(isCanceled: false, isCompleted: false));
    }

    private void Reserve(int sizeHint)
    {
        var needed = Math.Max(sizeHint, 1);
        if (_buffer.Length - _written >= needed)
        {
            return;
        }

        var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _written + needed));
        _buffer.AsSpan(0, _written).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }
}

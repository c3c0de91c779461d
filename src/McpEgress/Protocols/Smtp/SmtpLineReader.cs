using McpEgress.Diagnostics;

namespace McpEgress.Protocols.Smtp;

internal enum SmtpLineStatus
{
    /// <summary>All input taken; the line continues in the next chunk.</summary>
    NeedMore,
    Line,
    /// <summary>A line longer than the limit ended; its bytes were dropped.</summary>
    SkippedLine,
}

/// <summary>
/// Splits one direction into LF-terminated lines. A line that is whole in the chunk is returned as a slice of it
/// (no copy); only a line cut by a chunk boundary is copied, into a buffer of at most MaxLineBytes.
/// </summary>
internal sealed class SmtpLineReader
{
    /// <summary>Shortest line limit whatever the options say: a reply code and a few characters.</summary>
    private const int MinLineLimit = 16;

    /// <summary>First buffer for a cut line; it doubles up to the limit. Nothing is allocated until a line is cut.</summary>
    private const int InitialBufferBytes = 256;

    private readonly int _max;
    private readonly IAnomalySink _anomalies;
    private byte[]? _buffer;
    private int _count;
    private bool _skipping;
    private bool _returnedBuffered;

    public SmtpLineReader(int maxLineBytes, IAnomalySink anomalies)
    {
        _max = Math.Max(MinLineLimit, maxLineBytes);
        _anomalies = anomalies;
    }

    /// <summary>True when part of a line was taken already (the next byte is not a line start).</summary>
    public bool HasPartial => (_count > 0 && !_returnedBuffered) || _skipping;

    /// <summary>Partial line bytes taken so far (valid until the next call).</summary>
    public ReadOnlySpan<byte> Partial => _returnedBuffered || _buffer is null ? default : _buffer.AsSpan(0, _count);

    public void Reset()
    {
        _count = 0;
        _skipping = false;
        _returnedBuffered = false;
    }

    /// <summary>Reads the next line (without its LF, CR kept) from <paramref name="data"/> at <paramref name="pos"/>.</summary>
    public SmtpLineStatus TryRead(ReadOnlySpan<byte> data, ref int pos, out ReadOnlySpan<byte> line)
    {
        if (_returnedBuffered)
        {
            _count = 0;
            _returnedBuffered = false;
        }

        line = default;
        var rest = data[pos..];
        int lf = rest.IndexOf((byte)'\n');
        if (lf < 0)
        {
            pos = data.Length;
            if (_skipping) return SmtpLineStatus.NeedMore;
            if (_count + rest.Length > _max)
            {
                _anomalies.Report(AnomalyStage.Smtp, SmtpAnomalies.LineTooLong);
                _skipping = true;
                _count = 0;
                return SmtpLineStatus.NeedMore;
            }
            Append(rest);
            return SmtpLineStatus.NeedMore;
        }

        pos += lf + 1;
        if (_skipping)
        {
            _skipping = false;
            return SmtpLineStatus.SkippedLine;
        }
        if (_count + lf > _max)
        {
            _anomalies.Report(AnomalyStage.Smtp, SmtpAnomalies.LineTooLong);
            _count = 0;
            return SmtpLineStatus.SkippedLine;
        }
        if (_count == 0)
        {
            line = rest[..lf];
            return SmtpLineStatus.Line;
        }
        Append(rest[..lf]);
        line = _buffer.AsSpan(0, _count);
        _returnedBuffered = true;
        return SmtpLineStatus.Line;
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty) return;
        int need = _count + bytes.Length;
        if (_buffer is null || _buffer.Length < need)
        {
            var grown = new byte[Math.Min(_max, Math.Max(need, Math.Max(InitialBufferBytes, (_buffer?.Length ?? 0) * 2)))];
            if (_count > 0) _buffer.AsSpan(0, _count).CopyTo(grown);
            _buffer = grown;
        }
        bytes.CopyTo(_buffer.AsSpan(_count));
        _count = need;
    }
}

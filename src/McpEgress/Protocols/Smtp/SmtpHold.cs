namespace McpEgress.Protocols.Smtp;

/// <summary>
/// Bytes of one direction kept while their meaning depends on a reply (or command) the other direction has not
/// delivered yet. Bounded by <see cref="SmtpOptions.MaxHeldBytes"/>; each appended chunk keeps its timestamp.
/// </summary>
internal sealed class SmtpHold
{
    /// <summary>Smallest buffer allocated when bytes are first held (a few pipelined lines fit without regrowing).</summary>
    private const int MinBufferBytes = 1024;

    private byte[]? _buffer;
    private int _start;
    private int _end;
    // Where each appended chunk starts and its timestamp; allocated with the buffer, on first hold.
    private List<(int Offset, long Ts)>? _marks;

    public int Length => _end - _start;

    public bool TryAppend(ReadOnlySpan<byte> data, long ts, int max)
    {
        if (data.IsEmpty) return true;
        if (Length + data.Length > max) return false;
        var marks = _marks ??= [];
        if (_buffer is null || _end + data.Length > _buffer.Length)
        {
            int need = Length + data.Length;
            var target = _buffer is not null && _buffer.Length >= need ? _buffer : new byte[Math.Min(max, Math.Max(need, Math.Max(MinBufferBytes, (_buffer?.Length ?? 0) * 2)))];
            _buffer?.AsSpan(_start, Length).CopyTo(target);
            for (int i = 0; i < marks.Count; i++) marks[i] = (marks[i].Offset - _start, marks[i].Ts);
            _end = Length;
            _start = 0;
            _buffer = target;
        }
        if (marks.Count == 0 || marks[^1].Ts != ts) marks.Add((_end, ts));
        data.CopyTo(_buffer.AsSpan(_end));
        _end += data.Length;
        return true;
    }

    /// <summary>The held bytes up to the next timestamp change.</summary>
    public ReadOnlySpan<byte> PeekSegment(out long ts)
    {
        ts = 0;
        if (Length == 0) return default;
        int i = CurrentMark();
        ts = _marks![i].Ts;
        int segEnd = i + 1 < _marks.Count ? _marks[i + 1].Offset : _end;
        return _buffer.AsSpan(_start, segEnd - _start);
    }

    public void Advance(int n)
    {
        _start += n;
        if (_start >= _end) Clear();
        else
        {
            int i = CurrentMark();
            if (i > 0) _marks!.RemoveRange(0, i);
        }
    }

    /// <summary>
    /// All held bytes, without copying: the hold lets go of its buffer, so the span stays valid whatever is held next.
    /// </summary>
    public ReadOnlySpan<byte> TakeAll()
    {
        var bytes = _buffer.AsSpan(_start, Length);
        _buffer = null;
        _marks = null;
        _start = _end = 0;
        return bytes;
    }

    public void Clear()
    {
        _start = _end = 0;
        _marks?.Clear();
    }

    private int CurrentMark()
    {
        int i = 0;
        while (i + 1 < _marks!.Count && _marks[i + 1].Offset <= _start) i++;
        return i;
    }
}

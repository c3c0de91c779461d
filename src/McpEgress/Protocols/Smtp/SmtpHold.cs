namespace McpEgress.Protocols.Smtp;

/// <summary>
/// Bytes of one direction kept while their meaning depends on a reply (or command) the other direction has not
/// delivered yet. Bounded by <see cref="SmtpOptions.MaxHeldBytes"/>; each appended chunk keeps its timestamp.
/// </summary>
internal sealed class SmtpHold
{
    private byte[]? _buffer;
    private int _start;
    private int _end;
    private readonly List<(int Offset, long Ts)> _marks = [];

    public int Length => _end - _start;

    public bool TryAppend(ReadOnlySpan<byte> data, long ts, int max)
    {
        if (data.IsEmpty) return true;
        if (Length + data.Length > max) return false;
        if (_buffer is null || _end + data.Length > _buffer.Length)
        {
            int need = Length + data.Length;
            var target = _buffer is not null && _buffer.Length >= need ? _buffer : new byte[Math.Min(max, Math.Max(need, Math.Max(1024, (_buffer?.Length ?? 0) * 2)))];
            _buffer?.AsSpan(_start, Length).CopyTo(target);
            for (int i = 0; i < _marks.Count; i++) _marks[i] = (_marks[i].Offset - _start, _marks[i].Ts);
            _end = Length;
            _start = 0;
            _buffer = target;
        }
        if (_marks.Count == 0 || _marks[^1].Ts != ts) _marks.Add((_end, ts));
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
        ts = _marks[i].Ts;
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
            if (i > 0) _marks.RemoveRange(0, i);
        }
    }

    public byte[] TakeAll()
    {
        var bytes = Length == 0 ? [] : _buffer.AsSpan(_start, Length).ToArray();
        Clear();
        return bytes;
    }

    public void Clear()
    {
        _start = _end = 0;
        _marks.Clear();
    }

    private int CurrentMark()
    {
        int i = 0;
        while (i + 1 < _marks.Count && _marks[i + 1].Offset <= _start) i++;
        return i;
    }
}

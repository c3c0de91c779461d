namespace McpEgress.Protocols.Smtp;

/// <summary>
/// Commands waiting for their replies, oldest first (RFC 2920: replies come back in command order). A ring that
/// starts at <see cref="InitialCapacity"/> entries and doubles up to its limit, so an idle session (one EHLO in
/// flight) keeps two entries, not <see cref="SmtpOptions.MaxPendingCommands"/>.
/// </summary>
internal sealed class SmtpPendingQueue
{
    /// <summary>Entries allocated for a new session: the EHLO in flight and one more.</summary>
    internal const int InitialCapacity = 2;

    /// <summary>Fewest commands kept in flight whatever the options say: a pipelined MAIL, RCPT, DATA fits.</summary>
    internal const int MinLimit = 4;

    private SmtpPendingCommand[] _ring = new SmtpPendingCommand[InitialCapacity];
    private int _head;

    public SmtpPendingQueue(int limit) => Limit = Math.Max(MinLimit, limit);

    /// <summary>Most commands kept in flight; beyond it the caller gives up on the oldest reply.</summary>
    public int Limit { get; }

    public int Count { get; private set; }

    /// <summary>Entries allocated now (for tests of the growth policy).</summary>
    internal int Capacity => _ring.Length;

    public bool IsFull => Count >= Limit;

    /// <summary>The oldest command: the one the next reply answers. Only while <see cref="Count"/> &gt; 0.</summary>
    public ref SmtpPendingCommand Head => ref _ring[_head];

    /// <summary>The newest command. Only while <see cref="Count"/> &gt; 0.</summary>
    public ref SmtpPendingCommand Newest => ref _ring[(_head + Count - 1) % _ring.Length];

    /// <summary>Appends a command; the caller has made room (<see cref="IsFull"/> is false).</summary>
    public void Push(in SmtpPendingCommand cmd)
    {
        if (Count == _ring.Length) Grow();
        _ring[(_head + Count) % _ring.Length] = cmd;
        Count++;
    }

    public SmtpPendingCommand Pop()
    {
        var cmd = _ring[_head];
        _ring[_head] = default;
        _head = (_head + 1) % _ring.Length;
        Count--;
        return cmd;
    }

    private void Grow()
    {
        var grown = new SmtpPendingCommand[Math.Min(Limit, _ring.Length * 2)];
        for (int i = 0; i < Count; i++) grown[i] = _ring[(_head + i) % _ring.Length];
        _ring = grown;
        _head = 0;
    }
}

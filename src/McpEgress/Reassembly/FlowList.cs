namespace McpEgress.Reassembly;

/// <summary>
/// Intrusive doubly linked list of flows, oldest first. The active list is kept in LRU order (a flow moves to the
/// tail on every segment), so eviction and idle expiry only ever look at the head: O(1) per packet, no table scan.
/// </summary>
internal sealed class FlowList
{
    public FlowState? Head { get; private set; }
    public FlowState? Tail { get; private set; }
    public int Count { get; private set; }

    public void AddLast(FlowState s)
    {
        s.Prev = Tail;
        s.Next = null;
        if (Tail is null) Head = s; else Tail.Next = s;
        Tail = s;
        Count++;
    }

    public void Remove(FlowState s)
    {
        if (s.Prev is null) Head = s.Next; else s.Prev.Next = s.Next;
        if (s.Next is null) Tail = s.Prev; else s.Next.Prev = s.Prev;
        s.Prev = s.Next = null;
        Count--;
    }

    public void MoveToEnd(FlowState s)
    {
        if (Tail == s) return;
        Remove(s);
        AddLast(s);
    }
}

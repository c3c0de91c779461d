using McpEgress.Protocols.Smtp;

namespace McpEgress.Tests.Smtp;

public class SmtpPendingQueueTests
{
    private static SmtpPendingCommand Cmd(long ts) => new() { Kind = SmtpCommandKind.Rcpt, Ts = ts };

    [Fact]
    public void Starts_at_two_entries_and_doubles_up_to_the_limit()
    {
        var q = new SmtpPendingQueue(5);
        Assert.Equal(2, q.Capacity);
        var capacities = new List<int>();
        for (int i = 0; i < 5; i++)
        {
            q.Push(Cmd(i));
            capacities.Add(q.Capacity);
        }
        Assert.Equal([2, 2, 4, 4, 5], capacities);
        Assert.True(q.IsFull);
    }

    [Fact]
    public void Keeps_fifo_order_across_wraparound_and_growth()
    {
        var q = new SmtpPendingQueue(16);
        long next = 0, expected = 0;
        q.Push(Cmd(next++));
        q.Push(Cmd(next++));
        Assert.Equal(expected++, q.Pop().Ts);  // head moves: the next push wraps
        q.Push(Cmd(next++));
        q.Push(Cmd(next++));                   // full ring with a wrapped head: grows
        Assert.Equal(3, q.Newest.Ts);
        while (q.Count > 0) Assert.Equal(expected++, q.Pop().Ts);
        Assert.Equal(next, expected);
    }

    [Fact]
    public void Limit_is_at_least_four()
    {
        Assert.Equal(SmtpPendingQueue.MinLimit, new SmtpPendingQueue(1).Limit);
        Assert.Equal(128, new SmtpPendingQueue(128).Limit);
    }
}

using System.Net;
using McpEgress.Attribution;
using McpEgress.Daemon;
using McpEgress.Decode;
using McpEgress.Reassembly;

namespace McpEgress.Tests.Daemon;

/// <summary>The SYN tap's cache: TTL, capacity (oldest out first), replacement of a reused 4-tuple. Clock is fake.</summary>
public class FlowProcessCacheTests
{
    private long _now = 1_000;

    private FlowProcessCache Cache(int max = 3) => new(TimeSpan.FromSeconds(10), max, () => _now);

    private static FlowKey Key(int clientPort) => new(
        new Endpoint(IpAddress16.FromIPAddress(IPAddress.Loopback), (ushort)clientPort),
        new Endpoint(IpAddress16.FromIPAddress(IPAddress.Loopback), 25));

    private static ProcessInfo Pid(int pid) => new() { Pid = pid };

    [Fact]
    public void StoredProcess_IsFound_UntilItsTtlEnds()
    {
        var c = Cache();
        c.Set(Key(40000), Pid(7));
        Assert.Equal(7, c.Get(Key(40000))?.Pid);
        Assert.Null(c.Get(Key(40001)));
        _now += 9_999;
        Assert.Equal(7, c.Get(Key(40000))?.Pid);
        _now += 1;
        Assert.Null(c.Get(Key(40000)));
        c.Set(Key(40002), Pid(8)); // expired entries are dropped on the next store
        Assert.Equal(1, c.Count);
    }

    [Fact]
    public void Full_EvictsTheOldest()
    {
        var c = Cache(max: 3);
        for (int i = 0; i < 4; i++) { c.Set(Key(40000 + i), Pid(100 + i)); _now++; }
        Assert.Equal(3, c.Count);
        Assert.Null(c.Get(Key(40000)));
        Assert.Equal(103, c.Get(Key(40003))?.Pid);
    }

    [Fact]
    public void ReusedTuple_NewAnswerReplacesOld_AndLivesItsOwnTtl()
    {
        var c = Cache(max: 3);
        c.Set(Key(40000), Pid(1));
        _now += 5_000;
        c.Set(Key(40000), Pid(2)); // a new connection on the same 4-tuple
        Assert.Equal(2, c.Get(Key(40000))?.Pid);
        _now += 6_000; // the first store's TTL is over; the replacement's is not
        c.Set(Key(40001), Pid(3));
        Assert.Equal(2, c.Get(Key(40000))?.Pid);
        c.Remove(Key(40000)); // its next SYN could not be resolved: forget the old answer
        Assert.Null(c.Get(Key(40000)));
        Assert.Equal(1, c.Count);
    }

    [Fact]
    public void ManyReplacements_KeepTheQueueBounded()
    {
        var c = Cache(max: 2);
        for (int i = 0; i < 1000; i++) c.Set(Key(40000 + (i % 2)), Pid(i));
        Assert.Equal(2, c.Count);
        Assert.Equal(998, c.Get(Key(40000))?.Pid);
        Assert.Equal(999, c.Get(Key(40001))?.Pid);
    }
}

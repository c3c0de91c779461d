using McpEgress.Diagnostics;
using McpEgress.Protocols.Routing;
using McpEgress.Protocols.Tls;

namespace McpEgress.Tests.Routing;

public sealed class TlsParkingLotTests
{
    private const long Second = 1_000_000_000;

    private sealed class Flow(long pendingBytes, long closedAtNs, bool decryptsOnRetry = false) : IParkedTlsFlow
    {
        public long PendingBytes { get; } = pendingBytes;
        public long CloseTimestampNs { get; } = closedAtNs;
        public int Retries { get; private set; }
        public int Finished { get; private set; }

        public bool RetryParked()
        {
            Retries++;
            if (!decryptsOnRetry) return false;
            Finish();
            return true;
        }

        public void Finish() => Finished++;
    }

    private readonly AnomalyCounters _anomalies = new();
    private readonly TlsKeyLog _keyLog = new();

    private TlsParkingLot Lot(int maxSessions = 4096, long maxBytes = 64L << 20) =>
        new(new ProtocolOptions { MaxParkedTlsSessions = maxSessions, MaxParkedTlsBytes = maxBytes, ParkedTlsHold = TimeSpan.FromSeconds(30) },
            _keyLog, _anomalies);

    private void NewKeys() =>
        _keyLog.AddText("CLIENT_RANDOM " + new string('a', 64) + " " + new string('b', 96) + "\n");

    [Fact]
    public void HoldsFlowsAndTheirBytesUntilTheHoldEnds()
    {
        var lot = Lot();
        var a = new Flow(100, closedAtNs: 0);
        var b = new Flow(50, closedAtNs: 10 * Second);
        Assert.True(lot.TryPark(a));
        Assert.True(lot.TryPark(b));
        Assert.Equal((2, 150L), (lot.Sessions, lot.Bytes));

        lot.Service(30 * Second); // a's hold is not over yet (more than 30 s is)
        Assert.Equal(0, a.Finished);
        lot.Service(30 * Second + 1);
        Assert.Equal((1, 0), (a.Finished, b.Finished));
        Assert.Equal((1, 50L), (lot.Sessions, lot.Bytes));
        Assert.Equal(0, a.Retries); // the key log did not change: no retry
    }

    [Fact]
    public void RetriesOnlyAfterTheKeyLogChanged()
    {
        var lot = Lot();
        var stuck = new Flow(10, 0);
        var unlocks = new Flow(20, 0, decryptsOnRetry: true);
        lot.TryPark(stuck);
        lot.TryPark(unlocks);
        lot.Service(1);
        Assert.Equal((0, 0), (stuck.Retries, unlocks.Retries));

        NewKeys();
        lot.Service(2);
        Assert.Equal((1, 1), (stuck.Retries, unlocks.Retries));
        Assert.Equal((0, 1), (stuck.Finished, unlocks.Finished));
        Assert.Equal((1, 10L), (lot.Sessions, lot.Bytes));

        lot.Service(3); // same key-log version: no second retry
        Assert.Equal(1, stuck.Retries);
    }

    [Fact]
    public void LimitsEvictTheOldestAsAnAnomaly()
    {
        var lot = Lot(maxSessions: 2, maxBytes: 100);
        var first = new Flow(40, 0);
        var second = new Flow(40, 0);
        var third = new Flow(10, 0);
        lot.TryPark(first);
        lot.TryPark(second);
        Assert.True(lot.TryPark(third)); // a third session: the oldest goes
        Assert.Equal((1, 0, 0), (first.Finished, second.Finished, third.Finished));

        var big = new Flow(60, 0); // 40 + 10 + 60 > 100 bytes: the oldest goes again
        Assert.True(lot.TryPark(big));
        Assert.Equal(1, second.Finished);
        Assert.Equal((2, 70L), (lot.Sessions, lot.Bytes));
        Assert.Equal(2, _anomalies.Get(AnomalyStage.Tls, TlsAnomalies.ParkedSessionEvicted));

        Assert.False(lot.TryPark(new Flow(101, 0))); // never fits: not parked, nothing evicted
        Assert.Equal(2, lot.Sessions);
    }

    [Fact]
    public void FinishRetriesThenReportsTheRest()
    {
        var lot = Lot();
        var stuck = new Flow(10, 0);
        var unlocks = new Flow(20, 0, decryptsOnRetry: true);
        lot.TryPark(stuck);
        lot.TryPark(unlocks);
        lot.Finish();
        Assert.Equal((1, 1), (stuck.Retries, unlocks.Retries));
        Assert.Equal((1, 1), (stuck.Finished, unlocks.Finished));
        Assert.Equal((0, 0L), (lot.Sessions, lot.Bytes));
    }
}

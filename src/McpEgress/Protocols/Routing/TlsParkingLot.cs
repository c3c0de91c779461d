using McpEgress.Diagnostics;
using McpEgress.Protocols.Tls;

namespace McpEgress.Protocols.Routing;

/// <summary>
/// Ended TLS flows whose records still wait for keys: a key-log line or a pcapng Decryption Secrets Block may come
/// after the packets. Each gets another try whenever the key log changes, and is reported as it is (opaque) after
/// <see cref="ProtocolOptions.ParkedTlsHold"/> of packet time, at the end of input, or when the limits
/// (<see cref="ProtocolOptions.MaxParkedTlsSessions"/>, <see cref="ProtocolOptions.MaxParkedTlsBytes"/>) evict the
/// oldest (anomaly <c>parked_session_evicted</c>). Pipeline thread only.
/// </summary>
public sealed class TlsParkingLot
{
    private readonly ProtocolOptions _options;
    private readonly TlsKeyLog _keyLog;
    private readonly IAnomalySink _anomalies;
    private readonly LinkedList<(IParkedTlsFlow Flow, long Bytes, (long, long) At)> _parked = new();
    private long _bytes;
    private long _keyVersionSeen;

    internal TlsParkingLot(ProtocolOptions options, TlsKeyLog keyLog, IAnomalySink anomalies)
    {
        _options = options;
        _keyLog = keyLog;
        _anomalies = anomalies;
        _keyVersionSeen = keyLog.Version;
    }

    /// <summary>Optional: stamps parked flows and is told before each one retries or gives up (a sharded pipeline).</summary>
    public IParkingOrder? Order { get; set; }

    /// <summary>Flows waiting now.</summary>
    public int Sessions => _parked.Count;

    /// <summary>Ciphertext held by the waiting flows (counted when each was parked).</summary>
    public long Bytes => _bytes;

    /// <summary>Parks an ended TLS flow whose records wait for keys; false when the limits say no.</summary>
    internal bool TryPark(IParkedTlsFlow flow)
    {
        long bytes = flow.PendingBytes;
        if (bytes > _options.MaxParkedTlsBytes) return false;
        while (_parked.Count > 0 && (_parked.Count >= _options.MaxParkedTlsSessions || _bytes + bytes > _options.MaxParkedTlsBytes))
        {
            _anomalies.Report(AnomalyStage.Tls, TlsAnomalies.ParkedSessionEvicted);
            Unpark(_parked.First!).Finish();
        }
        _parked.AddLast((flow, bytes, Order?.Stamp() ?? default));
        _bytes += bytes;
        return true;
    }

    /// <summary>
    /// Called for every packet and after new secrets: when the key log changed, parked flows get another try; flows
    /// parked longer than <see cref="ProtocolOptions.ParkedTlsHold"/> are reported opaque.
    /// </summary>
    internal void Service(long nowNs)
    {
        if (_parked.Count == 0) return;
        if (_keyLog.Version != _keyVersionSeen) RetryAll();
        long holdNs = (long)_options.ParkedTlsHold.TotalMilliseconds * 1_000_000;
        while (_parked.First is { } first && nowNs - first.Value.Flow.CloseTimestampNs > holdNs)
            GiveUp(first);
    }

    /// <summary>End of input: last try for parked flows, then report the rest opaque.</summary>
    internal void Finish()
    {
        RetryAll();
        while (_parked.First is { } first) GiveUp(first);
    }

    private void RetryAll()
    {
        _keyVersionSeen = _keyLog.Version;
        for (var node = _parked.First; node is not null;)
        {
            var next = node.Next;
            Order?.Serving(node.Value.At, givingUp: false);
            if (node.Value.Flow.RetryParked()) Unpark(node);
            node = next;
        }
    }

    private void GiveUp(LinkedListNode<(IParkedTlsFlow Flow, long Bytes, (long, long) At)> node)
    {
        Order?.Serving(node.Value.At, givingUp: true);
        Unpark(node).Finish();
    }

    private IParkedTlsFlow Unpark(LinkedListNode<(IParkedTlsFlow Flow, long Bytes, (long, long) At)> node)
    {
        _parked.Remove(node);
        _bytes -= node.Value.Bytes;
        return node.Value.Flow;
    }
}

namespace McpEgress.Pipeline;

/// <summary>Counters of one pipeline run, for the replay summary and the daemon's metrics.</summary>
public sealed class PipelineStats
{
    public long Packets;
    public long Bytes;
    public long TcpSegments;
    public long NonTcpPackets;
    public long MalformedPackets;
    public long Messages;
    public long Alerts;
    public long CriticalAlerts;
    public long HighAlerts;

    /// <summary>Alerts by rule id (a bounded key set: the engine's rules).</summary>
    public Dictionary<string, long> AlertsByRule { get; } = new(StringComparer.Ordinal);
    public long InternalErrors;
    public long TlsDecrypted;
    public long TlsOpaque;
    public long MailApiUnreadable;

    /// <summary>
    /// Packets of bypassed flows that reached the pipeline and were followed only for their sequence numbers, and their
    /// captured bytes. A bypass is not a drop: nothing in them could matter. Live capture counts the ones it shed before
    /// the queue in its own statistics.
    /// </summary>
    public long BypassedPackets;
    public long BypassedBytes;
}

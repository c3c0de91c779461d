namespace McpEgress.Protocols.Tls;

/// <summary>Limits of a <see cref="TlsKeyLog"/>.</summary>
public sealed class TlsKeyLogOptions
{
    /// <summary>
    /// Most client randoms kept (each holds up to eight secrets, packed in one array). Past this the oldest entry
    /// nobody wants is evicted (anomaly <c>keylog_evicted</c>). Default 100 000: 40 MB held when every entry has a
    /// TLS 1.3 session's five 48-byte secrets (measured, HostileKeyLogTests) — the bound on memory held for keys,
    /// whatever the key logs' size.
    /// </summary>
    public int MaxEntries { get; init; } = 100_000;

    /// <summary>
    /// Most client randoms protected from eviction because a session (or a replay's capture) needs them; the oldest
    /// wanted one is forgotten past this. Capped at half of <see cref="MaxEntries"/>. Default 50 000.
    /// </summary>
    public int MaxWanted { get; init; } = 50_000;

    /// <summary>Longest key log line accepted; longer lines are malformed. Default 1024 (real lines are ~180).</summary>
    public int MaxLineLength { get; init; } = 1024;
}
